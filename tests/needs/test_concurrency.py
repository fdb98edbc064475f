"""People acting on the same need at the same moment, each in its own thread with its own database connection
(run on SQLite and on PostgreSQL): the conditional UPDATE on `taken`, the row lock and the unique constraints
must let exactly the right number through, whatever the interleaving."""

import pytest
from django.db.models import Sum

from baodao.audit.models import Action, AuditEvent
from baodao.audit.services import audit_verify
from baodao.ledger.models import ServiceRecord
from baodao.needs.models import Claim, ClaimStatus, Need, NeedEvent, Status
from baodao.needs.services import (
    claim_lapse,
    need_assign,
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_merge,
    need_withdraw,
)
from tests.needs.helpers import member_in, task, wish, wish_in
from tests.services.concurrency import race, split

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(need):
    return Need.objects.get(pk=need.pk)


def test_fifty_members_claim_five_places_at_once(c):
    need = task(c, places=5)
    crowd = [member_in(c, f"党员{i:02d}") for i in range(50)]
    copies = [fresh(need) for _ in crowd]
    won, lost = split(
        race(*(lambda m=m, n=n: need_claim(actor=m.user, need=n) for m, n in zip(crowd, copies, strict=True)))
    )
    assert (len(won), len(lost)) == (5, 45)
    assert {e.code for e in lost} == {"full"}
    assert {e.detail for e in lost} == {"名额已满。"}
    need.refresh_from_db()
    assert (need.taken, need.status) == (5, Status.IN_PROGRESS)
    assert Claim.objects.filter(need=need).count() == 5
    assert set(Claim.objects.filter(need=need).values_list("member", flat=True)) == {w.member_id for w in won}
    assert NeedEvent.objects.filter(need=need, kind="claimed").count() == 5


def test_one_member_claiming_twice_at_once_holds_one_place(c):
    need = task(c, places=5)
    user = c.member.user
    copies = [fresh(need) for _ in range(2)]
    won, lost = split(race(*(lambda n=n: need_claim(actor=user, need=n) for n in copies)))
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "already_claimed"
    need.refresh_from_db()
    assert need.taken == 1
    assert Claim.objects.filter(need=need, member=c.member).count() == 1


def test_a_claim_and_an_assignment_for_the_last_place(c):
    need = task(c, places=1)
    won, lost = split(
        race(
            lambda: need_claim(actor=c.member.user, need=fresh(need)),
            lambda: need_assign(actor=c.admin, need=fresh(need), member=c.helper),
        )
    )
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "full"
    need.refresh_from_db()
    assert (need.taken, Claim.objects.filter(need=need).count()) == (1, 1)


def test_two_confirmations_of_one_fulfilment_write_one_record(c):
    need = wish_in(c, "completed")
    copies = [fresh(need) for _ in range(2)]
    won, lost = split(race(*(lambda n=n: need_confirm(actor=c.resident, need=n, rating=5) for n in copies)))
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "illegal_transition"
    assert ServiceRecord.objects.count() == 1
    assert NeedEvent.objects.filter(need=need, kind="confirmed").count() == 1
    assert AuditEvent.objects.filter(action=Action.SERVICE_VERIFIED).count() == 1
    assert audit_verify()[0]


def test_withdraw_racing_lapse_has_one_outcome(c):
    for round_ in range(3):
        need = task(c, places=2, title=f"第{round_}轮")
        claim = need_claim(actor=c.member.user, need=need)
        copy, moment = fresh(need), claim.lapses_at
        withdrew, lapsed = race(
            lambda n=copy: need_withdraw(actor=c.member.user, need=n, reason="来不了"),
            lambda pk=claim.pk, at=moment: claim_lapse(claim_id=pk, now=at),
        )
        claim.refresh_from_db()
        need.refresh_from_db()
        if lapsed is True:
            assert withdrew.code == "illegal_transition" and "超时失效" in withdrew.detail
            assert claim.status == ClaimStatus.LAPSED
        else:
            assert lapsed is False and isinstance(withdrew, Claim)
            assert claim.status == ClaimStatus.WITHDRAWN
        assert (need.taken, need.status) == (0, Status.PUBLISHED)
        ends = NeedEvent.objects.filter(need=need, kind__in=("withdrawn", "lapsed")).count()
        assert ends == 1


def test_complete_racing_close(c):
    need = task(c, places=1)
    need_claim(actor=c.member.user, need=need)
    done, closed = race(
        lambda: need_complete(actor=c.member.user, need=fresh(need), note="扫完了", hours=2),
        lambda: need_close(actor=c.admin, need=fresh(need), reason="取消"),
    )
    need.refresh_from_db()
    claim = need.claims.get()
    if isinstance(done, Claim):  # completed first: the community must decide it before closing
        assert closed.code == "illegal_transition"
        assert (claim.status, need.status, need.taken) == (ClaimStatus.COMPLETED, Status.COMPLETED, 1)
    else:  # closed first: the place was released and nothing is left to complete
        assert done.code == "illegal_transition"
        assert (claim.status, need.status, need.taken) == (ClaimStatus.RELEASED, Status.CLOSED, 0)
    assert ServiceRecord.objects.aggregate(h=Sum("hours"))["h"] is None


def test_two_needs_merged_into_each_other_at_once(c):
    for round_ in range(3):
        a, b = wish(c, title=f"甲{round_}"), wish(c, title=f"乙{round_}")
        results = race(
            lambda a=a, b=b: need_merge(actor=c.admin, need=fresh(a), into=fresh(b)),
            lambda a=a, b=b: need_merge(actor=c.admin, need=fresh(b), into=fresh(a)),
        )
        won, lost = split(results)
        assert (len(won), len(lost)) == (1, 1)
        assert lost[0].code == "illegal_transition"
        a.refresh_from_db()
        b.refresh_from_db()
        assert sorted([a.status, b.status]) == [Status.MERGED, Status.SUBMITTED]  # never a loop


def test_a_merge_chain_racing_its_next_link_never_points_at_a_merged_need(c):
    for round_ in range(3):
        a, b, target = (wish(c, title=f"{t}{round_}") for t in ("甲", "乙", "丙"))
        race(
            lambda a=a, b=b: need_merge(actor=c.admin, need=fresh(a), into=fresh(b)),
            lambda b=b, t=target: need_merge(actor=c.admin, need=fresh(b), into=fresh(t)),
        )
        for need in (a, b):
            need.refresh_from_db()
            if need.merged_into_id is not None:
                assert need.merged_into_id == target.pk
                assert Need.objects.get(pk=need.merged_into_id).status != Status.MERGED
