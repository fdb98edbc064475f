"""志愿服务证明: a member's verified service over a period, frozen when issued, checkable by anyone.

The facts are copied from the ledger at issue time (the ledger may later gain reversals; the certificate says
what was true when it was issued, and says so). The number carries a keyed check so a mistyped or altered
number is told apart from a genuine one without a lookup, and the stored facts carry a keyed seal so a row
altered in the database no longer verifies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    number = models.CharField(_("证明编号"), max_length=32, unique=True)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="certificates")
    #: the member's name as printed (a later change of name does not change a certificate)
    name = models.CharField(_("姓名"), max_length=50)
    issuing_community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    hours = models.DecimalField(_("服务时长"), max_digits=8, decimal_places=2)
    services = models.PositiveIntegerField(_("服务次数"))
    #: [{"category", "label", "hours", "services"}], largest first
    by_category = models.JSONField(_("分类统计"), default=list)
    #: names of the communities (and organisers) whose records it certifies
    certifiers = models.JSONField(_("核实单位"), default=list)
    issued_at = models.DateTimeField(_("开具时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seal = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number
