"""The service ledger (服务台账): the one truth about verified service.

A row is written only when service has been verified — a need's fulfilment confirmed by the person served or
by the community (later: attendance checked in with a code). Rows are never changed or deleted, in the
database itself (triggers); a correction is a reversing row that points at the row it cancels and carries
the negated hours.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    NEED = "need", _("需求办结")
    ACTIVITY = "activity", _("活动出勤")
    EMERGENCY = "emergency", _("战时应急值守")


class ServiceRecord(models.Model):
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    #: who served: a member, or a unit that served as a whole (then `member` is empty)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="service_records"
    )
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    #: the path of the grid or community where the service was done (what the scoping layer filters on)
    path = models.CharField(max_length=255, db_index=True)
    need = models.ForeignKey(
        "needs.Need", null=True, blank=True, on_delete=models.PROTECT, related_name="service_records"
    )
    claim = models.ForeignKey(
        "needs.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="service_records"
    )
    signup = models.ForeignKey(
        "activities.Signup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shift = models.ForeignKey(
        "mobilizations.Shift", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("分类"), max_length=20)
    title = models.CharField(_("服务内容"), max_length=120)
    hours = models.DecimalField(_("时长（小时）"), max_digits=7, decimal_places=2)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    served_at = models.DateTimeField(_("服务时间"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: a reversing entry names the row it cancels; its hours are that row's, negated
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("冲销原因"), max_length=300, blank=True)
    #: the member's unit and home (its grid's or community's path, else its unit's region) when the record was
    #: written (a reversal copies its original's): the dashboards count the service and the member's activity
    #: there, whatever moves later. Empty for a unit serving as a whole, and on records written before.
    member_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    home_path = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 (null: not kept)
    #: for attendance: how many earlier credits of the same sign-up were reversed before this one
    attempt = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(unit__isnull=False), name="record_has_server"
            ),
            # a confirmed claim credits each person once (and a unit serving as a whole once), whatever
            # retries or races happen
            models.UniqueConstraint(
                fields=["claim", "member"],
                condition=Q(claim__isnull=False, member__isnull=False, reverses__isnull=True),
                name="record_once_per_claim_member",
            ),
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(claim__isnull=False, member__isnull=True, reverses__isnull=True),
                name="record_once_per_unit_claim",
            ),
            # one attendance is credited once
            # one attendance is credited once at a time: after the community reverses a credit, the
            # organiser may credit it again (the next `attempt`), and never twice at once
            models.UniqueConstraint(
                fields=["signup", "attempt"],
                condition=Q(signup__isnull=False, reverses__isnull=True),
                name="record_once_per_signup_attempt",
            ),
            # one shift on duty in an emergency is credited once
            models.UniqueConstraint(
                fields=["shift"],
                condition=Q(shift__isnull=False, reverses__isnull=True),
                name="record_once_per_shift",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, hours__gte=0) | Q(reverses__isnull=False, hours__lte=0),
                name="record_sign_of_hours",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "served_at"], name="record_member_served_idx"),
            models.Index(fields=["community", "served_at"], name="record_community_served_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id or self.unit_id} {self.hours}h {self.title}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class Rule(models.TextChoices):
    PER_HOUR = "per_hour", _("服务时长")
    PER_NEED = "per_need", _("办结需求")
    RATING_BONUS = "rating_bonus", _("群众好评")
    NO_SHOW = "no_show", _("报名缺席")
    REVERSAL = "reversal", _("冲销")


class PointEntry(models.Model):
    """One line of a member's points: which rule, at which rate, from which record or sign-up. Append-only."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="point_entries")
    record = models.ForeignKey(
        ServiceRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="point_entries"
    )
    signup = models.ForeignKey(
        "activities.Signup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rule = models.CharField(_("规则"), max_length=12, choices=Rule.choices)
    rate = models.DecimalField(_("标准"), max_digits=8, decimal_places=2)
    points = models.DecimalField(_("积分"), max_digits=9, decimal_places=2)
    #: the policy row the rule came from; empty for the national defaults
    policy = models.ForeignKey(
        "policy.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分明细")
        verbose_name_plural = _("积分明细")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=False) | Q(signup__isnull=False), name="point_has_source"
            ),
            models.UniqueConstraint(
                fields=["record", "rule"],
                condition=Q(record__isnull=False),
                name="point_once_per_record_rule",
            ),
            models.UniqueConstraint(
                fields=["signup", "rule"],
                condition=Q(signup__isnull=False),
                name="point_once_per_signup_rule",
            ),
        ]
        indexes = [models.Index(fields=["member", "year"], name="point_member_year_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.rule} {self.points}"
