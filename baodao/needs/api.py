"""API of the 三单制: `/api/v1/needs` (submit, list, detail, every transition, photos) and the caller's own
claims, `/api/v1/me/claims`.

Every need is fetched through `need_get_for_user` (out of scope: 404); the transition services decide who may
act on a visible need (403) and whether its state allows the action (409, `illegal_transition`, `full`,
`already_claimed`). Each transition answers with the need as it is afterwards.

Masking contract: the resident's `contact_name`, `contact_phone` and `address` are shown in full only to the
resident, to whoever took the need down for it, and to whoever holds a place on it (`contact_visible`);
everyone else gets them masked (`张**`, `138****5678`, the first half of the address) — never the raw values.
The timeline names the resident on the same terms (`selectors.need_timeline`), and photos are listed only to
those who may see them (`photos_visible`).

An object named in the request body that does not exist or that the caller may not see (`community`, `grid`,
`into`, `member`, `unit`) is a mistake in the body: 400 with the field's message. A path that names no need
the caller may see is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import created, error_responses, named_in_body, parse_bool, validated
from baodao.lib.errors import DomainError
from baodao.lib.idnumber import mask_phone
from baodao.members.api import MemberSummaryOut, mask_address
from baodao.members.selectors import member_get_for_user
from baodao.org.api import RefOut
from baodao.org.models import Level
from baodao.org.selectors import region_get, unit_get_for_user

from .models import Category, Claim, ClaimStatus, Kind, Need, NeedEvent, Photo, Status
from .responses import photo_response
from .selectors import (
    TimelineEntry,
    claims_of,
    mask_name,
    need_contact_visible,
    need_get_for_user,
    need_timeline,
    needs_visible_to,
    overdue_q,
    photo_get_for_user,
    photos_visible,
)
from .services import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    MAX_PLACES,
    NOTE_MAX,
    PHOTO_MAX_BYTES,
    REASON_MAX,
    TITLE_MAX,
    need_assign,
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_decline,
    need_dispute,
    need_merge,
    need_photo_add,
    need_publish,
    need_reopen,
    need_submit,
    need_withdraw,
)

# ---- output --------------------------------------------------------------------------------------------


class NeedRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class NeedSummaryOut(NeedRefOut):
    """The few facts of a need another object (a claim) shows."""

    kind = serializers.ChoiceField(choices=Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    community = RefOut()
    due_at = serializers.DateTimeField(allow_null=True)


class NeedOut(serializers.Serializer):
    """A need as lists show it (no contact details)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = serializers.CharField(source="get_category_display")
    community = RefOut()
    grid = RefOut(allow_null=True)
    location = serializers.CharField(help_text=_("地点/楼栋"))
    skills = serializers.ListField(child=serializers.CharField(), help_text=_("所需特长编码"))
    places = serializers.IntegerField(help_text=_("名额"))
    claimed = serializers.IntegerField(source="taken", help_text=_("已占用的名额（有效认领数）"))
    free_places = serializers.IntegerField(help_text=_("剩余名额"))
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    starts_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    respond_by = serializers.DateTimeField(allow_null=True, help_text=_("响应时限"))
    resolve_by = serializers.DateTimeField(allow_null=True, help_text=_("办结时限"))
    overdue = serializers.SerializerMethodField(help_text=_("是否已超过响应或办结时限"))
    escalated = serializers.SerializerMethodField(help_text=_("是否已超时上报街道（超过响应时限或办结时限）"))
    rating = serializers.IntegerField(allow_null=True, help_text=_("服务对象的评分（1–5）"))
    created_at = serializers.DateTimeField()

    def get_overdue(self, need: Need) -> bool:
        return need.is_overdue()

    def get_escalated(self, need: Need) -> bool:
        return bool(need.escalation)


class NeedEventOut(serializers.Serializer):
    """One step of the timeline (a `selectors.TimelineEntry`, already masked for the caller)."""

    kind = serializers.ChoiceField(choices=NeedEvent.Kind.choices)
    kind_label = serializers.CharField()
    actor = serializers.CharField(
        source="actor_name",
        allow_null=True,
        help_text=_("经办人姓名（居民本人的姓名对无权查看联系方式者脱敏）；系统操作为 null"),
    )
    note = serializers.CharField()
    at = serializers.DateTimeField()


class ClaimOut(serializers.Serializer):
    id = serializers.IntegerField()
    member = MemberSummaryOut(allow_null=True, help_text=_("认领的党员；单位认领时为 null"))
    unit = RefOut(allow_null=True, help_text=_("认领的单位；党员认领时为 null"))
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    assigned = serializers.BooleanField(help_text=_("是否由社区指派"))
    claimed_at = serializers.DateTimeField()
    lapses_at = serializers.DateTimeField(allow_null=True, help_text=_("未报告办结则在此时失效"))
    note = serializers.CharField(help_text=_("办结说明"))
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text=_("服务时长（小时）")
    )
    completed_at = serializers.DateTimeField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True, help_text=_("评分（1–5）"))
    comment = serializers.CharField(help_text=_("评价"))
    confirmed_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text=_("退出或异议的原因"))


class MyClaimOut(ClaimOut):
    need = NeedSummaryOut()


class PhotoOut(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Photo.Stage.choices)
    stage_label = serializers.CharField(source="get_stage_display")
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text=_("取照片的地址"))

    def get_url(self, photo: Photo) -> str:
        return reverse("v1:need-photo", args=[photo.need_id, photo.pk])


class NeedDetailOut(NeedOut):
    description = serializers.CharField()
    on_behalf = serializers.BooleanField(help_text=_("是否由网格员（或社区）代居民提交"))
    contact_visible = serializers.SerializerMethodField(
        help_text=_("联系人、电话和地址是否完整显示（本人、代办人和认领人可见）")
    )
    contact_name = serializers.SerializerMethodField(help_text=_("联系人，脱敏如 张**"))
    contact_phone = serializers.SerializerMethodField(help_text=_("联系电话，脱敏如 138****5678"))
    address = serializers.SerializerMethodField(help_text=_("详细地址，脱敏"))
    decline_reason = serializers.CharField(help_text=_("不予受理的原因"))
    merged_into = serializers.IntegerField(
        source="merged_into_id", allow_null=True, help_text=_("合并到的需求编号")
    )
    responded_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True, help_text=_("最近一次超时上报街道的时间"))
    timeline = serializers.SerializerMethodField(help_text=_("办理经过，按时间先后"))
    claims = ClaimOut(many=True, source="claims.all", help_text=_("认领（含已退出、已失效的），按认领先后"))
    photos_visible = serializers.SerializerMethodField(
        help_text=_("能否查看照片：联系方式可见者和需求所在区域的管理员可以；否则 photos 为空")
    )
    photos = serializers.SerializerMethodField()

    def get_contact_visible(self, need: Need) -> bool:
        return bool(self.context["contact_visible"])

    def get_contact_name(self, need: Need) -> str:
        return need.contact_name if self.context["contact_visible"] else mask_name(need.contact_name)

    def get_contact_phone(self, need: Need) -> str:
        return need.contact_phone if self.context["contact_visible"] else mask_phone(need.contact_phone)

    def get_address(self, need: Need) -> str:
        return need.address if self.context["contact_visible"] else mask_address(need.address)

    @extend_schema_field(NeedEventOut(many=True))
    def get_timeline(self, need: Need) -> Any:
        entries: list[TimelineEntry] = self.context["timeline"]
        return NeedEventOut(entries, many=True).data

    def get_photos_visible(self, need: Need) -> bool:
        return bool(self.context["photos_visible"])

    @extend_schema_field(PhotoOut(many=True))
    def get_photos(self, need: Need) -> Any:
        return PhotoOut(need.photos.all(), many=True).data if self.context["photos_visible"] else []


def _claims_with_people() -> QuerySet[Claim]:
    return Claim.objects.select_related("member__user", "member__unit", "unit")


def _need_out(request: Request, pk: Any) -> Any:
    """The need (fetched again through the scope: after a change it is the current row), with its timeline as
    the caller may see it, its claims, and its photos for those who may see them."""
    need = need_get_for_user(request.user, pk)
    contact_visible = need_contact_visible(request.user, need)
    see_photos = photos_visible(request.user, need, contact_visible=contact_visible)
    prefetch_related_objects(
        [need],
        Prefetch("claims", queryset=_claims_with_people().order_by("claimed_at", "id")),
        *([Prefetch("photos", queryset=Photo.objects.defer("data"))] if see_photos else []),
    )
    context = {
        "request": request,
        "contact_visible": contact_visible,
        "timeline": need_timeline(request.user, need, contact_visible=contact_visible),
        "photos_visible": see_photos,
    }
    return NeedDetailOut(need, context=context).data


def _claim_out(request: Request, claim: Claim) -> Any:
    claim = claims_of(request.user).select_related("member__unit", "need__grid").get(pk=claim.pk)
    return MyClaimOut(claim, context={"request": request}).data


# ---- input ---------------------------------------------------------------------------------------------


class FlagField(serializers.BooleanField):
    """A yes/no query parameter, spelled as `parse_bool` accepts it (true/false, 1/0, yes/no, 是/否)."""

    def to_internal_value(self, data: Any) -> Any:
        try:
            return parse_bool(str(data))
        except DomainError:
            self.fail("invalid", input=data)


def _skills_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        help_text=_("所需特长：编码或名称，见 /api/v1/skills"),
    )


class NeedIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Kind.choices, help_text=_("service、task 由社区发布；wish、request 由居民提交（或代办）")
    )
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    community = serializers.CharField(max_length=32, help_text=_("社区编码"))
    grid = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, help_text=_("网格编码")
    )
    location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("地点/楼栋")
    )
    skills = _skills_field()
    places = serializers.IntegerField(min_value=1, max_value=MAX_PLACES, required=False, help_text=_("名额"))
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    due_at = serializers.DateTimeField(required=False, allow_null=True, help_text=_("截止时间"))
    contact_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=_("联系人（代办时必填）")
    )
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    publish = serializers.BooleanField(
        default=False, help_text=_("社区管理员发布服务清单或任务清单时可立即发布")
    )


class NeedFilter(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    community = serializers.CharField(required=False, help_text=_("社区编码"))
    grid = serializers.CharField(required=False, help_text=_("网格编码"))
    overdue = FlagField(
        required=False, allow_null=True, default=None, help_text=_("true 只看超时的；false 只看未超时的")
    )


class PublishIn(serializers.Serializer):
    places = serializers.IntegerField(min_value=1, max_value=MAX_PLACES, required=False)
    skills = _skills_field()
    due_at = serializers.DateTimeField(required=False, allow_null=True)


class NeedReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("原因"))


class CloseIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX,
        required=False,
        allow_blank=True,
        help_text=_("原因：终止办理居民的微心愿或诉求时必填（居民可见），关闭社区的任务时可不填"),
    )


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True)


class AssignIn(serializers.Serializer):
    unit = serializers.CharField(max_length=32, required=False, help_text=_("单位编码"))
    member = serializers.IntegerField(required=False, help_text=_("党员编号"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("unit" in attrs) == ("member" in attrs):
            raise serializers.ValidationError(
                {"member": [_("请指定一名党员（member）或一个单位（unit），二选一。")]}
            )
        return attrs


class ClaimIn(serializers.Serializer):
    unit = serializers.CharField(
        max_length=32, required=False, help_text=_("单位党组织管理员代表单位认领时填单位编码")
    )


class CompleteIn(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, help_text=_("办结说明：做了什么"))
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, help_text=_("服务时长（小时，一位小数）")
    )


class ConfirmIn(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text=_("评分 1–5 星"))
    comment = serializers.CharField(max_length=COMMENT_MAX, required=False, allow_blank=True)
    claim = serializers.IntegerField(required=False, help_text=_("多人报告办结时，要确认的认领编号"))
    hours = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        required=False,
        help_text=_("核定的服务时长；仅社区管理员可改，其他人填写无效"),
    )


class DisputeIn(NeedReasonIn):
    claim = serializers.IntegerField(required=False, help_text=_("多人报告办结时，有异议的认领编号"))


class MergeIn(serializers.Serializer):
    into = serializers.IntegerField(help_text=_("合并到的需求编号（本社区）"))


class PhotoIn(serializers.Serializer):
    file = serializers.FileField(help_text=_("JPEG、PNG 或 WebP，不超过 5 MB；每个阶段最多 3 张"))


# ---- the list, submission, the detail -------------------------------------------------------------------


class NeedListView(generics.ListAPIView):
    """GET: the needs the caller may see, newest first. POST: submit a wish or request (点单), or — a
    community admin — create a service or task (`publish: true` opens it at once)."""

    serializer_class = NeedOut

    def get_queryset(self) -> QuerySet[Need]:
        params = validated(NeedFilter, self.request.query_params)
        qs = needs_visible_to(self.request.user)
        for field in ("kind", "status", "category"):
            if params.get(field):
                qs = qs.filter(**{field: params[field]})
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        if params.get("grid"):
            qs = qs.filter(grid__code=params["grid"])
        if params.get("overdue") is True:
            qs = qs.filter(overdue_q())
        elif params.get("overdue") is False:
            qs = qs.exclude(overdue_q())
        return qs

    @extend_schema(parameters=[NeedFilter], responses={200: NeedOut(many=True), **error_responses(400, 401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=NeedIn,
        responses={201: NeedDetailOut, **error_responses(400, 401, 403)},
        description=_(
            "居民提交微心愿或诉求（网格员、社区管理员可代办，须填联系人），待社区审核；"
            "社区管理员发布服务清单或任务清单，publish=true 时立即发布。"
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(NeedIn, request.data)
        code, grid_code = data.pop("community"), data.pop("grid", None)
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
        need = need_submit(actor=request.user, community=community, grid=grid, **data)
        return created(_need_out(request, need.pk))


class NeedDetailView(APIView):
    @extend_schema(responses={200: NeedDetailOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_need_out(request, pk))


# ---- 下单 -------------------------------------------------------------------------------------------------

_ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


class NeedPublishView(APIView):
    """The community admin vets a submitted need and opens it for claims."""

    @extend_schema(request=PublishIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(PublishIn, request.data)
        need_publish(actor=request.user, need=need, **data)
        return Response(_need_out(request, pk))


class NeedDeclineView(APIView):
    """不予受理, with a reason the resident sees."""

    @extend_schema(request=NeedReasonIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(NeedReasonIn, request.data)
        need_decline(actor=request.user, need=need, reason=data["reason"], request=request._request)
        return Response(_need_out(request, pk))


class NeedMergeView(APIView):
    """A duplicate goes into another need of the same community (`into`, which the caller must see)."""

    @extend_schema(request=MergeIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(MergeIn, request.data)
        into = named_in_body(
            lambda: need_get_for_user(request.user, data["into"]),
            field="into",
            message=gettext("没有找到要合并到的需求。"),
        )
        need_merge(actor=request.user, need=need, into=into)
        return Response(_need_out(request, pk))


class NeedAssignView(APIView):
    """The community hands the need to a member (`member`: id) or a co-building unit (`unit`: code)."""

    @extend_schema(request=AssignIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(AssignIn, request.data)
        member = (
            named_in_body(
                lambda: member_get_for_user(request.user, data["member"]),
                field="member",
                message=gettext("没有找到该党员。"),
            )
            if "member" in data
            else None
        )
        unit = _unit_named_in_body(request, data)
        need_assign(actor=request.user, need=need, member=member, unit=unit, request=request._request)
        return Response(_need_out(request, pk))


def _unit_named_in_body(request: Request, data: dict[str, Any]) -> Any:
    if not data.get("unit"):
        return None
    return named_in_body(
        lambda: unit_get_for_user(request.user, data["unit"]),
        field="unit",
        message=gettext("没有找到该单位。"),
    )


# ---- 接单 -------------------------------------------------------------------------------------------------


class NeedClaimView(APIView):
    """A registered member takes a place (a unit admin may take one for its unit with `unit`). 409 `full`
    when the places are gone, `already_claimed` for a second claim."""

    @extend_schema(request=ClaimIn, responses={201: MyClaimOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(ClaimIn, request.data)
        claim = need_claim(actor=request.user, need=need, unit=_unit_named_in_body(request, data))
        return created(_claim_out(request, claim))


class NeedWithdrawView(APIView):
    """退出: the claimer gives its place back, with a reason, before reporting the need done."""

    @extend_schema(request=NeedReasonIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(NeedReasonIn, request.data)
        need_withdraw(actor=request.user, need=need, reason=data["reason"])
        return Response(_need_out(request, pk))


# ---- 办结 -------------------------------------------------------------------------------------------------


class NeedCompleteView(APIView):
    """The claimer reports the need done. Nothing is recorded until the person served confirms."""

    @extend_schema(request=CompleteIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(CompleteIn, request.data)
        need_complete(actor=request.user, need=need, note=data["note"], hours=data["hours"])
        return Response(_need_out(request, pk))


class NeedConfirmView(APIView):
    """The person served (for the community's own needs: the community admin) confirms and rates a
    fulfilment; only this writes the service record."""

    @extend_schema(request=ConfirmIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(ConfirmIn, request.data)
        need_confirm(
            actor=request.user,
            need=need,
            rating=data["rating"],
            comment=data.get("comment", ""),
            claim_id=data.get("claim"),
            hours=data.get("hours"),
            request=request._request,
        )
        return Response(_need_out(request, pk))


class NeedDisputeView(APIView):
    """The person served says it is not done: back to the community."""

    @extend_schema(request=DisputeIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(DisputeIn, request.data)
        need_dispute(actor=request.user, need=need, reason=data["reason"], claim_id=data.get("claim"))
        return Response(_need_out(request, pk))


class NeedReopenView(APIView):
    """退回重办: the community sends a disputed fulfilment back to its claimer."""

    @extend_schema(request=NoteIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(NoteIn, request.data)
        need_reopen(actor=request.user, need=need, note=data.get("note", ""))
        return Response(_need_out(request, pk))


class NeedCloseView(APIView):
    """The community ends an open need: its own task or service is closed (`closed`); a resident's wish or
    request is terminated (`terminated`, 终止办理) and needs a `reason` the resident sees. Places held but not
    confirmed are released (claims `released`)."""

    @extend_schema(request=CloseIn, responses={200: NeedDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        data = validated(CloseIn, request.data)
        need_close(actor=request.user, need=need, reason=data.get("reason", ""))
        return Response(_need_out(request, pk))


# ---- photos ---------------------------------------------------------------------------------------------


class NeedPhotoListView(APIView):
    """A photo of the problem (its submitter, before the need is reported done) or of the work done (a
    claimer). Evidence to look at, never proof."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": PhotoIn},
        responses={201: PhotoOut, **_ACTION_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        need = need_get_for_user(request.user, pk)
        upload = validated(PhotoIn, request.data)["file"]
        # Read one byte past the limit, never the whole of an oversized file; the service refuses it.
        photo = need_photo_add(actor=request.user, need=need, content=upload.read(PHOTO_MAX_BYTES + 1))
        return created(PhotoOut(photo).data)


class _AlwaysJson(BaseContentNegotiation):
    """The photo answers with the picture, or with a JSON error: never 406 for an `Accept: image/*`."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class NeedPhotoView(APIView):
    content_negotiation_class = _AlwaysJson

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description=_("照片（JPEG/PNG/WebP）")),
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
            **error_responses(401, 404),
        }
    )
    def get(self, request: Request, pk: int, photo_pk: int) -> HttpResponse:
        return photo_response(photo_get_for_user(request.user, pk, photo_pk))


# ---- the caller's own claims ----------------------------------------------------------------------------


class MyClaimFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=ClaimStatus.choices, required=False)


class MyClaimListView(generics.ListAPIView):
    """The caller's claims (its member's, and its units' if it administers any), newest first."""

    serializer_class = MyClaimOut

    def get_queryset(self) -> QuerySet[Claim]:
        params = validated(MyClaimFilter, self.request.query_params)
        qs = claims_of(self.request.user).select_related("member__unit", "need__grid")
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs

    @extend_schema(
        parameters=[MyClaimFilter], responses={200: MyClaimOut(many=True), **error_responses(400, 401)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
