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
from baodao.needs.models import Claim, ClaimStatus, Escalation, Need, NeedEvent, Status
from baodao.needs.services import (
    claim_lapse,
    need_assign,
    need_claim,
    need_complete,
    need_dispute,
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


# ---- when a claim lapses, and no claim after the deadline ------------------------------------------------


@pytest.mark.django_db
def test_a_claim_on_a_need_that_starts_later_lapses_the_policys_days_after_it_starts(c):
    starts = timezone.now() + timedelta(days=10)
    need = task(c, starts_at=starts, due_at=starts + timedelta(hours=4))
    claim = need_claim(actor=c.member.user, need=need)
    assert claim.lapses_at == starts + timedelta(days=3)


@pytest.mark.django_db
def test_a_claim_never_lapses_before_the_needs_deadline(c):
    now = timezone.now()
    far = task(c, title="月底前", due_at=now + timedelta(days=10))
    assert need_claim(actor=c.member.user, need=far).lapses_at == far.due_at
    near = task(c, title="明天前", due_at=now + timedelta(days=1))  # a near deadline does not shorten it
    assert close_to(need_claim(actor=c.member.user, need=near).lapses_at, now + timedelta(days=3))


@pytest.mark.django_db
def test_reopening_gives_the_claim_the_same_time_rule(c):
    due = timezone.now() + timedelta(days=10)
    need = need_publish(actor=c.admin, need=wish(c), due_at=due)
    need_claim(actor=c.member.user, need=need)
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    need_dispute(actor=c.resident, need=need, reason="还漏")
    Claim.objects.filter(need=need).update(lapses_at=timezone.now() - timedelta(days=1))
    assert need_reopen(actor=c.admin, need=need).lapses_at == due


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["claim", "assign", "assign_unpublished"])
def test_no_claim_or_assignment_after_the_deadline(c, how):
    need = task(c, places=2, due_at=timezone.now() + timedelta(days=1), publish=how != "assign_unpublished")
    Need.objects.filter(pk=need.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    need.refresh_from_db()
    before = snapshot(need)
    with pytest.raises(Conflict) as caught:
        if how == "claim":
            need_claim(actor=c.member.user, need=need)
        else:
            need_assign(actor=c.admin, need=need, member=c.member)
    assert (caught.value.code, caught.value.detail) == ("past_due", "该需求已过截止时间，不能再认领。")
    assert snapshot(need) == before  # an unpublished one is not published on the way either


@pytest.mark.django_db
def test_a_reopened_claim_does_not_lapse_on_its_old_time(c):
    need = wish_in(c, "completed")
    claim = need.claims.get()
    # the first time passes while the fulfilment waits; then it is disputed and sent back to be finished
    old = timezone.now() - timedelta(minutes=1)
    Claim.objects.filter(pk=claim.pk).update(lapses_at=old)
    need_dispute(actor=c.resident, need=need, reason="还漏")
    claim = need_reopen(actor=c.admin, need=need)
    assert claim.lapses_at > timezone.now()
    before = snapshot(need)
    assert claim_lapse(claim_id=claim.pk, now=old) is False
    assert snapshot(need) == before
    claim.refresh_from_db()
    need.refresh_from_db()
    assert (claim.status, need.status, need.taken) == (ClaimStatus.ACTIVE, Status.IN_PROGRESS, 1)
    assert claim_lapse(claim_id=claim.pk, now=claim.lapses_at) is True  # its new time still holds


@pytest.mark.django_db(transaction=True)
def test_the_lapse_queued_at_the_first_claim_leaves_a_reopened_claim_alone(c):
    need = need_publish(actor=c.admin, need=wish(c))
    claim = need_claim(actor=c.member.user, need=need)
    first = DBTaskResult.objects.get(task_path=LAPSE_TASK)
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    need_dispute(actor=c.resident, need=need, reason="还漏")
    need_reopen(actor=c.admin, need=need)
    DBTaskResult.objects.filter(pk=first.pk).update(run_after=timezone.now() - timedelta(minutes=1))
    work()
    first.refresh_from_db()
    claim.refresh_from_db()
    assert (first.status, first.return_value) == ("SUCCESSFUL", False)
    assert claim.status == ClaimStatus.ACTIVE
    assert DBTaskResult.objects.filter(task_path=LAPSE_TASK, status="READY").count() == 1  # the new one


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
    assert need_escalate(need_id=need.pk, now=need.respond_by + timedelta(hours=1)) is False
    assert need.events.filter(kind="escalated").count() == 1


@pytest.mark.django_db
def test_a_need_answered_in_time_escalates_only_when_it_is_not_resolved_in_time(c):
    need = need_publish(actor=c.admin, need=wish(c))
    assert need_escalate(need_id=need.pk, now=need.respond_by + timedelta(hours=1)) is False
    assert need_escalate(need_id=need.pk, now=need.resolve_by) is True
    assert need.events.last().note == "超过办结时限未办结"


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["closed", "terminated", "declined", "merged"])
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


# ---- escalation in two stages ------------------------------------------------------------------------------


def _street_told(c):
    return Notice.objects.filter(user=c.street_admin, title="需求超时，已上报街道").count()


@pytest.mark.django_db
def test_a_late_answer_and_then_a_late_resolution_escalate_once_each_and_never_more(c):
    need = wish(c)
    assert need_escalate(need_id=need.pk, now=need.respond_by) is True
    need.refresh_from_db()
    assert need.escalation == Escalation.RESPONSE
    assert need_escalate(need_id=need.pk, now=need.respond_by + timedelta(hours=1)) is False
    need_publish(actor=c.admin, need=need)  # answered late
    assert need_escalate(need_id=need.pk, now=need.resolve_by - timedelta(seconds=1)) is False
    assert need_escalate(need_id=need.pk, now=need.resolve_by) is True
    need.refresh_from_db()
    assert (need.escalation, need.escalated_at) == (Escalation.RESOLUTION, need.resolve_by)
    assert need.events.last().note == "超过办结时限未办结"
    assert need_escalate(need_id=need.pk, now=need.resolve_by + timedelta(days=30)) is False
    assert [e.note for e in need.events.filter(kind="escalated")] == [
        "超过响应时限未处理",
        "超过办结时限未办结",
    ]
    assert _street_told(c) == 2


@pytest.mark.django_db
def test_a_need_found_only_after_its_resolution_time_escalates_once(c):
    need = wish(c)  # never answered, and first looked at after both times
    assert need_escalate(need_id=need.pk, now=need.resolve_by) is True
    assert need_escalate(need_id=need.pk, now=need.resolve_by + timedelta(days=1)) is False
    need.refresh_from_db()
    assert need.escalation == Escalation.RESOLUTION
    assert [e.note for e in need.events.filter(kind="escalated")] == ["超过办结时限未办结"]


@pytest.mark.django_db
def test_a_need_waiting_only_for_the_residents_confirmation_reminds_the_resident_once(c):
    need = wish_in(c, "completed")
    Notice.objects.all().delete()
    assert need_escalate(need_id=need.pk, now=need.resolve_by) is True
    need.refresh_from_db()
    assert need.escalation == Escalation.NONE and not need.events.filter(kind="escalated").exists()
    assert _street_told(c) == 0
    reminder = Notice.objects.get(user=c.resident)
    assert (reminder.title, reminder.body) == ("请确认办结并评价", "认领人已报告办结，请确认或提出异议。")
    assert need_escalate(need_id=need.pk, now=need.resolve_by + timedelta(days=1)) is False
    assert Notice.objects.count() == 1
    # disputed after its time: back with the community, and now it is late
    need_dispute(actor=c.resident, need=need, reason="还漏")
    assert need_escalate(need_id=need.pk, now=need.resolve_by + timedelta(days=2)) is True
    need.refresh_from_db()
    assert need.escalation == Escalation.RESOLUTION and _street_told(c) == 1


@pytest.mark.django_db
def test_a_need_answered_late_and_done_late_still_reminds_its_resident(c):
    need = wish(c)
    assert need_escalate(need_id=need.pk, now=need.respond_by) is True
    need_publish(actor=c.admin, need=need)
    need_claim(actor=c.member.user, need=need)
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    Notice.objects.all().delete()
    assert need_escalate(need_id=need.pk, now=need.resolve_by) is True
    assert list(Notice.objects.values_list("user", "title")) == [(c.resident.pk, "请确认办结并评价")]
    assert need_escalate(need_id=need.pk, now=need.resolve_by + timedelta(days=1)) is False
    need.refresh_from_db()
    assert need.escalation == Escalation.RESPONSE  # not reported a second time
    assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_escalates_in_stages_and_reminds_once(c):
    past = timezone.now() - timedelta(minutes=1)
    unanswered = wish(c, title="没人理")
    Need.objects.filter(pk=unanswered.pk).update(respond_by=past)
    awaiting = wish_in(c, "completed")
    Need.objects.filter(pk=awaiting.pk).update(resolve_by=past)
    unfinished = need_publish(actor=c.admin, need=wish(c, title="办不完"))
    Need.objects.filter(pk=unfinished.pk).update(resolve_by=past)
    Notice.objects.all().delete()

    needs_sweep()
    stages = dict(Need.objects.values_list("title", "escalation"))
    assert (stages["没人理"], stages["修水龙头"], stages["办不完"]) == ("response", "", "resolution")
    assert Notice.objects.filter(user=c.resident, title="请确认办结并评价").count() == 1
    assert _street_told(c) == 2
    assert needs_sweep() == {"lapsed": 0, "escalated": 0}  # nothing more: no second reminder

    Need.objects.filter(pk=unanswered.pk).update(resolve_by=past)  # still unanswered at its second time
    assert needs_sweep() == {"lapsed": 0, "escalated": 1}
    unanswered.refresh_from_db()
    assert unanswered.escalation == Escalation.RESOLUTION
    assert needs_sweep() == {"lapsed": 0, "escalated": 0}
    assert Notice.objects.filter(user=c.resident, title="请确认办结并评价").count() == 1
    assert _street_told(c) == 3
