"""API of roster imports.

- `POST /api/v1/units/{code}/roster` (multipart: `file`, `dry_run` true|false — default **true**, a dry run
  that writes nothing —, `mode` all_or_nothing|valid_only, hyphens accepted) uploads a roster and runs it:
  - 200 and the summary `{"id", "rows", "created", "updated", "unchanged", "invalid", "errors":
    [{"row", "column", "message"}], "errors_total", "job": null, …}` when it ran at once (a dry run, or a
    commit that wrote);
  - 400 with the same summary plus `{"error": "roster_invalid", "detail", "fields"}` when an all-or-nothing
    commit met invalid rows and wrote nothing;
  - 202 with the counts zeroed and `"job": "<uuid>"` when the file has more than `ROSTER_SYNC_MAX_ROWS`
    rows: `GET /api/v1/jobs/{job}` reports progress, and its `result` holds the summary at the end;
  - 400 `{"error": "bad_file", "detail"}` for a file refused as a whole (not a spreadsheet, a macro
    workbook, a zip bomb, malformed, over the limits); 404 for a unit the caller does not administer.
- `POST /api/v1/roster-imports/{id}/commit` (`mode`) imports a file already uploaded (after its dry run),
  with the same answers.
- `GET /api/v1/roster-imports/{id}` the import and its last summary; `GET …/{id}/errors.xlsx` the rows a
  valid-only import left out, with the reasons; `GET /api/v1/roster/template` the template workbook.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import error_responses, validated
from baodao.org.api import RefOut

from .files import BadFile
from .models import RosterImport, Status
from .selectors import roster_import_get_for_user, unit_get_for_roster
from .services import roster_import_start, roster_mode, roster_start
from .workbooks import XLSX_CONTENT_TYPE, roster_template_xlsx

_MODE_HELP = _(
    "all_or_nothing（默认，全部正确才导入）或 valid_only（只导入正确的行）；也接受 all-or-nothing、valid-only"
)


class RosterIn(serializers.Serializer):
    file = serializers.FileField(help_text=_("名册文件：.xlsx 或 .csv（按内容识别，不看文件名）"))
    dry_run = serializers.BooleanField(
        default=True, help_text=_("true（默认）只预检、不写入；false 正式导入")
    )
    mode = serializers.CharField(required=False, allow_blank=True, help_text=_MODE_HELP)

    def validate_mode(self, value: str) -> str:
        return roster_mode(value)


class RosterCommitIn(serializers.Serializer):
    mode = serializers.CharField(required=False, allow_blank=True, help_text=_MODE_HELP)

    def validate_mode(self, value: str) -> str:
        return roster_mode(value)


class RosterErrorOut(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("Excel 中的行号（表头为第 1 行）"))
    column = serializers.CharField(help_text=_("列名，如 手机号"))
    message = serializers.CharField(help_text=_("中文说明；身份证号只显示前 3 位和后 4 位"))


class RosterSummaryOut(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("名册导入记录编号"))
    rows = serializers.IntegerField(help_text=_("数据行数"))
    created = serializers.IntegerField(help_text=_("新增党员"))
    updated = serializers.IntegerField(help_text=_("更新的党员"))
    unchanged = serializers.IntegerField(help_text=_("无变化的党员"))
    invalid = serializers.IntegerField(help_text=_("有误的行"))
    # A field (the metaclass moves it out of the class), not Serializer.errors.
    errors = RosterErrorOut(many=True, help_text=_("错误（最多 1000 条）"))  # type: ignore[assignment]
    errors_total = serializers.IntegerField(help_text=_("错误总数"))
    dry_run = serializers.BooleanField()
    mode = serializers.CharField()
    status = serializers.CharField(
        help_text=_("uploaded, queued, running, checked, refused, committed, failed")
    )
    status_label = serializers.CharField(source="get_status_display")
    message = serializers.CharField()
    job = serializers.UUIDField(
        source="job_id", allow_null=True, help_text=_("后台任务编号；当场完成时为 null")
    )
    error_workbook = serializers.SerializerMethodField(help_text=_("未导入行的错误清单下载地址"))

    def get_error_workbook(self, roster_import: RosterImport) -> str | None:
        if roster_import.status != Status.COMMITTED or not roster_import.invalid:
            return None
        return f"/api/v1/roster-imports/{roster_import.pk}/errors.xlsx"


class RosterImportOut(RosterSummaryOut):
    unit = RefOut()
    filename = serializers.CharField()
    kind = serializers.CharField(help_text=_("xlsx 或 csv"))
    size = serializers.IntegerField(help_text=_("字节"))
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    committed_at = serializers.DateTimeField(allow_null=True)


class RosterRefusedOut(RosterSummaryOut):
    error = serializers.CharField(help_text=_("roster_invalid"))
    detail = serializers.CharField()
    fields = serializers.DictField()  # type: ignore[assignment]


def _answer(roster_import: RosterImport) -> Response:
    data = RosterSummaryOut(roster_import).data
    if roster_import.status == Status.QUEUED:
        return Response(data, status=status.HTTP_202_ACCEPTED)
    if roster_import.status == Status.REFUSED:
        refusal = {"error": "roster_invalid", "detail": roster_import.message, "fields": {}}
        return Response({**data, **refusal}, status=status.HTTP_400_BAD_REQUEST)
    return Response(data)


_RUN_RESPONSES: dict[Any, Any] = {
    200: RosterSummaryOut,
    202: OpenApiResponse(RosterSummaryOut, description=_("文件较大，已转入后台处理；见 job")),
    400: OpenApiResponse(
        RosterRefusedOut,
        description=_(
            "文件被拒绝（error=bad_file 等），或“全部正确才导入”时有错误行（error=roster_invalid）"
        ),
    ),
    **error_responses(401, 404, 409),
}


class UnitRosterView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary=_("上传并预检或导入党员名册"),
        request={"multipart/form-data": RosterIn},
        responses=_RUN_RESPONSES,
        tags=["roster"],
    )
    def post(self, request: Request, code: str) -> Response:
        unit = unit_get_for_roster(request.user, code)
        params = validated(RosterIn, request.data)
        upload = params["file"]
        if upload.size > settings.ROSTER_MAX_BYTES:  # refused before it is read into memory
            raise BadFile(
                gettext("文件太大，上限为 %(max)s MB。") % {"max": f"{settings.ROSTER_MAX_BYTES / 1048576:g}"}
            )
        roster_import = roster_import_start(
            actor=request.user,
            unit=unit,
            filename=upload.name or "",
            content=upload.read(),
            dry_run=params["dry_run"],
            mode=params.get("mode") or roster_mode(None),
            request=request._request,
        )
        return _answer(roster_import)


class RosterCommitView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary=_("导入已上传并预检过的名册"),
        request=RosterCommitIn,
        responses=_RUN_RESPONSES,
        tags=["roster"],
    )
    def post(self, request: Request, pk: int) -> Response:
        roster_import = roster_import_get_for_user(request.user, pk)
        params = validated(RosterCommitIn, request.data)
        roster_import = roster_start(
            actor=request.user,
            roster_import=roster_import,
            dry_run=False,
            mode=params.get("mode") or None,
            request=request._request,
        )
        return _answer(roster_import)


class RosterImportDetailView(APIView):
    @extend_schema(
        summary=_("名册导入记录及结果"),
        responses={200: RosterImportOut, **error_responses(401, 404)},
        tags=["roster"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(RosterImportOut(roster_import_get_for_user(request.user, pk)).data)


class _AlwaysJson(BaseContentNegotiation):
    """The file views answer with a workbook, or with a JSON error: never 406 for a strict Accept."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


_XLSX_RESPONSE: dict[Any, Any] = {(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY}


class RosterErrorWorkbookView(APIView):
    content_negotiation_class = _AlwaysJson

    @extend_schema(
        summary=_("下载未导入行的错误清单"),
        responses={**_XLSX_RESPONSE, **error_responses(401, 404)},
        tags=["roster"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        roster_import = roster_import_get_for_user(request.user, pk, with_error_workbook=True)
        if not roster_import.error_workbook:
            raise Http404(gettext("该次导入没有错误清单。"))
        filename = gettext("名册导入错误清单-%(id)s.xlsx") % {"id": roster_import.pk}
        return _xlsx(bytes(roster_import.error_workbook), filename)


class RosterTemplateView(APIView):
    content_negotiation_class = _AlwaysJson

    @extend_schema(
        summary=_("下载党员名册模板"), responses={**_XLSX_RESPONSE, **error_responses(401)}, tags=["roster"]
    )
    def get(self, request: Request) -> HttpResponse:
        return _xlsx(roster_template_xlsx(), gettext("党员名册模板.xlsx"))
