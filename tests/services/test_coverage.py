from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.members.models import Member
from baodao.org.models import Unit
from baodao.org.selectors import units_visible_to
from baodao.policy.models import DEFAULT_COVERAGE_THRESHOLD, Policy
from baodao.policy.selectors import coverage_thresholds
from baodao.registration.selectors import (
    Coverage,
    coverage_by_community,
    coverage_by_unit,
    coverage_total,
    regions_for_coverage,
    unit_coverage,
)
from baodao.registration.services import (
    registration_apply,
    registration_end,
    unit_registration_apply,
    unit_registration_reject,
)
from tests import factories


def _staff(w, unit_code, n, *, registered, community="C1"):
    """`n` members of the unit living in the community, the first `registered` of them registered there."""
    people = [factories.member(w.units[unit_code], community=w.r(community)) for _ in range(n)]
    admin = w.users["community_admin"] if community == "C1" else w.users["other_community_admin"]
    for m in people[:registered]:
        factories.registered(m, w.r(community), by=admin)
    return people


def test_it_counts_registered_members_of_a_unit(w):
    _staff(w, "U1", 3, registered=2)  # with the world's own member of U1, not registered: 2 of 4
    cov = unit_coverage(w.units["U1"])
    assert (cov.code, cov.members, cov.registered, cov.unregistered) == ("U1", 4, 2, 2)
    assert cov.rate == 0.5
    assert cov.threshold == DEFAULT_COVERAGE_THRESHOLD
    assert cov.below_threshold


def test_it_has_no_rate_for_an_empty_unit(w):
    cov = unit_coverage(w.units["U3"])
    assert (cov.members, cov.registered, cov.rate, cov.below_threshold) == (0, 0, None, False)


@pytest.mark.parametrize(("registered", "below"), [(9, False), (8, True), (10, False)])
def test_exactly_the_threshold_is_not_below_it(w, registered, below):
    Member.objects.filter(unit=w.units["U1"]).update(on_roster=False)  # the world's member does not count
    _staff(w, "U1", 10, registered=registered)
    cov = unit_coverage(w.units["U1"])
    assert (cov.members, cov.registered) == (10, registered)
    assert cov.below_threshold is below


def test_the_boundary_holds_for_thresholds_that_are_not_round_in_binary():
    # 0.95 of 20 is exactly 19: no float rounding may push 19/20 under the line.
    assert not Coverage(
        code="x", name="x", members=20, registered=19, threshold=Decimal("0.950")
    ).below_threshold
    assert Coverage(code="x", name="x", members=20, registered=18, threshold=Decimal("0.950")).below_threshold
    assert not Coverage(
        code="x", name="x", members=3, registered=3, threshold=Decimal("1.000")
    ).below_threshold


def test_members_off_the_roster_do_not_count(w):
    people = _staff(w, "U1", 4, registered=2)
    Member.objects.filter(pk__in=[people[0].pk, people[3].pk]).update(on_roster=False)
    cov = unit_coverage(w.units["U1"])
    # Left on the roster: the world's member (not registered), people[1] (registered), people[2] (not).
    assert (cov.members, cov.registered) == (3, 1)
    by_community = {c.code: c for c in coverage_by_community(w.r("S1"))}
    assert (by_community["C1"].members, by_community["C1"].registered) == (3, 1)


def test_an_ended_registration_no_longer_counts(w):
    (m,) = _staff(w, "U3", 1, registered=1)
    assert unit_coverage(w.units["U3"]).registered == 1
    reg = m.registrations.get()
    registration_end(actor=m.user, registration=reg, reason="退休")
    assert unit_coverage(w.units["U3"]).registered == 0


def test_a_pending_application_does_not_count(w):
    (m,) = _staff(w, "U3", 1, registered=0)
    registration_apply(member=m, community=w.r("C1"))
    assert unit_coverage(w.units["U3"]).registered == 0


# ---- policy -----------------------------------------------------------------------------------------------


def test_each_district_has_its_own_threshold(w):
    today = timezone.localdate()
    Policy.objects.create(
        district=w.r("D1"), effective_from=today - timedelta(days=30), coverage_threshold="0.950"
    )
    assert coverage_thresholds({"D1", "D2"}) == {"D1": Decimal("0.950"), "D2": DEFAULT_COVERAGE_THRESHOLD}
    assert unit_coverage(w.units["U1"]).threshold == Decimal("0.950")
    assert unit_coverage(w.units["U4"]).threshold == DEFAULT_COVERAGE_THRESHOLD


def test_the_newest_policy_in_force_applies_and_a_future_one_waits(w):
    today = timezone.localdate()
    Policy.objects.create(
        district=w.r("D1"), effective_from=today - timedelta(days=400), coverage_threshold="0.800"
    )
    Policy.objects.create(district=w.r("D1"), effective_from=today, coverage_threshold="0.950")
    Policy.objects.create(
        district=w.r("D1"), effective_from=today + timedelta(days=1), coverage_threshold="0.500"
    )
    assert coverage_thresholds({"D1"}) == {"D1": Decimal("0.950")}
    assert coverage_thresholds({"D1"}, on=today - timedelta(days=1)) == {"D1": Decimal("0.800")}
    assert coverage_thresholds({"D1"}, on=today - timedelta(days=401)) == {"D1": DEFAULT_COVERAGE_THRESHOLD}
    assert coverage_thresholds({"D1"}, on=today + timedelta(days=1)) == {"D1": Decimal("0.500")}


def test_a_stricter_policy_puts_a_unit_below_the_line(w):
    Member.objects.filter(unit=w.units["U1"]).update(on_roster=False)
    _staff(w, "U1", 10, registered=9)
    assert not unit_coverage(w.units["U1"]).below_threshold
    Policy.objects.create(district=w.r("D1"), effective_from=timezone.localdate(), coverage_threshold="0.950")
    assert unit_coverage(w.units["U1"]).below_threshold


# ---- roll-ups ---------------------------------------------------------------------------------------------


@pytest.fixture
def rollup(w):
    """U1: 1 of 4 registered (25%); U2: 2 of 3 (67%); U3: 1 of 1 (100%); U4 (other district): none."""
    _staff(w, "U1", 3, registered=1)  # + the world's member of U1, unregistered
    _staff(w, "U2", 2, registered=2, community="C2")  # + the world's other member of U2, unregistered
    _staff(w, "U3", 1, registered=1)
    return w


def _table(rows):
    return [(r.code, r.members, r.registered) for r in rows]


def test_it_ranks_units_worst_first(rollup):
    rows = coverage_by_unit(Unit.objects.all())
    assert _table(rows) == [("U1", 4, 1), ("U2", 3, 2), ("U3", 1, 1), ("U4", 0, 0)]
    assert rows[-1].rate is None
    assert [r.below_threshold for r in rows] == [True, True, False, False]


def test_it_counts_each_member_once_whatever_units_visible_to_joins(rollup):
    """units_visible_to() reaches co-building units through their unit registrations; a unit with several of
    them must not have its members counted several times."""
    w = rollup
    for code in ("C1", "C2"):
        ur = unit_registration_apply(
            actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r(code), commitments="共建"
        )
    unit_registration_reject(actor=w.users["other_community_admin"], unit_registration=ur, reason="重复")
    unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C2"), commitments="共建"
    )
    rows = coverage_by_unit(units_visible_to(w.users["street_admin"]))
    assert _table(rows) == [("U1", 4, 1), ("U2", 3, 2)]
    rows = coverage_by_unit(units_visible_to(w.users["community_admin"]))
    assert _table(rows) == [("U1", 4, 1)]


def test_it_ranks_communities_worst_first(rollup):
    w = rollup
    # C1: the world's member, 3 of U1 and 1 of U3 live there; 2 registered. C2: 3 live there, 2 registered.
    rows = coverage_by_community(w.r("S1"))
    assert _table(rows) == [("C1", 5, 2), ("C2", 3, 2)]
    district = coverage_by_community(w.r("D1"))
    assert _table(district) == [("C1", 5, 2), ("C2", 3, 2), ("C3", 0, 0)]
    assert district[-1].rate is None
    assert _table(coverage_by_community(w.r("D2"))) == [("C4", 0, 0)]


def test_it_breaks_ties_by_size_then_code(w):
    Member.objects.update(on_roster=False)  # start from empty rosters
    _staff(w, "U3", 2, registered=1)  # 50% of 2
    _staff(w, "U1", 4, registered=2)  # 50% of 4: the bigger gap comes first
    _staff(w, "U2", 2, registered=1, community="C2")  # 50% of 2 as U3: ordered by code
    rows = coverage_by_unit(Unit.objects.filter(code__in=["U1", "U2", "U3"]))
    assert _table(rows) == [("U1", 4, 2), ("U2", 2, 1), ("U3", 2, 1)]


def test_it_sums_rows_into_a_total(rollup):
    rows = coverage_by_unit(Unit.objects.filter(region__path__startswith="D1/"))
    total = coverage_total(rows, code="D1", name="东湖区", threshold=Decimal("0.900"))
    assert (total.members, total.registered, total.rate, total.below_threshold) == (8, 4, 0.5, True)


def test_it_lists_the_regions_each_admin_may_read_coverage_for(w):
    def codes(persona):
        return {r.code for r in regions_for_coverage(w.users[persona])}

    assert codes("district_admin") == {"D1", "S1", "S2"}
    assert codes("street_admin") == {"S1"}
    assert codes("community_admin") == set()
    assert codes("unit_admin") == set()
