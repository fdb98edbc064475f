"""The background run of a large workbook export, on the project's task queue (see settings.TASKS).

The worker writes the rows its creator may see when it runs (the scope is that of the job's creator, read
again), reports progress every few thousand rows, and ends the job `succeeded` with the stored file as
its result — `{"file", "url", "filename", "rows"}` — or `failed` with a reason.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from baodao.jobs.models import Job
from baodao.jobs.services import job_fail, job_progress, job_start, job_succeed


@task()
def export_task(job_id: str, dataset: str, params: dict[str, Any], language: str) -> None:
    from .services import export_store

    job = Job.objects.select_related("created_by").get(pk=job_id)
    with translation.override(language):
        job_start(job_id=job.pk, message=_("正在导出……"))
        try:
            stored = export_store(
                actor=job.created_by,
                dataset=dataset,
                params=params,
                progress=lambda done: job_progress(job_id=job.pk, done=min(done, job.total or done)),
            )
        except Exception:
            job_fail(job_id=job.pk, message=_("导出时发生系统错误，请稍后重试。"))
            raise
        job_progress(job_id=job.pk, done=stored.rows, total=stored.rows)
        job_succeed(
            job_id=job.pk,
            result={
                "file": stored.pk,
                "url": reverse("v1:export-file", args=[stored.pk]),
                "filename": stored.filename,
                "rows": stored.rows,
            },
            message=ngettext("导出完成，共 %(rows)d 行。", "导出完成，共 %(rows)d 行。", stored.rows)
            % {"rows": stored.rows},
        )
