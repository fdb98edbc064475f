"""The call goes out from the task queue: activation and widening return at once."""

from __future__ import annotations

from django_tasks import task


@task()
def mobilization_fanout_task(mobilization_id: int, reason: str) -> int:
    from .services import mobilization_fanout

    return mobilization_fanout(mobilization_id=mobilization_id, reason=reason)


@task()
def mobilization_settle_task(mobilization_id: int) -> int:
    from .services import mobilization_settle

    return mobilization_settle(mobilization_id=mobilization_id)
