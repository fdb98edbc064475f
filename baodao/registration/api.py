"""API of the 报到 handshake and of coverage: `/api/v1/registrations`, `/api/v1/unit-registrations`,
`/api/v1/units/{code}/coverage`, `/api/v1/coverage`.

Every object is fetched through the scoped selectors (out of scope: 404); the transition services decide
who may act on a visible object (403) and whether its state allows the action (409).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import created, error_responses, validated
from baodao.lib.errors import Forbidden
from baodao.members.api import MemberSummaryOut, mask_address, own_member
from baodao.members.services import member_is_self
from baodao.org.api import RefOut
from baodao.org.models import Level, Unit
from baodao.org.selectors import region_get, unit_get_for_user, units_visible_to

from .models import ACTIVE_STATUSES, Registration, RegistrationEvent, Status, UnitRegistration
from .selectors import (
    coverage_by_community,
    coverage_by_unit,
    regions_for_coverage,
    registration_get_for_user,
    registrations_visible_to,
    unit_coverage,
    unit_registration_get_for_user,
    unit_registrations_visible_to,
)
from .services import (
    REASON_MAX,
    registration_apply,
    registration_confirm,
    registration_end,
    registration_reject,
    registration_transfer,
    unit_registration_apply,
    unit_registration_confirm,
    unit_registration_end,
    unit_registration_reject,
)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("原因（党员可见）"))


# ---- 党员报到 ------------------------------------------------------------------------------------------


class RegistrationEventOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RegistrationEvent.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    actor = serializers.CharField(source="actor.name", allow_null=True, help_text=_("经办人姓名"))
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class RegistrationOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    member = MemberSummaryOut()
    community = RefOut()
    grid = RefOut(allow_null=True)
    address = serializers.SerializerMethodField(help_text=_("楼栋/住址，脱敏（本人可见完整地址）"))
    receipt_no = serializers.CharField(allow_null=True, help_text=_("回执编号，确认后才有"))
    reason = serializers.CharField(help_text=_("驳回或结束的原因"))
    applied_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)

    def get_address(self, registration: Registration) -> str:
        request = self.context.get("request")
        if request is not None and member_is_self(request.user, registration.member):
            return registration.address
        return mask_address(registration.address)


class RegistrationDetailOut(RegistrationOut):
    events = RegistrationEventOut(many=True, source="events.all", help_text=_("办理经过，按时间先后"))


class RegistrationIn(serializers.Serializer):
    community = serializers.CharField(max_length=32, help_text=_("居住社区编码"))
    grid = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    address = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("楼栋/住址")
    )
    transfer_reason = serializers.CharField(
        max_length=REASON_MAX,
        required=False,
        allow_blank=True,
        help_text=_("搬家转移：已有进行中的报到时，以此原因结束原报到并提交新申请"),
    )


class RegistrationFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    community = serializers.CharField(required=False, help_text=_("社区编码"))


def _registration_out(request: Request, pk: int) -> Any:
    """The registration (after a change: fetched again through the scope), with its timeline."""
    registration = registration_get_for_user(request.user, pk)
    prefetch_related_objects(
        [registration], Prefetch("events", queryset=RegistrationEvent.objects.select_related("actor"))
    )
    return RegistrationDetailOut(registration, context={"request": request}).data


class RegistrationListView(generics.ListAPIView):
    """GET: registrations the caller may see, newest first. POST: the calling member applies (201)."""

    serializer_class = RegistrationOut

    def get_queryset(self) -> QuerySet[Registration]:
        params = validated(RegistrationFilter, self.request.query_params)
        qs = registrations_visible_to(self.request.user)
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        return qs

    @extend_schema(
        parameters=[RegistrationFilter],
        responses={200: RegistrationOut(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=RegistrationIn,
        responses={201: RegistrationDetailOut, **error_responses(400, 401, 403, 404, 409)},
        description=(
            _(
                "在职党员向居住社区申请报到。已有待确认或已确认的报到时再次申请为 409；"
                "搬家时带上 transfer_reason，原报到以此原因结束，新申请待确认。"
            )
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(RegistrationIn, request.data)
        member = own_member(request.user)
        if member is None:
            raise Forbidden(gettext("只有在职党员可以申请报到。"))
        community = region_get(data["community"], level=Level.COMMUNITY)
        grid = region_get(data["grid"], level=Level.GRID) if data.get("grid") else None
        address = data.get("address", "")
        moving = bool(data.get("transfer_reason")) and (
            registrations_visible_to(request.user).filter(member=member, status__in=ACTIVE_STATUSES).exists()
        )
        if moving:
            registration = registration_transfer(
                member=member,
                community=community,
                grid=grid,
                address=address,
                reason=data["transfer_reason"],
            )
        else:
            registration = registration_apply(member=member, community=community, grid=grid, address=address)
        return created(_registration_out(request, registration.pk))


class RegistrationDetailView(APIView):
    @extend_schema(responses={200: RegistrationDetailOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_registration_out(request, pk))


class RegistrationConfirmView(APIView):
    """The community admin confirms: status `confirmed` and a receipt number (回执编号)."""

    @extend_schema(
        request=None, responses={200: RegistrationDetailOut, **error_responses(401, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        registration = registration_get_for_user(request.user, pk)
        registration_confirm(actor=request.user, registration=registration, request=request._request)
        return Response(_registration_out(request, pk))


class RegistrationRejectView(APIView):
    """The community admin rejects a pending application with a reason the member sees."""

    @extend_schema(
        request=ReasonIn, responses={200: RegistrationDetailOut, **error_responses(400, 401, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        registration = registration_get_for_user(request.user, pk)
        data = validated(ReasonIn, request.data)
        registration_reject(
            actor=request.user, registration=registration, reason=data["reason"], request=request._request
        )
        return Response(_registration_out(request, pk))


class RegistrationEndView(APIView):
    """The member itself or its community ends a pending or confirmed registration, with a reason."""

    @extend_schema(
        request=ReasonIn, responses={200: RegistrationDetailOut, **error_responses(400, 401, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        registration = registration_get_for_user(request.user, pk)
        data = validated(ReasonIn, request.data)
        registration_end(
            actor=request.user, registration=registration, reason=data["reason"], request=request._request
        )
        return Response(_registration_out(request, pk))


# ---- 单位报到 -----------------------------------------------------------------------------------------


class UnitRegistrationOut(serializers.Serializer):
    id = serializers.IntegerField()
    unit = RefOut()
    community = RefOut()
    commitments = serializers.CharField(help_text=_("共建承诺"))
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    receipt_no = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    applied_by = serializers.CharField(source="applied_by.name", help_text=_("提交人姓名"))
    applied_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class UnitRegistrationIn(serializers.Serializer):
    unit = serializers.CharField(max_length=32, help_text=_("单位编码"))
    community = serializers.CharField(max_length=32, help_text=_("共建社区编码"))
    commitments = serializers.CharField(max_length=2000, help_text=_("共建承诺"))


class UnitRegistrationFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    community = serializers.CharField(required=False, help_text=_("社区编码"))
    unit = serializers.CharField(required=False, help_text=_("单位编码"))


def _unit_registration_out(request: Request, pk: int) -> Any:
    return UnitRegistrationOut(unit_registration_get_for_user(request.user, pk)).data


class UnitRegistrationListView(generics.ListAPIView):
    """GET: unit registrations the caller may see. POST: a unit's party organisation registers with a
    community it co-builds with (201)."""

    serializer_class = UnitRegistrationOut

    def get_queryset(self) -> QuerySet[UnitRegistration]:
        params = validated(UnitRegistrationFilter, self.request.query_params)
        qs = unit_registrations_visible_to(self.request.user)
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("community"):
            qs = qs.filter(community__code=params["community"])
        if params.get("unit"):
            qs = qs.filter(unit__code=params["unit"])
        return qs

    @extend_schema(
        parameters=[UnitRegistrationFilter],
        responses={200: UnitRegistrationOut(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=UnitRegistrationIn,
        responses={201: UnitRegistrationOut, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request) -> Response:
        data = validated(UnitRegistrationIn, request.data)
        unit_registration = unit_registration_apply(
            actor=request.user,
            unit=unit_get_for_user(request.user, data["unit"]),
            community=region_get(data["community"], level=Level.COMMUNITY),
            commitments=data["commitments"],
        )
        return created(_unit_registration_out(request, unit_registration.pk))


class UnitRegistrationDetailView(APIView):
    @extend_schema(responses={200: UnitRegistrationOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_unit_registration_out(request, pk))


class UnitRegistrationConfirmView(APIView):
    @extend_schema(request=None, responses={200: UnitRegistrationOut, **error_responses(401, 403, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        unit_registration = unit_registration_get_for_user(request.user, pk)
        unit_registration_confirm(
            actor=request.user, unit_registration=unit_registration, request=request._request
        )
        return Response(_unit_registration_out(request, pk))


class UnitRegistrationRejectView(APIView):
    @extend_schema(
        request=ReasonIn, responses={200: UnitRegistrationOut, **error_responses(400, 401, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        unit_registration = unit_registration_get_for_user(request.user, pk)
        data = validated(ReasonIn, request.data)
        unit_registration_reject(
            actor=request.user,
            unit_registration=unit_registration,
            reason=data["reason"],
            request=request._request,
        )
        return Response(_unit_registration_out(request, pk))


class UnitRegistrationEndView(APIView):
    @extend_schema(
        request=ReasonIn, responses={200: UnitRegistrationOut, **error_responses(400, 401, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        unit_registration = unit_registration_get_for_user(request.user, pk)
        data = validated(ReasonIn, request.data)
        unit_registration_end(actor=request.user, unit_registration=unit_registration, reason=data["reason"])
        return Response(_unit_registration_out(request, pk))


# ---- 报到率 --------------------------------------------------------------------------------------------


class CoverageOut(serializers.Serializer):
    members = serializers.IntegerField(help_text=_("在册党员数"))
    registered = serializers.IntegerField(help_text=_("已报到党员数"))
    rate = serializers.FloatField(allow_null=True, help_text=_("报到率（小数，如 0.7）；无在册党员时为 null"))
    threshold = serializers.FloatField(help_text=_("达标线（小数，如 0.9），由区政策设定"))
    below_threshold = serializers.BooleanField()


class CoverageRowOut(CoverageOut):
    code = serializers.CharField()
    name = serializers.CharField()


class CoverageFilter(serializers.Serializer):
    region = serializers.CharField(help_text=_("街道或区的编码"))
    by = serializers.ChoiceField(choices=[("unit", _("按单位")), ("community", _("按社区"))], default="unit")


class UnitCoverageView(APIView):
    @extend_schema(responses={200: CoverageOut, **error_responses(401, 404)})
    def get(self, request: Request, code: str) -> Response:
        return Response(CoverageOut(unit_coverage(unit_get_for_user(request.user, code))).data)


class CoverageListView(generics.GenericAPIView):
    """报到率 of each unit or each community of a street or district the caller administers, worst first."""

    serializer_class = CoverageRowOut

    @extend_schema(
        parameters=[CoverageFilter],
        responses={200: CoverageRowOut(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(CoverageFilter, request.query_params)
        region = regions_for_coverage(request.user).filter(code=params["region"]).first()
        if region is None:
            raise Http404(gettext("没有找到该区域。"))
        if params["by"] == "community":
            rows = coverage_by_community(region)
        else:
            in_region = units_visible_to(request.user).filter(region__path__startswith=region.path)
            rows = coverage_by_unit(Unit.objects.filter(pk__in=in_region.values("pk")))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CoverageRowOut(page, many=True).data)
