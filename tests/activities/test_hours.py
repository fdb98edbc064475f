"""Hours are the time actually attended inside the activity's window, rounded down to the district's step:
arriving early or leaving late adds nothing, an activity may run across midnight, and nothing is written for
zero hours."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils.timezone import localdate

from baodao.activities.services import attended_hours
from baodao.ledger.models import PointEntry, ServiceRecord
from tests.activities.helpers import activity, attend, district_policy, signed_up, tomorrow

H = Decimal("0.5")


def at(hour, minute=0, day=1):
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("arrive", "leave", "step", "hours"),
    [
        (at(9), at(12), H, "3.00"),  # the whole window
        (at(8, 30), at(12), H, "3.00"),  # arrived early
        (at(9), at(14), H, "3.00"),  # left late
        (at(7), at(15), H, "3.00"),  # both
        (at(10, 15), at(11, 40), H, "1.00"),  # partial: 1 h 25 min
        (at(9), at(10, 29), H, "1.00"),  # 1 h 29 min
        (at(9), at(10, 30), H, "1.50"),  # exactly on the step
        (at(9, 0), at(9, 29), H, "0.00"),  # under one step
        (at(8), at(8, 55), H, "0.00"),  # all before the start
        (at(12, 5), at(13), H, "0.00"),  # all after the end
        (at(11), at(10), H, "0.00"),  # backwards
        (at(9), at(11, 50), Decimal("0.25"), "2.75"),  # a district that counts quarters
        (at(9), at(11, 44), Decimal("0.25"), "2.50"),
        (at(9), at(11, 50), Decimal("1"), "2.00"),
        (at(9), at(9, 7), Decimal("0.1"), "0.10"),
    ],
)
def test_attended_hours_are_clipped_and_rounded_down(arrive, leave, step, hours):
    assert attended_hours(arrive, leave, at(9), at(12), step) == Decimal(hours)


@pytest.mark.parametrize(
    ("arrive", "leave", "hours"),
    [
        (at(21, 40), at(2, 30, day=2), "3.00"),  # 22:00–01:00 across midnight, early and late
        (at(23, 10), at(0, 50, day=2), "1.50"),  # partial, on both days
        (at(0, 5, day=2), at(1, 0, day=2), "0.50"),  # only after midnight
    ],
)
def test_across_midnight(arrive, leave, hours):
    assert attended_hours(arrive, leave, at(22), at(1, day=2), H) == Decimal(hours)


# ---- through check-out and the ledger ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_check_out_uses_the_national_half_hour(c):
    act = activity(c)
    signed_up(act, c.member)
    signup = attend(
        c.member, act, act.starts_at + timedelta(minutes=5), act.starts_at + timedelta(minutes=140)
    )
    assert signup.hours == Decimal("2.00")  # 2 h 15 min → 2 h
    assert ServiceRecord.objects.get().hours == Decimal("2.0")


@pytest.mark.django_db
def test_a_district_counting_quarters_gets_quarters(c):
    district_policy(c, date(2020, 1, 1), hours_rounding=Decimal("0.25"))
    act = activity(c)
    signed_up(act, c.member)
    signup = attend(
        c.member, act, act.starts_at + timedelta(minutes=5), act.starts_at + timedelta(minutes=140)
    )
    assert signup.hours == Decimal("2.25")
    assert ServiceRecord.objects.get().hours == Decimal("2.25")  # the ledger keeps the quarter hour


@pytest.mark.django_db
def test_the_policy_of_the_activitys_day_decides(c):
    act = activity(c)
    district_policy(c, localdate(act.starts_at) + timedelta(days=1), hours_rounding=Decimal("0.25"))
    signed_up(act, c.member)
    signup = attend(
        c.member, act, act.starts_at + timedelta(minutes=5), act.starts_at + timedelta(minutes=140)
    )
    assert signup.hours == Decimal("2.00")


@pytest.mark.django_db
def test_an_activity_across_midnight_is_credited_whole(c):
    act = activity(c, starts_at=tomorrow(22), hours=3)
    signed_up(act, c.member)
    signup = attend(c.member, act, act.starts_at - timedelta(minutes=20), act.ends_at + timedelta(minutes=30))
    assert signup.hours == Decimal("3.00")
    record = ServiceRecord.objects.get()
    assert (record.hours, record.served_at) == (Decimal("3.0"), act.starts_at)  # not the early arrival


@pytest.mark.django_db
def test_arriving_before_midnight_does_not_move_the_service_to_the_day_before(c):
    act = activity(c, starts_at=tomorrow(0, 10), hours=1)
    day = localdate(act.starts_at)
    district_policy(c, day, points_per_hour=Decimal(20))  # the rules change on the activity's day
    signed_up(act, c.member)
    signup = attend(c.member, act, act.starts_at - timedelta(minutes=25), act.ends_at)
    assert localdate(signup.checked_in_at) == day - timedelta(days=1)
    record = ServiceRecord.objects.get()
    assert (localdate(record.served_at), record.hours) == (day, Decimal("1.0"))
    entry = PointEntry.objects.get(record=record)
    assert (entry.rate, entry.points, entry.year) == (Decimal(20), Decimal(20), day.year)


@pytest.mark.django_db
def test_zero_hours_write_no_record(c):
    act = activity(c)
    signed_up(act, c.member)
    signup = attend(
        c.member, act, act.starts_at - timedelta(minutes=25), act.starts_at + timedelta(minutes=20)
    )
    assert (signup.attendance, signup.hours) == ("attended", Decimal("0.00"))
    assert not ServiceRecord.objects.exists()
