from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已报到"
    REJECTED = "rejected", "已驳回"
    ENDED = "ended", "已结束"


ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED)


class Registration(models.Model):
    """A member's 报到 with the community it lives in: pending → confirmed (receipt) | rejected; confirmed or
    pending → ended. Rows are never deleted: ended and rejected ones are the member's history."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="registrations")
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="registrations")
    grid = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("楼栋/住址", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    receipt_no = models.CharField("回执编号", max_length=48, unique=True, null=True, blank=True)
    reason = models.CharField("驳回/结束原因", max_length=300, blank=True)
    applied_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "党员报到"
        verbose_name_plural = "党员报到"
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
        APPLIED = "applied", "提交报到申请"
        CONFIRMED = "confirmed", "社区确认报到"
        REJECTED = "rejected", "社区驳回"
        ENDED = "ended", "结束报到"

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
    commitments = models.TextField("共建承诺", max_length=2000)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    receipt_no = models.CharField("回执编号", max_length=48, unique=True, null=True, blank=True)
    reason = models.CharField("驳回/结束原因", max_length=300, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "单位报到"
        verbose_name_plural = "单位报到"
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
