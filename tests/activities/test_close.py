"""Closing an activity after its end: a forgotten check-out is settled by the rule the organiser confirms
(hours to the end, or none), a confirmed sign-up never checked in is a no-show with the policy's deduction,
and an activity closes once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from baodao.activities.models import Signup
from baodao.activities.selectors import Flag, attendance_flags
from baodao.activities.services import (
    ForgottenCheckout,
    activity_cancel_signup,
    activity_close,
    attendance_record,
)
from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.ledger.points import points_balance
from baodao.lib.errors import Conflict, Forbidden, Invalid
from tests.activities.helpers import (
    activity,
    attend,
    checkin,
    checkout,
    district_policy,
    into_the_past,
    member_in,
    signed_up,
)

pytestmark = pytest.mark.django_db

END, NONE = ForgottenCheckout.END_OF_ACTIVITY, ForgottenCheckout.NO_HOURS


@pytest.fixture
def crowd(c):
    return {
        "attended": c.member,
        "forgot": c.helper,
        "absent": member_in(c, "缺席"),
        "waiting": member_in(c, "候补"),
        "left": member_in(c, "取消"),
    }


@pytest.fixture
def act(c, crowd):
    """Three hours that ended three hours ago: one attended, one forgot to check out, one never came, one
    waited in line, one cancelled."""
    act = activity(c, places=3)
    signed_up(act, crowd["attended"], crowd["forgot"], crowd["absent"], crowd["waiting"])
    signed_up(act, crowd["left"])
    activity_cancel_signup(actor=crowd["left"].user, activity=act)
    act = into_the_past(act)
    attend(crowd["attended"], act, act.starts_at, act.starts_at + timedelta(hours=1))
    checkin(crowd["forgot"], act, act.starts_at + timedelta(minutes=40))
    return act


def attendance(act):
    return {
        s.member.user.name: (s.status, s.attendance, s.hours) for s in Signup.objects.filter(activity=act)
    }


def test_forgotten_check_outs_count_until_the_end_by_that_rule(c, act, crowd):
    summary = activity_close(actor=c.admin, activity=act, forgotten_checkout=END)
    assert (summary.attended, summary.closed_by_rule, summary.no_shows) == (1, 1, 1)
    forgot = Signup.objects.get(activity=act, member=crowd["forgot"])
    assert (forgot.attendance, forgot.hours, forgot.checked_out_at) == (
        "closed_by_rule",
        Decimal("2.00"),
        act.ends_at,
    )
    record = ServiceRecord.objects.get(member=crowd["forgot"])
    assert (record.hours, record.verified_by, record.signup_id) == (Decimal("2.0"), c.admin, forgot.pk)
    assert record.served_at == forgot.checked_in_at
    # hours counted without a check-out: the community sees them
    (flagged,) = attendance_flags(c.r("C1"))
    assert (flagged.signup, flagged.flags, flagged.record) == (forgot, (Flag.NO_CHECKOUT,), record)
    act.refresh_from_db()
    assert (act.status, act.closed_by) == ("closed", c.admin)
    assert act.closed_at is not None


def test_forgotten_check_outs_count_nothing_by_the_other_rule(c, act, crowd):
    summary = activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    assert (summary.attended, summary.closed_by_rule, summary.no_shows) == (1, 1, 1)
    forgot = Signup.objects.get(activity=act, member=crowd["forgot"])
    assert (forgot.attendance, forgot.hours) == ("closed_by_rule", Decimal("0.00"))
    assert not ServiceRecord.objects.filter(member=crowd["forgot"]).exists()
    assert ServiceRecord.objects.count() == 1  # the one who checked out
    assert attendance_flags(c.r("C1")) == []  # nothing counted, nothing to look at


def test_a_no_show_is_recorded_and_costs_the_deduction_once(c, act, crowd):
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    absent = Signup.objects.get(activity=act, member=crowd["absent"])
    assert (absent.attendance, absent.hours) == ("no_show", None)
    entry = PointEntry.objects.get(member=crowd["absent"])
    assert (entry.rule, entry.rate, entry.points, entry.signup, entry.record, entry.policy) == (
        "no_show",
        Decimal(5),
        Decimal(-5),
        absent,
        None,
        None,
    )
    assert entry.year == localdate(act.starts_at).year
    assert points_balance(crowd["absent"].pk) == Decimal(-5)
    # the line and those who cancelled are neither
    waiting = Signup.objects.get(activity=act, member=crowd["waiting"])
    assert (waiting.status, waiting.attendance) == ("waitlisted", "")
    assert not PointEntry.objects.filter(member__in=[crowd["waiting"], crowd["left"]]).exists()

    with pytest.raises(Conflict) as again:
        activity_close(actor=c.admin, activity=act, forgotten_checkout=END)
    assert again.value.code == "illegal_transition"
    assert PointEntry.objects.filter(rule="no_show").count() == 1
    assert not ServiceRecord.objects.filter(member=crowd["forgot"]).exists()  # the rule chosen first stays


def test_the_districts_deduction_applies(c, act, crowd):
    district_policy(c, localdate(act.starts_at), points_no_show=Decimal("3.5"))
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    assert PointEntry.objects.get(member=crowd["absent"]).points == Decimal("-3.5")


def test_a_district_without_a_deduction_deducts_nothing(c, act, crowd):
    district_policy(c, localdate(act.starts_at), points_no_show=0)
    assert activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE).no_shows == 1
    assert Signup.objects.get(activity=act, member=crowd["absent"]).attendance == "no_show"
    assert not PointEntry.objects.filter(rule="no_show").exists()


def test_attendance_recorded_by_hand_is_not_a_forgotten_check_out(c, act, crowd):
    attendance_record(actor=c.admin, activity=act, member=crowd["absent"], hours="1.5", reason="忘带手机")
    summary = activity_close(actor=c.admin, activity=act, forgotten_checkout=END)
    assert (summary.attended, summary.closed_by_rule, summary.no_shows) == (2, 1, 0)
    by_hand = Signup.objects.get(activity=act, member=crowd["absent"])
    assert (by_hand.attendance, by_hand.hours) == ("manual", Decimal("1.50"))
    assert ServiceRecord.objects.get(member=crowd["absent"]).hours == Decimal("1.5")
    assert not PointEntry.objects.filter(rule="no_show").exists()


def test_attendance_by_hand_survives_the_no_hours_rule(c, act, crowd):
    attendance_record(actor=c.admin, activity=act, member=crowd["absent"], hours="2", reason="忘带手机")
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    by_hand = Signup.objects.get(activity=act, member=crowd["absent"])
    assert (by_hand.attendance, by_hand.hours) == ("manual", Decimal("2.00"))


def test_an_activity_not_yet_ended_cannot_be_closed(c):
    act = activity(c)
    with pytest.raises(Conflict) as caught:
        activity_close(actor=c.admin, activity=act, forgotten_checkout=END)
    assert caught.value.code == "not_ended"
    act.refresh_from_db()
    assert act.status == "published"


def test_the_rule_must_be_chosen(c, act):
    with pytest.raises(Invalid) as caught:
        activity_close(actor=c.admin, activity=act, forgotten_checkout="")
    assert list(caught.value.fields) == ["forgotten_checkout"]


@pytest.mark.parametrize(
    "who", ["other_community_admin", "street_admin", "district_admin", "member", "unit_admin"]
)
def test_only_the_organiser_closes(c, act, who):
    with pytest.raises(Forbidden):
        activity_close(actor=c.u(who), activity=act, forgotten_checkout=END)
    assert not PointEntry.objects.filter(rule="no_show").exists()


def test_a_late_check_out_after_closing_is_refused(c, act, crowd):
    activity_close(actor=c.admin, activity=act, forgotten_checkout=NONE)
    with pytest.raises(Conflict) as caught:
        checkout(crowd["forgot"], act, act.ends_at + timedelta(minutes=30))
    assert caught.value.code == "illegal_transition"
