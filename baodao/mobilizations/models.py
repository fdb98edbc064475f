"""战时应急动员: activation → call → answers → roll call → shifts → stand-down.

A community admin (or a street admin, for several communities at once) activates an emergency over an area
(whole communities or some grids) and names the emergency posts it needs, with headcounts. The call goes
out in the background: one `Call` per member — every confirmed holder of a named post in the area first;
all registered members of the area, or of the neighbouring grids, when the admin widens it. Each member
answers 到岗 (with when it expects to arrive) or 无法到岗 (with a reason) and may change its mind; arrival
is proved by checking in on site with the rotating code, which opens a shift; checking out (or the
stand-down) closes it, and its hours go to the ledger as verified service.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Type(models.TextChoices):
    EPIDEMIC = "epidemic", _("疫情防控")
    FLOOD = "flood", _("防汛抢险")
    FIRE = "fire", _("火灾救援")
    WEATHER = "weather", _("极端天气")
    SAFETY = "safety", _("治安维稳")
    OTHER = "other", _("其他突发事件")


class Status(models.TextChoices):
    ACTIVE = "active", _("应急中")
    STOOD_DOWN = "stood_down", _("已解除")


class Mobilization(models.Model):
    title = models.CharField(_("事件名称"), max_length=80)
    type = models.CharField(_("事件类型"), max_length=10, choices=Type.choices)
    description = models.TextField(_("情况说明"), max_length=2000, blank=True)
    report_by = models.DateTimeField(_("报到时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    #: the seed of the rotating check-in codes; never shown
    secret = models.CharField(max_length=64, editable=False)
    #: the ways the call was widened, in order ("all_registered", "neighbour_grids")
    widened = models.JSONField(default=list, blank=True)
    #: call-outs queued and not yet run (the first call, each widening); the call is under way while > 0
    fanouts_pending = models.PositiveSmallIntegerField(default=0)
    #: set when the last queued call-out has finished; empty while calls go out
    fanout_done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("启动时间"), auto_now_add=True)
    stood_down_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    stood_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("应急动员")
        verbose_name_plural = _("应急动员")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE


class Area(models.Model):
    """One region (a community or a grid) of the emergency's area; `path` is what scope filters on."""

    mobilization = models.ForeignKey(Mobilization, on_delete=models.CASCADE, related_name="areas")
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255, db_index=True)

    class Meta:
        verbose_name = _("动员区域")
        verbose_name_plural = _("动员区域")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["mobilization", "region"], name="area_once")]

    def __str__(self) -> str:
        return self.path


class PostNeed(models.Model):
    """An emergency post the emergency needs, and how many people on it."""

    mobilization = models.ForeignKey(Mobilization, on_delete=models.CASCADE, related_name="post_needs")
    post = models.ForeignKey("posts.Post", on_delete=models.PROTECT, related_name="+")
    headcount = models.PositiveIntegerField(
        _("需要人数"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )

    class Meta:
        verbose_name = _("所需应急岗位")
        verbose_name_plural = _("所需应急岗位")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["mobilization", "post"], name="post_need_once")]

    def __str__(self) -> str:
        return f"{self.post_id}×{self.headcount}"


class Reason(models.TextChoices):
    POST = "post", _("应急岗位在岗")
    ALL_REGISTERED = "all_registered", _("扩大：区域内全体报到党员")
    NEIGHBOUR_GRIDS = "neighbour_grids", _("扩大：相邻网格")
    #: a registered member of the area who was not called and came anyway (checked in with the code on site)
    WALK_IN = "walk_in", _("自行到岗")


class Answer(models.TextChoices):
    NONE = "", _("未响应")
    YES = "yes", _("到岗")
    NO = "no", _("无法到岗")


class Call(models.Model):
    mobilization = models.ForeignKey(Mobilization, on_delete=models.PROTECT, related_name="calls")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="emergency_calls")
    #: the emergency post it holds and is called for; empty for a call widened beyond the posts
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    #: where the member lives, when called: the roll call counts by grid
    grid = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("呼叫原因"), max_length=16, choices=Reason.choices)
    called_at = models.DateTimeField(_("呼叫时间"))
    recalled_at = models.DateTimeField(_("再次呼叫时间"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("再次呼叫次数"), default=0)
    answer = models.CharField(
        _("响应"), max_length=3, choices=Answer.choices, default=Answer.NONE, blank=True
    )
    eta = models.DateTimeField(_("预计到达"), null=True, blank=True)
    no_reason = models.CharField(_("无法到岗原因"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    #: the first check-in on site
    arrived_at = models.DateTimeField(_("到岗时间"), null=True, blank=True)
    code_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    code_locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("应急呼叫")
        verbose_name_plural = _("应急呼叫")
        ordering = ["called_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mobilization", "member"], name="call_once_per_member"),
            models.CheckConstraint(
                condition=Q(answer="yes") | Q(eta__isnull=True), name="call_eta_only_when_coming"
            ),
        ]
        indexes = [
            models.Index(fields=["mobilization", "answer"], name="call_mob_answer_idx"),
            models.Index(fields=["mobilization", "post"], name="call_mob_post_idx"),
            models.Index(fields=["mobilization", "grid"], name="call_mob_grid_idx"),
            models.Index(fields=["member", "mobilization"], name="call_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mobilization_id}:{self.member_id} {self.answer or '-'}"


class ShiftEnd(models.TextChoices):
    CHECKOUT = "checkout", _("签退")
    STAND_DOWN = "stand_down", _("应急解除时结算")
    CAPPED = "capped", _("超过单班上限，按上限结算")


class Shift(models.Model):
    """One stretch on duty: from a check-in with the code on site to the check-out (or the stand-down)."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="shifts")
    started_at = models.DateTimeField(_("上岗时间"))
    ended_at = models.DateTimeField(_("下岗时间"), null=True, blank=True)
    ended_how = models.CharField(_("结算方式"), max_length=10, choices=ShiftEnd.choices, blank=True)
    hours = models.DecimalField(_("时长（小时）"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("应急值守班次")
        verbose_name_plural = _("应急值守班次")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call"], condition=Q(ended_at__isnull=True), name="shift_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="shift_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}@{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
