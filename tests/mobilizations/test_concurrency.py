"""The call, the check-out and the stand-down at the same moment, each in its own thread with its own database
connection (run on SQLite and on PostgreSQL): nobody is called or told twice, and hours are credited once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.ledger.models import ServiceRecord
from baodao.mobilizations.models import Call, Mobilization, Shift
from baodao.mobilizations.services import (
    call_respond,
    mobilization_fanout,
    mobilization_stand_down,
    mobilization_widen,
)
from baodao.notify.models import Notice
from tests.mobilizations.helpers import activate, check_in, check_out, emergency_post, hold, member_in
from tests.services.concurrency import race, split

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(mob):
    return Mobilization.objects.get(pk=mob.pk)


def test_two_fan_outs_at_once_call_each_member_once(c):
    post = emergency_post(c)
    crowd = [member_in(c, f"党员{i:02d}", grid="C1G1" if i % 2 else "C1G2") for i in range(12)]
    for m in crowd[:6]:
        hold(c, post, m)
    mob = activate(c, posts=[(post, 6)], call=False)
    results = race(
        lambda: mobilization_fanout(mobilization_id=mob.pk, reason="post"),
        lambda: mobilization_fanout(mobilization_id=mob.pk, reason="post"),
        lambda: mobilization_fanout(mobilization_id=mob.pk, reason="all_registered"),
        lambda: mobilization_fanout(mobilization_id=mob.pk, reason="all_registered"),
    )
    assert sum(results) == 14  # the crowd and 李明, 赵强
    assert Call.objects.filter(mobilization=mob).count() == 14
    assert Call.objects.filter(mobilization=mob).values("member").distinct().count() == 14
    told = list(Notice.objects.filter(title="【应急动员】暴雨防汛").values_list("user", flat=True))
    assert len(told) == len(set(told)) == 14


def test_two_widenings_at_once_call_nobody_twice(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    for i in range(6):
        member_in(c, f"党员{i}", grid="C1G2")
    mob = activate(c, posts=[(post, 1)], regions=["C1G1"])

    def widen(to):
        mobilization_widen(actor=c.admin, mobilization=fresh(mob), to=to)
        return mobilization_fanout(mobilization_id=mob.pk, reason=to)

    results = race(
        lambda: widen("neighbour_grids"), lambda: widen("neighbour_grids"), lambda: widen("all_registered")
    )
    assert sum(results) == 7  # 赵强 and the six of C1G2
    assert Call.objects.filter(mobilization=mob).count() == 8
    assert sorted(fresh(mob).widened) == ["all_registered", "neighbour_grids"]


def test_checking_out_twice_at_once_credits_once(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    mob = activate(c, posts=[(post, 1)])
    start = timezone.now() - timedelta(hours=2)
    check_in(mob, c.member, start)
    end = timezone.now()
    results = race(*(lambda: check_out(fresh(mob), c.member, end) for _ in range(3)))
    won, lost = split(results)
    assert {e.code for e in lost} <= {"not_on_duty"}
    assert len(won) >= 1 and {s.pk for s in won} == {Shift.objects.get().pk}
    assert ServiceRecord.objects.count() == 1
    assert ServiceRecord.objects.get().hours == Decimal("2.00")


def test_checking_out_while_standing_down_credits_once(c):
    post = emergency_post(c)
    crowd = [member_in(c, f"党员{i}") for i in range(4)]
    for m in crowd:
        hold(c, post, m)
    mob = activate(c, posts=[(post, 4)])
    start = timezone.now() - timedelta(hours=3)
    for m in crowd:
        check_in(mob, m, start)
    end = timezone.now()
    results = race(
        lambda: mobilization_stand_down(actor=c.admin, mobilization=fresh(mob), now=end),
        *(lambda m=m: check_out(fresh(mob), m, end) for m in crowd),
    )
    for conflict in split(results)[1]:
        assert conflict.code == "illegal_transition"
    assert not Shift.objects.filter(ended_at__isnull=True).exists()
    assert ServiceRecord.objects.count() == 4
    assert set(ServiceRecord.objects.values_list("member", flat=True)) == {m.pk for m in crowd}
    assert set(ServiceRecord.objects.values_list("hours", flat=True)) == {Decimal("3.00")}
    assert fresh(mob).status == "stood_down"


def test_answers_racing_the_stand_down_are_all_in_before_it_or_refused(c):
    post = emergency_post(c)
    crowd = [member_in(c, f"党员{i}") for i in range(5)]
    for m in crowd:
        hold(c, post, m)
    mob = activate(c, posts=[(post, 5)])
    results = race(
        lambda: mobilization_stand_down(actor=c.admin, mobilization=fresh(mob)),
        *(lambda m=m: call_respond(actor=m.user, mobilization=fresh(mob), answer="yes") for m in crowd),
    )
    answered = {r.member_id for r in split(results)[0] if isinstance(r, Call)}
    assert {e.code for e in split(results)[1]} <= {"illegal_transition"}
    assert (
        set(Call.objects.filter(mobilization=mob, answer="yes").values_list("member", flat=True)) == answered
    )
    # everyone who got a yes in before the stand-down was told of it
    told = set(Notice.objects.filter(title="【应急解除】暴雨防汛").values_list("user__member", flat=True))
    assert told == answered
