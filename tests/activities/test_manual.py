"""Attendance recorded by hand (人工补录): by the organiser only, hours or arrival and departure near the
activity's time, always with a reason, audited, flagged when beyond the activity's window, served on the
activity's day, and never while a credit of the sign-up stands or the member is still checked in. A walk-in or
one waiting in line takes a place only if one is free."""

from datetime import timedelta
from decimal import Decimal

import pytest

from baodao.activities.models import Activity, Signup
from baodao.activities.selectors import Flag, attendance_flags
from baodao.activities.services import CHECKIN_OPENS_BEFORE, CHECKOUT_CLOSES_AFTER, attendance_record
from baodao.audit.models import Action, AuditEvent
from baodao.audit.services import audit_verify
from baodao.ledger.models import ServiceRecord
from baodao.lib.errors import Conflict, Forbidden, Invalid
from tests import factories
from tests.activities.helpers import (
    activity,
    attend,
    checkin,
    co_building,
    into_the_past,
    member_in,
    signed_up,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(c):
    act = activity(c, places=1)
    signed_up(act, c.member, c.helper)  # the helper waits in line
    return into_the_past(act)


def test_it_records_hours_with_a_reason_and_audits(c, act):
    signup = attendance_record(actor=c.admin, activity=act, member=c.member, hours="2.5", reason=" 手机没电 ")
    assert (signup.attendance, signup.hours, signup.manual_reason, signup.recorded_by) == (
        "manual",
        Decimal("2.50"),
        "手机没电",
        c.admin,
    )
    record = ServiceRecord.objects.get()
    assert (record.member, record.hours, record.verified_by, record.signup_id, record.attempt) == (
        c.member,
        Decimal("2.5"),
        c.admin,
        signup.pk,
        0,
    )
    assert record.served_at == act.starts_at  # hours without times: served at the start
    event = AuditEvent.objects.get(action=Action.ATTENDANCE_RECORDED)
    assert (event.actor, event.target_type, event.target_id) == (c.admin, "signup", str(signup.pk))
    assert event.detail == {"activity": act.pk, "member": c.member.pk, "hours": "2.50", "reason": "手机没电"}
    assert audit_verify()[0]
    assert attendance_flags(c.r("C1")) == []


def test_it_records_arrival_and_departure_clipped_to_the_window(c, act):
    arrived, left = act.starts_at - CHECKIN_OPENS_BEFORE, act.starts_at + timedelta(hours=1, minutes=50)
    signup = attendance_record(
        actor=c.admin,
        activity=act,
        member=c.member,
        checked_in_at=arrived,
        checked_out_at=left,
        reason="现场登记",
    )
    assert (signup.hours, signup.checked_in_at, signup.checked_out_at) == (Decimal("1.50"), arrived, left)
    record = ServiceRecord.objects.get()
    # a typed arrival before the start does not move the service (nor its day, policy or points' year)
    assert (record.hours, record.served_at) == (Decimal("1.5"), act.starts_at)


def test_a_typed_arrival_after_the_start_is_when_the_service_began(c, act):
    arrived = act.starts_at + timedelta(minutes=40)
    attendance_record(
        actor=c.admin,
        activity=act,
        member=c.member,
        checked_in_at=arrived,
        checked_out_at=act.ends_at,
        reason="迟到",
    )
    assert (ServiceRecord.objects.get().served_at, ServiceRecord.objects.get().hours) == (
        arrived,
        Decimal("2.0"),
    )


def test_typed_times_as_far_as_check_in_and_check_out_reach_are_accepted(c, act):
    signup = attendance_record(
        actor=c.admin,
        activity=act,
        member=c.member,
        checked_in_at=act.starts_at - CHECKIN_OPENS_BEFORE,
        checked_out_at=act.ends_at + CHECKOUT_CLOSES_AFTER,
        reason="全程",
    )
    assert signup.hours == Decimal("3.00")  # clipped to the window
    assert attendance_flags(c.r("C1")) == []


SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ((lambda a: a.starts_at, None), "checked_in_at"),
        ((None, lambda a: a.ends_at), "checked_in_at"),
        ((lambda a: a.ends_at, lambda a: a.starts_at), "checked_out_at"),
        ((lambda a: a.starts_at - CHECKIN_OPENS_BEFORE - SECOND, lambda a: a.ends_at), "checked_in_at"),
        (
            (lambda a: a.starts_at - timedelta(days=1), lambda a: a.starts_at + timedelta(hours=1)),
            "checked_in_at",
        ),
        ((lambda a: a.starts_at, lambda a: a.ends_at + CHECKOUT_CLOSES_AFTER + SECOND), "checked_out_at"),
        ((lambda a: a.starts_at, lambda a: a.ends_at + timedelta(days=2)), "checked_out_at"),
    ],
    ids=["arrival-only", "departure-only", "backwards", "too-early", "day-before", "too-late", "days-later"],
)
def test_typed_times_given_with_hours_must_be_both_in_order_and_near_the_activity(c, act, times, field):
    arrived, left = (t(act) if t else None for t in times)
    with pytest.raises(Invalid) as caught:
        attendance_record(
            actor=c.admin,
            activity=act,
            member=c.member,
            hours=2,
            checked_in_at=arrived,
            checked_out_at=left,
            reason="补录",
        )
    assert list(caught.value.fields) == [field]
    assert not ServiceRecord.objects.exists()
    assert Signup.objects.get(activity=act, member=c.member).attendance == ""


def test_hours_beyond_the_window_are_accepted_and_flagged(c, act):
    attendance_record(actor=c.admin, activity=act, member=c.member, hours=5, reason="提前布置场地")
    (flagged,) = attendance_flags(c.r("C1"))
    assert (flagged.signup.member, flagged.flags) == (c.member, (Flag.BEYOND_WINDOW,))
    assert flagged.record == ServiceRecord.objects.get()
    assert flagged.labels == ["时长超过活动时段"]


def test_one_waiting_in_line_or_not_signed_up_is_recorded_too(c, act):
    waiting = attendance_record(actor=c.admin, activity=act, member=c.helper, hours=1, reason="顶替缺席者")
    assert (waiting.status, waiting.attendance) == ("confirmed", "manual")
    assert waiting.promoted_at is not None
    walk_in = member_in(c, "临时来的")
    signup = attendance_record(actor=c.admin, activity=act, member=walk_in, hours=1, reason="现场报名")
    assert (signup.status, signup.attendance, signup.hours) == ("confirmed", "manual", Decimal("1.00"))
    assert ServiceRecord.objects.count() == 2
    act.refresh_from_db()
    assert (act.places, act.taken) == (1, 1)  # no place was free: the count never passes the places


def test_a_walk_in_takes_a_place_while_one_is_free(c):
    act = activity(c, places=2)
    signed_up(act, c.member)
    act = into_the_past(act)
    attendance_record(actor=c.admin, activity=act, member=c.helper, hours=1, reason="现场报名")
    act.refresh_from_db()
    assert act.taken == 2
    late = attendance_record(
        actor=c.admin, activity=act, member=member_in(c, "又来一位"), hours=1, reason="现场报名"
    )
    assert (late.status, late.attendance) == ("confirmed", "manual")
    act.refresh_from_db()
    assert act.taken == 2


def test_one_waiting_in_line_takes_a_free_place_when_recorded(c, act):
    Activity.objects.filter(pk=act.pk).update(places=2)  # a place became free while the helper waited
    attendance_record(actor=c.admin, activity=act, member=c.helper, hours=1, reason="顶替")
    act.refresh_from_db()
    assert act.taken == 2


def test_a_second_record_for_the_same_sign_up_is_refused(c, act):
    attendance_record(actor=c.admin, activity=act, member=c.member, hours=1, reason="补录")
    with pytest.raises(Conflict) as caught:
        attendance_record(actor=c.admin, activity=act, member=c.member, hours=2, reason="再补")
    assert caught.value.code == "already_recorded"
    assert Signup.objects.get(activity=act, member=c.member).hours == Decimal("1.00")
    assert ServiceRecord.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).count() == 1


def test_not_while_the_member_is_checked_in_and_not_yet_out(c, act):
    checkin(c.member, act, act.starts_at + timedelta(minutes=5))
    with pytest.raises(Conflict) as caught:
        attendance_record(actor=c.admin, activity=act, member=c.member, hours=2, reason="补录")
    assert caught.value.code == "already_recorded"
    signup = Signup.objects.get(activity=act, member=c.member)
    assert (signup.attendance, signup.hours, signup.manual_reason) == ("checked_in", None, "")
    assert not ServiceRecord.objects.exists()


def test_attendance_checked_out_is_not_recorded_again_by_hand(c):
    act = activity(c)
    signed_up(act, c.member)
    act = into_the_past(act)
    attend(c.member, act, act.starts_at, act.ends_at)
    with pytest.raises(Conflict) as caught:
        attendance_record(actor=c.admin, activity=act, member=c.member, hours=1, reason="补录")
    assert caught.value.code == "already_recorded"
    assert ServiceRecord.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   ", None, "长" * 301])
def test_a_reason_is_required(c, act, reason):
    with pytest.raises(Invalid) as caught:
        attendance_record(actor=c.admin, activity=act, member=c.member, hours=1, reason=reason)
    assert list(caught.value.fields) == ["reason"]
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "hours"),
        ({"hours": "0"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "72.5"}, "hours"),
        ({"hours": "许多"}, "hours"),
        ({"checked_in_at": "start"}, "hours"),
        ({"checked_in_at": "start", "checked_out_at": "start"}, "checked_out_at"),
    ],
    ids=["nothing", "zero", "negative", "too-many", "words", "arrival-only", "no-time-spent"],
)
def test_hours_or_both_times_are_required(c, act, fields, field):
    fields = {k: act.starts_at if v == "start" else v for k, v in fields.items()}
    with pytest.raises(Invalid) as caught:
        attendance_record(actor=c.admin, activity=act, member=c.member, reason="补录", **fields)
    assert list(caught.value.fields) == [field]
    assert not ServiceRecord.objects.exists()


def test_a_member_not_registered_in_the_community_is_refused(c, act):
    for m in (c.w.members["other_member"], factories.member(c.w.units["U1"], name="未报到")):
        with pytest.raises(Invalid) as caught:
            attendance_record(actor=c.admin, activity=act, member=m, hours=1, reason="补录")
        assert list(caught.value.fields) == ["member"]


def test_not_before_the_activity_starts(c):
    act = activity(c)
    signed_up(act, c.member)
    with pytest.raises(Conflict) as caught:
        attendance_record(actor=c.admin, activity=act, member=c.member, hours=1, reason="补录")
    assert caught.value.code == "not_started"


@pytest.mark.parametrize(
    "who", ["other_community_admin", "street_admin", "district_admin", "grid_worker", "unit_admin", "member"]
)
def test_only_the_organiser_records_by_hand(c, act, who):
    with pytest.raises(Forbidden) as caught:
        attendance_record(actor=c.u(who), activity=act, member=c.member, hours=1, reason="补录")
    assert "组织者" in caught.value.detail
    assert not ServiceRecord.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).exists()


def test_the_organising_units_admin_records_by_hand(c):
    co_building(c)
    act = activity(c, actor=c.u("unit_admin"), organiser_unit=c.w.units["U1"])
    signed_up(act, c.member)
    act = into_the_past(act)
    signup = attendance_record(actor=c.u("unit_admin"), activity=act, member=c.member, hours=2, reason="补录")
    assert (signup.recorded_by, ServiceRecord.objects.get().verified_by) == (
        c.u("unit_admin"),
        c.u("unit_admin"),
    )
    # and the community the unit serves in, too
    second = attendance_record(actor=c.admin, activity=act, member=c.helper, hours=1, reason="补录")
    assert second.recorded_by == c.admin
    with pytest.raises(Forbidden):
        attendance_record(
            actor=c.u("other_unit_admin"), activity=act, member=member_in(c, "甲"), hours=1, reason="x"
        )
