"""API of circulars (通报): `GET /api/v1/circulars?period=&region=` ranks a district's or street's units for a
period (a preview, computed now); `POST /api/v1/circulars` publishes that ranking as a snapshot (201; 409
`already_published` for a region and period already published); `GET /api/v1/circulars/published` lists the
published circulars the caller may read; `GET /api/v1/circulars/{id}` and `/{id}/pdf` give one.

`region` is a district or street the caller administers (404 otherwise); `period` is "2026Q3" or "2026" (400
when missing or malformed). Rates are decimals 0..1 to four places, as in `GET /api/v1/coverage`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.certificates.api import _PdfOrJsonError
from baodao.lib.api import created, error_responses, validated
from baodao.lib.periods import period_parse
from baodao.lib.urls import public_url
from baodao.org.api import RefOut

from .models import Circular
from .pdf import circular_pdf_response
from .selectors import (
    circular_get_for_user,
    circular_ranking,
    circular_rows,
    circulars_visible_to,
    own_unit_ids,
    region_for_circular,
)
from .services import circular_publish


class CircularIn(serializers.Serializer):
    period = serializers.CharField(max_length=16, help_text=_("统计期：季度如 2026Q3，年度如 2026"))
    region = serializers.CharField(max_length=32, help_text=_("区或街道的编码"))


class StandingOut(serializers.Serializer):
    code = serializers.CharField(help_text=_("单位编码"))
    name = serializers.CharField(help_text=_("单位名称"))
    coverage = serializers.FloatField(
        allow_null=True, help_text=_("报到率（小数，如 0.7）：期末已报到 ÷ 在册；无在册党员时为 null")
    )
    completion = serializers.FloatField(
        allow_null=True,
        help_text=_("服务完成率（小数）：已报到党员中达到最低服务要求的比例；无人报到时为 null"),
    )
    below_threshold = serializers.BooleanField(help_text=_("报到率低于本区政策的达标线"))
    rank = serializers.IntegerField(
        allow_null=True, help_text=_("名次，1 为最好；并列者名次相同；无在册党员的单位排在最后，为 null")
    )


class RankingOut(serializers.Serializer):
    period = serializers.CharField(source="period.code")
    units = StandingOut(many=True)


class CircularRowOut(StandingOut):
    members = serializers.IntegerField(help_text=_("在册党员数（发布时的名册）"))
    registered = serializers.IntegerField(help_text=_("期末已报到党员数"))
    completed = serializers.IntegerField(help_text=_("达到最低服务要求的党员数"))
    own = serializers.SerializerMethodField(help_text=_("是否为调用者管理的单位"))

    def get_own(self, row: Any) -> bool:
        return row.unit_id in self.context.get("own_units", ())


class CircularSummaryOut(serializers.Serializer):
    id = serializers.IntegerField()
    region = RefOut()
    period = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    issuer = serializers.CharField(help_text=_("发布单位"))
    published_at = serializers.DateTimeField()


class CircularOut(CircularSummaryOut):
    threshold = serializers.FloatField(help_text=_("报到率达标线（期末的区政策）"))
    minimum = serializers.CharField(help_text=_("所适用的最低服务要求"))
    published_by = serializers.CharField(source="published_by.name")
    units = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    def get_units(self, circular: Circular) -> Any:
        return CircularRowOut(circular_rows(circular), many=True, context=self.context).data

    def get_pdf_url(self, circular: Circular) -> str:
        return public_url(self.context["request"], reverse("v1:circular-pdf", args=[circular.pk]))


def _circular_out(request: Request, circular: Circular) -> Any:
    context = {"request": request, "own_units": own_unit_ids(request.user)}
    return CircularOut(circular, context=context).data


class CircularListView(APIView):
    """GET: the ranking of a region's units for a period, as it stands now (not stored). POST: publish it."""

    @extend_schema(
        operation_id="v1_circulars_preview",
        parameters=[CircularIn],
        responses={200: RankingOut, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(CircularIn, request.query_params)
        period = period_parse(params["period"])
        region = region_for_circular(request.user, params["region"])
        return Response(RankingOut(circular_ranking(region, period)).data)

    @extend_schema(
        request=CircularIn, responses={201: CircularOut, **error_responses(400, 401, 403, 404, 409)}
    )
    def post(self, request: Request) -> Response:
        data = validated(CircularIn, request.data)
        period = period_parse(data["period"])
        region = region_for_circular(request.user, data["region"])
        circular = circular_publish(
            actor=request.user, region=region, period=period, request=request._request
        )
        return created(_circular_out(request, circular))


class PublishedCircularListView(generics.ListAPIView):
    """Published circulars the caller may read, newest period first."""

    serializer_class = CircularSummaryOut

    def get_queryset(self) -> QuerySet[Circular]:
        return circulars_visible_to(self.request.user)

    @extend_schema(responses={200: CircularSummaryOut(many=True), **error_responses(401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CircularDetailView(APIView):
    @extend_schema(responses={200: CircularOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_circular_out(request, circular_get_for_user(request.user, pk)))


class CircularPdfView(APIView):
    """The published circular as a PDF, drawn from its snapshot."""

    content_negotiation_class = _PdfOrJsonError

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("PDF 通报")),
            **error_responses(401, 404),
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        circular = circular_get_for_user(request.user, pk)
        return circular_pdf_response(circular, circular_rows(circular))
