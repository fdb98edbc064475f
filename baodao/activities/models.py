"""Volunteer activities (志愿服务活动): places with a waitlist, and attendance that a photo cannot fake.

Members sign up; when the places are gone they wait in line and move up, in order, when someone cancels.
At the activity they check in and out with a short code that rotates every `CODE_PERIOD` seconds (derived from
the activity's secret, so no code is stored), optionally within a geofence. The time actually attended,
clipped to the activity's window, becomes a service record in the ledger.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from baodao.needs.models import Category


class Status(models.TextChoices):
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")
    CLOSED = "closed", _("已结束")


class Activity(models.Model):
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="activities")
    grid = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    #: the grid's path, or the community's: what the scoping layer filters on
    path = models.CharField(max_length=255, db_index=True, editable=False)
    #: a co-building unit organising inside the community; empty when the community organises it
    organiser_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("活动名称"), max_length=80)
    category = models.CharField(_("分类"), max_length=20, choices=Category.choices)
    description = models.TextField(_("活动内容"), max_length=2000, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=200)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField(
        _("签到范围（米）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(5000)],
    )
    places = models.PositiveIntegerField(
        _("名额"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    #: confirmed sign-ups (the counter the conditional UPDATE guards)
    taken = models.PositiveIntegerField(_("已报名"), default=0)
    skills = models.JSONField(_("所需特长"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    #: the seed of the rotating check-in codes; never shown
    secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("结束确认时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("places")), name="activity_taken_within_places"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=Q(radius_m__isnull=True) | Q(lat__isnull=False, lng__isnull=False),
                name="activity_geofence_has_centre",
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"], name="activity_community_start_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def geofenced(self) -> bool:
        return self.radius_m is not None


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补中")
    CANCELLED = "cancelled", _("已取消")


#: sign-ups that hold a place or a place in the line
HOLDING = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


class Attendance(models.TextChoices):
    NONE = "", _("未签到")
    CHECKED_IN = "checked_in", _("已签到")
    ATTENDED = "attended", _("已签退")
    MANUAL = "manual", _("人工补录")
    NO_SHOW = "no_show", _("缺席")
    #: checked in but never out; the organiser's closing rule decided the hours
    CLOSED_BY_RULE = "closed_by_rule", _("未签退，按规则结算")


class Signup(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("状态"), max_length=10, choices=SignupStatus.choices)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    attendance = models.CharField(
        _("出勤"), max_length=14, choices=Attendance.choices, default=Attendance.NONE, blank=True
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    #: distance from the geofence's centre at check-in (metres); empty when no position was given
    checkin_distance_m = models.PositiveIntegerField(null=True, blank=True)
    checkout_distance_m = models.PositiveIntegerField(null=True, blank=True)
    hours = models.DecimalField(_("核定时长"), max_digits=5, decimal_places=2, null=True, blank=True)
    manual_reason = models.CharField(_("补录原因"), max_length=300, blank=True)
    #: wrong codes typed since the last lock-out, and until when the member must wait after too many
    code_failures = models.PositiveSmallIntegerField(default=0)
    code_locked_until = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], condition=Q(status__in=HOLDING), name="signup_once_per_member"
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "created_at"], name="signup_line_idx"),
            models.Index(fields=["member", "status"], name="signup_member_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} ← {self.member_id} ({self.status})"
