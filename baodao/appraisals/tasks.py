"""A big appraisal run is computed on the task queue: the admin who started it is answered at once."""

from __future__ import annotations

from django_tasks import task


@task()
def appraisal_run_task(run_id: int) -> int:
    from .services import appraisal_compute

    return appraisal_compute(run_id=run_id)
