"""The community ends a need it will not see through. A resident's wish or request is terminated (终止办理)
with a reason the resident reads — never "done", which only the resident's confirmation makes it, and never
counted as done in the street's figures. The community's own task or service is simply closed. Either way the
places still held are released (not withdrawn: it was not the claimer's doing) and nothing is credited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.ledger.models import ServiceRecord
from baodao.lib.errors import Invalid
from baodao.needs.models import ClaimStatus, Kind, Need, NeedEvent, Status
from baodao.needs.selectors import counts_by_status, need_stats_by_community, overdue_q, public_board
from baodao.needs.services import (
    need_claim,
    need_close,
    need_merge,
    need_publish,
    need_submit,
)
from baodao.notify.models import Notice
from tests.factories import user
from tests.needs.helpers import CJK, snapshot, task, wish, wish_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [Kind.WISH, Kind.REQUEST])
@pytest.mark.parametrize("state", ["published", "in_progress", "disputed"])
def test_it_terminates_a_residents_need_with_its_reason(c, kind, state):
    need = wish_in(c, state)
    Need.objects.filter(pk=need.pk).update(kind=kind)
    Notice.objects.all().delete()
    need = need_close(actor=c.admin, need=need, reason=" 居民已搬走 ")
    assert (need.status, need.taken, need.closed_at is not None) == (Status.TERMINATED, 0, True)
    event = need.events.last()
    assert (event.kind, event.actor, event.note) == (NeedEvent.Kind.TERMINATED, c.admin, "居民已搬走")
    assert event.get_kind_display() == "终止办理"
    notice = Notice.objects.get(user=c.resident)
    assert (notice.title, notice.body, notice.url) == (
        "社区终止办理了您的需求",
        "居民已搬走",
        f"/needs/{need.pk}/",
    )
    if state == "published":
        assert not need.claims.exists()
        assert Notice.objects.count() == 1
    else:
        claim = need.claims.get()
        assert (claim.status, claim.reason, claim.ended_at is not None) == (
            ClaimStatus.RELEASED,
            "居民已搬走",
            True,
        )
        assert Notice.objects.get(user=c.member.user).title == "社区已关闭您认领的需求"
    assert not ServiceRecord.objects.exists()
    assert not Notice.objects.filter(user=c.admin).exists()  # the one who acted


@pytest.mark.parametrize("reason", ["", "   ", None, "长" * 301])
def test_terminating_a_residents_need_needs_a_reason(c, reason):
    need = wish_in(c, "in_progress")
    before = snapshot(need)
    with pytest.raises(Invalid) as caught:
        need_close(actor=c.admin, need=need, reason=reason)
    assert "reason" in caught.value.fields and CJK.search(caught.value.detail)
    assert snapshot(need) == before


def test_the_grid_worker_who_took_it_down_hears_as_the_residents_stand_in(c):
    need = need_submit(
        actor=c.grid_worker,
        kind=Kind.REQUEST,
        title="楼道灯坏了",
        category="repair",
        community=c.r("C1"),
        grid=c.r("C1G1"),
        contact_name="刘奶奶",
    )
    need_publish(actor=c.admin, need=need)
    need_close(actor=c.admin, need=need, reason="已由物业更换")
    assert Notice.objects.get(user=c.grid_worker, title="社区终止办理了您的需求").body == "已由物业更换"


def test_the_residents_of_needs_merged_into_it_hear_it_was_terminated(c):
    neighbour = user("resident", region_=c.r("C1"), name="邻居")
    first = wish(c, title="3栋门口积水")
    duplicate = need_submit(
        actor=neighbour, kind=Kind.REQUEST, title="积水", category="repair", community=c.r("C1")
    )
    need_merge(actor=c.admin, need=duplicate, into=first)
    need_publish(actor=c.admin, need=first)
    need_close(actor=c.admin, need=first, reason="已由市政疏通")
    notice = Notice.objects.get(user=neighbour, title="与您的需求合并办理的事项已终止办理")
    assert (notice.body, notice.url) == ("已由市政疏通", f"/needs/{first.pk}/")
    assert not Notice.objects.filter(title="您反映的事项已办结").exists()


def test_a_terminated_need_is_never_counted_as_done(c):
    need = wish_in(c, "in_progress")
    need_close(actor=c.admin, need=need, reason="居民已搬走")
    need.refresh_from_db()
    later = need.resolve_by + timedelta(days=30)
    (row,) = [s for s in need_stats_by_community(c.r("S1")) if s.region.code == "C1"]
    assert (row.total, row.closed, row.closed_on_time, row.backlog, row.overdue, row.rating) == (
        1,
        0,
        0,
        0,
        0,
        None,
    )
    assert row.on_time_rate is None
    assert not need.is_overdue(later) and not Need.objects.filter(overdue_q(later)).exists()
    counts = counts_by_status(Need.objects.all())
    assert (counts["terminated"], counts["closed"]) == (1, 0)
    open_wishes, fulfilled = public_board(c.r("C1"))
    assert not open_wishes.exists() and not fulfilled.exists()


# ---- the community's own needs are closed ------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.TASK, Kind.SERVICE])
@pytest.mark.parametrize("reason", ["", "活动改期"])
def test_the_communitys_own_need_is_closed_and_a_reason_is_optional(c, kind, reason):
    need = task(c, places=2)
    Need.objects.filter(pk=need.pk).update(kind=kind)
    claim = need_claim(actor=c.member.user, need=need)
    need = need_close(actor=c.admin, need=need, reason=reason)
    assert (need.status, need.taken, need.closed_at is not None) == (Status.CLOSED, 0, True)
    event = need.events.last()
    assert (event.kind, event.note) == (NeedEvent.Kind.CLOSED, reason)
    claim.refresh_from_db()
    assert (claim.status, claim.reason) == (ClaimStatus.RELEASED, reason or "需求已关闭")
    assert Notice.objects.get(user=c.member.user, title="社区已关闭您认领的需求").body == (
        reason or need.title
    )
    assert not ServiceRecord.objects.exists()


def test_closing_a_task_after_its_day_is_allowed(c):
    need = task(c, places=2, due_at=timezone.now() + timedelta(days=1))
    Need.objects.filter(pk=need.pk).update(due_at=timezone.now() - timedelta(hours=1))
    need.refresh_from_db()
    assert need_close(actor=c.admin, need=need).status == Status.CLOSED
