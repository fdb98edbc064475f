"""Posts (岗位) and the groups registered members form inside a community.

The community sets posts by need (按需设岗): regular service posts held week after week (政策宣传,
治安巡逻, 楼栋长 …) and emergency posts (物资配送, 环境消杀, 防汛抢险 …) whose holders are called first
when an emergency is activated. A member claims a post; the community confirms (a confirmed holder takes
one of the post's places, under a conditional UPDATE and a CHECK constraint); either side ends the holding
with a reason.

Functional party branches (功能型党支部) and volunteer teams (志愿服务队) group registered members of one
community under a secretary or leader; grid workers name lead members (带头人) of their grid.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REGULAR = "regular", _("常态服务岗")
    EMERGENCY = "emergency", _("应急岗位")


class Post(models.Model):
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(_("岗位类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("岗位名称"), max_length=40)
    duties = models.TextField(_("岗位职责"), max_length=1000, blank=True)
    headcount = models.PositiveIntegerField(
        _("人数"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    #: confirmed holders: the counter the conditional UPDATE guards
    taken = models.PositiveIntegerField(_("在岗人数"), default=0)
    skills = models.JSONField(_("所需特长"), default=list, blank=True)
    schedule = models.CharField(_("服务时间"), max_length=100, blank=True)
    #: the grids the post serves; none: the whole community
    grids = models.ManyToManyField("org.Region", blank=True, related_name="+", verbose_name=_("服务网格"))
    active = models.BooleanField(_("在设"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("撤岗时间"), null=True, blank=True)
    close_reason = models.CharField(_("撤岗原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["community", "kind", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("headcount")), name="post_taken_within_headcount"
            ),
            models.UniqueConstraint(
                fields=["community", "kind", "title"],
                condition=Q(active=True),
                name="post_title_unique_active",
            ),
        ]
        indexes = [models.Index(fields=["community", "kind", "active"], name="post_community_kind_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def free_places(self) -> int:
        return max(self.headcount - self.taken, 0)


class HolderStatus(models.TextChoices):
    PENDING = "pending", _("待社区确认")
    CONFIRMED = "confirmed", _("在岗")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已退出")


#: holdings that count against one member holding one post once
HOLDING = (HolderStatus.PENDING, HolderStatus.CONFIRMED)


class PostHolder(models.Model):
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="holders")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="post_holdings")
    status = models.CharField(_("状态"), max_length=10, choices=HolderStatus.choices)
    claimed_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("岗位认领")
        verbose_name_plural = _("岗位认领")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="holder_once_per_post",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="holder_member_status_idx"),
            models.Index(fields=["post", "status"], name="holder_post_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.post_id} {self.status}"


class TeamKind(models.TextChoices):
    BRANCH = "branch", _("功能型党支部")
    TEAM = "team", _("志愿服务队")


class Team(models.Model):
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="teams")
    kind = models.CharField(_("类型"), max_length=10, choices=TeamKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(_("简介"), max_length=1000, blank=True)
    #: the branch's secretary (书记) or the team's leader (队长); one of its members
    leader = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("功能型党支部/志愿服务队")
        verbose_name_plural = _("功能型党支部/志愿服务队")
        ordering = ["community", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="team_memberships")
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("队伍成员")
        verbose_name_plural = _("队伍成员")
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "member"], name="team_member_once")]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.member_id}"


class GridLead(models.Model):
    """带头人: a registered member living in the grid whom its grid worker names to lead the others."""

    grid = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="leads")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="grid_leads")
    note = models.CharField(_("分工"), max_length=100, blank=True)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField(_("指定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网格带头人")
        verbose_name_plural = _("网格带头人")
        ordering = ["grid", "designated_at", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "member"], name="grid_lead_once")]

    def __str__(self) -> str:
        return f"{self.grid_id}:{self.member_id}"
