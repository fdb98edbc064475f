"""The dashboards' maintained aggregates (issue 7): written in the same transaction as the ledger, so that a
dashboard never reads the ledger itself.

Every table has two kinds of rows: a region row (`path` set, `unit` empty) and a unit row (`unit` set, `path`
empty). A region row is keyed by the most specific path (a grid's or a community's), and a region's figures
are the sum of the rows under its path prefix; a unit row holds the unit's figures.

- `ServiceTally`: per month and path where the service was done (`ServiceRecord.path`), and per month and unit
  (the member's unit, or the unit that served as a whole): standing services (records minus reversals),
  hours (reversals included, so negative hours cancel), ratings counted and summed.
- `MemberActivity`: per member and period (month, quarter, year) its standing services; with the path where
  the member lives and its unit when the row was made. Distinct active members cannot be summed across
  months: this row says when a member becomes active in a period (0 → 1) or stops being so (1 → 0).
- `ActiveTally`: members with at least one standing service, per period and path where they live (region
  rows) or per period and unit (unit rows), moved by `MemberActivity`'s transitions.

`baodao.stats.services.stats_rebuild()` recomputes all of them from the ledger (`manage.py stats_rebuild`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MONTH = "m", _("月")
    QUARTER = "q", _("季度")
    YEAR = "y", _("年度")


def _keys(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=(Q(unit__isnull=True) & ~Q(path="")) | (Q(unit__isnull=False) & Q(path="")),
            name=f"{prefix}_region_or_unit",
        )
    ]


class ServiceTally(models.Model):
    month = models.DateField(_("月份"))
    path = models.CharField(max_length=255, blank=True, default="")
    #: (no index of its own: the composite indexes below serve both kinds of rows)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    services = models.IntegerField(_("服务次数"), default=0)
    hours = models.DecimalField(_("服务时长"), max_digits=12, decimal_places=2, default=0)
    rated = models.IntegerField(_("评分次数"), default=0)
    rating_sum = models.IntegerField(_("评分合计"), default=0)

    class Meta:
        verbose_name = _("服务汇总")
        verbose_name_plural = _("服务汇总")
        constraints = [
            *_keys("servicetally"),
            models.UniqueConstraint(
                fields=["month", "path"], condition=Q(unit__isnull=True), name="servicetally_month_path"
            ),
            models.UniqueConstraint(
                fields=["month", "unit"], condition=Q(unit__isnull=False), name="servicetally_month_unit"
            ),
        ]
        indexes = [
            # a region's months read from the index alone (every figure is in it)
            models.Index(
                fields=["month", "path", "services", "hours", "rated", "rating_sum"],
                condition=Q(unit__isnull=True),
                name="servicetally_region_cover",
            ),
            models.Index(fields=["unit", "month"], condition=Q(unit__isnull=False), name="servicetally_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.path or self.unit_id} {self.services}"


class MemberActivity(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    #: the first day of the month, quarter or year
    start = models.DateField()
    services = models.IntegerField(default=0)
    #: where the member lived (its grid's or community's path, else its unit's region) and its unit, when the
    #: row was made: the `ActiveTally` rows it moves
    path = models.CharField(max_length=255)
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("党员服务活跃")
        verbose_name_plural = _("党员服务活跃")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "start"], name="memberactivity_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}{self.start} {self.services}"


class ActiveTally(models.Model):
    kind = models.CharField(max_length=1, choices=Kind.choices)
    start = models.DateField()
    path = models.CharField(max_length=255, blank=True, default="")
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    members = models.IntegerField(_("活跃党员"), default=0)

    class Meta:
        verbose_name = _("活跃党员汇总")
        verbose_name_plural = _("活跃党员汇总")
        constraints = [
            *_keys("activetally"),
            models.UniqueConstraint(
                fields=["kind", "start", "path"],
                condition=Q(unit__isnull=True),
                name="activetally_period_path",
            ),
            models.UniqueConstraint(
                fields=["kind", "start", "unit"],
                condition=Q(unit__isnull=False),
                name="activetally_period_unit",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "start", "path", "members"],
                condition=Q(unit__isnull=True),
                name="activetally_region_cover",
            ),
            models.Index(
                fields=["unit", "kind", "start"], condition=Q(unit__isnull=False), name="activetally_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}{self.start} {self.path or self.unit_id} {self.members}"
