"""API of 战时 emergency mobilisation: `/api/v1/mobilizations` (activate, list, detail), a called member's
answer, check-in and check-out on site, the roll call and the list of calls, widening the call, calling the
silent again, the rotating check-in code, and the stand-down.

Activation answers 201 at once: the call goes out from the task queue, and the emergency shows
`calling: true` until it has. Every emergency is fetched through `mobilization_get_for_user` (out of scope:
404 — an admin whose regions do not meet the area, a member not called); the services decide who may act
(403: only admins holding every region of the area command it; the roll call, the calls and the code are
for commanders and the area's grid workers) and whether the state allows it (409 with a stable `error`:
`illegal_transition` after the stand-down, `not_called`, `on_duty`, `not_on_duty`, `no_neighbours`). A wrong
code is bad input (400 on `code`); too many wrong codes are throttled (429).

A region code or a post id in the body that does not resolve is a mistake in the body: 400 on `regions` or
`posts`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for
from baodao.lib.api import created, error_responses, named_in_body, validated
from baodao.lib.errors import Forbidden, Invalid
from baodao.lib.urls import public_url
from baodao.members.api import MemberSummaryOut
from baodao.org.api import RefOut
from baodao.org.models import Level, Region
from baodao.org.selectors import region_get
from baodao.posts.models import Post
from baodao.posts.selectors import posts_visible_to

from .models import Answer, Call, Mobilization, Reason, ShiftEnd, Status, Type
from .selectors import (
    areas_of,
    call_of,
    calls_of,
    mobilization_get_for_checkin,
    mobilization_get_for_user,
    mobilizations_visible_to,
    open_shift_of,
    post_needs_of,
    rollcall,
)
from .services import (
    MAX_HEADCOUNT,
    REASON_MAX,
    TITLE_MAX,
    call_checkin,
    call_checkout,
    call_respond,
    checkin_code_for,
    may_command,
    may_run_site,
    mobilization_activate,
    mobilization_recall,
    mobilization_stand_down,
    mobilization_widen,
    site_scope,
)

_ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)

# ---- output --------------------------------------------------------------------------------------------


class MobilizationOut(serializers.Serializer):
    """An emergency as lists show it."""

    id = serializers.IntegerField()
    title = serializers.CharField(help_text=_("事件名称"))
    type = serializers.ChoiceField(choices=Type.choices)
    type_label = serializers.CharField(source="get_type_display")
    status = serializers.ChoiceField(choices=Status.choices, help_text=_("active 应急中，stood_down 已解除"))
    status_label = serializers.CharField(source="get_status_display")
    report_by = serializers.DateTimeField(allow_null=True, help_text=_("报到时限"))
    created_at = serializers.DateTimeField(help_text=_("启动时间"))
    stood_down_at = serializers.DateTimeField(allow_null=True, help_text=_("解除时间"))
    calling = serializers.SerializerMethodField(help_text=_("呼叫是否仍在后台发出（发完后为 false）"))

    def get_calling(self, mobilization: Mobilization) -> bool:
        return mobilization.status == Status.ACTIVE and mobilization.fanout_done_at is None


class AreaOut(serializers.Serializer):
    code = serializers.CharField(source="region.code")
    name = serializers.CharField(source="region.name")
    level = serializers.ChoiceField(choices=Level.choices, source="region.level")


class PostNeedOut(serializers.Serializer):
    post = serializers.IntegerField(source="post_id", help_text=_("应急岗位编号"))
    title = serializers.CharField(source="post.title")
    headcount = serializers.IntegerField(help_text=_("需要人数"))


class MyCallOut(serializers.Serializer):
    """The caller's own call: its answer and whether it is on duty now."""

    answer = serializers.ChoiceField(choices=Answer.choices, help_text=_("yes 到岗，no 无法到岗，空为未响应"))
    eta = serializers.DateTimeField(allow_null=True, help_text=_("预计到达时间"))
    no_reason = serializers.CharField(help_text=_("无法到岗的原因"))
    arrived_at = serializers.DateTimeField(allow_null=True, help_text=_("首次到岗签到时间"))
    on_duty = serializers.SerializerMethodField(help_text=_("是否正在岗上（已签到未签退）"))

    def get_on_duty(self, call: Call) -> bool:
        return open_shift_of(call) is not None


class MobilizationDetailOut(MobilizationOut):
    description = serializers.CharField(help_text=_("情况说明"))
    areas = serializers.SerializerMethodField(help_text=_("动员区域：社区或网格"))
    posts = serializers.SerializerMethodField(help_text=_("所需应急岗位及人数"))
    widened = serializers.ListField(
        child=serializers.ChoiceField(choices=Reason.choices),
        help_text=_("已扩大的呼叫范围：all_registered 区域内全体报到党员，neighbour_grids 相邻网格"),
    )
    may_command = serializers.SerializerMethodField(help_text=_("本人是否可指挥（扩大、再次呼叫、解除）"))
    my_call = serializers.SerializerMethodField(help_text=_("本人的呼叫与响应；未被呼叫为 null"))

    @extend_schema_field(AreaOut(many=True))
    def get_areas(self, mobilization: Mobilization) -> Any:
        return AreaOut(areas_of(mobilization), many=True).data

    @extend_schema_field(PostNeedOut(many=True))
    def get_posts(self, mobilization: Mobilization) -> Any:
        return PostNeedOut(post_needs_of(mobilization), many=True).data

    def get_may_command(self, mobilization: Mobilization) -> bool:
        return may_command(self.context["request"].user, mobilization)

    @extend_schema_field(MyCallOut(allow_null=True))
    def get_my_call(self, mobilization: Mobilization) -> Any:
        call = call_of(scope_for(self.context["request"].user).member_id, mobilization)
        return MyCallOut(call).data if call is not None else None


class ShiftOut(serializers.Serializer):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField(help_text=_("上岗（签到）时间"))
    ended_at = serializers.DateTimeField(allow_null=True, help_text=_("下岗时间；在岗中为 null"))
    ended_how = serializers.ChoiceField(
        choices=[("", _("在岗中")), *ShiftEnd.choices], help_text=_("结算方式；在岗中为空")
    )
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text=_("记入台账的时长（小时）；在岗中为 null")
    )


class TallyOut(serializers.Serializer):
    called = serializers.IntegerField(help_text=_("已呼叫"))
    yes = serializers.IntegerField(help_text=_("响应到岗"))
    no = serializers.IntegerField(help_text=_("无法到岗"))
    silent = serializers.IntegerField(help_text=_("未响应"))
    arrived = serializers.IntegerField(help_text=_("已签到到岗"))


class PostLineOut(serializers.Serializer):
    post = serializers.IntegerField(allow_null=True, help_text=_("应急岗位编号；扩大呼叫的（无岗位）为 null"))
    title = serializers.CharField()
    needed = serializers.IntegerField(allow_null=True, help_text=_("需要人数；未列入本次动员的为 null"))
    called = serializers.IntegerField()
    yes = serializers.IntegerField()
    arrived = serializers.IntegerField()


class GridLineOut(TallyOut):
    grid = serializers.CharField(allow_null=True, help_text=_("网格编码；未登记网格的为 null"))
    name = serializers.CharField()


class RollCallOut(TallyOut):
    on_duty = serializers.IntegerField(help_text=_("正在岗上"))
    calling = serializers.BooleanField(help_text=_("呼叫是否仍在后台发出"))
    status = serializers.ChoiceField(choices=Status.choices)
    posts = PostLineOut(many=True)
    grids = GridLineOut(many=True)


class CallPostOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class CallOut(serializers.Serializer):
    """One member called, as the commanders see it (phone masked)."""

    id = serializers.IntegerField()
    member = MemberSummaryOut()
    post = serializers.SerializerMethodField(help_text=_("被呼叫所在的应急岗位；扩大呼叫为 null"))
    grid = RefOut(allow_null=True, help_text=_("居住网格"))
    reason = serializers.ChoiceField(choices=Reason.choices, help_text=_("呼叫原因"))
    answer = serializers.ChoiceField(choices=Answer.choices, help_text=_("yes 到岗，no 无法到岗，空为未响应"))
    eta = serializers.DateTimeField(allow_null=True)
    no_reason = serializers.CharField()
    called_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    arrived_at = serializers.DateTimeField(allow_null=True)
    recalls = serializers.IntegerField(help_text=_("再次呼叫次数"))

    @extend_schema_field(CallPostOut(allow_null=True))
    def get_post(self, call: Call) -> Any:
        if call.post is None:
            return None
        return {"id": call.post.pk, "title": call.post.title}


class SiteCodeOut(serializers.Serializer):
    code = serializers.CharField(help_text=_("现场签到码（6 位数字）"))
    expires_at = serializers.DateTimeField(help_text=_("此时换下一个签到码"))
    url = serializers.CharField(help_text=_("扫码打开的签到地址（已带签到码）"))


class StandDownOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    shifts_closed = serializers.IntegerField(help_text=_("解除时结算的在岗班次数"))
    shifts_pending = serializers.IntegerField(help_text=_("在岗人数很多时，留给后台按解除时间结算的班次数"))


class RecalledOut(serializers.Serializer):
    recalled = serializers.IntegerField(help_text=_("再次呼叫的人数"))


def _detail(request: Request, pk: Any) -> Any:
    mobilization = mobilization_get_for_user(request.user, pk)
    return MobilizationDetailOut(mobilization, context={"request": request}).data


# ---- input ---------------------------------------------------------------------------------------------


class PostNeedIn(serializers.Serializer):
    post = serializers.IntegerField(help_text=_("应急岗位编号（须为动员区域内社区的在设应急岗位）"))
    headcount = serializers.IntegerField(min_value=1, max_value=MAX_HEADCOUNT, help_text=_("需要人数"))


class MobilizationIn(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX, help_text=_("事件名称"))
    type = serializers.ChoiceField(choices=Type.choices, help_text=_("事件类型"))
    regions = serializers.ListField(
        child=serializers.CharField(max_length=32),
        allow_empty=False,
        help_text=_("动员区域：社区或网格的编码（同一街道内）"),
    )
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    posts = PostNeedIn(
        many=True, required=False, help_text=_("所需应急岗位及人数；不填则呼叫区域内全体报到党员")
    )
    report_by = serializers.DateTimeField(required=False, allow_null=True, help_text=_("报到时限（7 天内）"))


class MobilizationFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)


class RespondIn(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=[(Answer.YES, _("到岗")), (Answer.NO, _("无法到岗"))], help_text=_("yes 到岗，no 无法到岗")
    )
    eta = serializers.DateTimeField(required=False, allow_null=True, help_text=_("预计到达时间（到岗时填）"))
    reason = serializers.CharField(
        max_length=REASON_MAX,
        required=False,
        allow_blank=True,
        help_text=_("无法到岗的原因（无法到岗时必填）"),
    )


class CodeIn(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text=_("现场屏幕上的签到码"))


class WidenIn(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[
            (Reason.ALL_REGISTERED, _("区域内全体报到党员")),
            (Reason.NEIGHBOUR_GRIDS, _("相邻网格的报到党员")),
        ],
        help_text=_("all_registered 区域内全体报到党员，neighbour_grids 相邻网格"),
    )


class RecallIn(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        help_text=_("再次呼叫的党员编号；不填则呼叫全部未响应的人"),
    )


_SILENT = "silent"


class CallFilter(serializers.Serializer):
    answer = serializers.ChoiceField(
        choices=[(Answer.YES, _("到岗")), (Answer.NO, _("无法到岗")), (_SILENT, _("未响应"))],
        required=False,
        help_text=_("yes 到岗，no 无法到岗，silent 未响应"),
    )
    grid = serializers.CharField(required=False, help_text=_("网格编码"))


# ---- activation, the list, the detail -------------------------------------------------------------------


def _regions_in_body(codes: list[str]) -> list[Region]:
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        message = gettext("没有找到区域：%(codes)s。") % {"codes": gettext("、").join(missing)}
        raise Invalid(message, fields={"regions": [message]})
    return [found[code] for code in codes]


def _posts_in_body(request: Request, needs: list[dict[str, Any]]) -> list[tuple[Post, int]]:
    ids = [n["post"] for n in needs]
    found = {p.pk: p for p in posts_visible_to(request.user).filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        message = gettext("没有找到应急岗位：%(ids)s。") % {"ids": gettext("、").join(missing)}
        raise Invalid(message, fields={"posts": [message]})
    return [(found[n["post"]], n["headcount"]) for n in needs]


class MobilizationListView(generics.ListAPIView):
    """GET: a member sees the emergencies it is called to; an admin those whose area meets its regions.
    POST: a community admin — or a street admin, over several communities — activates an emergency; it answers
    at once and the call goes out in the background (`calling` is true until it has)."""

    serializer_class = MobilizationOut

    def get_queryset(self) -> QuerySet[Mobilization]:
        params = validated(MobilizationFilter, self.request.query_params)
        qs = mobilizations_visible_to(self.request.user)
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs.order_by("-created_at", "-id")

    @extend_schema(
        parameters=[MobilizationFilter],
        responses={200: MobilizationOut(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=MobilizationIn,
        responses={201: MobilizationDetailOut, **error_responses(400, 401, 403)},
        description=_(
            "启动应急动员：呼叫区域内所需应急岗位的在岗党员（不填岗位则呼叫全体报到党员）。"
            "立即返回，呼叫在后台发出。"
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(MobilizationIn, request.data)
        regions = _regions_in_body(data.pop("regions"))
        posts = _posts_in_body(request, data.pop("posts", []))
        mobilization = mobilization_activate(
            actor=request.user, regions=regions, posts=posts, request=request._request, **data
        )
        return created(_detail(request, mobilization.pk))


class MobilizationDetailView(APIView):
    @extend_schema(responses={200: MobilizationDetailOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


# ---- the called member -----------------------------------------------------------------------------------


class MobilizationRespondView(APIView):
    """A called member answers 到岗 (`eta` optional) or 无法到岗 (`reason` required); the answer may change
    until the stand-down. 409 `not_called`, `on_duty` (saying no while on duty), `illegal_transition`."""

    @extend_schema(request=RespondIn, responses={200: MyCallOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        mobilization = mobilization_get_for_user(request.user, pk)
        data = validated(RespondIn, request.data)
        call = call_respond(
            actor=request.user,
            mobilization=mobilization,
            answer=data["answer"],
            eta=data.get("eta"),
            reason=data.get("reason", ""),
        )
        return Response(MyCallOut(call).data)


class MobilizationCheckinView(APIView):
    """到岗签到 with the code shown on site: records the arrival and opens a shift. Checking in again while
    on duty returns the open shift."""

    @extend_schema(request=CodeIn, responses={200: ShiftOut, **error_responses(400, 401, 404, 409, 429)})
    def post(self, request: Request, pk: int) -> Response:
        mobilization = mobilization_get_for_checkin(request.user, pk)
        data = validated(CodeIn, request.data)
        shift = call_checkin(actor=request.user, mobilization=mobilization, code=data["code"])
        return Response(ShiftOut(shift).data)


class MobilizationCheckoutView(APIView):
    """下岗签退 with the code on site: the shift ends and its hours go to the ledger as verified service.
    409 `not_on_duty`."""

    @extend_schema(request=CodeIn, responses={200: ShiftOut, **error_responses(400, 401, 404, 409, 429)})
    def post(self, request: Request, pk: int) -> Response:
        mobilization = mobilization_get_for_user(request.user, pk)
        data = validated(CodeIn, request.data)
        shift = call_checkout(actor=request.user, mobilization=mobilization, code=data["code"])
        return Response(ShiftOut(shift).data)


# ---- the command post ---------------------------------------------------------------------------------


def _site_staff(request: Request, pk: int) -> Mobilization:
    mobilization = mobilization_get_for_user(request.user, pk)
    if not may_run_site(request.user, mobilization):
        raise Forbidden(gettext("只有应急指挥人员和区域内的网格员可以查看点名情况。"))
    return mobilization


class MobilizationRollCallView(APIView):
    """点名: called / yes / no / silent / arrived / on duty in all, per post needed and per grid. For the
    commanders and the area's grid workers."""

    @extend_schema(responses={200: RollCallOut, **error_responses(401, 403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        mobilization = _site_staff(request, pk)
        board = rollcall(mobilization, within=site_scope(request.user, mobilization))
        codes = dict(
            Region.objects.filter(pk__in=[g.grid_id for g in board.grids if g.grid_id]).values_list(
                "pk", "code"
            )
        )
        t = board.totals
        return Response(
            {
                "called": t.called,
                "yes": t.yes,
                "no": t.no,
                "silent": t.silent,
                "arrived": t.arrived,
                "on_duty": t.on_duty,
                "calling": MobilizationOut(mobilization).data["calling"],
                "status": mobilization.status,
                "posts": [
                    {
                        "post": p.post_id,
                        "title": p.title,
                        "needed": p.needed,
                        "called": p.called,
                        "yes": p.yes,
                        "arrived": p.arrived,
                    }
                    for p in board.posts
                ],
                "grids": [
                    {
                        "grid": codes.get(g.grid_id) if g.grid_id else None,
                        "name": g.name,
                        "called": g.called,
                        "yes": g.yes,
                        "no": g.no,
                        "silent": g.silent,
                        "arrived": g.arrived,
                    }
                    for g in board.grids
                ],
            }
        )


class MobilizationCallListView(generics.ListAPIView):
    """The members called, in the order they were called (`answer=silent`: who has not answered), for the
    commanders and the area's grid workers."""

    serializer_class = CallOut

    def get_queryset(self) -> QuerySet[Call]:
        mobilization = _site_staff(self.request, self.kwargs["pk"])
        params = validated(CallFilter, self.request.query_params)
        answer = params.get("answer")
        grid = None
        if params.get("grid"):
            grid = named_in_body(
                lambda: region_get(params["grid"], level=Level.GRID),
                field="grid",
                message=gettext("没有找到该网格。"),
            )
        return calls_of(
            mobilization,
            answer=Answer.NONE if answer == _SILENT else answer,
            grid=grid,
            within=site_scope(self.request.user, mobilization),
        ).select_related("member__unit")

    @extend_schema(
        parameters=[CallFilter], responses={200: CallOut(many=True), **error_responses(400, 401, 403, 404)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class MobilizationWidenView(APIView):
    """扩大动员 to all registered members of the area or of the neighbouring grids: accepted (202), the call
    goes out in the background; nobody is called twice."""

    @extend_schema(request=WidenIn, responses={202: MobilizationDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        mobilization = mobilization_get_for_user(request.user, pk)
        data = validated(WidenIn, request.data)
        mobilization_widen(
            actor=request.user, mobilization=mobilization, to=data["to"], request=request._request
        )
        return Response(_detail(request, pk), status=status.HTTP_202_ACCEPTED)


class MobilizationRecallView(APIView):
    """再次呼叫 those who have not answered: all of them, or the members named."""

    @extend_schema(request=RecallIn, responses={200: RecalledOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        mobilization = mobilization_get_for_user(request.user, pk)
        data = validated(RecallIn, request.data)
        n = mobilization_recall(actor=request.user, mobilization=mobilization, member_ids=data.get("members"))
        return Response({"recalled": n})


class MobilizationCheckinCodeView(APIView):
    """The screen on site: the code of the moment and the check-in address with it. Ask again at
    `expires_at`."""

    @extend_schema(responses={200: SiteCodeOut, **error_responses(401, 403, 404, 409)})
    def get(self, request: Request, pk: int) -> Response:
        mobilization = mobilization_get_for_user(request.user, pk)
        shown = checkin_code_for(actor=request.user, mobilization=mobilization)
        return Response(
            SiteCodeOut(
                {
                    "code": shown.code,
                    "expires_at": shown.expires_at,
                    "url": public_url(request, shown.url_path),
                }
            ).data
        )


class MobilizationStandDownView(APIView):
    """解除应急: no more answers or check-ins; every open shift ends now and its hours are credited."""

    @extend_schema(request=None, responses={200: StandDownOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        mobilization = mobilization_get_for_user(request.user, pk)
        result = mobilization_stand_down(
            actor=request.user, mobilization=mobilization, request=request._request
        )
        return Response(
            {
                "status": result.mobilization.status,
                "shifts_closed": result.shifts_closed,
                "shifts_pending": result.shifts_pending,
            }
        )
