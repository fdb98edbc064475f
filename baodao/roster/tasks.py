"""The background run of a large roster import, on the project's task queue (see settings.TASKS).

Progress goes to the import's job every few thousand rows while the file is read and checked; the writes
that follow are one transaction, so the job shows them as a single last step. The job ends `succeeded`
with the summary as its result, or `failed` with the reason (an all-or-nothing import refused because of
invalid rows fails too, with the same summary, so that the page can show the errors).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from baodao.jobs.services import job_fail, job_progress, job_start, job_succeed
from baodao.lib.errors import DomainError

from .models import RosterImport, Status


def job_result(roster_import: RosterImport) -> dict[str, object]:
    """What the job keeps as its result: the summary the upload endpoint gives, and where to look next."""
    return {
        "id": roster_import.pk,
        "status": roster_import.status,
        "dry_run": roster_import.dry_run,
        "mode": roster_import.mode,
        **roster_import.summary(),
    }


@task()
def roster_import_task(import_id: int) -> None:
    from .services import roster_run_queued

    roster_import = RosterImport.objects.select_related("unit__region", "job__created_by").get(pk=import_id)
    job = roster_import.job
    assert job is not None
    job_start(job_id=job.pk, message=_("正在读取和校验名册……"))

    def progress(done: int) -> None:
        job_progress(job_id=job.pk, done=min(done, job.total) if job.total else done)

    try:
        roster_run_queued(roster_import=roster_import, progress=progress)
    except DomainError as exc:
        job_fail(job_id=job.pk, message=exc.detail, result=job_result(roster_import))
        return
    except Exception:
        job_fail(job_id=job.pk, message=_("处理名册时发生系统错误，没有导入任何数据。"))
        raise
    job_progress(job_id=job.pk, done=roster_import.rows, total=roster_import.rows)
    if roster_import.status == Status.REFUSED:
        job_fail(job_id=job.pk, message=roster_import.message, result=job_result(roster_import))
    else:
        job_succeed(job_id=job.pk, message=roster_import.message, result=job_result(roster_import))
