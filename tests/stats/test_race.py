"""Ledger writes at the same moment, each in its own thread and connection (SQLite and PostgreSQL): the
aggregates lose no update, count a member active once, and still equal a rebuild."""

import pytest

from baodao.stats.models import ActiveTally, Kind, MemberActivity, ServiceTally
from baodao.stats.services import stats_rebuild
from tests import factories
from tests.services.concurrency import race
from tests.stats.helpers import at, enrol, serve, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_writes_for_one_member_and_place_add_up(w):
    m = w.members["member"]
    other = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name="同网格")
    enrol(w, m, other)
    calls = [lambda: serve(w, m, at(2026, 7, 3), hours="1", rating=4) for _ in range(4)]
    calls += [lambda: serve(w, other, at(2026, 7, 4), hours="2") for _ in range(2)]
    results = race(*calls)
    assert all(not isinstance(r, BaseException) for r in results)
    row = ServiceTally.objects.get(unit__isnull=True, path=m.residence_path)
    assert (row.services, row.hours, row.rated, row.rating_sum) == (6, 8, 4, 16)
    assert MemberActivity.objects.get(member=m, kind=Kind.QUARTER).services == 4
    quarter = ActiveTally.objects.get(kind=Kind.QUARTER, unit__isnull=True, path=m.residence_path)
    assert quarter.members == 2
    maintained = snapshot()
    stats_rebuild()
    assert snapshot() == maintained


def test_two_batches_over_the_same_units_in_opposite_order_both_go_through(w):
    """Each batch writes its records in the opposite order and waits between them (so each would hold the
    first one's tally rows while asking for the other's): the batch applies its aggregates in one global
    order at the end, so neither deadlocks (PostgreSQL would abort one)."""
    import time

    from django.db import transaction

    from baodao.stats.services import stats_batch

    one = w.members["member"]
    two = factories.member(w.units["U2"], community=w.r("C2"), grid=w.r("C2G1"), name="另一单位")
    enrol(w, one, two)

    def batch(order):
        def run():
            with transaction.atomic(), stats_batch():
                for i, m in enumerate(order):
                    if i:
                        time.sleep(0.4)
                    serve(w, m, at(2026, 7, 3), hours="1", rating=4)

        return run

    results = race(batch([one, two]), batch([two, one]))
    assert all(not isinstance(r, BaseException) for r in results)
    assert ServiceTally.objects.filter(unit__isnull=True).count() == 2
    assert ActiveTally.objects.get(kind=Kind.QUARTER, unit=w.units["U2"]).members == 1
    assert MemberActivity.objects.get(member=one, kind=Kind.QUARTER).services == 2
    maintained = snapshot()
    stats_rebuild()
    assert snapshot() == maintained
