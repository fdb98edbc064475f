"""API of volunteer activities: `/api/v1/activities` (publish, list, detail), sign-up and cancel, the rotating
check-in code, check-in and check-out, attendance recorded by hand, closing and calling off.

Every activity is fetched through `activity_get_for_user` (out of scope: 404); the services decide who may act
on a visible activity (403: only its organisers show the code, record attendance, close or call it off; only a
member registered in its community signs up) and whether its state allows the action (409 with a stable
`error`: `illegal_transition`, `started`, `already_signed_up`, `not_signed_up`, `overlap`, `waitlisted`,
`outside_window`, `not_checked_in`, `not_started`, `not_ended`, `already_recorded`). A wrong or expired code,
or a position far outside the geofence, is bad input (400 on `code` / `lat`).

An object named in the request body that does not resolve for the caller (`community`, `grid`, `unit`,
`member`) is a mistake in the body: 400 on its field, not 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for
from baodao.lib.api import created, error_responses, named_in_body, validated
from baodao.lib.errors import Invalid
from baodao.lib.urls import public_url
from baodao.members.api import MemberSummaryOut
from baodao.members.models import Member
from baodao.members.selectors import members_visible_to
from baodao.needs.models import Category
from baodao.org.api import RefOut
from baodao.org.models import Level
from baodao.org.selectors import region_get, unit_get_for_user

from .codes import CODE_PERIOD
from .models import HOLDING, Activity, Attendance, Signup, SignupStatus, Status
from .qr import qr_svg
from .selectors import activities_visible_to, activity_get_for_user, signup_of, waitlist_position
from .services import (
    MAX_PLACES,
    REASON_MAX,
    TITLE_MAX,
    ForgottenCheckout,
    activity_cancel,
    activity_cancel_signup,
    activity_checkin,
    activity_checkout,
    activity_close,
    activity_create,
    activity_signup,
    attendance_record,
    checkin_code_for,
    may_organise,
)

# ---- output --------------------------------------------------------------------------------------------


class ActivityRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ActivityOut(serializers.Serializer):
    """An activity as lists show it."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = serializers.CharField(source="get_category_display")
    community = RefOut()
    grid = RefOut(allow_null=True)
    organiser_unit = RefOut(allow_null=True, help_text=_("组织活动的共建单位；社区组织的为 null"))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(help_text=_("地点"))
    lat = serializers.FloatField(allow_null=True, help_text=_("活动地点纬度"))
    lng = serializers.FloatField(allow_null=True, help_text=_("活动地点经度"))
    radius_m = serializers.IntegerField(allow_null=True, help_text=_("签到范围（米）；null 表示签到不限位置"))
    places = serializers.IntegerField(help_text=_("名额"))
    taken = serializers.IntegerField(help_text=_("已报名（占用名额）人数"))
    free_places = serializers.SerializerMethodField(help_text=_("剩余名额"))
    skills = serializers.ListField(child=serializers.CharField(), help_text=_("所需特长编码"))
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    my_status = serializers.SerializerMethodField(
        help_text=_("本人的报名状态（confirmed 已报名、waitlisted 候补中）；未报名为 null")
    )
    created_at = serializers.DateTimeField()

    def get_free_places(self, activity: Activity) -> int:
        return max(activity.places - activity.taken, 0)

    @extend_schema_field(serializers.ChoiceField(choices=SignupStatus.choices, allow_null=True))
    def get_my_status(self, activity: Activity) -> str | None:
        return getattr(activity, "my_status", None)


class SignupOut(serializers.Serializer):
    """A sign-up: its place (or place in line) and its attendance."""

    id = serializers.IntegerField()
    activity = ActivityRefOut()
    member = MemberSummaryOut()
    status = serializers.ChoiceField(choices=SignupStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    waitlist_position = serializers.SerializerMethodField(
        help_text=_("候补名次（1 为下一个递补）；非候补为 null")
    )
    created_at = serializers.DateTimeField(help_text=_("报名时间"))
    promoted_at = serializers.DateTimeField(allow_null=True, help_text=_("候补转正时间"))
    cancelled_at = serializers.DateTimeField(allow_null=True)
    attendance = serializers.ChoiceField(choices=Attendance.choices)
    attendance_label = serializers.CharField(source="get_attendance_display")
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    checkin_distance_m = serializers.IntegerField(
        allow_null=True, help_text=_("签到位置距活动地点的距离（米）；未提供位置为 null")
    )
    checkout_distance_m = serializers.IntegerField(allow_null=True)
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text=_("核定时长（小时）；未结算为 null")
    )
    manual_reason = serializers.CharField(help_text=_("人工补录的原因"))

    def get_waitlist_position(self, signup: Signup) -> int | None:
        positions = self.context.get("positions")
        if positions is not None:
            return positions.get(signup.pk)
        return waitlist_position(signup)


class ActivityDetailOut(ActivityOut):
    description = serializers.CharField()
    waitlisted = serializers.IntegerField(help_text=_("候补人数"))
    cancel_reason = serializers.CharField(help_text=_("取消活动的原因"))
    closed_at = serializers.DateTimeField(allow_null=True, help_text=_("组织者结束活动、结算出勤的时间"))
    may_organise = serializers.SerializerMethodField(
        help_text=_("本人是否为组织者（可出示签到码、补录、结束）")
    )
    my_signup = serializers.SerializerMethodField(help_text=_("本人的报名；未报名为 null"))
    signups = serializers.SerializerMethodField(
        help_text=_("报名名单（已报名在前按报名先后，候补按名次）；仅组织者可见，其他人为 null")
    )

    def get_may_organise(self, activity: Activity) -> bool:
        return bool(self.context["may_organise"])

    @extend_schema_field(SignupOut(allow_null=True))
    def get_my_signup(self, activity: Activity) -> Any:
        mine = self.context["my_signup"]
        return (
            SignupOut(mine, context={"request": self.context["request"]}).data if mine is not None else None
        )

    @extend_schema_field(SignupOut(many=True, allow_null=True))
    def get_signups(self, activity: Activity) -> Any:
        signups = self.context["signups"]
        if signups is None:
            return None
        context = {"request": self.context["request"], "positions": self.context["positions"]}
        return SignupOut(signups, many=True, context=context).data


class CheckinCodeOut(serializers.Serializer):
    code = serializers.CharField(help_text=_("现场签到码（6 位数字）"))
    expires_at = serializers.DateTimeField(
        help_text=_("此时换下一个签到码（上一个码在其后一个周期内仍有效）")
    )
    period = serializers.IntegerField(help_text=_("签到码轮换周期（秒）"))
    url = serializers.CharField(help_text=_("扫码打开的签到地址（已带签到码）"))
    qr_svg = serializers.CharField(help_text=_("签到地址的二维码（SVG 文本，无固定尺寸，随容器缩放）"))


class ClosingOut(serializers.Serializer):
    attended = serializers.IntegerField(help_text=_("已签退（或已补录）的人数"))
    closed_by_rule = serializers.IntegerField(help_text=_("签到后未签退、按所选规则结算的人数"))
    no_shows = serializers.IntegerField(help_text=_("报名后未到的人数（记为缺席）"))
    activity = ActivityDetailOut()


def _with_my_status(qs: QuerySet[Activity], member_id: int | None) -> QuerySet[Activity]:
    if member_id is None:
        return qs
    mine = Signup.objects.filter(activity=OuterRef("pk"), member_id=member_id, status__in=HOLDING)
    return qs.annotate(my_status=Subquery(mine.values("status")[:1]))


def _signups_for_organiser(activity: Activity) -> tuple[list[Signup], dict[int, int]]:
    """The sign-ups holding a place or a place in line, and each waitlisted one's position."""
    signups = list(
        Signup.objects.filter(activity=activity, status__in=HOLDING)
        .select_related("activity", "member__user", "member__unit")
        .order_by("created_at", "id")
    )
    waiting = [s for s in signups if s.status == SignupStatus.WAITLISTED]
    confirmed = [s for s in signups if s.status == SignupStatus.CONFIRMED]
    return confirmed + waiting, {s.pk: n for n, s in enumerate(waiting, start=1)}


def _detail(request: Request, pk: Any) -> Any:
    """The activity (fetched again through the scope: after a change it is the current row), with the caller's
    own sign-up, and for its organisers the list of sign-ups."""
    member_id = scope_for(request.user).member_id
    activity = _with_my_status(activities_visible_to(request.user), member_id).filter(pk=pk).first()
    if activity is None:
        activity = activity_get_for_user(request.user, pk)  # raises the 404
    organiser = may_organise(request.user, activity)
    signups: list[Signup] | None = None
    positions: dict[int, int] = {}
    if organiser:
        signups, positions = _signups_for_organiser(activity)
        waitlisted = len(positions)
    else:
        waitlisted = Signup.objects.filter(activity=activity, status=SignupStatus.WAITLISTED).count()
    mine = signup_of(member_id, activity)
    if mine is not None:
        mine.activity = activity
    activity.waitlisted = waitlisted  # type: ignore[attr-defined]
    context = {
        "request": request,
        "may_organise": organiser,
        "my_signup": mine,
        "signups": signups,
        "positions": positions,
    }
    return ActivityDetailOut(activity, context=context).data


def _signup_out(request: Request, signup: Signup) -> Any:
    signup = Signup.objects.select_related("activity", "member__user", "member__unit").get(pk=signup.pk)
    return SignupOut(signup, context={"request": request}).data


# ---- input ---------------------------------------------------------------------------------------------


def _code_field(help_text: Any) -> serializers.CharField:
    return serializers.CharField(max_length=32, help_text=help_text)


class ActivityIn(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    category = serializers.ChoiceField(choices=Category.choices)
    community = _code_field(_("社区编码"))
    grid = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, help_text=_("网格编码")
    )
    unit = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("以共建单位名义组织时填单位编码（单位党组织管理员，须已与该社区共建报到）"),
    )
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, help_text=_("地点"))
    lat = serializers.FloatField(
        min_value=-90, max_value=90, required=False, allow_null=True, help_text=_("活动地点纬度")
    )
    lng = serializers.FloatField(
        min_value=-180, max_value=180, required=False, allow_null=True, help_text=_("活动地点经度")
    )
    radius_m = serializers.IntegerField(
        min_value=20,
        max_value=5000,
        required=False,
        allow_null=True,
        help_text=_("签到范围（米，20–5000）；须同时填写经纬度"),
    )
    places = serializers.IntegerField(min_value=1, max_value=MAX_PLACES, help_text=_("名额"))
    skills = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text=_("所需特长：编码或名称，见 /api/v1/skills"),
    )


class ActivityFilter(serializers.Serializer):
    community = serializers.CharField(required=False, help_text=_("社区编码"))
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    upcoming = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true 只看报名中且尚未结束的活动（按开始时间先后）；false 只看其余的"),
    )
    mine = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true 只看本人已报名（含候补）的活动")
    )


class PositionIn(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text=_("现场屏幕上的签到码"))
    lat = serializers.FloatField(
        required=False, allow_null=True, help_text=_("手机定位纬度（设了签到范围时用）")
    )
    lng = serializers.FloatField(required=False, allow_null=True, help_text=_("手机定位经度"))


class AttendanceIn(serializers.Serializer):
    member = serializers.IntegerField(help_text=_("党员编号（须已在活动所在社区报到）"))
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("核定时长（小时）；或填签到和签退时间，按活动时段截取"),
    )
    checked_in_at = serializers.DateTimeField(required=False, allow_null=True)
    checked_out_at = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("补录原因（记入审计日志）"))


class ActivityCloseIn(serializers.Serializer):
    forgotten_checkout = serializers.ChoiceField(
        choices=[
            (ForgottenCheckout.END_OF_ACTIVITY, _("签到后未签退的，计到活动结束")),
            (ForgottenCheckout.NO_HOURS, _("签到后未签退的，不计时长")),
        ],
        help_text=_("签到后未签退人员的结算方式：end 计到活动结束，none 不计时长"),
    )


class CallOffIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("取消原因（通知已报名的人）"))


# ---- the list, publishing, the detail -----------------------------------------------------------------


class ActivityListView(generics.ListAPIView):
    """GET: the activities the caller may see, latest start first (`upcoming=true`: soonest first). POST: a
    community admin — or a co-building unit's admin with `unit` — publishes an activity."""

    serializer_class = ActivityOut

    def get_queryset(self) -> QuerySet[Activity]:
        params = validated(ActivityFilter, self.request.query_params)
        member_id = scope_for(self.request.user).member_id
        qs = activities_visible_to(self.request.user)
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        open_now = Q(status=Status.PUBLISHED, ends_at__gt=timezone.now())
        if params.get("upcoming") is True:
            qs = qs.filter(open_now).order_by("starts_at", "id")
        elif params.get("upcoming") is False:
            qs = qs.exclude(open_now)
        if params.get("mine") is not None:
            held = Signup.objects.filter(member_id=member_id or 0, status__in=HOLDING).values("activity")
            qs = qs.filter(pk__in=held) if params["mine"] else qs.exclude(pk__in=held)
        return _with_my_status(qs, member_id)

    @extend_schema(
        parameters=[ActivityFilter], responses={200: ActivityOut(many=True), **error_responses(400, 401)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ActivityIn,
        responses={201: ActivityDetailOut, **error_responses(400, 401, 403)},
        description=_(
            "社区管理员在本社区发布志愿服务活动；单位党组织管理员可以单位名义（unit）在已共建报到的社区发布。"
            "已在该社区报到的党员可以报名。"
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(ActivityIn, request.data)
        code, grid_code, unit_code = data.pop("community"), data.pop("grid", None), data.pop("unit", None)
        community = named_in_body(
            lambda: region_get(code, level=Level.COMMUNITY),
            field="community",
            message=gettext("没有找到该社区。"),
        )
        grid = (
            named_in_body(
                lambda: region_get(grid_code, level=Level.GRID),
                field="grid",
                message=gettext("没有找到该网格。"),
            )
            if grid_code
            else None
        )
        unit = (
            named_in_body(
                lambda: unit_get_for_user(request.user, unit_code),
                field="unit",
                message=gettext("没有找到该单位。"),
            )
            if unit_code
            else None
        )
        activity = activity_create(
            actor=request.user, community=community, grid=grid, organiser_unit=unit, **data
        )
        return created(_detail(request, activity.pk))


class ActivityDetailView(APIView):
    @extend_schema(responses={200: ActivityDetailOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


# ---- sign-up ------------------------------------------------------------------------------------------

_ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


class ActivitySignupView(APIView):
    """A member registered in the activity's community signs up: `confirmed` while places are free, otherwise
    `waitlisted` (moved up in order, and told, when someone cancels). 409 `overlap` when the member already
    holds a sign-up at the same time, `already_signed_up`, `started`."""

    @extend_schema(request=None, responses={201: SignupOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        signup = activity_signup(actor=request.user, activity=activity)
        return created(_signup_out(request, signup))


class ActivityCancelSignupView(APIView):
    """The member withdraws its own sign-up before the start; the first in line takes the place."""

    @extend_schema(request=None, responses={200: SignupOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        signup = activity_cancel_signup(actor=request.user, activity=activity)
        return Response(_signup_out(request, signup))


# ---- check-in -----------------------------------------------------------------------------------------


class ActivityCheckinCodeView(APIView):
    """The organiser's screen: the code of the moment and a QR code of the check-in address with it. Ask again
    at `expires_at`."""

    @extend_schema(responses={200: CheckinCodeOut, **error_responses(401, 403, 404, 409)})
    def get(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        shown = checkin_code_for(actor=request.user, activity=activity)
        url = public_url(request, shown.url_path)
        return Response(
            CheckinCodeOut(
                {
                    "code": shown.code,
                    "expires_at": shown.expires_at,
                    "period": CODE_PERIOD,
                    "url": url,
                    "qr_svg": qr_svg(url),
                }
            ).data
        )


class ActivityCheckinView(APIView):
    """签到 with the code shown on site, from half an hour before the start to the end; with `lat`/`lng` when
    the activity has a geofence. A second check-in changes nothing."""

    @extend_schema(request=PositionIn, responses={200: SignupOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        data = validated(PositionIn, request.data)
        signup = activity_checkin(actor=request.user, activity=activity, **data)
        return Response(_signup_out(request, signup))


class ActivityCheckoutView(APIView):
    """签退 with the code on site: the hours attended (within the activity's window, rounded down as the
    policy says) go into the ledger. A second check-out changes nothing."""

    @extend_schema(request=PositionIn, responses={200: SignupOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        data = validated(PositionIn, request.data)
        signup = activity_checkout(actor=request.user, activity=activity, **data)
        return Response(_signup_out(request, signup))


# ---- the organiser ------------------------------------------------------------------------------------


def _member_named(request: Request, activity: Activity, pk: int) -> Member:
    """A member the caller may see, or one who signed up to the activity (a unit organiser sees the
    sign-ups of its activity, not every member of the community)."""
    visible = members_visible_to(request.user).values("pk")
    member = (
        Member.objects.filter(Q(pk__in=visible) | Q(signups__activity=activity), pk=pk)
        .select_related("user")
        .distinct()
        .first()
    )
    if member is None:
        message = gettext("没有找到该党员。")
        raise Invalid(message, fields={"member": [message]})
    return member


class ActivityAttendanceView(APIView):
    """人工补录: the organiser records a member's attendance by hand — `hours`, or `checked_in_at` and
    `checked_out_at` — with a `reason`. Audited; written to the ledger."""

    @extend_schema(request=AttendanceIn, responses={201: SignupOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        data = validated(AttendanceIn, request.data)
        member = _member_named(request, activity, data.pop("member"))
        signup = attendance_record(
            actor=request.user, activity=activity, member=member, request=request._request, **data
        )
        return created(_signup_out(request, signup))


class ActivityCloseView(APIView):
    """结束活动 after its end: those who checked in but never out are settled by the rule chosen
    (`forgotten_checkout`), confirmed sign-ups never checked in are recorded as no-shows. Once."""

    @extend_schema(request=ActivityCloseIn, responses={200: ClosingOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        data = validated(ActivityCloseIn, request.data)
        summary = activity_close(
            actor=request.user, activity=activity, forgotten_checkout=data["forgotten_checkout"]
        )
        return Response(
            {
                "attended": summary.attended,
                "closed_by_rule": summary.closed_by_rule,
                "no_shows": summary.no_shows,
                "activity": _detail(request, pk),
            }
        )


class ActivityCallOffView(APIView):
    """The organiser calls the activity off before it ends and before anyone checked in; everyone signed up
    is told the reason."""

    @extend_schema(request=CallOffIn, responses={200: ActivityDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        activity = activity_get_for_user(request.user, pk)
        data = validated(CallOffIn, request.data)
        activity_cancel(actor=request.user, activity=activity, reason=data["reason"])
        return Response(_detail(request, pk))
