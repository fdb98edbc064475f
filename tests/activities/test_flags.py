"""What the community reviews: the same member checked in at two places at once, hours beyond the window,
check-ins outside the geofence or without a position — and nothing for clean attendance."""

from datetime import timedelta

import pytest
from django.utils.timezone import localdate

from baodao.activities.selectors import Flag, attendance_flags
from baodao.activities.services import attendance_record
from baodao.ledger.services import record_reverse
from tests.activities.helpers import (
    activity,
    attend,
    checkin,
    checkout,
    geofenced,
    into_the_past,
    north_of_centre,
    signed_up,
    tomorrow,
)

pytestmark = pytest.mark.django_db


def flags_of(c):
    return {
        (f.signup.activity.title, f.signup.member.user.name): f.flags for f in attendance_flags(c.r("C1"))
    }


def test_clean_attendance_is_not_flagged(c):
    act = geofenced(c)
    signed_up(act, c.member)
    near = north_of_centre(40)
    checkin(c.member, act, act.starts_at, lat=near[0], lng=near[1])
    checkout(c.member, act, act.ends_at, lat=near[0], lng=near[1])
    assert attendance_flags(c.r("C1")) == []


def test_checked_in_at_two_places_at_once(c):
    # 9:00–12:00 and 12:00–15:00 do not overlap, so both sign-ups pass; but checking in to the second at
    # 11:45 while still checked in to the first (out at 13:00) is being in two places at once
    morning = activity(c, title="上午场")
    afternoon = activity(c, title="下午场", starts_at=tomorrow(12))
    signed_up(morning, c.member)
    signed_up(afternoon, c.member)
    checkin(c.member, morning, morning.starts_at)
    checkin(c.member, afternoon, afternoon.starts_at - timedelta(minutes=15))
    checkout(c.member, morning, morning.ends_at + timedelta(hours=1))
    checkout(c.member, afternoon, afternoon.ends_at)
    assert flags_of(c) == {("上午场", "李明"): (Flag.OVERLAP,), ("下午场", "李明"): (Flag.OVERLAP,)}


def test_one_after_the_other_is_not_two_places_at_once(c):
    morning = activity(c, title="上午场")
    afternoon = activity(c, title="下午场", starts_at=tomorrow(12))
    signed_up(morning, c.member)
    signed_up(afternoon, c.member)
    attend(c.member, morning, morning.starts_at, morning.ends_at - timedelta(minutes=5))
    attend(c.member, afternoon, afternoon.starts_at - timedelta(minutes=5), afternoon.ends_at)
    assert flags_of(c) == {}


def test_flags_add_up_and_reversed_records_still_show(c):
    act = geofenced(c, radius_m=50)
    signed_up(act, c.member)
    far = north_of_centre(120)
    checkin(c.member, act, act.starts_at, lat=far[0], lng=far[1])
    checkout(c.member, act, act.ends_at)
    (flagged,) = attendance_flags(c.r("C1"))
    assert flagged.flags == (Flag.OUTSIDE_GEOFENCE,)
    assert flagged.labels == ["签到或签退位置在范围外"]
    record_reverse(actor=c.admin, record=flagged.record, reason="不在现场")
    (again,) = attendance_flags(c.r("C1"))
    assert again.record.reversed_by.reason == "不在现场"


def test_attendance_by_hand_is_not_flagged_for_its_position(c):
    act = geofenced(c)
    signed_up(act, c.member)
    act = into_the_past(act)
    attendance_record(actor=c.admin, activity=act, member=c.member, hours=2, reason="手机没电")
    assert attendance_flags(c.r("C1")) == []


def test_flags_since_a_day_and_only_of_the_community(c):
    act = activity(c, hours=1)
    signed_up(act, c.member)
    act = into_the_past(act, ended_ago=timedelta(days=10))
    attendance_record(actor=c.admin, activity=act, member=c.member, hours=4, reason="布置场地")
    assert len(attendance_flags(c.r("C1"))) == 1
    assert attendance_flags(c.r("C1"), since=localdate(act.starts_at) + timedelta(days=1)) == []
    assert attendance_flags(c.r("C2")) == []
