"""通报: a district's or street's ranking of its units by coverage and service completion in a period,
published once as a snapshot. The rows copy the figures (and the unit's name) as they were at publication, so
the published page and PDF never change whatever happens later to the roster, the registrations or the
ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def rate(part: int, whole: int) -> float | None:
    """A share as a decimal 0..1 to four places, like the coverage API; None when there is no whole."""
    return round(part / whole, 4) if whole else None


class Circular(models.Model):
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="circulars", verbose_name=_("区域")
    )
    #: "2026Q3" or "2026" (`baodao.lib.periods`)
    period = models.CharField(_("统计期"), max_length=8)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    #: the district's policy at the period's end, as applied
    threshold = models.DecimalField(_("报到率达标线"), max_digits=4, decimal_places=3)
    minimum = models.CharField(_("最低服务要求"), max_length=200)
    #: name of the region as printed (the issuer)
    issuer = models.CharField(_("发布单位"), max_length=100)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period_end", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="circular_one_per_region_period"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period}"


class CircularRow(models.Model):
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("单位编码"), max_length=32)
    name = models.CharField(_("单位名称"), max_length=100)
    #: on the roster (today's roster when published), registered at the period's end, of whom met the minimum
    members = models.PositiveIntegerField(_("在册党员"))
    registered = models.PositiveIntegerField(_("已报到"))
    completed = models.PositiveIntegerField(_("完成服务"))
    below_threshold = models.BooleanField(_("未达标"))
    #: 1 = best; None for a unit with nobody on its roster (listed last, not ranked)
    rank = models.PositiveIntegerField(_("名次"), null=True)
    position = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("通报明细")
        verbose_name_plural = _("通报明细")
        ordering = ["circular", "position"]
        constraints = [
            models.UniqueConstraint(fields=["circular", "unit"], name="circular_row_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.circular_id} {self.code} #{self.rank}"

    @property
    def coverage(self) -> float | None:
        return rate(self.registered, self.members)

    @property
    def completion(self) -> float | None:
        return rate(self.completed, self.registered)
