"""The demand side (三单制): what the community and its residents need, who took it on, and what happened.

A `Need` is 点单 (a resident's wish or request) or the community's own service or task; the community vets
and publishes it (下单); members or units take places on it (`Claim`, 接单). A claim is reported done and then
confirmed by the person served (or, for the community's own needs, by the community) — only that confirmation
writes a service record in the ledger. The need's `status` is derived from its claims after every change, in
one place (`services._settle`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SERVICE = "service", _("服务清单")
    TASK = "task", _("任务清单")
    WISH = "wish", _("微心愿")
    REQUEST = "request", _("诉求")


#: Kinds a resident submits (and the resident confirms); the community creates the others and confirms them.
RESIDENT_KINDS = (Kind.WISH, Kind.REQUEST)
COMMUNITY_KINDS = (Kind.SERVICE, Kind.TASK)


class Category(models.TextChoices):
    """分类: the controlled list the classified ledger (分类台账) is kept by."""

    ELDERLY = "elderly", _("助老助残")
    HARDSHIP = "hardship", _("困难帮扶")
    EDUCATION = "education", _("教育辅导")
    HEALTH = "health", _("医疗健康")
    LEGAL = "legal", _("法律咨询")
    REPAIR = "repair", _("设施维修")
    ENVIRONMENT = "environment", _("环境卫生")
    SAFETY = "safety", _("治安安全")
    DISPUTE = "dispute", _("邻里纠纷")
    PROPERTY = "property", _("物业管理")
    ELEVATOR = "elevator", _("加装电梯")
    RENTAL = "rental", _("出租屋管理")
    CULTURE = "culture", _("文体活动")
    POLICY = "policy", _("政策宣传")
    EMERGENCY = "emergency", _("应急处置")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("待认领")
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETED = "completed", _("待确认")
    DISPUTED = "disputed", _("有异议")
    CLOSED = "closed", _("已办结")
    #: the community stopped a resident's need without the resident's confirmation (never counted as done)
    TERMINATED = "terminated", _("终止办理")
    DECLINED = "declined", _("未受理")
    MERGED = "merged", _("已合并")


#: States in which a need takes claims and moves along; the others are final (or not yet vetted).
LIVE_STATUSES = (Status.PUBLISHED, Status.IN_PROGRESS, Status.COMPLETED, Status.DISPUTED)
FINAL_STATUSES = (Status.CLOSED, Status.TERMINATED, Status.DECLINED, Status.MERGED)


class Escalation(models.TextChoices):
    """How far an overdue need has been reported to the street: late answer first, late resolution after."""

    NONE = "", _("未上报")
    RESPONSE = "response", _("超过响应时限")
    RESOLUTION = "resolution", _("超过办结时限")


class Need(models.Model):
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=80)
    description = models.TextField(_("详细描述"), max_length=2000, blank=True)
    category = models.CharField(_("分类"), max_length=20, choices=Category.choices)
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="needs")
    grid = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    #: the grid's path, or the community's: what the scoping layer filters on
    path = models.CharField(max_length=255, db_index=True, editable=False)
    location = models.CharField(_("地点/楼栋"), max_length=200, blank=True)
    skills = models.JSONField(_("所需特长"), default=list, blank=True)
    places = models.PositiveIntegerField(
        _("名额"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    #: places held by claims that are not withdrawn or lapsed (the counter the conditional UPDATE guards)
    taken = models.PositiveIntegerField(_("已认领"), default=0)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("截止时间"), null=True, blank=True)

    # who asked: the resident's account, or the contact a grid worker took down for someone without one (代办)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf = models.BooleanField(_("网格员代办"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)

    decline_reason = models.CharField(_("未受理原因"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_needs"
    )
    # time limits from the district's policy when the need came in
    respond_by = models.DateTimeField(_("响应时限"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("办结时限"), null=True, blank=True)
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报街道时间"), null=True, blank=True)
    #: when the resident was reminded to confirm a fulfilment past the time limit (once)
    reminded_at = models.DateTimeField(_("提醒确认时间"), null=True, blank=True)
    escalation = models.CharField(
        _("超时上报"), max_length=10, choices=Escalation.choices, default="", blank=True
    )
    #: the resident's (or the community's) last rating, for the board and the averages
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("places")), name="need_taken_within_places"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="need_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="need_merged_has_target"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="need_community_status_idx"),
            models.Index(fields=["status", "resolve_by"], name="need_status_resolve_idx"),
            models.Index(fields=["status", "respond_by"], name="need_status_respond_idx"),
            models.Index(fields=["community", "created_at"], name="need_community_created_idx"),
            # the dashboards count the needs closed in a period, and on time, by path, from this index alone
            models.Index(fields=["status", "closed_at", "path", "resolve_by"], name="need_closed_cover_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"

    @property
    def free_places(self) -> int:
        return max(self.places - self.taken, 0)

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Past a time limit: not answered in time, or not resolved in time (`selectors.overdue_q` in SQL)."""
        if self.status in FINAL_STATUSES:
            return False
        now = now or timezone.now()
        late_answer = (
            self.status == Status.SUBMITTED and self.respond_by is not None and self.respond_by <= now
        )
        return late_answer or (self.resolve_by is not None and self.resolve_by <= now)


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("已认领")
    COMPLETED = "completed", _("已办结待确认")
    DISPUTED = "disputed", _("有异议")
    CONFIRMED = "confirmed", _("已确认")
    WITHDRAWN = "withdrawn", _("已退出")
    LAPSED = "lapsed", _("已失效")
    #: the community closed the need while the place was held (not the claimer's doing)
    RELEASED = "released", _("需求关闭，已释放")


#: Claims that hold a place on the need.
HOLDING_STATUSES = (ClaimStatus.ACTIVE, ClaimStatus.COMPLETED, ClaimStatus.DISPUTED, ClaimStatus.CONFIRMED)
#: Claims still in hand (not yet confirmed and not given up).
OPEN_CLAIM_STATUSES = (ClaimStatus.ACTIVE, ClaimStatus.COMPLETED, ClaimStatus.DISPUTED)


class Claim(models.Model):
    """接单: a member — or a unit as a whole — holding one place on a need."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="claims")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE
    )
    #: assigned by the community (指派) rather than taken by the claimer itself
    assigned = models.BooleanField(_("社区指派"), default=False)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    #: an active claim not reported done by then lapses and its place reopens
    lapses_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    note = models.TextField(_("办结说明"), max_length=1000, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1, null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    comment = models.CharField(_("评价"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("退出/异议原因"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("认领")
        verbose_name_plural = _("认领")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, unit__isnull=True)
                | Q(member__isnull=True, unit__isnull=False),
                name="claim_member_xor_unit",
            ),
            models.UniqueConstraint(
                fields=["need", "member"],
                condition=Q(status__in=HOLDING_STATUSES),
                name="claim_one_place_per_member",
            ),
            models.UniqueConstraint(
                fields=["need", "unit"],
                condition=Q(status__in=HOLDING_STATUSES),
                name="claim_one_place_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="claim_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["status", "lapses_at"], name="claim_status_lapse_idx")]

    def __str__(self) -> str:
        return f"{self.need_id} ← {self.member_id or self.unit_id} ({self.status})"


class NeedEvent(models.Model):
    """The need's visible timeline: every step, who took it, and why."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交")
        CREATED = "created", _("社区发布需求")
        PUBLISHED = "published", _("审核通过并发布")
        DECLINED = "declined", _("不予受理")
        MERGED = "merged", _("合并到其他需求")
        ASSIGNED = "assigned", _("社区指派")
        CLAIMED = "claimed", _("认领")
        WITHDRAWN = "withdrawn", _("退出认领")
        LAPSED = "lapsed", _("认领超时失效")
        COMPLETED = "completed", _("报告办结")
        CONFIRMED = "confirmed", _("确认办结并评价")
        DISPUTED = "disputed", _("提出异议")
        REOPENED = "reopened", _("退回重办")
        CLOSED = "closed", _("关闭需求")
        TERMINATED = "terminated", _("终止办理")
        ESCALATED = "escalated", _("超时上报街道")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=1000, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.need_id} {self.kind}"


class Photo(models.Model):
    """A picture attached when the need was submitted or reported done. Evidence to look at, never proof."""

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", _("提交时")
        COMPLETED = "completed", _("办结时")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.need_id} {self.stage} #{self.pk}"
