"""API of exports: `GET /api/v1/exports/{members|registrations|coverage}?format=xlsx|csv` with the filters
of the corresponding list, and `GET /api/v1/exports/files/{id}` for a finished background export.

Answers: 200 with the file; 202 `{"job"}` when a workbook is too large to write inside the request (follow
`/api/v1/jobs/{id}`: its result names the file to download); 400 for a bad format or filter; 401; 404
for a region out of the caller's reach or someone else's file. Filters that point outside the scope give
an empty file, as they give an empty list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.jobs.models import Job
from baodao.lib.api import error_responses, validated

from .datasets import DATASETS, MemberExportFilter
from .responses import CONTENT_TYPES, export_response, stored_file_response
from .selectors import export_file_get_for_user
from .services import CSV, XLSX, export_start


class FormatIn(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=[(XLSX, _("Excel 工作簿")), (CSV, _("CSV（UTF-8）"))],
        default=XLSX,
        error_messages={"invalid_choice": _("导出格式只能是 xlsx 或 csv。")},
        help_text=_("文件格式：xlsx（默认）或 csv"),
    )


class JobRefOut(serializers.Serializer):
    job = serializers.UUIDField(help_text=_("后台任务编号，进度见 /api/v1/jobs/{id}"))


class FileFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the file's format here, not a renderer: answers other than the file (errors, 202)
    are JSON whatever the client asks for."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type


_FILE_RESPONSES: dict[Any, Any] = {
    (200, CONTENT_TYPES[XLSX]): OpenApiResponse(OpenApiTypes.BINARY, description=_("Excel 工作簿")),
    (200, CONTENT_TYPES[CSV]): OpenApiResponse(OpenApiTypes.BINARY, description=_("CSV，UTF-8 带 BOM")),
}
_EXPORT_RESPONSES = {
    **_FILE_RESPONSES,
    202: OpenApiResponse(JobRefOut, description=_("行数较多的 Excel 在后台生成")),
    **error_responses(400, 401, 404),
}


class _ExportView(APIView):
    dataset = ""
    content_negotiation_class = FileFormatNegotiation

    def export(self, request: Request) -> HttpResponseBase:
        fmt = validated(FormatIn, request.query_params)["format"]
        params = validated(DATASETS[self.dataset].filters, request.query_params)
        result = export_start(
            actor=request.user, dataset=self.dataset, fmt=fmt, params=params, request=request._request
        )
        if isinstance(result, Job):
            return Response(
                {"job": str(result.pk)}, status=202, headers={"Location": reverse("v1:job", args=[result.pk])}
            )
        return export_response(result)


class MemberExportView(_ExportView):
    """党员名单: the members the caller may see, with `/api/v1/members`' filters (and `status`,
    `registered_in`, `on_roster`). Phone, ID number and address masked."""

    dataset = "members"

    @extend_schema(parameters=[FormatIn, MemberExportFilter], responses=_EXPORT_RESPONSES, tags=["exports"])
    def get(self, request: Request) -> HttpResponseBase:
        return self.export(request)


class RegistrationExportView(_ExportView):
    """报到记录 the caller may see, with `/api/v1/registrations`' filters. Times in Beijing time."""

    dataset = "registrations"

    @extend_schema(
        parameters=[FormatIn, DATASETS["registrations"].filters],
        responses=_EXPORT_RESPONSES,
        tags=["exports"],
    )
    def get(self, request: Request) -> HttpResponseBase:
        return self.export(request)


class CoverageExportView(_ExportView):
    """报到率 of a street or district by unit or by community, as `/api/v1/coverage` (rates in percent)."""

    dataset = "coverage"

    @extend_schema(
        parameters=[FormatIn, DATASETS["coverage"].filters], responses=_EXPORT_RESPONSES, tags=["exports"]
    )
    def get(self, request: Request) -> HttpResponseBase:
        return self.export(request)


class ExportFileView(APIView):
    """A finished background export; only the person who asked for it may download it."""

    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        responses={
            (200, CONTENT_TYPES[XLSX]): OpenApiResponse(OpenApiTypes.BINARY),
            **error_responses(401, 404),
        },
        tags=["exports"],
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return stored_file_response(export_file_get_for_user(request.user, pk))
