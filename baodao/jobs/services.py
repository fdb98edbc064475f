"""Writes to a job's state. Progress is a plain UPDATE of two integers, so workers may call it often; each
call commits on its own when made outside a transaction, so the page that polls sees it at once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import Job, JobStatus


def job_create(*, kind: str, created_by: Any, total: int = 0, message: str = "") -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, total=total, message=message)


def job_start(*, job_id: Any, total: int | None = None, message: str = "") -> None:
    changes: dict[str, Any] = {"status": JobStatus.RUNNING, "started_at": timezone.now(), "message": message}
    if total is not None:
        changes["total"] = total
    Job.objects.filter(pk=job_id).update(**changes)


def job_progress(*, job_id: Any, done: int, total: int | None = None, message: str | None = None) -> None:
    changes: dict[str, Any] = {"done": done}
    if total is not None:
        changes["total"] = total
    if message is not None:
        changes["message"] = message
    Job.objects.filter(pk=job_id).update(**changes)


def job_succeed(*, job_id: Any, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, result=result, message=message, finished_at=timezone.now()
    )


def job_fail(*, job_id: Any, message: str, result: dict[str, Any] | None = None) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, message=message[:300], result=result or {}, finished_at=timezone.now()
    )
