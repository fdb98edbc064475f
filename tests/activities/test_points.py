"""Points from the district's rules: per verified hour, per confirmed need, a bonus for a rating of 4 or 5,
clipped by a yearly cap; a rule change applies from its start date and never rewrites what was counted."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.services import ForgottenCheckout, activity_close
from baodao.ledger.models import PointEntry, ServiceRecord, Source
from baodao.ledger.points import points_balance
from baodao.ledger.services import record_reverse, record_write
from baodao.needs.services import need_claim, need_complete, need_confirm, need_publish
from baodao.policy.models import Policy
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests.activities.helpers import activity, attend, district_policy, into_the_past, signed_up
from tests.needs.helpers import cast_of as needs_cast_of
from tests.needs.helpers import task, wish

pytestmark = pytest.mark.django_db


def entries(record=None, **filters):
    rows = PointEntry.objects.filter(**({"record": record} if record else {}), **filters).order_by("id")
    return [(e.rule, e.rate, e.points) for e in rows]


def served(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def credit(c, m, day: date, hours: str = "2", **kwargs):
    """A verified record written straight through the ledger's service, as done on `day`."""
    fields = {
        "source": Source.ACTIVITY,
        "member": m,
        "unit": None,
        "community": c.r("C1"),
        "path": c.r("C1").path,
        "title": "义诊",
        "category": "health",
        "hours": Decimal(hours),
        "served_at": served(day),
        "verified_by": c.admin,
    }
    fields.update(kwargs)
    return record_write(**fields)


# ---- per hour: attendance -----------------------------------------------------------------------------


def test_attended_hours_earn_the_national_rate(c):
    act = activity(c)
    signed_up(act, c.member)
    attend(c.member, act, act.starts_at, act.ends_at)
    record = ServiceRecord.objects.get()
    (entry,) = PointEntry.objects.all()
    assert (entry.rule, entry.rate, entry.points, entry.policy, entry.record, entry.member) == (
        "per_hour",
        Decimal(10),
        Decimal(30),
        None,
        record,
        c.member,
    )
    assert entry.year == timezone.localdate(record.served_at).year
    assert points_balance(c.member.pk) == Decimal(30)


def test_the_districts_rate_per_hour(c):
    policy = district_policy(c, date(2020, 1, 1), points_per_hour=Decimal("12.5"))
    record = credit(c, c.member, date(2025, 3, 1), hours="1.5")
    (entry,) = PointEntry.objects.filter(record=record)
    assert (entry.rule, entry.rate, entry.points, entry.policy) == (
        "per_hour",
        Decimal("12.5"),
        Decimal("18.75"),
        policy,
    )


# ---- per need and the rating bonus ------------------------------------------------------------------------


@pytest.fixture
def nc(w):
    return needs_cast_of(w)


def fulfil(nc, *, rating, hours="1.5"):
    need = need_publish(actor=nc.admin, need=wish(nc))
    need_claim(actor=nc.member.user, need=need)
    need_complete(actor=nc.member.user, need=need, note="换了阀芯", hours=hours)
    need_confirm(actor=nc.resident, need=need, rating=rating)
    return ServiceRecord.objects.get(need=need)


@pytest.mark.parametrize(
    ("rating", "bonus"), [(5, True), (4, True), (3, False), (1, False)], ids=["5", "4", "3", "1"]
)
def test_a_confirmed_need_earns_per_hour_per_need_and_a_bonus_for_4_or_5(nc, rating, bonus):
    record = fulfil(nc, rating=rating)
    expected = [("per_hour", Decimal(10), Decimal(15)), ("per_need", Decimal(5), Decimal(5))]
    if bonus:
        expected.append(("rating_bonus", Decimal(2), Decimal(2)))
    assert entries(record) == expected
    assert points_balance(nc.member.pk) == sum(e[2] for e in expected)


def test_the_districts_need_rules(nc):
    district_policy(
        nc, date(2020, 1, 1), points_per_hour=0, points_per_need=Decimal(8), points_rating_bonus=Decimal(3)
    )
    record = fulfil(nc, rating=5)
    assert entries(record) == [("per_need", Decimal(8), Decimal(8)), ("rating_bonus", Decimal(3), Decimal(3))]


def test_a_unit_serving_as_a_whole_earns_no_member_points(nc):
    ur = unit_registration_apply(
        actor=nc.unit_admin, unit=nc.w.units["U1"], community=nc.r("C1"), commitments="共建"
    )
    unit_registration_confirm(actor=nc.admin, unit_registration=ur)
    need = task(nc, places=1)
    need_claim(actor=nc.unit_admin, need=need, unit=nc.w.units["U1"])
    need_complete(actor=nc.unit_admin, need=need, note="来了五个人", hours="10")
    need_confirm(actor=nc.admin, need=need, rating=5)
    assert ServiceRecord.objects.get().unit == nc.w.units["U1"]
    assert not PointEntry.objects.exists()


# ---- the yearly cap ------------------------------------------------------------------------------------


def test_a_yearly_cap_clips_the_entry_that_crosses_it(c):
    policy = district_policy(c, date(2020, 1, 1), points_yearly_cap=30)
    first = credit(c, c.member, date(2025, 3, 1), hours="2")
    second = credit(c, c.member, date(2025, 4, 1), hours="2")
    third = credit(c, c.member, date(2025, 5, 1), hours="1")
    assert entries(first) == [("per_hour", Decimal(10), Decimal(20))]
    assert entries(second) == [("per_hour", Decimal(10), Decimal(10))]  # rule and rate stay, points clipped
    assert entries(third) == []
    assert PointEntry.objects.get(record=second).policy == policy
    # another member, and the same member next year, start afresh
    assert entries(credit(c, c.helper, date(2025, 5, 1), hours="1")) == [
        ("per_hour", Decimal(10), Decimal(10))
    ]
    assert entries(credit(c, c.member, date(2026, 1, 2), hours="1")) == [
        ("per_hour", Decimal(10), Decimal(10))
    ]
    assert points_balance(c.member.pk) == Decimal(40)


def test_the_cap_clips_across_rules_of_one_record(nc):
    district_policy(nc, date(2020, 1, 1), points_yearly_cap=17)
    record = fulfil(nc, rating=5)  # 15 + 5 + 2 wanted
    assert entries(record) == [("per_hour", Decimal(10), Decimal(15)), ("per_need", Decimal(5), Decimal(2))]


def test_a_reversal_frees_its_room_under_the_cap_a_deduction_does_not(c):
    district_policy(c, date(2020, 1, 1), points_yearly_cap=20)
    first = credit(c, c.member, date(2025, 3, 1), hours="2")
    assert entries(credit(c, c.member, date(2025, 3, 2), hours="1")) == []  # full
    record_reverse(actor=c.admin, record=first, reason="重复登记")
    assert entries(credit(c, c.member, date(2025, 3, 3), hours="3")) == [
        ("per_hour", Decimal(10), Decimal(20))
    ]

    act = activity(c)  # a no-show's deduction leaves a full year full
    signed_up(act, c.helper)
    act = into_the_past(act)
    day = timezone.localdate(act.starts_at)
    credit(c, c.helper, day, hours="2")
    activity_close(actor=c.admin, activity=act, forgotten_checkout=ForgottenCheckout.NO_HOURS)
    assert points_balance(c.helper.pk) == Decimal(15)
    assert entries(credit(c, c.helper, day, hours="1")) == []


# ---- rule changes over time ----------------------------------------------------------------------------


def test_a_rule_change_applies_from_its_start_date_and_never_rewrites_history(c):
    early = credit(c, c.member, date(2025, 3, 1))
    counted = list(PointEntry.objects.order_by("id").values())
    assert entries(early) == [("per_hour", Decimal(10), Decimal(20))]
    assert PointEntry.objects.get(record=early).policy is None  # the national defaults

    june = district_policy(c, date(2025, 6, 1), points_per_hour=Decimal(20))
    assert list(PointEntry.objects.order_by("id").values()) == counted  # nothing already counted changes

    day_before = credit(c, c.helper, date(2025, 5, 31))  # written now, done before the change
    from_then = credit(c, c.helper, date(2025, 6, 1), title="巡逻")
    assert (
        PointEntry.objects.get(record=day_before).rate,
        PointEntry.objects.get(record=day_before).policy,
    ) == (
        Decimal(10),
        None,
    )
    entry = PointEntry.objects.get(record=from_then)
    assert (entry.rule, entry.rate, entry.points, entry.policy) == (
        "per_hour",
        Decimal(20),
        Decimal(40),
        june,
    )

    # a later row, even one back-dated over them, leaves the counted entries alone and rules from its date on
    counted = list(PointEntry.objects.order_by("id").values())
    spring = district_policy(c, date(2025, 1, 1), points_per_hour=Decimal(15))
    assert list(PointEntry.objects.order_by("id").values()) == counted
    entry = PointEntry.objects.get(record=credit(c, c.member, date(2025, 3, 2), title="宣讲"))
    assert (entry.rate, entry.policy) == (Decimal(15), spring)
    entry = PointEntry.objects.get(record=credit(c, c.member, date(2025, 7, 1), title="宣讲"))
    assert (entry.rate, entry.policy) == (Decimal(20), june)


def test_another_districts_policy_does_not_apply(c):
    Policy.objects.create(district=c.r("D2"), effective_from=date(2020, 1, 1), points_per_hour=Decimal(99))
    assert entries(credit(c, c.member, date(2025, 3, 1))) == [("per_hour", Decimal(10), Decimal(20))]


def test_a_no_show_costs_the_rule_of_its_day(c):
    act = activity(c)
    signed_up(act, c.member)
    act = into_the_past(act, ended_ago=timedelta(days=3))
    district_policy(c, timezone.localdate(act.starts_at) + timedelta(days=1), points_no_show=Decimal(50))
    activity_close(actor=c.admin, activity=act, forgotten_checkout=ForgottenCheckout.NO_HOURS)
    assert entries(member=c.member) == [("no_show", Decimal(5), Decimal(-5))]
