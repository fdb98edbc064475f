"""Recording by hand after something else was settled: a no-show gets its deduction back, a credit the
community reversed may be credited again (the next attempt), and a forgotten check-out closed with no hours
may be recorded; never while a credit stands."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from baodao.activities.models import Signup
from baodao.activities.selectors import Flag, attendance_flags
from baodao.activities.services import ForgottenCheckout, activity_close, attendance_record
from baodao.audit.models import Action, AuditEvent
from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.ledger.points import points_balance
from baodao.ledger.services import record_reverse
from baodao.lib.errors import Conflict
from tests.activities.helpers import activity, attend, checkin, district_policy, into_the_past, signed_up

pytestmark = pytest.mark.django_db

END, NONE = ForgottenCheckout.END_OF_ACTIVITY, ForgottenCheckout.NO_HOURS


@pytest.fixture
def act(c):
    """Three hours that ended three hours ago, the member signed up."""
    act = activity(c)
    signed_up(act, c.member)
    return into_the_past(act)


def by_hand(c, act, hours="2", **kwargs):
    return attendance_record(
        actor=c.admin, activity=act, member=c.member, hours=hours, reason="补录", **kwargs
    )


def credits(act, m):
    """(attempt, hours, reversed) of the member's credits for the activity, oldest first."""
    rows = ServiceRecord.objects.filter(activity=act, member=m, reverses__isnull=True).order_by("id")
    return [(r.attempt, r.hours, hasattr(r, "reversed_by")) for r in rows]


def refused(c, act):
    with pytest.raises(Conflict) as caught:
        by_hand(c, act, hours="1")
    assert caught.value.code == "already_recorded"


# ---- a no-show ---------------------------------------------------------------------------------------------


def test_a_no_show_recorded_by_hand_gets_its_deduction_back_once(c, act):
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    assert points_balance(c.member.pk) == Decimal(-5)
    signup = by_hand(c, act)
    assert (signup.attendance, signup.hours) == ("manual", Decimal("2.00"))
    on_signup = PointEntry.objects.filter(signup=signup).order_by("id")
    assert [(e.rule, e.rate, e.points, e.record, e.year) for e in on_signup] == [
        ("no_show", Decimal(5), Decimal(-5), None, localdate(act.starts_at).year),
        ("reversal", Decimal(5), Decimal(5), None, localdate(act.starts_at).year),
    ]
    assert points_balance(c.member.pk) == Decimal(20)  # 2 h; the deduction taken back

    # the credit reversed and recorded again: the deduction stays taken back, and only once
    record_reverse(actor=c.admin, record=ServiceRecord.objects.get(), reason="时长有误")
    assert points_balance(c.member.pk) == Decimal(0)
    by_hand(c, act, hours="1")
    assert PointEntry.objects.filter(signup=signup, rule="reversal").count() == 1
    assert points_balance(c.member.pk) == Decimal(10)


def test_a_no_show_without_a_deduction_is_recorded_by_hand(c, act):
    district_policy(c, date(2020, 1, 1), points_no_show=0)
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    by_hand(c, act)
    assert [e.rule for e in PointEntry.objects.all()] == ["per_hour"]
    assert points_balance(c.member.pk) == Decimal(20)


def test_a_deduction_taken_back_takes_no_room_under_the_yearly_cap(c, act):
    district_policy(c, date(2020, 1, 1), points_yearly_cap=30)
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    by_hand(c, act, hours="3")  # 30 points, all of them under a cap of 30
    assert points_balance(c.member.pk) == Decimal(30)
    assert PointEntry.objects.get(rule="per_hour").points == Decimal(30)


# ---- a reversed credit ---------------------------------------------------------------------------------


def test_a_reversed_credit_is_credited_again_each_time_the_next_attempt(c, act):
    attend(c.member, act, act.starts_at, act.ends_at)  # 3 h checked out: attempt 0
    refused(c, act)
    record_reverse(actor=c.admin, record=ServiceRecord.objects.get(), reason="不在现场")
    signup = by_hand(c, act, hours="2")
    assert (signup.attendance, signup.hours) == ("manual", Decimal("2.00"))
    assert credits(act, c.member) == [(0, Decimal("3.0"), True), (1, Decimal("2.0"), False)]
    refused(c, act)

    second = ServiceRecord.objects.get(attempt=1, reverses__isnull=True)
    record_reverse(actor=c.admin, record=second, reason="时长有误")
    by_hand(c, act, hours="1.5")
    assert credits(act, c.member) == [
        (0, Decimal("3.0"), True),
        (1, Decimal("2.0"), True),
        (2, Decimal("1.5"), False),
    ]
    refused(c, act)
    assert points_balance(c.member.pk) == Decimal(15)  # only the credit standing counts
    assert AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).count() == 2
    # each reversal carries the attempt it reverses
    assert sorted(ServiceRecord.objects.filter(reverses__isnull=False).values_list("attempt", flat=True)) == [
        0,
        1,
    ]


def test_a_flag_points_at_the_credit_standing(c, act):
    by_hand(c, act, hours="5")  # beyond the 3-hour window: flagged
    record_reverse(actor=c.admin, record=ServiceRecord.objects.get(), reason="时长有误")
    by_hand(c, act, hours="4")
    (flagged,) = attendance_flags(c.r("C1"))
    assert flagged.flags == (Flag.BEYOND_WINDOW,)
    assert (flagged.record.attempt, flagged.record.hours) == (1, Decimal("4.0"))
    assert not hasattr(flagged.record, "reversed_by")


# ---- a forgotten check-out -------------------------------------------------------------------------------


def test_a_forgotten_check_out_closed_with_no_hours_is_recorded_by_hand(c, act):
    checkin(c.member, act, act.starts_at + timedelta(minutes=10))
    refused(c, act)  # still checked in
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    signup = by_hand(c, act, hours="2.5")
    assert (signup.attendance, signup.hours, signup.manual_reason) == ("manual", Decimal("2.50"), "补录")
    assert credits(act, c.member) == [(0, Decimal("2.5"), False)]
    assert ServiceRecord.objects.get().served_at == act.starts_at
    assert not PointEntry.objects.filter(rule__in=["no_show", "reversal"]).exists()
    refused(c, act)


def test_a_forgotten_check_out_counted_to_the_end_is_not_recorded_again(c, act):
    checkin(c.member, act, act.starts_at + timedelta(minutes=10))
    activity_close(actor=c.admin, activity=act, forgotten_checkout=END)
    (flagged,) = attendance_flags(c.r("C1"))
    assert (flagged.flags, flagged.labels) == ((Flag.NO_CHECKOUT,), ["未签退，按活动结束时间计时"])
    refused(c, act)
    assert Signup.objects.get(activity=act, member=c.member).attendance == "closed_by_rule"
    assert credits(act, c.member) == [(0, Decimal("2.5"), False)]
