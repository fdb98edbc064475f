"""考评: a run per period and region computes each registered member's indicators from the ledger, the
registrations, posts, activities and emergencies; five evaluators (五评) score the member 0–100; the scores,
weighted by the district's policy the run was computed with, propose a grade; the community admin finalises
it; the member may appeal once, and the community answers.

A run keeps the rules it applied (`rules`: grades and cut-offs, weights, the 优秀 cap, the minimum), so a
later change of policy never changes a past result.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("计算失败")


class AppraisalRun(models.Model):
    #: a community, a street or a district: every member registered in its communities in the period
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="appraisal_runs", verbose_name=_("区域")
    )
    #: "2026Q3" or "2026" (`baodao.lib.periods`)
    period = models.CharField(_("考评期"), max_length=8)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    #: the district's policy version applied (empty: the national defaults) …
    policy = models.ForeignKey(
        "policy.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: … and the rules taken from it, kept as applied: {"grades": [[name, min], …] best first, "weights":
    #: {"self": 10, …}, "excellent_share_max": "0.333", "minimum": "…described…"}
    rules = models.JSONField(default=dict)
    appraisals_count = models.PositiveIntegerField(_("考评人数"), default=0)
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    #: when the latest computation began: a run still "running" long after it is taken for failed
    started_at = models.DateTimeField(_("开始计算时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考评批次")
        verbose_name_plural = _("考评批次")
        ordering = ["-period_end", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "period"], name="appraisal_run_one_per_region_period"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period}"

    def grade_name(self, level: int | None) -> str:
        """The name of grade `level` (1 = best … 4) as the run's rules name it; "" for none."""
        grades: list[Any] = self.rules.get("grades") or []
        if level is None or not 1 <= level <= len(grades):
            return ""
        return str(grades[level - 1][0])


class Status(models.TextChoices):
    OPEN = "open", _("评价中")
    FINALISED = "finalised", _("已确定")
    APPEALED = "appealed", _("申诉中")
    ANSWERED = "answered", _("已答复")


class Evaluator(models.TextChoices):
    SELF = "self", _("党员自评")
    UNIT = "unit", _("单位评价")
    RESIDENTS = "residents", _("群众评价")
    COMMUNITY = "community", _("社区评价")
    ORGANISATION = "organisation", _("组织评价")


_score: dict[str, Any] = {"null": True, "blank": True}


class Appraisal(models.Model):
    """One member's appraisal for one period: its indicators as computed, the five evaluations, the grade."""

    run = models.ForeignKey(AppraisalRun, on_delete=models.PROTECT, related_name="appraisals")
    period = models.CharField(_("考评期"), max_length=8)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="appraisals")
    #: the community the member was registered in at the period's end (or last, when it left during it):
    #: whose admin reviews and finalises
    community = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    #: the member's unit when computed
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")

    # ---- indicators (recomputed while open; frozen once finalised)
    registered = models.BooleanField(_("期末在报到"))
    registered_since = models.DateField(_("报到时间"), null=True, blank=True)
    services = models.PositiveIntegerField(_("服务次数"), default=0)
    hours = models.DecimalField(_("服务时长"), max_digits=8, decimal_places=2, default=0)
    points = models.DecimalField(_("积分"), max_digits=9, decimal_places=2, default=0)
    rating = models.DecimalField(_("群众评分"), max_digits=3, decimal_places=2, null=True, blank=True)
    ratings = models.PositiveIntegerField(_("评价次数"), default=0)
    posts_held = models.PositiveIntegerField(_("在岗岗位"), default=0)
    emergency_calls = models.PositiveIntegerField(_("应急呼叫"), default=0)
    emergency_answers = models.PositiveIntegerField(_("应急响应到岗"), default=0)
    emergency_arrivals = models.PositiveIntegerField(_("应急实际到岗"), default=0)
    no_shows = models.PositiveIntegerField(_("报名缺席"), default=0)
    minimum_met = models.BooleanField(_("达到最低服务要求"), default=False)
    computed_at = models.DateTimeField(_("计算时间"))

    # ---- 五评: scores 0–100; residents' is derived from the rating (stars × 20), the others are given
    score_self = models.PositiveSmallIntegerField(_("自评得分"), **_score)
    comment_self = models.TextField(_("自评小结"), max_length=1000, blank=True)
    score_unit = models.PositiveSmallIntegerField(_("单位评价得分"), **_score)
    comment_unit = models.TextField(_("单位评语"), max_length=1000, blank=True)
    unit_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", **_score
    )
    score_residents = models.PositiveSmallIntegerField(_("群众评价得分"), **_score)
    score_community = models.PositiveSmallIntegerField(_("社区评价得分"), **_score)
    comment_community = models.TextField(_("社区评语"), max_length=1000, blank=True)
    community_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", **_score
    )
    score_organisation = models.PositiveSmallIntegerField(_("组织评价得分"), **_score)
    comment_organisation = models.TextField(_("组织评语"), max_length=1000, blank=True)
    organisation_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", **_score
    )

    # ---- result
    #: the weighted score of the evaluations given, 0–100
    score = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    #: 1 = the best grade … 4 = the last (names in `run.rules`)
    proposed_level = models.PositiveSmallIntegerField(_("建议等次"), null=True, blank=True)
    grade_level = models.PositiveSmallIntegerField(_("确定等次"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    finalised_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", **_score
    )
    appeal_reason = models.TextField(_("申诉理由"), max_length=1000, blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    answer = models.TextField(_("申诉答复"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", **_score
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党员考评")
        verbose_name_plural = _("党员考评")
        ordering = ["community", "member__user__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="appraisal_once_per_member_period"),
            models.CheckConstraint(
                condition=Q(grade_level__isnull=True) | Q(grade_level__gte=1, grade_level__lte=4),
                name="appraisal_grade_level_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(grade_level__isnull=False),
                name="appraisal_graded_when_finalised",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "period", "status"], name="appraisal_community_idx"),
            models.Index(fields=["unit", "period"], name="appraisal_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.period} {self.status}"

    @property
    def grade(self) -> str:
        return self.run.grade_name(self.grade_level)

    @property
    def proposed_grade(self) -> str:
        return self.run.grade_name(self.proposed_level)
