from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已报到")
    REJECTED = "rejected", _("已驳回")
    ENDED = "ended", _("已结束")


ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED)


class Registration(models.Model):
    """A member's 报到 with the community it lives in: pending → confirmed (receipt) | rejected; confirmed or
    pending → ended. Rows are never deleted: ended and rejected ones are the member's history."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="registrations")
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="registrations")
    grid = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("楼栋/住址"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    receipt_no = models.CharField(_("回执编号"), max_length=48, unique=True, null=True, blank=True)
    reason = models.CharField(_("驳回/结束原因"), max_length=300, blank=True)
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("党员报到")
        verbose_name_plural = _("党员报到")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="registration_one_active_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status="confirmed", receipt_no__isnull=False) | ~Q(status="confirmed"),
                name="registration_confirmed_has_receipt",
            ),
        ]
        indexes = [models.Index(fields=["community", "status"], name="registration_comm_status_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.community_id} ({self.status})"


class RegistrationEvent(models.Model):
    """The visible history of one registration: who did what, when, and why."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("提交报到申请")
        CONFIRMED = "confirmed", _("社区确认报到")
        REJECTED = "rejected", _("社区驳回")
        ENDED = "ended", _("结束报到")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind}"


class UnitRegistration(models.Model):
    """单位报到: a unit's co-building agreement (共建) with a community, with its commitments."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="community_registrations")
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="unit_registrations")
    commitments = models.TextField(_("共建承诺"), max_length=2000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    receipt_no = models.CharField(_("回执编号"), max_length=48, unique=True, null=True, blank=True)
    reason = models.CharField(_("驳回/结束原因"), max_length=300, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("单位报到")
        verbose_name_plural = _("单位报到")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="unit_registration_one_active_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} ⇄ {self.community_id} ({self.status})"
