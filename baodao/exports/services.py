"""Starting an export: the audit entry, then either the file at once or a background job.

CSV always streams from the database to the client. A workbook of up to EXPORT_SYNC_MAX_ROWS rows is
written to a temporary file and sent; a larger one is written by a worker and kept as an `ExportFile`
(for EXPORT_KEEP_DAYS) that its creator downloads when the job is done.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.jobs.models import Job
from baodao.jobs.services import job_create

from .datasets import DATASETS, Dataset, Table
from .formats import write_xlsx
from .models import PART_BYTES, ExportFile, ExportFilePart

XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
JOB_KIND = "export"
EXPORT_KEEP_DAYS = 7


@dataclass(frozen=True)
class Export:
    """An export to send now: what to write, in which format, under which file names."""

    format: str
    table: Table
    filename: str
    #: ASCII file name for clients that do not read RFC 5987 names.
    fallback: str


def _filters_set(params: dict[str, Any]) -> dict[str, Any]:
    """The filters that were set (for the audit entry and the job), without the empty ones."""
    return {k: v for k, v in params.items() if v is not None and v != ""}


def _names(dataset: Dataset, table: Table, fmt: str) -> tuple[str, str]:
    stamp = f"{timezone.localtime():%Y%m%d-%H%M}"
    return f"{table.title}-{stamp}.{fmt}", f"baodao-{dataset.name}-{stamp}.{fmt}"


def export_start(
    *, actor: Any, dataset: str, fmt: str, params: dict[str, Any], request: Any = None
) -> Export | Job:
    """Audit the export (dataset, format, filters, row count — never the rows) and return it, or the job
    that writes it in the background. Raises Http404 for a region out of the caller's reach."""
    spec = DATASETS[dataset]
    filters = _filters_set(params)
    table = spec.table(actor, filters)
    background = fmt == XLSX and table.count > settings.EXPORT_SYNC_MAX_ROWS
    with transaction.atomic():
        job = (
            job_create(kind=JOB_KIND, created_by=actor, total=table.count, message=_("排队等待导出……"))
            if background
            else None
        )
        audit_record(
            action=Action.EXPORTED,
            actor=actor,
            detail={
                "dataset": dataset,
                "format": fmt,
                "filters": filters,
                "rows": table.count,
                **({"job": str(job.pk)} if job else {}),
            },
            request=request,
        )
        if job is not None:
            from .tasks import export_task

            job_id, language = str(job.pk), get_language()
            # Queued once the job is committed, so that a worker on another host finds it.
            transaction.on_commit(lambda: export_task.enqueue(job_id, dataset, filters, language))
            return job
    filename, fallback = _names(spec, table, fmt)
    return Export(format=fmt, table=table, filename=filename, fallback=fallback)


def export_write_xlsx(
    export: Export, *, progress: Callable[[int], None] | None = None
) -> tuple[IO[bytes], int]:
    """The workbook in a temporary file (deleted when closed), positioned at its start, and its rows."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    try:
        table = export.table
        rows = write_xlsx(out, title=table.title, columns=table.columns, rows=table.rows, progress=progress)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, rows


def export_store(
    *, actor: Any, dataset: str, params: dict[str, Any], progress: Callable[[int], None] | None = None
) -> ExportFile:
    """Write a workbook for `actor` (with its scope as it is now) and keep it in the database, part by
    part; forget files older than EXPORT_KEEP_DAYS."""
    spec = DATASETS[dataset]
    table = spec.table(actor, params)
    filename, fallback = _names(spec, table, XLSX)
    content, rows = export_write_xlsx(Export(XLSX, table, filename, fallback), progress=progress)
    with content, transaction.atomic():
        stored = ExportFile.objects.create(
            created_by=actor, dataset=dataset, format=XLSX, filename=filename, rows=rows
        )
        size = 0
        for seq, part in enumerate(iter(lambda: content.read(PART_BYTES), b"")):
            ExportFilePart.objects.create(file=stored, seq=seq, data=part)
            size += len(part)
        stored.size = size
        stored.save(update_fields=["size"])
    ExportFile.objects.filter(created_at__lt=timezone.now() - timedelta(days=EXPORT_KEEP_DAYS)).delete()
    return stored
