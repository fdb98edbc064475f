"""接单: who may take a place, for itself or for its unit; places are never exceeded; withdrawing gives it
back."""

from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.needs.models import ClaimStatus, Status
from baodao.needs.services import (
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_publish,
    need_withdraw,
)
from baodao.notify.models import Notice
from baodao.policy.models import DEFAULT_CLAIM_LAPSE_DAYS
from baodao.registration.services import (
    registration_end,
    unit_registration_apply,
    unit_registration_confirm,
)
from tests.needs.helpers import CJK, member_in, snapshot, task, wish

pytestmark = pytest.mark.django_db


def published_wish(c, **kwargs):
    return need_publish(actor=c.admin, need=wish(c), **kwargs)


def co_build(c, unit_code="U1", *, confirm=True):
    unit = c.w.units[unit_code]
    admin = c.unit_admin if unit_code == "U1" else c.other_unit_admin
    ur = unit_registration_apply(actor=admin, unit=unit, community=c.r("C1"), commitments="结对共建")
    if confirm:
        unit_registration_confirm(actor=c.admin, unit_registration=ur)
    return unit


def test_a_registered_member_claims_a_place(c):
    need = published_wish(c)
    before = timezone.now()
    claim = need_claim(actor=c.member.user, need=need)
    need.refresh_from_db()
    assert (claim.member, claim.unit, claim.status, claim.assigned) == (c.member, None, "active", False)
    assert claim.claimed_by == c.member.user
    lapse = claim.lapses_at - before
    assert abs(lapse.total_seconds() - DEFAULT_CLAIM_LAPSE_DAYS * 86400) < 60
    assert (need.status, need.taken) == (Status.IN_PROGRESS, 1)
    event = need.events.last()
    assert (event.kind, event.claim, event.actor, event.note) == ("claimed", claim, c.member.user, "李明")


@pytest.mark.parametrize(
    "who", ["unregistered", "registered_elsewhere", "resident", "grid_worker", "community_admin", "ended"]
)
def test_only_members_registered_in_the_community_claim(c, who):
    need = published_wish(c)
    if who == "unregistered":
        actor = member_in(c, "未报到", register=False).user
    elif who == "registered_elsewhere":
        actor = member_in(c, "在和平社区报到", community="C2", grid="C2G1").user
    elif who == "ended":  # moved away: its registration ended
        registration_end(actor=c.admin, registration=c.member.registrations.get(), reason="搬家")
        actor = c.member.user
    else:
        actor = c.w.users[who]
    before = snapshot(need)
    with pytest.raises(Forbidden) as caught:
        need_claim(actor=actor, need=need)
    assert CJK.search(caught.value.detail)
    assert snapshot(need) == before


def test_a_unit_admin_claims_for_a_co_building_unit(c):
    unit = co_build(c)
    need = published_wish(c)
    claim = need_claim(actor=c.unit_admin, need=need, unit=unit)
    assert (claim.unit, claim.member, claim.claimed_by) == (unit, None, c.unit_admin)
    assert need.events.last().note == unit.name


@pytest.mark.parametrize("case", ["no_agreement", "not_confirmed", "not_its_unit", "member_for_unit"])
def test_a_unit_claims_only_with_a_confirmed_agreement_and_its_own_admin(c, case):
    need = published_wish(c)
    if case == "no_agreement":
        actor, unit = c.unit_admin, c.w.units["U1"]
    elif case == "not_confirmed":
        actor, unit = c.unit_admin, co_build(c, confirm=False)
    elif case == "not_its_unit":
        co_build(c, "U2")
        actor, unit = c.unit_admin, c.w.units["U2"]
    else:
        actor, unit = c.member.user, co_build(c)
    before = snapshot(need)
    with pytest.raises(Forbidden) as caught:
        need_claim(actor=actor, need=need, unit=unit)
    assert CJK.search(caught.value.detail)
    assert snapshot(need) == before


def test_a_unit_and_its_member_may_each_hold_a_place(c):
    unit = co_build(c)
    need = task(c, places=3)
    need_claim(actor=c.unit_admin, need=need, unit=unit)
    need_claim(actor=c.member.user, need=need)
    with pytest.raises(Conflict) as caught:
        need_claim(actor=c.unit_admin, need=need, unit=unit)
    assert (caught.value.code, caught.value.detail) == ("already_claimed", "您的单位已经认领了这项需求。")
    need.refresh_from_db()
    assert need.taken == 2


def test_places_are_never_exceeded(c):
    need = task(c, places=2)
    need_claim(actor=c.member.user, need=need)
    need_claim(actor=c.helper.user, need=need)
    third = member_in(c, "第三人")
    before = snapshot(need)
    with pytest.raises(Conflict) as caught:
        need_claim(actor=third.user, need=need)
    assert (caught.value.code, caught.value.detail) == ("full", "名额已满。")
    assert snapshot(need) == before


def test_one_who_holds_the_last_place_is_told_it_has_it(c):
    need = published_wish(c)
    need_claim(actor=c.member.user, need=need)
    with pytest.raises(Conflict) as caught:
        need_claim(actor=c.member.user, need=need)
    assert (caught.value.code, caught.value.detail) == ("already_claimed", "您已经认领了这项需求。")


def test_withdraw_gives_the_place_back_with_a_reason(c):
    need = published_wish(c)
    claim = need_claim(actor=c.member.user, need=need)
    claim = need_withdraw(actor=c.member.user, need=need, reason="  临时出差  ")
    need.refresh_from_db()
    assert (claim.status, claim.reason, claim.ended_at is not None) == ("withdrawn", "临时出差", True)
    assert (need.status, need.taken) == (Status.PUBLISHED, 0)
    assert need.events.last().kind == "withdrawn"
    assert Notice.objects.get(user=c.admin, title="有人退出了认领").body == "李明 退出“修水龙头”：临时出差"
    # and the place is there for someone else
    need_claim(actor=c.helper.user, need=need)


def test_withdraw_needs_a_reason(c):
    need = published_wish(c)
    need_claim(actor=c.member.user, need=need)
    before = snapshot(need)
    with pytest.raises(Invalid):
        need_withdraw(actor=c.member.user, need=need, reason="")
    assert snapshot(need) == before


def test_a_unit_admin_withdraws_and_completes_for_its_unit(c):
    unit = co_build(c)
    need = published_wish(c)
    need_claim(actor=c.unit_admin, need=need, unit=unit)
    with pytest.raises(Forbidden):
        need_withdraw(actor=c.other_unit_admin, need=need, reason="不是我的")
    with pytest.raises(Forbidden):
        need_complete(actor=c.member.user, need=need, note="不是我的", hours=1)
    claim = need_complete(actor=c.unit_admin, need=need, note="单位派了三个人", hours="6")
    assert (claim.status, claim.hours, claim.completed_by) == ("completed", Decimal("6.0"), c.unit_admin)
    claim = need_confirm(actor=c.resident, need=need, rating=5)
    assert claim.status == ClaimStatus.CONFIRMED


def test_others_may_not_withdraw_or_complete_someone_elses_claim(c):
    need = published_wish(c)
    need_claim(actor=c.member.user, need=need)
    before = snapshot(need)
    for actor in (c.helper.user, c.admin, c.resident, c.unit_admin):
        with pytest.raises(Forbidden) as caught:
            need_withdraw(actor=actor, need=need, reason="试试")
        assert caught.value.detail == "您没有认领这项需求。"
        with pytest.raises(Forbidden):
            need_complete(actor=actor, need=need, note="试试", hours=1)
    assert snapshot(need) == before


def test_a_claimer_whose_place_was_released_by_closing_is_told_the_need_is_closed(c):
    need = task(c, places=2)
    need_claim(actor=c.member.user, need=need)
    need_close(actor=c.admin, need=need, reason="活动取消")
    before = snapshot(need)
    for call in (
        lambda: need_complete(actor=c.member.user, need=need, note="已经做了", hours=1),
        lambda: need_withdraw(actor=c.member.user, need=need, reason="算了"),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert (caught.value.code, caught.value.detail) == ("illegal_transition", "该需求已办结。")
    assert snapshot(need) == before
