"""The circular's figures for crafted histories: who counts as registered at the period's end, who met the
minimum, the threshold flags, the rank order and ties — and a bounded number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.circulars.selectors import circular_ranking
from baodao.lib.periods import period_parse
from baodao.policy.models import Period, Policy
from baodao.registration.models import Registration
from baodao.registration.services import registration_apply, registration_reject
from tests import factories

from .helpers import local, member_of, registered, reversed_, served

pytestmark = pytest.mark.django_db

Q3 = period_parse("2026Q3")
YEAR = period_parse("2026")


def by_code(ranking):
    return {row.code: row for row in ranking.units}


def policy(w, **fields):
    return Policy.objects.create(district=w.r("D1"), effective_from=date(2020, 1, 1), **fields)


def test_a_member_counts_when_registered_at_the_periods_end(w):
    """U1: the world's member (never registered) and four more."""
    registered(w, member_of(w, "U1"), at=local(2026, 8, 15))  # mid-quarter: counts
    registered(w, member_of(w, "U1"), at=local(2026, 10, 1, 0, 0))  # after the end: does not
    registered(w, member_of(w, "U1"), at=local(2026, 1, 5), ended=local(2026, 9, 1))  # ended before: not
    registered(w, member_of(w, "U1"), at=local(2026, 1, 5), ended=local(2026, 10, 5))  # ended after: counts
    registration_apply(member=member_of(w, "U1"), community=w.r("C1"), address="1栋")  # pending: not
    rejected = registration_apply(member=member_of(w, "U1"), community=w.r("C1"), address="1栋")
    registration_reject(actor=w.users["community_admin"], registration=rejected, reason="不住本社区")
    Registration.objects.filter(pk=rejected.pk).update(decided_at=local(2026, 8, 1))
    u1 = by_code(circular_ranking(w.r("S1"), Q3))["U1"]
    assert (u1.members, u1.registered) == (7, 2)
    assert u1.coverage == round(2 / 7, 4)


def test_members_off_the_roster_count_nowhere(w):
    gone = member_of(w, "U1")
    registered(w, gone, at=local(2026, 8, 15))
    gone.on_roster = False
    gone.save()
    u1 = by_code(circular_ranking(w.r("S1"), Q3))["U1"]
    assert (u1.members, u1.registered) == (1, 0)


def test_completion_counts_standing_service_in_the_quarter(w):
    done, reversed_only, outside, none = (member_of(w, "U1") for _ in range(4))
    for m in (done, reversed_only, outside, none):
        registered(w, m, at=local(2026, 7, 10))
    served(w, done, local(2026, 9, 30, 23, 59))
    reversed_(w, served(w, reversed_only, local(2026, 8, 1)))
    served(w, outside, local(2026, 10, 1, 0, 0))
    served(w, outside, local(2026, 6, 30, 23, 59))
    u1 = by_code(circular_ranking(w.r("S1"), Q3))["U1"]
    assert (u1.registered, u1.completed) == (4, 1)
    assert u1.completion == 0.25


def test_service_of_members_not_registered_at_the_end_does_not_count(w):
    m = member_of(w, "U1")
    registered(w, m, at=local(2026, 7, 1), ended=local(2026, 9, 1))
    served(w, m, local(2026, 8, 1))
    u1 = by_code(circular_ranking(w.r("S1"), Q3))["U1"]
    assert (u1.registered, u1.completed, u1.completion) == (0, 0, None)


def test_a_quarterly_rule_of_two_services(w):
    policy(w, min_services=2, min_services_period=Period.QUARTER)
    one, two = member_of(w, "U1"), member_of(w, "U1")
    for m in (one, two):
        registered(w, m, at=local(2026, 7, 10))
    served(w, one, local(2026, 8, 1))
    served(w, two, local(2026, 8, 1))
    served(w, two, local(2026, 9, 1))
    assert by_code(circular_ranking(w.r("S1"), Q3))["U1"].completed == 1


def test_a_quarter_under_a_yearly_rule_is_judged_on_the_year_so_far(w):
    """≥5 services and ≥50 hours a year: by the end of the third quarter, ceil(5 × 3/4) = 4 services and
    37.5 hours since the first of January."""
    policy(w, min_services=5, min_services_period=Period.YEAR, min_hours_per_year=50)
    done, few_hours, few_services = member_of(w, "U1"), member_of(w, "U1"), member_of(w, "U1")
    for m in (done, few_hours, few_services):
        registered(w, m, at=local(2026, 1, 10))
    for month in (2, 5, 8, 9):
        served(w, done, local(2026, month, 1), "10")
        served(w, few_hours, local(2026, month, 1), "2")
    served(w, few_services, local(2026, 3, 1), "40")
    ranking = circular_ranking(w.r("S1"), Q3)
    assert by_code(ranking)["U1"].completed == 1
    assert (ranking.minimum.services, ranking.minimum.hours) == (4, Decimal("37.50"))
    assert "年初至本季度末累计至少 4 次服务" in ranking.minimum.describe()


def test_two_services_a_year_done_in_february_meet_every_later_quarter(w):
    policy(w, min_services=2, min_services_period=Period.YEAR)
    m = member_of(w, "U1")
    registered(w, m, at=local(2026, 1, 10))
    served(w, m, local(2026, 2, 3))
    served(w, m, local(2026, 2, 20))
    assert by_code(circular_ranking(w.r("S1"), Q3))["U1"].completed == 1
    assert by_code(circular_ranking(w.r("S1"), period_parse("2026Q1")))["U1"].completed == 1


def test_an_hours_only_policy_still_asks_something_of_a_quarter(w):
    """≥50 hours a year and no count: a member who did nothing has not completed the third quarter."""
    policy(w, min_services=0, min_services_period=Period.YEAR, min_hours_per_year=50)
    idle, busy = member_of(w, "U1"), member_of(w, "U1")
    for m in (idle, busy):
        registered(w, m, at=local(2026, 1, 10))
    served(w, busy, local(2026, 6, 1), "38")
    ranking = circular_ranking(w.r("S1"), Q3)
    assert by_code(ranking)["U1"].completed == 1
    assert "无最低服务要求" not in ranking.minimum.describe()


def test_members_added_to_the_roster_after_the_period_are_not_counted_in_it(w):
    early = member_of(w, "U2")
    registered(w, early, at=local(2026, 7, 5))
    member_of(w, "U2", "新党员", on_roster_since=local(2026, 10, 20))
    u2 = by_code(circular_ranking(w.r("S1"), Q3))["U2"]
    assert (u2.members, u2.registered) == (2, 1)  # the world's 王芳 and the early one


def test_a_year_under_a_yearly_rule_counts_services_and_exact_hours(w):
    policy(w, min_services=2, min_services_period=Period.YEAR, min_hours_per_year=50)
    short, enough, few = member_of(w, "U1"), member_of(w, "U1"), member_of(w, "U1")
    for m in (short, enough, few):
        registered(w, m, at=local(2026, 3, 1))
    served(w, short, local(2026, 2, 1), "30")
    served(w, short, local(2026, 11, 1), "19.99")  # 49.99 hours: not 50
    served(w, enough, local(2026, 2, 1), "30")
    served(w, enough, local(2026, 11, 1), "19.99")
    served(w, enough, local(2026, 12, 31, 23, 0), "0.01")  # 50.00
    served(w, few, local(2026, 5, 1), "60")  # one service only
    u1 = by_code(circular_ranking(w.r("S1"), YEAR))["U1"]
    assert (u1.registered, u1.completed) == (3, 1)


def test_reversed_hours_do_not_count_towards_the_hours_minimum(w):
    policy(w, min_services=0, min_hours_per_year=10)
    m = member_of(w, "U1")
    registered(w, m, at=local(2026, 3, 1))
    served(w, m, local(2026, 2, 1), "6")
    reversed_(w, served(w, m, local(2026, 4, 1), "6"))
    assert by_code(circular_ranking(w.r("S1"), YEAR))["U1"].completed == 0
    served(w, m, local(2026, 5, 1), "4")
    assert by_code(circular_ranking(w.r("S1"), YEAR))["U1"].completed == 1


def test_a_year_under_a_quarterly_rule_needs_every_quarter(w):
    every, three = member_of(w, "U1"), member_of(w, "U1")
    for m in (every, three):
        registered(w, m, at=local(2026, 1, 2))
    for month in (2, 5, 8, 11):
        served(w, every, local(2026, month, 1))
    for month in (2, 3, 5, 8):  # four services, none in the fourth quarter
        served(w, three, local(2026, month, 1))
    assert by_code(circular_ranking(w.r("S1"), YEAR))["U1"].completed == 1


def test_no_minimum_means_every_registered_member_completed(w):
    policy(w, min_services=0)
    registered(w, member_of(w, "U1"), at=local(2026, 7, 10))
    assert by_code(circular_ranking(w.r("S1"), Q3))["U1"].completed == 1


def test_the_threshold_is_the_policy_in_force_at_the_periods_end(w):
    """U1 at 8/10 = 80% (the world's member is the tenth): below the default 90%; not below a 70% threshold
    in force on 30 September; a threshold that starts later applies to later periods only."""
    for i in range(9):
        m = member_of(w, "U1", name=f"党员{i}")
        if i < 8:
            registered(w, m, at=local(2026, 7, 10))
    assert by_code(circular_ranking(w.r("S1"), Q3))["U1"].below_threshold is True
    policy(w, coverage_threshold=Decimal("0.7"))
    Policy.objects.create(
        district=w.r("D1"), effective_from=date(2026, 10, 1), coverage_threshold=Decimal("1")
    )
    ranking = circular_ranking(w.r("S1"), Q3)
    assert ranking.threshold == Decimal("0.7")
    assert by_code(ranking)["U1"].below_threshold is False
    assert by_code(circular_ranking(w.r("S1"), period_parse("2026Q4")))["U1"].below_threshold is True


def test_coverage_exactly_at_the_threshold_is_not_below(w):
    policy(w, coverage_threshold=Decimal("0.5"))
    registered(w, member_of(w, "U1"), at=local(2026, 7, 10))  # 1 of 2
    assert by_code(circular_ranking(w.r("S1"), Q3))["U1"].below_threshold is False


def test_rank_by_coverage_then_completion_ties_share_and_empty_units_come_last(w):
    """S1: U1 (1/2, none served), U2 (1/2, served), U5 and U6 (1/1, served: a tie), U7 empty, U8 at 0/1."""
    for code in ("U5", "U6", "U7", "U8"):
        w.units[code] = factories.unit(code, w.r("S1"))
    u1_m = member_of(w, "U1")
    registered(w, u1_m, at=local(2026, 7, 10))
    u2_m = member_of(w, "U2")
    registered(w, u2_m, at=local(2026, 7, 10))
    served(w, u2_m, local(2026, 8, 1))
    for code in ("U6", "U5"):
        m = member_of(w, code)
        registered(w, m, at=local(2026, 7, 10))
        served(w, m, local(2026, 8, 1))
    member_of(w, "U8")
    ranking = circular_ranking(w.r("S1"), Q3)
    assert [(r.code, r.rank) for r in ranking.units] == [
        ("U5", 1),
        ("U6", 1),
        ("U2", 3),
        ("U1", 4),
        ("U8", 5),
        ("U7", None),
    ]
    u7 = by_code(ranking)["U7"]
    assert (u7.coverage, u7.completion, u7.below_threshold) == (None, None, False)
    assert by_code(ranking)["U8"].below_threshold is True


def test_a_district_ranks_all_its_units_and_a_street_its_own(w):
    assert {r.code for r in circular_ranking(w.r("D1"), Q3).units} == {"U1", "U2", "U3"}
    assert {r.code for r in circular_ranking(w.r("S1"), Q3).units} == {"U1", "U2"}
    assert {r.code for r in circular_ranking(w.r("D2"), Q3).units} == {"U4"}


def test_the_number_of_queries_does_not_grow_with_units_members_or_records(w):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            circular_ranking(w.r("D1"), YEAR)
        return len(ctx.captured_queries)

    registered(w, w.members["member"], at=local(2026, 1, 2))
    served(w, w.members["member"], local(2026, 2, 1))
    small = count()
    for code in ("U5", "U6", "U7"):
        w.units[code] = factories.unit(code, w.r("S2"))
        for _ in range(3):
            m = member_of(w, code)
            registered(w, m, at=local(2026, 1, 2))
            for month in (2, 5, 8, 11):
                served(w, m, local(2026, month, 1))
    assert count() == small <= 5
