"""API of feedback letters (反馈函):

- `GET /api/v1/units/{code}/feedback?period=` — the unit's letter for a period: every member on its record,
  registered or not, with `pdf_url` and `xlsx_url`, and `sent_at` (null until the letter is sent);
- `GET /api/v1/units/{code}/feedback.pdf?period=` and `.../feedback.xlsx?period=` — the letter as files;
- `POST /api/v1/feedback/send` `{"period", "region"}` — a district or street admin sends the period's letters
  to the units of its region not sent yet → `{"sent": n, "no_admin": m}` (m: units left unsent for want of a
  unit admin; 409 `period_not_ended`, `already_sent`, `no_admin`);
- `POST /api/v1/units/{code}/remind` `{"period", "who"}` — one-click reminder of the unregistered or the
  unserved members → `{"reminded": n}` (409 `reminded_recently` — once a day per list, whatever the period —
  and `nobody_to_remind`).

The unit is one the caller administers (its unit admin, or a district or street admin over its region): 404
otherwise. `period` is "2026Q3" or "2026" (400 when missing or malformed).
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.certificates.api import _PdfOrJsonError
from baodao.exports.responses import CONTENT_TYPES
from baodao.lib.api import error_responses, validated
from baodao.lib.periods import period_parse
from baodao.lib.urls import public_url
from baodao.org.api import RefOut

from .models import Who
from .pdf import feedback_pdf_response
from .selectors import Letter, feedback_letter, region_for_feedback, unit_get_for_feedback
from .services import feedback_send, members_remind
from .xlsx import feedback_xlsx_response


class PeriodIn(serializers.Serializer):
    period = serializers.CharField(max_length=16, help_text=_("统计期：季度如 2026Q3，年度如 2026"))


class SendIn(PeriodIn):
    region = serializers.CharField(max_length=32, help_text=_("区或街道的编码"))


class RemindIn(PeriodIn):
    who = serializers.ChoiceField(
        choices=Who.choices, help_text=_("unregistered：期末未报到的党员；unserved：已报到但本期未服务的党员")
    )


class LetterMemberOut(serializers.Serializer):
    id = serializers.IntegerField(source="member_id")
    name = serializers.CharField()
    registered = serializers.BooleanField(help_text=_("期末是否在居住地社区报到"))
    community = serializers.CharField(help_text=_("期末报到的社区；未报到为空"))
    services = serializers.IntegerField(help_text=_("本期经核实的有效服务次数（不含冲销）"))
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, help_text=_("本期服务时长（含冲销）"))
    served = serializers.BooleanField(help_text=_("本期是否有有效服务"))
    minimum_met = serializers.BooleanField(help_text=_("是否达到本区最低服务要求"))
    grade = serializers.CharField(help_text=_("考评等次；社区尚未确定时为空"))
    comment = serializers.CharField(help_text=_("社区评语"))


class SummaryOut(serializers.Serializer):
    members = serializers.IntegerField(help_text=_("在册党员"))
    registered = serializers.IntegerField(help_text=_("期末已报到"))
    served = serializers.IntegerField(help_text=_("已报到且本期参加服务"))
    coverage = serializers.FloatField(allow_null=True, help_text=_("报到率（小数）"))
    active_rate = serializers.FloatField(allow_null=True, help_text=_("服务率：本期服务 ÷ 已报到（小数）"))


class LetterOut(serializers.Serializer):
    unit = RefOut()
    period = serializers.CharField(source="period.code")
    title = serializers.CharField()
    issuer = serializers.CharField(help_text=_("发函单位（区或街道）"))
    minimum = serializers.CharField(source="minimum.describe", help_text=_("所适用的最低服务要求"))
    summary = SummaryOut(source="*")
    sent_at = serializers.DateTimeField(source="sent.sent_at", allow_null=True, default=None)
    members = LetterMemberOut(source="rows", many=True)
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    def _url(self, letter: Letter, name: str) -> str:
        path = reverse(name, args=[letter.unit.code])
        return public_url(self.context["request"], f"{path}?period={letter.period.code}")

    def get_pdf_url(self, letter: Letter) -> str:
        return self._url(letter, "v1:unit-feedback-pdf")

    def get_xlsx_url(self, letter: Letter) -> str:
        return self._url(letter, "v1:unit-feedback-xlsx")


class SentOut(serializers.Serializer):
    sent = serializers.IntegerField(help_text=_("本次发送的反馈函份数"))
    no_admin = serializers.IntegerField(
        help_text=_("没有单位管理员、无人接收而未发送的单位数；设置管理员后可再次发送")
    )


class RemindedOut(serializers.Serializer):
    reminded = serializers.IntegerField(help_text=_("本次提醒的党员人数"))


def _letter(request: Request, code: str) -> Letter:
    params = validated(PeriodIn, request.query_params)
    period = period_parse(params["period"])
    return feedback_letter(unit_get_for_feedback(request.user, code), period)


class UnitFeedbackView(APIView):
    @extend_schema(parameters=[PeriodIn], responses={200: LetterOut, **error_responses(400, 401, 404)})
    def get(self, request: Request, code: str) -> Response:
        return Response(LetterOut(_letter(request, code), context={"request": request}).data)


class UnitFeedbackPdfView(APIView):
    content_negotiation_class = _PdfOrJsonError

    @extend_schema(
        parameters=[PeriodIn],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("PDF 反馈函")),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request: Request, code: str) -> FileResponse:
        return feedback_pdf_response(_letter(request, code))


class UnitFeedbackXlsxView(APIView):
    content_negotiation_class = _PdfOrJsonError

    @extend_schema(
        parameters=[PeriodIn],
        responses={
            (200, CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY, description=_("Excel 反馈函")),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        return feedback_xlsx_response(_letter(request, code))


class FeedbackSendView(APIView):
    @extend_schema(request=SendIn, responses={200: SentOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request: Request) -> Response:
        data = validated(SendIn, request.data)
        period = period_parse(data["period"])
        region = region_for_feedback(request.user, data["region"])
        result = feedback_send(actor=request.user, region=region, period=period, request=request._request)
        return Response({"sent": result.sent, "no_admin": result.no_admin})


class UnitRemindView(APIView):
    @extend_schema(request=RemindIn, responses={200: RemindedOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request: Request, code: str) -> Response:
        data = validated(RemindIn, request.data)
        period = period_parse(data["period"])
        unit = unit_get_for_feedback(request.user, code)
        reminded = members_remind(
            actor=request.user, unit=unit, period=period, who=data["who"], request=request._request
        )
        return Response({"reminded": reminded})
