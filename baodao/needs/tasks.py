"""Time limits on the task queue: each claim's lapse and each need's escalation is scheduled for the moment
it falls due (`run_after`); `manage.py needs_sweep` catches anything a stopped worker missed."""

from __future__ import annotations

from django_tasks import task


@task()
def claim_lapse_task(claim_id: int) -> bool:
    from .services import claim_lapse

    return claim_lapse(claim_id=claim_id)


@task()
def need_escalate_task(need_id: int) -> bool:
    from .services import need_escalate

    return need_escalate(need_id=need_id)
