"""API of appraisals (考评).

- `POST /api/v1/appraisals/runs` `{"period": "2026Q3"|"2026", "region": code}` runs a region's appraisal
  for an ended period: 201 when computed at once, 202 whenever it runs on the queue, new or again (poll
  `GET …/runs/{id}`), 200 when the region (or a region above it) had a run for the period already and it was
  computed again at once (open appraisals recomputed, new members added; no second run is created).
  `GET …/runs` lists the runs the caller may see.
- `GET /api/v1/appraisals` (filters `period`, `unit`, `community`, `member`, `status`; paginated) and
  `GET /api/v1/appraisals/{id}` (everything, with `may`: what the caller may do now).
- `POST /api/v1/appraisals/{id}/self-assess|evaluate|finalise|appeal|answer` → 200 with the detail;
  `POST /api/v1/appraisals/finalise-all` `{"community", "period"}` → 200 with the counts.

While an appraisal is open, its member sees its indicators and its own self-assessment only: the other
evaluations, the score and the proposal appear once the grade is set.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for, under
from baodao.lib.api import error_responses, validated
from baodao.lib.errors import Forbidden
from baodao.lib.inputs import invalid
from baodao.lib.periods import period_parse
from baodao.org.api import RefOut
from baodao.org.models import Level, Region

from .models import Appraisal, AppraisalRun, Evaluator, RunStatus, Status
from .selectors import (
    ADMIN_ROLES,
    GIVEN_BY_OTHERS,
    appraisal_get_for_user,
    appraisals_visible_to,
    evaluators_for,
    is_own,
    may_answer,
    may_appeal,
    may_finalise,
    may_give,
    may_self_assess,
    run_get_for_user,
    runs_visible_to,
    sees_evaluations,
)
from .services import (
    appraisal_answer,
    appraisal_appeal,
    appraisal_evaluate,
    appraisal_finalise,
    appraisal_finalise_all,
    appraisal_run,
    appraisal_self_assess,
)

_ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


def _region_named(user: Any, code: str) -> Region:
    """A region under the caller's admin grants (any level: the service refuses a grid with a 400)."""
    region = (
        Region.objects.filter(under("path", scope_for(user).paths(*ADMIN_ROLES))).filter(code=code).first()
    )
    if region is None:
        raise Http404(gettext("没有找到该区域。"))
    return region


# ---- runs ----------------------------------------------------------------------------------------------


class AppraisalRunIn(serializers.Serializer):
    period = serializers.CharField(
        max_length=16, help_text=_("考评期：季度如 2026Q3，年度如 2026（须已结束）")
    )
    region = serializers.CharField(max_length=32, help_text=_("区、街道或社区的编码"))


class AppraisalRunOut(serializers.Serializer):
    id = serializers.IntegerField()
    region = RefOut()
    period = serializers.CharField()
    status = serializers.ChoiceField(
        choices=RunStatus.choices, help_text=_("running 计算中，done 已完成，failed 计算失败")
    )
    appraisals = serializers.IntegerField(source="appraisals_count", help_text=_("考评人数"))
    rules = serializers.JSONField(
        help_text=_("本次考评所适用的规则：等次与分数线、五评权重、优秀比例上限、最低服务要求")
    )
    error = serializers.CharField(help_text=_("计算失败的原因"))
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class RunListView(generics.ListAPIView):
    """GET: the appraisal runs the caller may see, newest period first. POST: run a region's appraisal for an
    ended period (a community admin its community; a street or district admin any district, street or
    community of its region)."""

    serializer_class = AppraisalRunOut

    def get_queryset(self) -> QuerySet[AppraisalRun]:
        return runs_visible_to(self.request.user)

    @extend_schema(responses={200: AppraisalRunOut(many=True), **error_responses(401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=AppraisalRunIn,
        responses={
            200: AppraisalRunOut,
            201: AppraisalRunOut,
            202: AppraisalRunOut,
            **error_responses(400, 401, 403, 404, 409),
        },
        description=_(
            "201：已计算完成；202：人数较多，已转入后台计算（新发起或重新计算），请查询状态；"
            "200：该区域（或其上级区域）本期已考评过，已重新计算未确定等次的考评并补充新纳入的党员"
            "（已确定的不变）。"
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(AppraisalRunIn, request.data)
        period = period_parse(data["period"])
        region = _region_named(request.user, data["region"])
        run, created = appraisal_run(
            actor=request.user, region=region, period=period, request=request._request
        )
        code: int = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        if run.status == RunStatus.RUNNING:  # queued, new or again: poll the run
            code = status.HTTP_202_ACCEPTED
        return Response(AppraisalRunOut(run).data, status=code)


class RunDetailView(APIView):
    @extend_schema(responses={200: AppraisalRunOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(AppraisalRunOut(run_get_for_user(request.user, pk)).data)


# ---- appraisals: output ----------------------------------------------------------------------------------


class AppraisalMemberOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="user.name")


class AppraisalRowOut(serializers.Serializer):
    id = serializers.IntegerField()
    member = AppraisalMemberOut()
    unit = RefOut()
    community = RefOut()
    period = serializers.CharField()
    registered = serializers.BooleanField(help_text=_("期末是否在报到"))
    services = serializers.IntegerField(help_text=_("期内有效服务次数"))
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, help_text=_("期内服务时长（小时）"))
    points = serializers.DecimalField(max_digits=9, decimal_places=2, help_text=_("期内积分"))
    rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text=_("群众平均评分（1–5）；无评分时为 null")
    )
    minimum_met = serializers.BooleanField(help_text=_("是否达到最低服务要求"))
    proposed_grade = serializers.SerializerMethodField(help_text=_("建议等次；本人在确定前看不到"))
    grade = serializers.CharField(help_text=_("确定的等次；确定前为空"))
    status = serializers.ChoiceField(choices=Status.choices)

    def get_proposed_grade(self, appraisal: Appraisal) -> str:
        if not sees_evaluations(self.context["request"].user, appraisal):
            return ""
        return appraisal.proposed_grade


class AppraisalEvaluationOut(serializers.Serializer):
    score = serializers.IntegerField(allow_null=True, help_text=_("0–100；未评价时为 null"))
    comment = serializers.CharField()
    by = serializers.CharField(help_text=_("评价人"))


class AppraisalMayOut(serializers.Serializer):
    self_assess = serializers.BooleanField()
    evaluate = serializers.ListField(
        child=serializers.CharField(), help_text=_("调用者现在可以给出的评价：unit、community、organisation")
    )
    finalise = serializers.BooleanField()
    appeal = serializers.BooleanField()
    answer = serializers.BooleanField()


class AppraisalOut(AppraisalRowOut):
    run = serializers.IntegerField(source="run_id")
    registered_since = serializers.DateField(allow_null=True, help_text=_("期末所在报到的确认日期"))
    ratings = serializers.IntegerField(help_text=_("期内评分次数"))
    posts_held = serializers.IntegerField(help_text=_("期内在岗的岗位数"))
    emergency_calls = serializers.IntegerField(help_text=_("期内应急呼叫次数"))
    emergency_answers = serializers.IntegerField(help_text=_("响应“到岗”的次数"))
    emergency_arrivals = serializers.IntegerField(help_text=_("实际到岗次数"))
    no_shows = serializers.IntegerField(help_text=_("活动报名后缺席次数"))
    computed_at = serializers.DateTimeField()
    evaluations = serializers.SerializerMethodField(
        help_text=_(
            "五评：self 自评、unit 单位、residents 群众（评分×20）、community 社区、organisation 组织"
        )
    )
    score = serializers.SerializerMethodField(help_text=_("综合得分（按权重），0–100"))
    proposed_level = serializers.SerializerMethodField()
    grade_level = serializers.IntegerField(allow_null=True)
    finalised_at = serializers.DateTimeField(allow_null=True)
    appeal_reason = serializers.CharField()
    appealed_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    rules = serializers.SerializerMethodField()
    may = serializers.SerializerMethodField()

    def _all(self, appraisal: Appraisal) -> bool:
        return sees_evaluations(self.context["request"].user, appraisal)

    @extend_schema_field(serializers.DictField(child=AppraisalEvaluationOut()))
    def get_evaluations(self, appraisal: Appraisal) -> dict[str, Any]:
        shown = self._all(appraisal)
        result = {}
        for evaluator in Evaluator:
            visible = shown or evaluator == Evaluator.SELF
            by = getattr(appraisal, f"{evaluator}_by", None) if visible else None
            if evaluator == Evaluator.SELF:
                by = appraisal.member.user
            result[str(evaluator)] = {
                "score": getattr(appraisal, f"score_{evaluator}") if visible else None,
                "comment": getattr(appraisal, f"comment_{evaluator}", "") if visible else "",
                "by": by.name
                if by is not None and getattr(appraisal, f"score_{evaluator}") is not None
                else "",
            }
        return result

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True))
    def get_score(self, appraisal: Appraisal) -> str | None:
        if appraisal.score is None or not self._all(appraisal):
            return None
        return f"{appraisal.score:.2f}"

    def get_proposed_level(self, appraisal: Appraisal) -> int | None:
        return appraisal.proposed_level if self._all(appraisal) else None

    @extend_schema_field(
        serializers.DictField(help_text=_("本次考评的规则：grades、weights、excellent_share_max、minimum"))
    )
    def get_rules(self, appraisal: Appraisal) -> dict[str, Any]:
        rules = appraisal.run.rules
        return {
            "grades": [
                {"level": level, "name": name, "min": minimum}
                for level, (name, minimum) in enumerate(rules.get("grades") or [], start=1)
            ],
            "weights": rules.get("weights") or {},
            "excellent_share_max": rules.get("excellent_share_max"),
            "minimum": rules.get("minimum", ""),
        }

    @extend_schema_field(AppraisalMayOut)
    def get_may(self, appraisal: Appraisal) -> dict[str, Any]:
        user = self.context["request"].user
        return {
            "self_assess": may_self_assess(user, appraisal),
            "evaluate": evaluators_for(user, appraisal),
            "finalise": may_finalise(user, appraisal),
            "appeal": may_appeal(user, appraisal),
            "answer": may_answer(user, appraisal),
        }


def _detail(request: Request, pk: int) -> Any:
    appraisal = appraisal_get_for_user(request.user, pk)
    return AppraisalOut(appraisal, context={"request": request}).data


# ---- appraisals: views -----------------------------------------------------------------------------------


class AppraisalFilter(serializers.Serializer):
    period = serializers.CharField(required=False, help_text=_("考评期，如 2026Q3 或 2026"))
    unit = serializers.CharField(required=False, help_text=_("单位编码"))
    community = serializers.CharField(required=False, help_text=_("社区编码"))
    member = serializers.IntegerField(required=False, min_value=1, help_text=_("党员编号"))
    status = serializers.ChoiceField(choices=Status.choices, required=False)


class AppraisalListView(generics.ListAPIView):
    """The appraisals the caller may see: its communities' (community, street, district admins), its unit's
    members' (unit admin), its own (member)."""

    serializer_class = AppraisalRowOut

    def get_queryset(self) -> QuerySet[Appraisal]:
        params = validated(AppraisalFilter, self.request.query_params)
        qs = appraisals_visible_to(self.request.user)
        if params.get("period"):
            qs = qs.filter(period=period_parse(params["period"]).code)
        if params.get("unit"):
            qs = qs.filter(unit__code=params["unit"])
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        if params.get("member"):
            qs = qs.filter(member_id=params["member"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs.order_by("-period", "community__code", "member__user__name", "id")

    @extend_schema(
        parameters=[AppraisalFilter], responses={200: AppraisalRowOut(many=True), **error_responses(400, 401)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AppraisalDetailView(APIView):
    @extend_schema(responses={200: AppraisalOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


def _score_field() -> serializers.IntegerField:
    message = _("评分须为 0 到 100 之间的整数。")
    return serializers.IntegerField(
        min_value=0,
        max_value=100,
        help_text=_("0–100 的整数"),
        error_messages={
            "invalid": message,
            "null": message,
            "min_value": message,
            "max_value": message,
            "max_string_length": message,
        },
    )


class AppraisalSelfAssessIn(serializers.Serializer):
    score = _score_field()
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, trim_whitespace=False, help_text=_("自评小结")
    )


class AppraisalEvaluateIn(AppraisalSelfAssessIn):
    """`{"as", "score", "comment"}`: `as` is a Python keyword, so the field is added after the class."""


AppraisalEvaluateIn._declared_fields["as"] = serializers.ChoiceField(
    choices=[(e.value, e.label) for e in GIVEN_BY_OTHERS],
    required=False,
    help_text=_("评价方：unit 单位、community 社区、organisation 组织；调用者只能给出一种时可省略"),
)


class AppraisalFinaliseIn(serializers.Serializer):
    grade = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("等次：1–4（1 为最好）或等次名称，如“优秀”；省略则采用建议等次"),
    )


class AppraisalAppealIn(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text=_("申诉理由"))


class AppraisalAnswerIn(AppraisalFinaliseIn):
    answer = serializers.CharField(max_length=1000, help_text=_("答复意见"))


def _grade_in_body(appraisal: Appraisal, value: Any) -> int | None:
    """A grade named by its level (1–4) or by its name in the run's rules."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    grades = appraisal.run.rules.get("grades") or []
    if text.isdigit() and 1 <= int(text) <= len(grades):
        return int(text)
    for level, (name, _minimum) in enumerate(grades, start=1):
        if text == name:
            return level
    names = gettext("、").join(str(g[0]) for g in grades)
    raise invalid("grade", gettext("等次须为 1–4 或以下名称之一：%(names)s。") % {"names": names})


class SelfAssessView(APIView):
    """党员自评: the member's own score 0–100 and summary, while the appraisal is open."""

    @extend_schema(request=AppraisalSelfAssessIn, responses={200: AppraisalOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        appraisal = appraisal_get_for_user(request.user, pk)
        data = validated(AppraisalSelfAssessIn, request.data)
        appraisal_self_assess(
            actor=request.user,
            appraisal=appraisal,
            score=data["score"],
            comment=data.get("comment", ""),
            request=request._request,
        )
        return Response(_detail(request, pk))


class EvaluateView(APIView):
    """The unit's, community's or organisation's evaluation (`as`), while the appraisal is open."""

    @extend_schema(
        request=AppraisalEvaluateIn,
        responses={200: AppraisalOut, **_ACTION_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        appraisal = appraisal_get_for_user(request.user, pk)
        data = validated(AppraisalEvaluateIn, request.data)
        evaluator = data.get("as")
        if not evaluator and is_own(request.user, appraisal):
            raise Forbidden(gettext("不能评价或确定本人的考评。"))
        if not evaluator:
            mine = [str(e) for e in GIVEN_BY_OTHERS if may_give(request.user, appraisal, e)]
            if not mine:
                raise Forbidden(gettext("您不能评价该党员。"))
            if len(mine) > 1:
                raise invalid(
                    "as",
                    gettext("您可以以多种身份评价，请用 as 指明：%(list)s。") % {"list": ", ".join(mine)},
                )
            evaluator = mine[0]
        appraisal_evaluate(
            actor=request.user,
            appraisal=appraisal,
            evaluator=evaluator,
            score=data["score"],
            comment=data.get("comment", ""),
            request=request._request,
        )
        return Response(_detail(request, pk))


class FinaliseView(APIView):
    """The community admin sets the grade (or takes the proposal); 409 `excellent_cap` beyond the 优秀
    share."""

    @extend_schema(request=AppraisalFinaliseIn, responses={200: AppraisalOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        appraisal = appraisal_get_for_user(request.user, pk)
        data = validated(AppraisalFinaliseIn, request.data)
        grade = _grade_in_body(appraisal, data.get("grade"))
        appraisal_finalise(actor=request.user, appraisal=appraisal, grade=grade, request=request._request)
        return Response(_detail(request, pk))


class AppealView(APIView):
    """The member appeals its finalised grade once, with a reason."""

    @extend_schema(request=AppraisalAppealIn, responses={200: AppraisalOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        appraisal = appraisal_get_for_user(request.user, pk)
        data = validated(AppraisalAppealIn, request.data)
        appraisal_appeal(
            actor=request.user, appraisal=appraisal, reason=data["reason"], request=request._request
        )
        return Response(_detail(request, pk))


class AnswerView(APIView):
    """The community answers an appeal, optionally with a new grade."""

    @extend_schema(request=AppraisalAnswerIn, responses={200: AppraisalOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        appraisal = appraisal_get_for_user(request.user, pk)
        data = validated(AppraisalAnswerIn, request.data)
        grade = _grade_in_body(appraisal, data.get("grade"))
        appraisal_answer(
            actor=request.user,
            appraisal=appraisal,
            answer=data["answer"],
            grade=grade,
            request=request._request,
        )
        return Response(_detail(request, pk))


class AppraisalFinaliseAllIn(serializers.Serializer):
    community = serializers.CharField(max_length=32, help_text=_("社区编码"))
    period = serializers.CharField(max_length=16, help_text=_("考评期，如 2026Q3"))


class AppraisalFinaliseAllOut(serializers.Serializer):
    finalised = serializers.IntegerField(help_text=_("确定等次的人数"))
    demoted = serializers.IntegerField(help_text=_("因优秀比例上限由“优秀”降为第二等次的人数"))
    skipped = serializers.IntegerField(help_text=_("尚无任何评价、未确定的人数"))


class FinaliseAllView(APIView):
    """一键确定: every open appraisal of the community and period with a proposal takes it, highest score
    first; 优秀 beyond the cap becomes the second grade."""

    @extend_schema(request=AppraisalFinaliseAllIn, responses={200: AppraisalFinaliseAllOut, **_ACTION_ERRORS})
    def post(self, request: Request) -> Response:
        data = validated(AppraisalFinaliseAllIn, request.data)
        period = period_parse(data["period"])
        community = _region_named(request.user, data["community"])
        if community.level != Level.COMMUNITY:
            raise invalid("community", gettext("请指定一个社区。"))
        result = appraisal_finalise_all(
            actor=request.user, community=community, period=period, request=request._request
        )
        return Response(AppraisalFinaliseAllOut(result).data)
