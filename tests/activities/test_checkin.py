"""Check-in and check-out: only a confirmed sign-up, only during the window (check-in from half an hour before
the start to the end, check-out until two hours after it), twice is harmless, and within the geofence — a
little outside (up to three times the radius, and at most 500 m beyond it) is let in and flagged, far outside
is refused."""

from datetime import timedelta
from decimal import Decimal

import pytest

from baodao.activities.models import Signup
from baodao.activities.selectors import Flag, attendance_flags
from baodao.activities.services import (
    CHECKIN_OPENS_BEFORE,
    CHECKOUT_CLOSES_AFTER,
    activity_cancel,
    activity_checkin,
    activity_checkout,
)
from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.lib.errors import Conflict, Invalid
from tests.activities.helpers import (
    activity,
    attend,
    checkin,
    checkout,
    code_at,
    geofenced,
    member_in,
    north_of_centre,
    signed_up,
)

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)


@pytest.fixture
def act(c):
    act = activity(c)
    signed_up(act, c.member)
    return act


def row(act, m):
    return Signup.objects.get(activity=act, member=m, status__in=("confirmed", "waitlisted"))


def conflict(code, call, *args, **kwargs):
    with pytest.raises(Conflict) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    assert caught.value.detail
    return caught.value


# ---- who ----------------------------------------------------------------------------------------------


def test_the_waitlisted_cannot_check_in(c):
    act = activity(c, places=1)
    signed_up(act, c.helper, c.member)
    conflict("waitlisted", checkin, c.member, act, act.starts_at)
    assert row(act, c.member).attendance == ""


def test_one_not_signed_up_cannot_check_in_nor_out(c, act):
    conflict("not_signed_up", checkin, c.helper, act, act.starts_at)
    conflict("not_checked_in", checkout, c.helper, act, act.ends_at)


def test_no_check_out_before_a_check_in(c, act):
    conflict("not_checked_in", checkout, c.member, act, act.ends_at)
    assert not ServiceRecord.objects.exists()


# ---- when ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "ok"),
    [
        (lambda a: a.starts_at - CHECKIN_OPENS_BEFORE - SECOND, False),
        (lambda a: a.starts_at - CHECKIN_OPENS_BEFORE, True),
        (lambda a: a.starts_at, True),
        (lambda a: a.ends_at, True),
        (lambda a: a.ends_at + SECOND, False),
        (lambda a: a.ends_at + timedelta(hours=1), False),
    ],
    ids=["too-early", "opens", "start", "end", "after-end", "an-hour-late"],
)
def test_check_in_only_during_the_window(c, act, when, ok):
    at = when(act)
    if ok:
        assert checkin(c.member, act, at).checked_in_at == at
    else:
        conflict("outside_window", checkin, c.member, act, at)  # with the right code of that moment
        assert row(act, c.member).checked_in_at is None


@pytest.mark.parametrize(
    ("when", "ok"),
    [
        (lambda a: a.ends_at, True),
        (lambda a: a.ends_at + CHECKOUT_CLOSES_AFTER, True),
        (lambda a: a.ends_at + CHECKOUT_CLOSES_AFTER + SECOND, False),
        (lambda a: a.ends_at + timedelta(days=1), False),
    ],
    ids=["end", "closes", "too-late", "next-day"],
)
def test_check_out_until_two_hours_after_the_end(c, act, when, ok):
    checkin(c.member, act, act.starts_at)
    at = when(act)
    if ok:
        signup = checkout(c.member, act, at)
        assert (signup.checked_out_at, signup.hours) == (at, Decimal("3.00"))  # clipped to the window
        assert ServiceRecord.objects.get().hours == Decimal("3.0")
    else:
        conflict("outside_window", checkout, c.member, act, at)
        assert row(act, c.member).checked_out_at is None
        assert not ServiceRecord.objects.exists()


# ---- twice --------------------------------------------------------------------------------------------


def test_checking_in_twice_changes_nothing(c, act):
    first = act.starts_at + timedelta(minutes=3)
    checkin(c.member, act, first)
    before = Signup.objects.filter(activity=act).values().get()
    again = checkin(c.member, act, first + timedelta(minutes=20))
    assert again.checked_in_at == first
    assert Signup.objects.filter(activity=act).values().get() == before  # no change, no second row
    assert Signup.objects.count() == 1


def test_checking_out_twice_credits_once(c, act):
    attend(c.member, act, act.starts_at, act.starts_at + timedelta(hours=2))
    before = Signup.objects.filter(activity=act).values().get()
    again = checkout(c.member, act, act.starts_at + timedelta(hours=2, minutes=40))
    assert (again.hours, again.checked_out_at) == (Decimal("2.00"), act.starts_at + timedelta(hours=2))
    assert Signup.objects.filter(activity=act).values().get() == before
    assert ServiceRecord.objects.count() == 1
    assert PointEntry.objects.count() == 1


def test_a_check_out_writes_the_ledger_record(c, act):
    signup = attend(c.member, act, act.starts_at - timedelta(minutes=10), act.starts_at + timedelta(hours=2))
    assert (signup.attendance, signup.hours) == ("attended", Decimal("2.00"))
    record = ServiceRecord.objects.get()
    assert (record.source, record.member, record.community, record.path) == (
        "activity",
        c.member,
        c.r("C1"),
        c.r("C1").path,
    )
    assert (record.activity, record.signup_id, record.title, record.category) == (
        act,
        signup.pk,
        act.title,
        "environment",
    )
    # the service happened in the activity's window: arriving ten minutes early does not move it
    assert signup.checked_in_at == act.starts_at - timedelta(minutes=10)
    assert (record.served_at, record.verified_by, record.unit) == (act.starts_at, c.admin, None)


def test_a_check_in_after_the_start_is_when_the_service_began(c, act):
    signup = attend(c.member, act, act.starts_at + timedelta(minutes=25), act.ends_at)
    assert (
        ServiceRecord.objects.get().served_at == signup.checked_in_at == act.starts_at + timedelta(minutes=25)
    )


# ---- where --------------------------------------------------------------------------------------------


@pytest.fixture
def fenced(c):
    act = geofenced(c, radius_m=100)
    signed_up(act, c.member, c.helper, *(member_in(c, f"党员{i}") for i in range(2)))
    return act


def test_within_the_radius_the_distance_is_kept(c, fenced):
    lat, lng = north_of_centre(60)
    signup = checkin(c.member, fenced, fenced.starts_at, lat=lat, lng=lng)
    assert signup.checkin_distance_m == 60
    lat, lng = north_of_centre(30)
    signup = checkout(c.member, fenced, fenced.ends_at, lat=str(lat), lng=str(lng))
    assert (signup.checkout_distance_m, signup.attendance) == (30, "attended")
    assert attendance_flags(c.r("C1")) == []


@pytest.mark.parametrize("metres", [101, 250, 300])
def test_between_the_radius_and_three_times_it_is_let_in_and_flagged(c, fenced, metres):
    lat, lng = north_of_centre(metres)
    signup = checkin(c.member, fenced, fenced.starts_at, lat=lat, lng=lng)
    assert (signup.attendance, signup.checkin_distance_m) == ("checked_in", metres)
    checkout(c.member, fenced, fenced.ends_at, lat=lat, lng=lng)
    (flagged,) = attendance_flags(c.r("C1"))
    assert (flagged.signup.member, flagged.flags) == (c.member, (Flag.OUTSIDE_GEOFENCE,))


@pytest.mark.parametrize("metres", [301, 2000, 500_000])
def test_beyond_three_times_the_radius_is_refused(c, fenced, metres):
    lat, lng = north_of_centre(metres)
    with pytest.raises(Invalid) as caught:
        checkin(c.member, fenced, fenced.starts_at, lat=lat, lng=lng)
    assert list(caught.value.fields) == ["lat"]
    assert "请到现场签到" in caught.value.detail
    assert row(fenced, c.member).checked_in_at is None


@pytest.mark.parametrize(
    ("metres", "ok"), [(1000, True), (1400, True), (1490, True), (1510, False), (1600, False), (3000, False)]
)
def test_a_wide_geofence_tolerates_500_metres_beyond_its_radius_not_three_times_it(c, metres, ok):
    act = geofenced(c, radius_m=1000)
    signed_up(act, c.member)
    lat, lng = north_of_centre(metres)
    if ok:
        assert checkin(c.member, act, act.starts_at, lat=lat, lng=lng).checkin_distance_m == metres
        return
    with pytest.raises(Invalid) as caught:
        checkin(c.member, act, act.starts_at, lat=lat, lng=lng)
    assert list(caught.value.fields) == ["lat"]
    assert row(act, c.member).checked_in_at is None


def test_a_check_out_a_little_outside_is_accepted_and_flagged(c, fenced):
    near, outside = north_of_centre(10), north_of_centre(250)
    checkin(c.member, fenced, fenced.starts_at, lat=near[0], lng=near[1])
    signup = checkout(c.member, fenced, fenced.ends_at, lat=outside[0], lng=outside[1])
    assert (signup.attendance, signup.checkin_distance_m, signup.checkout_distance_m) == ("attended", 10, 250)
    (flagged,) = attendance_flags(c.r("C1"))
    assert (flagged.flags, flagged.labels) == ((Flag.OUTSIDE_GEOFENCE,), ["签到或签退位置在范围外"])
    assert flagged.record == ServiceRecord.objects.get()


def test_a_check_out_far_away_is_refused_too(c, fenced):
    checkin(c.member, fenced, fenced.starts_at, lat=north_of_centre(10)[0], lng=north_of_centre(10)[1])
    lat, lng = north_of_centre(5000)
    with pytest.raises(Invalid) as caught:
        checkout(c.member, fenced, fenced.ends_at, lat=lat, lng=lng)
    assert list(caught.value.fields) == ["lat"]
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize(("lat", "lng"), [(None, None), ("", ""), (None, "114.3"), ("30.5", None)])
def test_without_a_position_one_is_let_in_and_flagged(c, fenced, lat, lng):
    signup = checkin(c.member, fenced, fenced.starts_at, lat=lat, lng=lng)
    assert (signup.attendance, signup.checkin_distance_m) == ("checked_in", None)
    checkout(c.member, fenced, fenced.ends_at)
    (flagged,) = attendance_flags(c.r("C1"))
    assert flagged.flags == (Flag.NO_POSITION,)


@pytest.mark.parametrize(("lat", "lng"), [("北纬", "114.3"), ("91", "114.3"), ("30.5", "181"), ("nan", "1")])
def test_a_nonsense_position_is_refused(c, fenced, lat, lng):
    with pytest.raises(Invalid) as caught:
        checkin(c.member, fenced, fenced.starts_at, lat=lat, lng=lng)
    assert set(caught.value.fields) <= {"lat", "lng"}


def test_an_activity_without_a_geofence_ignores_the_position(c, act):
    far = north_of_centre(500_000)
    signup = checkin(c.member, act, act.starts_at, lat=far[0], lng=far[1])
    assert (signup.attendance, signup.checkin_distance_m) == ("checked_in", None)
    signup = checkout(c.member, act, act.ends_at, lat=far[0], lng=far[1])
    assert (signup.attendance, signup.checkout_distance_m) == ("attended", None)
    assert attendance_flags(c.r("C1")) == []


def test_the_code_is_checked_before_the_position(c, fenced):
    far = north_of_centre(5000)
    with pytest.raises(Invalid) as caught:
        activity_checkin(
            actor=c.member.user, activity=fenced, code="000000x", lat=far[0], lng=far[1], now=fenced.starts_at
        )
    assert list(caught.value.fields) == ["code"]


def test_check_in_after_the_activity_was_called_off_is_refused(c, act):
    activity_cancel(actor=c.admin, activity=act, reason="下雨")
    with pytest.raises(Conflict) as caught:
        activity_checkin(
            actor=c.member.user, activity=act, code=code_at(act, act.starts_at), now=act.starts_at
        )
    assert caught.value.code == "not_signed_up"
    with pytest.raises(Conflict):
        activity_checkout(actor=c.member.user, activity=act, code=code_at(act, act.ends_at), now=act.ends_at)
