"""办结: reported done, then confirmed (or disputed) by the person served — the resident for its wish or
request, the grid worker or community for a resident without an account, the community for its own tasks —
and multi-place tasks, each place confirmed on its own."""

from decimal import Decimal

import pytest

from baodao.accounts.models import Grant, Role, User
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.needs.models import ClaimStatus, Kind, Status
from baodao.needs.services import (
    may_confirm,
    need_assign,
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_dispute,
    need_publish,
    need_reopen,
    need_submit,
    need_withdraw,
)
from baodao.notify.models import Notice
from tests.factories import user
from tests.needs.helpers import CJK, member_in, snapshot, task, wish_in

pytestmark = pytest.mark.django_db


def test_complete_records_the_work_and_asks_the_resident(c):
    need = wish_in(c, "in_progress")
    claim = need_complete(actor=c.member.user, need=need, note=" 换了阀芯 ", hours="1.25")
    need.refresh_from_db()
    assert (claim.status, claim.note, claim.hours, claim.completed_by) == (
        ClaimStatus.COMPLETED,
        "换了阀芯",
        Decimal("1.2"),  # one decimal place (banker's rounding)
        c.member.user,
    )
    assert need.status == Status.COMPLETED
    assert Notice.objects.get(user=c.resident, title="请确认办结并评价").body == "李明 报告“修水龙头”已办结。"


@pytest.mark.parametrize(
    ("note", "hours", "field"),
    [
        ("", 1, "note"),
        ("x" * 1001, 1, "note"),
        ("好了", 0, "hours"),
        ("好了", "101", "hours"),
        ("好了", "一", "hours"),
    ],
)
def test_complete_checks_the_note_and_hours(c, note, hours, field):
    need = wish_in(c, "in_progress")
    before = snapshot(need)
    with pytest.raises(Invalid) as caught:
        need_complete(actor=c.member.user, need=need, note=note, hours=hours)
    assert field in caught.value.fields
    assert snapshot(need) == before


def test_confirm_closes_the_wish_with_the_rating(c):
    need = wish_in(c, "completed")
    claim = need_confirm(actor=c.resident, need=need, rating="4", comment="很及时")
    need.refresh_from_db()
    assert (claim.status, claim.rating, claim.comment, claim.confirmed_by) == (
        "confirmed",
        4,
        "很及时",
        c.resident,
    )
    assert (need.status, need.rating, need.closed_at is not None) == (Status.CLOSED, 4, True)
    assert need.events.last().note == "4 星：很及时"
    assert Notice.objects.get(user=c.member.user, title="您的服务已确认，记入服务台账").body == "4 星：很及时"


@pytest.mark.parametrize("rating", [0, 6, "", None, "五"])
def test_confirm_needs_one_to_five_stars(c, rating):
    need = wish_in(c, "completed")
    before = snapshot(need)
    with pytest.raises(Invalid) as caught:
        need_confirm(actor=c.resident, need=need, rating=rating)
    assert "rating" in caught.value.fields
    assert snapshot(need) == before


@pytest.mark.parametrize(
    "who",
    [
        "admin",
        "grid_worker",
        "member",
        "helper",
        "street_admin",
        "district_admin",
        "other_member",
        "other_resident",
    ],
)
def test_only_the_resident_confirms_its_own_wish(c, who):
    need = wish_in(c, "completed")
    if who == "other_resident":
        actor = user("resident", region_=c.r("C1"), name="邻居")
    elif who in ("member", "helper", "other_member"):
        actor = getattr(c, who).user
    else:
        actor = getattr(c, who)
    assert not may_confirm(actor, need)
    before = snapshot(need)
    for call in (
        lambda: need_confirm(actor=actor, need=need, rating=5),
        lambda: need_dispute(actor=actor, need=need, reason="不满意"),
    ):
        with pytest.raises(Forbidden) as caught:
            call()
        assert CJK.search(caught.value.detail)
    assert snapshot(need) == before


def _on_behalf_request(c, grid="C1G1"):
    need = need_submit(
        actor=c.grid_worker,
        kind=Kind.REQUEST,
        title="楼道灯坏了",
        category="repair",
        community=c.r("C1"),
        grid=c.r(grid),
        contact_name="刘奶奶",
    )
    need_publish(actor=c.admin, need=need)
    need_claim(actor=c.member.user, need=need)
    need_complete(actor=c.member.user, need=need, note="换了灯泡", hours=1)
    return need


def test_for_a_resident_without_an_account_the_grid_worker_confirms(c):
    need = _on_behalf_request(c)
    assert may_confirm(c.grid_worker, need) and may_confirm(c.admin, need)
    assert not may_confirm(c.resident, need) and not may_confirm(c.street_admin, need)
    # the grid worker heard that it is done, as the resident's stand-in
    assert Notice.objects.filter(user=c.grid_worker, title="请确认办结并评价").exists()
    need_confirm(actor=c.grid_worker, need=need, rating=5)
    assert need.events.last().note == "代居民确认，5 星"


def test_a_grid_worker_of_another_grid_does_not_confirm(c):
    other_grid_worker = user("grid_worker", region_=c.r("C1G2"), name="二网格员")
    need = _on_behalf_request(c)
    with pytest.raises(Forbidden):
        need_confirm(actor=other_grid_worker, need=need, rating=5)


def test_the_community_confirms_its_own_task_and_may_set_the_hours(c):
    need = task(c, places=1)
    need_claim(actor=c.member.user, need=need)
    need_complete(actor=c.member.user, need=need, note="扫了三层楼", hours="3")
    assert Notice.objects.filter(user=c.admin, title="请确认办结并评价").exists()
    for outsider in (c.resident, c.street_admin, c.grid_worker, c.other_community_admin, c.member.user):
        with pytest.raises(Forbidden):
            need_confirm(actor=outsider, need=need, rating=5)
    claim = need_confirm(actor=c.admin, need=need, rating=5, hours="2.5")
    assert claim.hours == Decimal("2.5")
    need.refresh_from_db()
    assert need.status == Status.CLOSED


def test_the_resident_cannot_change_the_hours(c):
    need = wish_in(c, "completed")
    claim = need_confirm(actor=c.resident, need=need, rating=5, hours="50")
    assert claim.hours == Decimal("1.5")


def test_dispute_goes_back_to_the_community_and_reopen_back_to_the_claimer(c):
    need = wish_in(c, "completed")
    claim = need_dispute(actor=c.resident, need=need, reason="还在漏水")
    need.refresh_from_db()
    assert (claim.status, claim.reason, need.status) == ("disputed", "还在漏水", Status.DISPUTED)
    assert {n.user for n in Notice.objects.filter(title="办结有异议")} == {c.admin, c.member.user}
    claim = need_reopen(actor=c.admin, need=need, note="请再去看看")
    need.refresh_from_db()
    assert (claim.status, claim.completed_at, need.status) == ("active", None, Status.IN_PROGRESS)
    assert claim.lapses_at is not None
    assert Notice.objects.get(user=c.member.user, title="办结被退回重办").body == "请再去看看"
    need_complete(actor=c.member.user, need=need, note="换了整个龙头", hours=2)
    need_confirm(actor=c.resident, need=need, rating=3)
    need.refresh_from_db()
    assert need.status == Status.CLOSED
    assert [e.kind for e in need.events.all()][-5:] == [
        "completed",
        "disputed",
        "reopened",
        "completed",
        "confirmed",
    ]


def test_dispute_needs_a_reason(c):
    need = wish_in(c, "completed")
    with pytest.raises(Invalid):
        need_dispute(actor=c.resident, need=need, reason="")


# ---- multi-place tasks -------------------------------------------------------------------------------------


def test_a_task_with_several_places_is_confirmed_place_by_place(c):
    need = task(c, places=3)
    third = member_in(c, "孙丽")
    claims = {m: need_claim(actor=m.user, need=need) for m in (c.member, c.helper, third)}
    need.refresh_from_db()
    assert (need.status, need.taken) == (Status.IN_PROGRESS, 3)

    need_complete(actor=c.member.user, need=need, note="一楼", hours=1)
    need_complete(actor=c.helper.user, need=need, note="二楼", hours=2)
    need.refresh_from_db()
    assert need.status == Status.COMPLETED
    with pytest.raises(Invalid) as caught:
        need_confirm(actor=c.admin, need=need, rating=5)
    assert "claim" in caught.value.fields
    with pytest.raises(Conflict):  # still active: not waiting
        need_confirm(actor=c.admin, need=need, rating=5, claim_id=claims[third].pk)

    need_confirm(actor=c.admin, need=need, rating=5, claim_id=claims[c.member].pk)
    need.refresh_from_db()
    assert need.status == Status.COMPLETED  # the helper's still waits
    need_dispute(actor=c.admin, need=need, reason="二楼没扫", claim_id=claims[c.helper].pk)
    need.refresh_from_db()
    assert need.status == Status.DISPUTED
    need_reopen(actor=c.admin, need=need)
    need.refresh_from_db()
    assert need.status == Status.IN_PROGRESS
    need_complete(actor=c.helper.user, need=need, note="二楼补扫", hours=1)
    need_complete(actor=third.user, need=need, note="三楼", hours=1)
    need_confirm(actor=c.admin, need=need, rating=4, claim_id=claims[c.helper].pk)
    need.refresh_from_db()
    assert need.status == Status.COMPLETED
    need_confirm(actor=c.admin, need=need, rating=5)  # only one waits now: no claim id needed
    need.refresh_from_db()
    assert (need.status, need.taken) == (Status.CLOSED, 3)
    assert set(need.claims.values_list("status", flat=True)) == {ClaimStatus.CONFIRMED}


def test_a_task_with_free_places_takes_claims_while_others_wait_for_confirmation(c):
    need = task(c, places=2)
    need_claim(actor=c.member.user, need=need)
    need_complete(actor=c.member.user, need=need, note="做完了", hours=1)
    need.refresh_from_db()
    assert need.status == Status.COMPLETED
    need_claim(actor=c.helper.user, need=need)
    need.refresh_from_db()
    assert (need.status, need.taken) == (Status.COMPLETED, 2)


def test_a_task_partly_confirmed_is_open_again_when_the_rest_withdraws(c):
    need = task(c, places=2)
    need_claim(actor=c.member.user, need=need)
    need_claim(actor=c.helper.user, need=need)
    need_complete(actor=c.member.user, need=need, note="做完了", hours=1)
    need_confirm(actor=c.admin, need=need, rating=5)
    need_withdraw(actor=c.helper.user, need=need, reason="生病")
    need.refresh_from_db()
    assert (need.status, need.taken) == (Status.PUBLISHED, 1)


def test_closing_a_task_releases_the_places_still_held_and_keeps_the_confirmed(c):
    need = task(c, places=4)
    third = member_in(c, "孙丽")
    need_claim(actor=c.member.user, need=need)
    need_claim(actor=c.helper.user, need=need)
    need_claim(actor=third.user, need=need)
    need_complete(actor=c.member.user, need=need, note="做完了", hours=1)
    need_confirm(actor=c.admin, need=need, rating=5)
    need_complete(actor=c.helper.user, need=need, note="做完了", hours=1)
    need_dispute(actor=c.admin, need=need, reason="没做完")

    need = need_close(actor=c.admin, need=need, reason="活动已结束")
    assert (need.status, need.taken, need.closed_at is not None) == (Status.CLOSED, 1, True)
    statuses = dict(need.claims.values_list("member", "status"))
    # released by the community, not withdrawn by the claimers
    assert statuses == {c.member.pk: "confirmed", c.helper.pk: "released", third.pk: "released"}
    assert need.claims.get(member=third).reason == "活动已结束"
    told = set(Notice.objects.filter(title="社区已关闭您认领的需求").values_list("user", flat=True))
    assert told == {c.helper.user.pk, third.user.pk}


def test_a_task_is_not_closed_while_a_fulfilment_waits_behind_a_dispute(c):
    need = task(c, places=2)
    need_claim(actor=c.member.user, need=need)
    need_claim(actor=c.helper.user, need=need)
    first = need_complete(actor=c.member.user, need=need, note="做完了", hours=1)
    need_complete(actor=c.helper.user, need=need, note="做完了", hours=1)
    need_dispute(actor=c.admin, need=need, reason="没做完", claim_id=first.pk)
    need.refresh_from_db()
    assert need.status == Status.DISPUTED
    before = snapshot(need)
    with pytest.raises(Conflict) as caught:
        need_close(actor=c.admin, need=need)
    assert "待确认" in caught.value.detail
    assert snapshot(need) == before


def test_closing_a_residents_need_terminates_it_and_tells_the_resident(c):
    need = wish_in(c, "disputed")
    need = need_close(actor=c.admin, need=need, reason="已由物业修好")
    assert need.status == Status.TERMINATED
    assert Notice.objects.get(user=c.resident, title="社区终止办理了您的需求").body == "已由物业修好"
    assert Notice.objects.filter(user=c.member.user, title="社区已关闭您认领的需求").exists()


# ---- nobody verifies its own service -----------------------------------------------------------------------


def test_a_member_may_not_take_on_its_own_wish(c):
    own = need_submit(
        actor=c.member.user, kind=Kind.WISH, title="自己的", category="repair", community=c.r("C1")
    )
    need_publish(actor=c.admin, need=own)
    before = snapshot(own)
    with pytest.raises(Forbidden) as claimed:
        need_claim(actor=c.member.user, need=own)
    with pytest.raises(Forbidden) as assigned:
        need_assign(actor=c.admin, need=own, member=c.member)
    assert "自己提交的需求" in claimed.value.detail and "自己提交的需求" in assigned.value.detail
    assert snapshot(own) == before


def test_a_secretary_who_served_does_not_confirm_its_own_service(c):
    secretary = member_in(c, "兼任书记的党员")
    Grant.objects.create(user=secretary.user, role=Role.COMMUNITY_ADMIN, region=c.r("C1"))
    secretary_user = User.objects.get(pk=secretary.user.pk)
    need = task(c, places=1)
    need_claim(actor=secretary_user, need=need)
    need_complete(actor=secretary_user, need=need, note="好了", hours=8)
    before = snapshot(need)
    with pytest.raises(Forbidden) as caught:
        need_confirm(actor=secretary_user, need=need, rating=5)
    assert caught.value.detail == "不能确认自己的服务，须由服务对象或社区确认。"
    assert snapshot(need) == before
    need_confirm(actor=c.admin, need=need, rating=5)  # another admin of the community may


def test_a_grid_worker_who_served_a_request_it_took_down_does_not_confirm_it(c):
    worker = member_in(c, "兼任网格员的党员")
    Grant.objects.create(user=worker.user, role=Role.GRID_WORKER, region=c.r("C1G1"))
    worker_user = User.objects.get(pk=worker.user.pk)
    need = need_submit(
        actor=worker_user,
        kind=Kind.REQUEST,
        title="楼道灯坏了",
        category="repair",
        community=c.r("C1"),
        grid=c.r("C1G1"),
        contact_name="刘奶奶",
    )
    need_publish(actor=c.admin, need=need)
    need_claim(actor=worker_user, need=need)
    need_complete(actor=worker_user, need=need, note="换了灯泡", hours=1)
    with pytest.raises(Forbidden):
        need_confirm(actor=worker_user, need=need, rating=5)
    need_confirm(actor=c.grid_worker, need=need, rating=5)
