"""API of pre-appointment checks (任前考察):

- `POST /api/v1/preappointment-checks` `{"member", "reason"}` → 201: a unit admin of the member's unit or a
  district admin over it asks; `registered` says whether the member ever registered, and when it never did,
  `statement` says so (else it is empty). 409 `already_open` while the member has an open check.
- `GET /api/v1/preappointment-checks` (filters `status`, `member`): the checks the caller sees.
- `GET /api/v1/preappointment-checks/{id}`: one, with `report` — the frozen report once answered; while
  pending, the live draft for the community's admins; otherwise null.
- `POST .../{id}/answer` `{"comment"}`: the community answers (pending → answered).
- `POST .../{id}/explain` `{"explanation"}`: the unit explains why the member never registered
  (explanation_required → explained).
- `GET .../{id}/pdf`: an answered or explained check as a PDF (409 `not_closed` before).

Not visible (a check about the caller itself included): 404; visible but in the wrong state for the action:
409 `illegal_transition`, whoever the caller; in the right state but not the caller's to act on: 403. Asking
about oneself is 403; about a member no longer on its unit's roster, 400 on `member`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.certificates.api import _PdfOrJsonError
from baodao.lib.api import created, error_responses, named_in_body, validated
from baodao.lib.errors import Conflict
from baodao.lib.urls import public_url
from baodao.members.selectors import member_get_for_user
from baodao.org.api import RefOut

from .models import Check, Status
from .pdf import check_pdf_response
from .selectors import check_get_for_user, check_report_for, checks_filter, checks_visible_to
from .services import COMMENT_MAX, EXPLANATION_MAX, REASON_MAX, check_answer, check_ask, check_explain


class CheckIn(serializers.Serializer):
    member = serializers.IntegerField(help_text=_("被考察党员的编号"))
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("考察事由，如“拟任××职务任前考察”"))


class CheckFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    member = serializers.IntegerField(required=False, help_text=_("党员编号"))


class AnswerIn(serializers.Serializer):
    comment = serializers.CharField(max_length=COMMENT_MAX, help_text=_("社区对党员表现的意见"))


class ExplainIn(serializers.Serializer):
    explanation = serializers.CharField(
        max_length=EXPLANATION_MAX, help_text=_("单位对党员未到社区报到的书面说明")
    )


class PersonOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CheckOut(serializers.Serializer):
    id = serializers.IntegerField()
    member = PersonOut()
    unit = RefOut(help_text=_("发起时党员所在单位"))
    registered = serializers.BooleanField(help_text=_("党员是否曾在社区报到（经社区确认）"))
    statement = serializers.CharField(help_text=_("党员从未报到时的情况表述；否则为空"))
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    community = RefOut(allow_null=True, help_text=_("回复考察的社区；从未报到时为 null"))
    reason = serializers.CharField()
    asked_by = serializers.CharField(source="asked_by.name")
    asked_at = serializers.DateTimeField()
    comment = serializers.CharField(help_text=_("社区意见（已回复时）"))
    answered_at = serializers.DateTimeField(allow_null=True)
    explanation = serializers.CharField(help_text=_("单位情况说明（已说明时）"))
    explained_at = serializers.DateTimeField(allow_null=True)
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, check: Check) -> str | None:
        if not check.is_closed:
            return None
        return public_url(self.context["request"], reverse("v1:preappointment-check-pdf", args=[check.pk]))


class CheckDetailOut(CheckOut):
    report = serializers.SerializerMethodField(
        help_text=_(
            "考察报告：已回复的为回复时存档的报告；待回复时，回复社区的管理员看到实时生成的草稿；"
            "其他情况为 null"
        )
    )

    def get_report(self, check: Check) -> dict[str, Any] | None:
        return check_report_for(self.context["request"].user, check)


def _out(request: Request, check: Check) -> Any:
    return CheckDetailOut(check, context={"request": request}).data


_ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


class CheckListView(generics.ListAPIView):
    """GET: the checks the caller sees, newest first. POST: ask for a member's report."""

    serializer_class = CheckOut

    def get_queryset(self) -> QuerySet[Check]:
        params = validated(CheckFilter, self.request.query_params)
        return checks_filter(
            checks_visible_to(self.request.user), status=params.get("status"), member=params.get("member")
        )

    @extend_schema(
        parameters=[CheckFilter], responses={200: CheckOut(many=True), **error_responses(400, 401)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CheckIn, responses={201: CheckDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request) -> Response:
        data = validated(CheckIn, request.data)
        member = named_in_body(
            lambda: member_get_for_user(request.user, data["member"]),
            field="member",
            message=gettext("没有找到该党员。"),
        )
        check = check_ask(actor=request.user, member=member, reason=data["reason"], request=request._request)
        return created(_out(request, check_get_for_user(request.user, check.pk)))


class CheckDetailView(APIView):
    @extend_schema(responses={200: CheckDetailOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_out(request, check_get_for_user(request.user, pk)))


class CheckAnswerView(APIView):
    @extend_schema(request=AnswerIn, responses={200: CheckDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        check = check_get_for_user(request.user, pk)
        data = validated(AnswerIn, request.data)
        check_answer(actor=request.user, check=check, comment=data["comment"], request=request._request)
        return Response(_out(request, check_get_for_user(request.user, pk)))


class CheckExplainView(APIView):
    @extend_schema(request=ExplainIn, responses={200: CheckDetailOut, **_ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        check = check_get_for_user(request.user, pk)
        data = validated(ExplainIn, request.data)
        check_explain(
            actor=request.user, check=check, explanation=data["explanation"], request=request._request
        )
        return Response(_out(request, check_get_for_user(request.user, pk)))


class CheckPdfView(APIView):
    """An answered or explained check as a PDF."""

    content_negotiation_class = _PdfOrJsonError

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("PDF 任前考察")),
            **error_responses(401, 404, 409),
        }
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        check = check_get_for_user(request.user, pk)
        if not check.is_closed:
            raise Conflict(gettext("任前考察办结后才能下载 PDF。"), code="not_closed")
        return check_pdf_response(check)
