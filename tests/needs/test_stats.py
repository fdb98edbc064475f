"""Overdue needs and the street's and district's figures per community: on-time rate, average rating, backlog,
overdue — from a crafted history whose times are set explicitly."""

from datetime import timedelta
from decimal import Decimal
from itertools import product

import pytest
from django.utils import timezone

from baodao.accounts.models import Role
from baodao.needs.models import Kind, Need, Status
from baodao.needs.selectors import counts_by_status, need_stats_by_community, overdue_q, public_board
from baodao.needs.services import (
    need_claim,
    need_complete,
    need_confirm,
    need_decline,
    need_publish,
    need_submit,
)
from tests import factories
from tests.needs.helpers import task, wish

pytestmark = pytest.mark.django_db


def overdue_titles(now):
    return set(Need.objects.filter(overdue_q(now)).values_list("title", flat=True))


def test_overdue_means_not_answered_in_time_or_not_resolved_in_time(c):
    waiting = wish(c, title="waiting")
    answered = need_publish(actor=c.admin, need=wish(c, title="answered"))
    declined = need_decline(actor=c.admin, need=wish(c, title="declined"), reason="不属于社区职责")
    due = timezone.now() + timedelta(days=1)
    task(c, title="job", due_at=due)
    respond_by = waiting.respond_by

    assert overdue_titles(respond_by - timedelta(seconds=1)) == set()
    assert overdue_titles(respond_by) == {"waiting"}  # answered in time is not overdue for its answer
    assert overdue_titles(due) == {"waiting", "job"}
    assert overdue_titles(answered.resolve_by) == {"waiting", "answered", "job"}
    assert declined.resolve_by is not None
    assert "declined" not in overdue_titles(declined.resolve_by + timedelta(days=100))


def test_a_needs_own_overdue_rule_agrees_with_the_query_for_every_state_and_time(c):
    t = timezone.now().replace(microsecond=0)
    times = (None, t - timedelta(hours=1), t, t + timedelta(hours=1))
    community = c.r("C1")
    target = wish(c, title="target")  # what the merged ones were merged into
    Need.objects.bulk_create(
        Need(
            kind=Kind.WISH,
            title=f"{status} {respond_by} {resolve_by}",
            category="repair",
            community=community,
            path=community.path,
            status=status,
            respond_by=respond_by,
            resolve_by=resolve_by,
            merged_into=target if status == Status.MERGED else None,
        )
        for status, respond_by, resolve_by in product(Status.values, times, times)
    )
    needs = list(Need.objects.all())
    assert len(needs) == len(Status.values) * 16 + 1
    for now in (t - timedelta(hours=2), t - timedelta(hours=1), t, t + timedelta(hours=2)):
        in_sql = set(Need.objects.filter(overdue_q(now)).values_list("pk", flat=True))
        assert {n.pk for n in needs if n.is_overdue(now)} == in_sql, now
    # and the rule itself, once: answered late only while waiting, resolved late in any live state
    late_answer = Need(status=Status.SUBMITTED, respond_by=t)
    assert late_answer.is_overdue(t) and not late_answer.is_overdue(t - timedelta(seconds=1))
    assert not Need(status=Status.PUBLISHED, respond_by=t).is_overdue(t)
    assert Need(status=Status.COMPLETED, resolve_by=t).is_overdue(t)
    assert not Need(status=Status.TERMINATED, resolve_by=t).is_overdue(t)


def _closed(c, title, *, rating, late=False, community="C1"):
    admin = c.admin if community == "C1" else c.other_community_admin
    requester = c.resident if community == "C1" else c.w.users["c2_resident"]
    member = c.member if community == "C1" else c.other_member
    need = need_submit(
        actor=requester, kind=Kind.WISH, title=title, category="repair", community=c.r(community)
    )
    need_publish(actor=admin, need=need)
    need_claim(actor=member.user, need=need)
    need_complete(actor=member.user, need=need, note="好了", hours=1)
    need_confirm(actor=requester, need=need, rating=rating)
    if late:
        need.refresh_from_db()
        Need.objects.filter(pk=need.pk).update(closed_at=need.resolve_by + timedelta(hours=1))
    return need


@pytest.fixture
def history(c):
    past = timezone.now() - timedelta(hours=1)
    c.w.users["c2_resident"] = factories.user(Role.RESIDENT, region_=c.r("C2"), name="和平居民")
    factories.registered(c.other_member, c.r("C2"), c.r("C2G1"), by=c.other_community_admin)
    c3_resident = factories.user(Role.RESIDENT, region_=c.r("C3"), name="江景居民")
    # 幸福社区 C1
    _closed(c, "on time", rating=5)
    _closed(c, "late", rating=3, late=True)
    stuck = need_publish(actor=c.admin, need=wish(c, title="stuck"))
    Need.objects.filter(pk=stuck.pk).update(resolve_by=past)
    unanswered = wish(c, title="unanswered")
    Need.objects.filter(pk=unanswered.pk).update(respond_by=past)
    need_decline(actor=c.admin, need=wish(c, title="declined"), reason="重复")
    overdue_task = task(c, title="community task")  # the community's own: not in these figures
    Need.objects.filter(pk=overdue_task.pk).update(resolve_by=past)
    # 和平社区 C2
    _closed(c, "c2 on time", rating=4, community="C2")
    need_submit(
        actor=c.w.users["c2_resident"],
        kind=Kind.REQUEST,
        title="c2 open",
        category="repair",
        community=c.r("C2"),
    )
    # 江景社区 C3 (another street)
    need_submit(actor=c3_resident, kind=Kind.REQUEST, title="c3 open", category="repair", community=c.r("C3"))
    return c


def figures(stats):
    return [
        (s.region.code, s.total, s.closed, s.closed_on_time, s.backlog, s.overdue, s.rating, s.on_time_rate)
        for s in stats
    ]


def test_figures_per_community_of_a_street_worst_first(history):
    assert figures(need_stats_by_community(history.r("S1"))) == [
        ("C1", 5, 2, 1, 2, 2, Decimal("4.00"), Decimal("0.500")),
        ("C2", 2, 1, 1, 1, 0, Decimal("4.00"), Decimal("1.000")),
    ]


def test_figures_of_a_district_list_every_community_and_those_without_closures_last(history):
    stats = figures(need_stats_by_community(history.r("D1")))
    assert [row[0] for row in stats] == ["C1", "C2", "C3"]
    assert stats[2] == ("C3", 1, 0, 0, 1, 0, None, None)
    assert figures(need_stats_by_community(history.r("D2"))) == [("C4", 0, 0, 0, 0, 0, None, None)]


def test_figures_for_a_period_count_the_needs_that_came_in_then(history):
    Need.objects.filter(title__in=("late", "stuck")).update(created_at=timezone.now() - timedelta(days=40))
    since = timezone.now() - timedelta(days=30)
    recent = figures(need_stats_by_community(history.r("S1"), since=since))
    c1 = next(row for row in recent if row[0] == "C1")
    assert c1 == ("C1", 3, 1, 1, 1, 1, Decimal("5.00"), Decimal("1.000"))
    older = figures(need_stats_by_community(history.r("S1"), until=since))
    assert next(row for row in older if row[0] == "C1") == (
        "C1",
        2,
        1,
        0,
        1,
        1,
        Decimal("3.00"),
        Decimal("0.000"),
    )


def test_counts_by_status_and_the_public_board(history):
    c1 = Need.objects.filter(community=history.r("C1"))
    counts = counts_by_status(c1)
    assert counts == {
        "submitted": 1,
        "published": 2,  # "stuck" and the community task
        "in_progress": 0,
        "completed": 0,
        "disputed": 0,
        "closed": 2,
        "terminated": 0,
        "declined": 1,
        "merged": 0,
    }
    open_wishes, fulfilled = public_board(history.r("C1"))
    assert [n.title for n in open_wishes] == ["stuck"]
    assert [n.title for n in fulfilled] == ["late", "on time"]


def test_the_public_board_shows_wishes_only_never_requests(c):
    for kind in (Kind.WISH, Kind.REQUEST):
        need_publish(actor=c.admin, need=wish(c, title=f"open {kind}", kind=kind))
        done = need_publish(actor=c.admin, need=wish(c, title=f"done {kind}", kind=kind))
        need_claim(actor=c.member.user, need=done)
        need_complete(actor=c.member.user, need=done, note="好了", hours=1)
        need_confirm(actor=c.resident, need=done, rating=5)
    task(c, title="community task")
    open_wishes, fulfilled = public_board(c.r("C1"))
    assert [n.title for n in open_wishes] == ["open wish"]
    assert [n.title for n in fulfilled] == ["done wish"]
    assert not public_board(c.r("C2"))[0].exists()
