"""Export files as HTTP answers, shared by the API and the pages. None holds a whole file in memory."""

from __future__ import annotations

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from .formats import content_disposition, csv_chunks
from .models import ExportFile, ExportFilePart
from .services import CSV, Export, export_write_xlsx

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _attachment(response: HttpResponseBase, filename: str, fallback: str) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition(filename, fallback)
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def export_response(export: Export) -> HttpResponseBase:
    """CSV streams from the database as it is read; a workbook is written to a temporary file first."""
    if export.format == CSV:
        response: HttpResponseBase = StreamingHttpResponse(
            csv_chunks(export.table.columns, export.table.rows), content_type=CONTENT_TYPES[CSV]
        )
    else:
        content, _rows = export_write_xlsx(export)
        response = FileResponse(content, content_type=CONTENT_TYPES[export.format])
    return _attachment(response, export.filename, export.fallback)


def stored_file_response(stored: ExportFile) -> HttpResponseBase:
    """A finished background export, sent part by part from the database."""
    parts = (
        ExportFilePart.objects.filter(file=stored)
        .order_by("seq")
        .values_list("data", flat=True)
        .iterator(chunk_size=1)
    )
    response = StreamingHttpResponse(
        (bytes(part) for part in parts),
        content_type=CONTENT_TYPES.get(stored.format, "application/octet-stream"),
    )
    response["Content-Length"] = str(stored.size)
    fallback = f"baodao-{stored.dataset}-{timezone.localtime(stored.created_at):%Y%m%d-%H%M}.{stored.format}"
    return _attachment(response, stored.filename, fallback)
