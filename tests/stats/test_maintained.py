"""The aggregates written with the ledger (services, hours, ratings, active members), their reversal, and the
rebuild: after any sequence of writes and reversals, the maintained tables equal a rebuild from the ledger."""

import io
import random
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from baodao.stats.models import ActiveTally, Kind, MemberActivity, ServiceTally
from baodao.stats.services import stats_rebuild
from tests import factories
from tests.stats.helpers import at, enrol, reverse, serve, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registered(w):
    enrol(w, w.members["member"], w.members["other_member"])


def active(kind, start, path=None, unit=None):
    rows = ActiveTally.objects.filter(kind=kind, start=start)
    rows = rows.filter(unit=unit) if unit is not None else rows.filter(unit__isnull=True, path=path)
    return sum(rows.values_list("members", flat=True))


def test_a_write_counts_the_service_in_its_month_place_and_unit(w):
    m = w.members["member"]
    serve(w, m, at(2026, 7, 31, 23), hours="1.5", rating=4)  # 23:00 in Shanghai: still July
    region_row = ServiceTally.objects.get(unit__isnull=True)
    assert (region_row.month, region_row.path) == (date(2026, 7, 1), w.r("C1G1").path)
    assert (region_row.services, region_row.hours, region_row.rated, region_row.rating_sum) == (
        1,
        Decimal("1.5"),
        1,
        4,
    )
    unit_row = ServiceTally.objects.get(unit__isnull=False)
    assert (unit_row.unit_id, unit_row.path, unit_row.services) == (w.units["U1"].pk, "", 1)
    assert set(MemberActivity.objects.values_list("kind", "start", "services")) == {
        (Kind.MONTH, date(2026, 7, 1), 1),
        (Kind.QUARTER, date(2026, 7, 1), 1),
        (Kind.YEAR, date(2026, 1, 1), 1),
    }
    assert active(Kind.QUARTER, date(2026, 7, 1), path=w.r("C1G1").path) == 1
    assert active(Kind.QUARTER, date(2026, 7, 1), unit=w.units["U1"]) == 1


def test_a_second_service_in_the_period_does_not_count_the_member_twice(w):
    m = w.members["member"]
    serve(w, m, at(2026, 7, 2))
    serve(w, m, at(2026, 8, 2))
    assert active(Kind.QUARTER, date(2026, 7, 1), path=m.residence_path) == 1
    assert active(Kind.MONTH, date(2026, 7, 1), path=m.residence_path) == 1
    assert active(Kind.MONTH, date(2026, 8, 1), path=m.residence_path) == 1
    assert MemberActivity.objects.get(kind=Kind.QUARTER).services == 2


def test_a_reversal_takes_back_the_service_hours_rating_and_activity(w):
    m = w.members["member"]
    kept = serve(w, m, at(2026, 7, 2), hours="2", rating=5)
    wrong = serve(w, m, at(2026, 8, 2), hours="3", rating=1)
    reverse(w, wrong)
    q3 = ServiceTally.objects.filter(unit__isnull=True)
    assert sum(q3.values_list("services", flat=True)) == 1
    assert sum(q3.values_list("hours", flat=True)) == Decimal("2")
    assert sum(q3.values_list("rated", flat=True)) == 1
    assert sum(q3.values_list("rating_sum", flat=True)) == 5
    # still active in the quarter (July stands), no longer in August
    assert active(Kind.QUARTER, date(2026, 7, 1), path=m.residence_path) == 1
    assert active(Kind.MONTH, date(2026, 8, 1), path=m.residence_path) == 0
    assert active(Kind.MONTH, date(2026, 8, 1), unit=w.units["U1"]) == 0
    reverse(w, kept)
    assert active(Kind.QUARTER, date(2026, 7, 1), path=m.residence_path) == 0
    assert active(Kind.YEAR, date(2026, 1, 1), unit=w.units["U1"]) == 0


def test_a_unit_serving_as_a_whole_counts_services_but_no_member(w):
    serve(w, None, at(2026, 7, 2), unit=w.units["U2"], hours="4")
    assert ServiceTally.objects.get(unit=w.units["U2"]).services == 1
    assert not MemberActivity.objects.exists()
    assert not ActiveTally.objects.exists()


def test_after_random_writes_and_reversals_the_tables_equal_a_rebuild(w):
    rng = random.Random(7)
    people = [w.members["member"], w.members["other_member"]]
    people += [
        factories.member(w.units[u], community=w.r(g[:2]), grid=w.r(g), name=f"党员{i}")
        for i, (u, g) in enumerate([("U1", "C1G2"), ("U3", "C3G1"), ("U4", "C4G1"), ("U2", "C1G1")])
    ]
    people.append(factories.member(w.units["U3"], name="无住址"))  # counted at its unit's region
    enrol(w, *people[2:5])
    enrol(w, people[6], since=at(2025, 7, 1))  # its service before counts for nothing but the tallies
    records = []
    for step in range(60):
        if step == 30:  # two members move: what was written stays where it was counted
            move(people[2], w.units["U2"], w.r("C2G1"))
            move(people[0], w.units["U3"], w.r("C3G1"))
        m = rng.choice([*people, None])
        when = at(rng.choice([2025, 2026]), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
        rating = rng.choice([None, 3, 4, 5])
        hours = str(rng.choice([1, 1.5, 2, 3]))
        unit = w.units["U1"] if m is None else None
        records.append(
            serve(
                w,
                m,
                when,
                hours=hours,
                rating=rating,
                unit=unit,
                path=w.r("C3G1").path if m is None else None,
            )
        )
        if records and rng.random() < 0.3:
            victim = records.pop(rng.randrange(len(records)))
            reverse(w, victim)
    maintained = snapshot()
    assert maintained["active"]
    rows = stats_rebuild()
    assert snapshot() == maintained
    assert rows == sum(len(v) for v in snapshot().values())
    call_command("stats_rebuild", stdout=io.StringIO())  # idempotent
    assert snapshot() == maintained


def move(m, unit, grid):
    type(m).objects.filter(pk=m.pk).update(
        unit=unit, community=grid.parent, grid=grid, residence_path=grid.path
    )
    m.refresh_from_db()


def test_a_member_who_moves_keeps_its_past_where_it_was_counted(w):
    m = w.members["member"]
    first = serve(w, m, at(2026, 7, 3), hours="2")
    move(m, w.units["U2"], w.r("C2G1"))
    serve(w, m, at(2026, 7, 10), hours="1")
    reverse(w, first)
    assert not ServiceTally.objects.filter(services__lt=0).exists()
    assert not ActiveTally.objects.filter(members__lt=0).exists()
    assert active(Kind.QUARTER, date(2026, 7, 1), unit=w.units["U1"]) == 0
    assert active(Kind.QUARTER, date(2026, 7, 1), unit=w.units["U2"]) == 1
    assert active(Kind.QUARTER, date(2026, 7, 1), path=w.r("C2G1").path) == 1
    maintained = snapshot()
    stats_rebuild()
    assert snapshot() == maintained


def test_a_reversal_of_a_service_counted_nowhere_makes_no_negative_row(w):
    m = w.members["member"]
    record = serve(w, m, at(2026, 7, 3), hours="2")
    ServiceTally.objects.all().delete()  # as if written before the aggregates existed
    MemberActivity.objects.all().delete()
    ActiveTally.objects.all().delete()
    reverse(w, record)
    assert not MemberActivity.objects.exists()
    assert not ActiveTally.objects.exclude(members=0).exists()
    assert ServiceTally.objects.filter(unit__isnull=True).get().services == -1


def test_a_lost_row_is_an_error_not_a_silent_drop(w, monkeypatch):
    from django.db import IntegrityError
    from django.db.models import QuerySet

    from baodao.stats.services import AggregateLost, _upsert

    monkeypatch.setattr(QuerySet, "create", lambda self, **kw: (_ for _ in ()).throw(IntegrityError()))
    with pytest.raises(AggregateLost):
        _upsert(ServiceTally, {"month": date(2026, 7, 1), "path": "x/", "unit_id": None}, {"services": 1})


def test_only_the_service_of_registered_members_makes_them_active(w):
    late = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name="后报到")
    never = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name="未报到")
    enrol(w, late, since=at(2026, 7, 15))
    serve(w, late, at(2026, 7, 3))
    serve(w, never, at(2026, 7, 4))
    assert active(Kind.QUARTER, date(2026, 7, 1), unit=w.units["U1"]) == 0
    assert ServiceTally.objects.get(unit=w.units["U1"]).services == 2
    serve(w, late, at(2026, 7, 20))
    assert active(Kind.QUARTER, date(2026, 7, 1), unit=w.units["U1"]) == 1
    maintained = snapshot()
    stats_rebuild()
    assert snapshot() == maintained
