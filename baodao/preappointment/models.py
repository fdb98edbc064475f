"""任前考察: before appointing a cadre, its unit (or the district's organisation department) asks the
community where the member serves for a report on its performance there.

A member who ever held a confirmed registration is reported on by that community (the one it is registered
in now, else the last one it left): pending → answered, the report pre-filled from the ledger and the
appraisals, then frozen with the community's comment. A member who never registered has nothing to report:
the check states so at once, and the unit owes a written explanation: explanation_required → explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("待社区回复")
    ANSWERED = "answered", _("社区已回复")
    EXPLANATION_REQUIRED = "explanation_required", _("待单位说明")
    EXPLAINED = "explained", _("单位已说明")


#: a check still waiting for someone: a member has at most one at a time
OPEN_STATUSES = (Status.PENDING, Status.EXPLANATION_REQUIRED)


class Check(models.Model):
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="preappointment_checks"
    )
    #: the member's unit when asked
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("考察事由"), max_length=300)
    asked_at = models.DateTimeField(_("发起时间"))
    #: ever held a confirmed registration (when asked)
    registered = models.BooleanField(_("曾报到"))
    #: the community that answers: the registration in force, else the last one that ended; null when the
    #: member never registered
    community = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    #: for a member who never registered: the statement saying so
    statement = models.TextField(_("未报到情况"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices)
    #: the report as answered (`selectors.check_report`), frozen
    report = models.JSONField(_("考察报告"), null=True, blank=True)
    comment = models.TextField(_("社区意见"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    explanation = models.TextField(_("单位情况说明"), max_length=2000, blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    explained_at = models.DateTimeField(_("说明时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任前考察")
        verbose_name_plural = _("任前考察")
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["pending", "explanation_required"]),
                name="preappointment_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=Q(registered=True, community__isnull=False)
                | Q(registered=False, community__isnull=True),
                name="preappointment_community_iff_registered",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="preappointment_unit_idx"),
            models.Index(fields=["community", "status"], name="preappointment_community_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status}"

    @property
    def is_closed(self) -> bool:
        return self.status in (Status.ANSWERED, Status.EXPLAINED)
