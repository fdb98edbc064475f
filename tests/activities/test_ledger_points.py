"""Attendance records and point entries are append-only in the database itself (SQLite and PostgreSQL
triggers); a reversed attendance record takes back exactly the points it earned, once."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum

from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.ledger.points import points_balance
from baodao.ledger.services import record_reverse
from baodao.lib.errors import Conflict, Forbidden
from tests.activities.helpers import activity, attend, district_policy, signed_up
from tests.needs.helpers import cast_of as needs_cast_of
from tests.needs.helpers import wish_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(c):
    act = activity(c)
    signed_up(act, c.member)
    attend(c.member, act, act.starts_at, act.ends_at)  # 3 h → 30 points
    return ServiceRecord.objects.get()


@pytest.mark.parametrize(
    "change",
    [
        lambda r: ServiceRecord.objects.filter(pk=r.pk).update(hours=Decimal(9)),
        lambda r: ServiceRecord.objects.filter(pk=r.pk).delete(),
        lambda r: (setattr(r, "title", "改过的"), r.save()),
    ],
    ids=["orm-update", "orm-delete", "instance-save"],
)
def test_the_database_refuses_to_change_an_attendance_record(record, change):
    with pytest.raises(DatabaseError), transaction.atomic():
        change(record)
    assert ServiceRecord.objects.get(pk=record.pk).hours == Decimal("3.0")


@pytest.mark.parametrize(
    "change",
    [
        lambda e: PointEntry.objects.filter(pk=e.pk).update(points=Decimal(999)),
        lambda e: PointEntry.objects.filter(pk=e.pk).delete(),
        lambda e: e.delete(),
        lambda e: (setattr(e, "rate", Decimal(1)), e.save()),
    ],
    ids=["orm-update", "orm-delete", "instance-delete", "instance-save"],
)
def test_the_database_refuses_to_change_a_point_entry(record, change):
    entry = PointEntry.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        change(entry)
    entry = PointEntry.objects.get()
    assert (entry.points, entry.rate) == (Decimal(30), Decimal(10))


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_pointentry SET points = 999",
        "DELETE FROM ledger_pointentry",
        "UPDATE ledger_servicerecord SET hours = 9",
        "DELETE FROM ledger_servicerecord",
    ],
)
def test_the_database_refuses_raw_sql_too(record, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert (ServiceRecord.objects.get().hours, PointEntry.objects.get().points) == (
        Decimal("3.0"),
        Decimal(30),
    )


def same_credit(record, **changes):
    """A raw create of another credit of the record's sign-up, past every service."""
    fields = {
        f: getattr(record, f)
        for f in ("source", "member", "community", "path", "activity", "signup", "title", "category")
    }
    fields.update(hours=Decimal(1), served_at=record.served_at, verified_by=record.verified_by)
    fields.update(changes)
    return ServiceRecord.objects.create(**fields)


def test_the_database_refuses_a_second_credit_of_the_same_attempt(c, record):
    with pytest.raises(IntegrityError), transaction.atomic():
        same_credit(record, attempt=record.attempt)
    record_reverse(actor=c.admin, record=record, reason="不在现场")  # a reversal shares the attempt
    with pytest.raises(IntegrityError), transaction.atomic():
        same_credit(record, attempt=0)  # reversed or not, attempt 0 was credited
    again = same_credit(record, attempt=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        same_credit(record, attempt=1)
    assert list(
        ServiceRecord.objects.filter(signup=record.signup, reverses__isnull=True)
        .order_by("attempt")
        .values_list("pk", "attempt")
    ) == [(record.pk, 0), (again.pk, 1)]


def test_reversing_an_attendance_record_takes_its_points_back(c, record):
    earned = PointEntry.objects.get(record=record)
    reversal = record_reverse(actor=c.admin, record=record, reason="不在现场")
    assert (reversal.reverses, reversal.hours, reversal.signup, reversal.activity) == (
        record,
        Decimal("-3.0"),
        record.signup,
        record.activity,
    )
    taken_back = PointEntry.objects.filter(record=reversal)
    assert {(e.rule, e.member_id, e.year, e.policy) for e in taken_back} == {
        ("reversal", c.member.pk, earned.year, None)
    }
    assert taken_back.aggregate(s=Sum("points"))["s"] == -earned.points
    assert points_balance(c.member.pk) == Decimal(0)
    assert PointEntry.objects.get(pk=earned.pk).points == Decimal(30)  # the original entry stays

    with pytest.raises(Conflict) as again:
        record_reverse(actor=c.admin, record=record, reason="再冲一次")
    assert again.value.code == "already_reversed"
    with pytest.raises(Conflict) as of_reversal:
        record_reverse(actor=c.admin, record=reversal, reason="冲销冲销")
    assert of_reversal.value.code == "illegal_transition"
    assert ServiceRecord.objects.count() == 2
    assert PointEntry.objects.count() == 1 + taken_back.count()
    assert points_balance(c.member.pk) == Decimal(0)


def test_a_reversal_takes_back_what_was_earned_not_todays_rate(c, record):
    district_policy(c, date(2020, 1, 1), points_per_hour=Decimal(50))
    record_reverse(actor=c.admin, record=record, reason="不在现场")
    assert points_balance(c.member.pk) == Decimal(0)


def test_reversing_a_need_record_takes_back_every_rule(w):
    nc = needs_cast_of(w)
    wish_in(nc, "closed")  # 1.5 h, rated 5: 15 + 5 + 2
    record = ServiceRecord.objects.get()
    assert points_balance(nc.member.pk) == Decimal(22)
    reversal = record_reverse(actor=nc.admin, record=record, reason="重复登记")
    assert PointEntry.objects.filter(record=reversal).aggregate(s=Sum("points"))["s"] == Decimal(-22)
    assert points_balance(nc.member.pk) == Decimal(0)


@pytest.mark.parametrize("who", ["other_community_admin", "street_admin", "unit_admin", "member"])
def test_only_the_records_community_reverses(c, record, who):
    with pytest.raises(Forbidden):
        record_reverse(actor=c.u(who), record=record, reason="不在现场")
    assert ServiceRecord.objects.count() == 1
    assert PointEntry.objects.count() == 1
