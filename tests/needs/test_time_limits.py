"""Time limits: a claim not reported done lapses and its place reopens; an overdue resident need is reported
to the street once. Both are scheduled on the task queue for the moment they fall due, and `needs_sweep`
catches anything a stopped worker missed. The numbers come from the district's policy in force."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from baodao.accounts.models import Role
from baodao.lib.errors import Conflict
from baodao.needs.models import ClaimStatus, Need, NeedEvent, Status
from baodao.needs.services import (
    claim_lapse,
    need_claim,
    need_complete,
    need_escalate,
    need_publish,
    need_reopen,
    needs_sweep,
)
from baodao.notify.models import Notice
from baodao.policy.models import Policy
from tests.factories import user
from tests.needs.helpers import snapshot, task, wish, wish_in

LAPSE_TASK = "baodao.needs.tasks.claim_lapse_task"
ESCALATE_TASK = "baodao.needs.tasks.need_escalate_task"


def close_to(value, expected, seconds=60):
    return abs((value - expected).total_seconds()) < seconds


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


# ---- lapse -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_claim_lapses_after_its_time_and_the_place_reopens(c):
    need = wish_in(c, "in_progress")
    claim = need.claims.get()
    before = snapshot(need)
    assert claim_lapse(claim_id=claim.pk, now=claim.lapses_at - timedelta(seconds=1)) is False
    assert snapshot(need) == before

    assert claim_lapse(claim_id=claim.pk, now=claim.lapses_at) is True
    claim.refresh_from_db()
    need.refresh_from_db()
    assert (claim.status, claim.reason, claim.ended_at is not None) == (
        ClaimStatus.LAPSED,
        "超时未办结",
        True,
    )
    assert (need.status, need.taken) == (Status.PUBLISHED, 0)
    event = need.events.last()
    assert (event.kind, event.claim, event.actor) == (NeedEvent.Kind.LAPSED, claim, None)
    assert (
        Notice.objects.get(user=c.member.user, title="您的认领已超时失效").body
        == "“修水龙头”的名额已重新开放。"
    )
    assert Notice.objects.filter(user=c.admin, title="认领超时失效，名额已重新开放").count() == 1
    assert claim_lapse(claim_id=claim.pk, now=claim.lapses_at) is False  # once
    need_claim(actor=c.helper.user, need=need)  # the place is open again


@pytest.mark.django_db
def test_a_completed_claim_never_lapses(c):
    need = wish_in(c, "completed")
    claim = need.claims.get()
    assert claim_lapse(claim_id=claim.pk, now=claim.lapses_at + timedelta(days=365)) is False
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_the_lapse_is_queued_when_the_claim_commits_and_the_worker_runs_it(c):
    need = need_publish(actor=c.admin, need=wish(c))
    claim = need_claim(actor=c.member.user, need=need)
    row = DBTaskResult.objects.get(task_path=LAPSE_TASK)
    assert row.args_kwargs == {"args": [claim.pk], "kwargs": {}}
    assert row.run_after == claim.lapses_at

    work()  # not due yet: nothing happens
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACTIVE
    row.refresh_from_db()
    assert row.status == "READY"

    past = timezone.now() - timedelta(minutes=1)
    type(claim).objects.filter(pk=claim.pk).update(lapses_at=past)
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=past)
    work()
    claim.refresh_from_db()
    need.refresh_from_db()
    row.refresh_from_db()
    assert (row.status, row.return_value) == ("SUCCESSFUL", True)
    assert claim.status == ClaimStatus.LAPSED
    assert (need.status, need.taken) == (Status.PUBLISHED, 0)


@pytest.mark.django_db(transaction=True)
def test_a_claim_reported_done_in_time_is_left_alone_by_its_queued_lapse(c):
    need = need_publish(actor=c.admin, need=wish(c))
    claim = need_claim(actor=c.member.user, need=need)
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    past = timezone.now() - timedelta(minutes=1)
    type(claim).objects.filter(pk=claim.pk).update(lapses_at=past)
    DBTaskResult.objects.filter(task_path=LAPSE_TASK).update(run_after=past)
    work()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    assert DBTaskResult.objects.get(task_path=LAPSE_TASK).return_value is False


@pytest.mark.django_db(transaction=True)
def test_reopening_queues_a_new_lapse(c):
    need = wish_in(c, "disputed")
    DBTaskResult.objects.all().delete()
    claim = need_reopen(actor=c.admin, need=need)
    row = DBTaskResult.objects.get(task_path=LAPSE_TASK)
    assert row.args_kwargs["args"] == [claim.pk] and row.run_after == claim.lapses_at


@pytest.mark.django_db(transaction=True)
def test_a_refused_claim_queues_nothing(c):
    need = wish(c)  # not published
    DBTaskResult.objects.all().delete()
    with pytest.raises(Conflict):
        need_claim(actor=c.member.user, need=need)
    assert not DBTaskResult.objects.exists()


# ---- escalation --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_residents_need_queues_its_escalation_at_both_deadlines(c):
    need = wish(c)
    rows = DBTaskResult.objects.filter(task_path=ESCALATE_TASK).order_by("run_after")
    assert [(r.args_kwargs["args"], r.run_after) for r in rows] == [
        ([need.pk], need.respond_by),
        ([need.pk], need.resolve_by),
    ]
    task(c)  # the community's own task has no such deadlines
    assert DBTaskResult.objects.filter(task_path=ESCALATE_TASK).count() == 2

    past = timezone.now() - timedelta(minutes=1)
    Need.objects.filter(pk=need.pk).update(respond_by=past)
    DBTaskResult.objects.filter(pk=rows[0].pk).update(run_after=past)
    work()
    need.refresh_from_db()
    assert need.escalated_at is not None
    assert need.events.last().note == "超过响应时限未处理"


@pytest.mark.django_db
def test_an_overdue_need_is_escalated_once_to_its_street_and_community(c):
    other_street_admin = user(Role.STREET_ADMIN, region_=c.r("S2"), name="江边街道")
    need = wish(c)
    Notice.objects.all().delete()
    assert need_escalate(need_id=need.pk, now=need.respond_by - timedelta(seconds=1)) is False
    assert need_escalate(need_id=need.pk, now=need.respond_by) is True
    need.refresh_from_db()
    assert need.escalated_at is not None
    event = need.events.last()
    assert (event.kind, event.actor, event.note) == ("escalated", None, "超过响应时限未处理")
    told = set(Notice.objects.filter(title="需求超时，已上报街道").values_list("user", flat=True))
    assert told == {c.street_admin.pk, c.admin.pk}
    assert other_street_admin.pk not in told and c.other_community_admin.pk not in told
    assert Notice.objects.get(user=c.street_admin).body == "幸福社区“修水龙头”超过响应时限未处理。"
    assert need_escalate(need_id=need.pk, now=need.resolve_by + timedelta(days=1)) is False
    assert need.events.filter(kind="escalated").count() == 1


@pytest.mark.django_db
def test_a_need_answered_in_time_escalates_only_when_it_is_not_resolved_in_time(c):
    need = need_publish(actor=c.admin, need=wish(c))
    assert need_escalate(need_id=need.pk, now=need.respond_by + timedelta(hours=1)) is False
    assert need_escalate(need_id=need.pk, now=need.resolve_by) is True
    assert need.events.last().note == "超过办结时限未办结"


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["closed", "declined", "merged"])
def test_a_finished_need_never_escalates(c, state):
    need = wish_in(c, state)
    assert need_escalate(need_id=need.pk, now=need.resolve_by + timedelta(days=30)) is False


@pytest.mark.django_db
def test_the_sweep_lapses_and_escalates_what_is_due(c):
    past = timezone.now() - timedelta(minutes=1)
    late_claim = wish_in(c, "in_progress").claims.get()
    type(late_claim).objects.filter(pk=late_claim.pk).update(lapses_at=past)
    fresh_claim = need_claim(
        actor=c.member.user, need=need_publish(actor=c.admin, need=wish(c, title="新的"))
    )
    late = wish(c, title="没人理")
    Need.objects.filter(pk=late.pk).update(respond_by=past)
    community_task = task(c, title="过期的任务")
    Need.objects.filter(pk=community_task.pk).update(resolve_by=past)  # not a resident's: never escalated

    out = StringIO()
    call_command("needs_sweep", stdout=out)
    assert out.getvalue().strip() == "lapsed=1 escalated=1"
    late_claim.refresh_from_db()
    fresh_claim.refresh_from_db()
    late.refresh_from_db()
    community_task.refresh_from_db()
    assert (late_claim.status, fresh_claim.status) == (ClaimStatus.LAPSED, ClaimStatus.ACTIVE)
    assert late.escalated_at is not None and community_task.escalated_at is None
    assert needs_sweep() == {"lapsed": 0, "escalated": 0}  # safe to run again


# ---- policy ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_districts_policy_sets_the_deadlines(c):
    today = timezone.localdate()
    Policy.objects.create(
        district=c.r("D1"),
        effective_from=today,
        need_respond_hours=2,
        need_resolve_days=3,
        claim_lapse_days=1,
    )
    Policy.objects.create(
        district=c.r("D1"),
        effective_from=today + timedelta(days=1),
        need_respond_hours=100,
        need_resolve_days=100,
        claim_lapse_days=100,
    )
    Policy.objects.create(district=c.r("D2"), effective_from=today, need_respond_hours=1, claim_lapse_days=9)
    now = timezone.now()
    need = wish(c)
    assert close_to(need.respond_by, now + timedelta(hours=2))
    assert close_to(need.resolve_by, now + timedelta(days=3))
    need_publish(actor=c.admin, need=need)
    claim = need_claim(actor=c.member.user, need=need)
    assert close_to(claim.lapses_at, now + timedelta(days=1))


@pytest.mark.django_db
def test_without_a_policy_in_force_the_national_defaults_apply(c):
    Policy.objects.create(
        district=c.r("D1"),
        effective_from=timezone.localdate() + timedelta(days=1),
        need_respond_hours=1,
        need_resolve_days=1,
        claim_lapse_days=1,
    )
    now = timezone.now()
    need = need_publish(actor=c.admin, need=wish(c))
    claim = need_claim(actor=c.member.user, need=need)
    assert close_to(need.respond_by, now + timedelta(hours=24))
    assert close_to(need.resolve_by, now + timedelta(days=7))
    assert close_to(claim.lapses_at, now + timedelta(days=3))
