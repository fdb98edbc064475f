"""API of service certificates (志愿服务证明): a member asks for one over a period,
`POST /api/v1/certificates`, lists its own, `GET /api/v1/certificates`, and anyone — without signing in —
checks a number, `GET /api/v1/certificates/{number}/verify`.

The verification answers 200 with the certificate's minimal facts (the name masked) for a genuine number, and
404 in the usual error shape for a number that is malformed, unknown, or whose stored facts were altered: it
never tells those cases apart.
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
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for
from baodao.lib.api import created, error_responses, validated
from baodao.lib.urls import public_url
from baodao.org.api import RefOut

from .models import Certificate
from .responses import certificate_pdf_response
from .selectors import certificate_get_for_user, certificates_of_member
from .services import certificate_issue, certificate_verify


class CategoryHoursOut(serializers.Serializer):
    category = serializers.CharField(help_text=_("分类编码"))
    # `label` names a field here (the metaclass moves it out of the class), not Field.label.
    label = serializers.CharField(help_text=_("分类名称"))  # type: ignore[assignment]
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    services = serializers.IntegerField(help_text=_("服务次数"))


class CertificateOut(serializers.Serializer):
    number = serializers.CharField(help_text=_("证明编号"))
    name = serializers.CharField(help_text=_("姓名（开具时）"))
    issuing_community = RefOut(help_text=_("出具证明的社区（党员报到的社区）"))
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, help_text=_("经核实的服务时长（小时）"))
    services = serializers.IntegerField(help_text=_("经核实的服务次数"))
    by_category = CategoryHoursOut(many=True, help_text=_("分类统计，时长多的在前"))
    certifiers = serializers.ListField(child=serializers.CharField(), help_text=_("记录并核实服务的社区"))
    issued_at = serializers.DateTimeField()
    pdf_url = serializers.SerializerMethodField(help_text=_("下载 PDF 证明的地址（需登录）"))
    verify_url = serializers.SerializerMethodField(
        help_text=_("公开核验页面的地址（证明上的二维码即此地址）")
    )

    def get_pdf_url(self, cert: Certificate) -> str:
        return public_url(self.context["request"], reverse("v1:certificate-pdf", args=[cert.number]))

    def get_verify_url(self, cert: Certificate) -> str:
        return public_url(self.context["request"], reverse("web:certificate_verify", args=[cert.number]))


class VerificationOut(serializers.Serializer):
    """What anyone may learn of a genuine certificate."""

    valid = serializers.BooleanField(help_text=_("恒为 true：编号不真实时回答 404"))
    number = serializers.CharField()
    name = serializers.CharField(help_text=_("姓名，脱敏如 李*"))
    issuing_community = RefOut()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    services = serializers.IntegerField()
    by_category = CategoryHoursOut(many=True)
    issued_at = serializers.DateTimeField()


class PeriodIn(serializers.Serializer):
    period_start = serializers.DateField(help_text=_("起始日期"))
    period_end = serializers.DateField(help_text=_("截止日期（含）"))


class CertificateListView(generics.ListAPIView):
    """GET: the caller's certificates, newest first (none for someone who is not a member). POST: the calling
    member gets a certificate of its verified service in a period (none without verified service: 400)."""

    serializer_class = CertificateOut

    def get_queryset(self) -> QuerySet[Certificate]:
        member_id = scope_for(self.request.user).member_id
        if member_id is None:
            return Certificate.objects.none()
        return certificates_of_member(member_id)

    @extend_schema(responses={200: CertificateOut(many=True), **error_responses(401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PeriodIn, responses={201: CertificateOut, **error_responses(400, 401, 403)})
    def post(self, request: Request) -> Response:
        data = validated(PeriodIn, request.data)
        cert = certificate_issue(actor=request.user, request=request._request, **data)
        return created(CertificateOut(cert, context={"request": request}).data)


class CertificateVerifyView(APIView):
    """Public: is this number a genuine certificate, and what does it certify."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(auth=[], responses={200: VerificationOut, **error_responses(404)})
    def get(self, request: Request, number: str) -> Response:
        verification = certificate_verify(number)
        cert = verification.certificate
        return Response(
            VerificationOut(
                {
                    "valid": True,
                    "number": cert.number,
                    "name": verification.masked_name,
                    "issuing_community": cert.issuing_community,
                    "period_start": cert.period_start,
                    "period_end": cert.period_end,
                    "hours": cert.hours,
                    "services": cert.services,
                    "by_category": cert.by_category,
                    "issued_at": cert.issued_at,
                }
            ).data
        )


class _PdfOrJsonError(BaseContentNegotiation):
    """The PDF, or a JSON error: never 406 for an `Accept: application/pdf`."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class CertificatePdfView(APIView):
    """The certificate as a PDF, for the member it certifies and the region admins over its issuing community
    (bearer token or session); 404 for anyone else."""

    content_negotiation_class = _PdfOrJsonError

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("PDF 证明")),
            **error_responses(401, 404),
        }
    )
    def get(self, request: Request, number: str) -> FileResponse:
        cert = certificate_get_for_user(request.user, number)
        verify_url = public_url(request, reverse("web:certificate_verify", args=[cert.number]))
        return certificate_pdf_response(cert, verify_url)
