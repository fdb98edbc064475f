"""我的服务's arithmetic: hours (to the hundredth) and services this quarter and this year, reversals netted,
bounds at midnight in the site's time zone, against the district's minimum in force."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.ledger.models import Rule, Source
from baodao.ledger.services import record_reverse, record_write
from baodao.ledger.summary import point_entries_of_member, quarter_bounds, service_summary
from baodao.policy.models import Period, Policy
from tests.factories import registered

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 15)  # the second quarter: 1 April to 30 June


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def member(w):
    registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    return w.members["member"]


def served(w, member, at: datetime, hours: str, title: str = "服务"):
    return record_write(
        source=Source.NEED,
        member=member,
        unit=None,
        community=w.r("C1"),
        path=w.r("C1").path,
        title=title,
        category="elderly",
        hours=Decimal(hours),
        served_at=at,
        verified_by=w.users["community_admin"],
    )


def test_it_gives_the_calendar_quarter_of_a_day():
    assert quarter_bounds(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(date(2026, 5, 15)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter_bounds(date(2026, 9, 30)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_bounds(date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))


def test_it_counts_nothing_for_a_member_without_records(member):
    summary = service_summary(member, TODAY)
    assert (summary.quarter.hours, summary.quarter.services) == (Decimal(0), 0)
    assert (summary.year.hours, summary.year.services) == (Decimal(0), 0)
    assert (summary.quarter.start, summary.quarter.end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert (summary.year.start, summary.year.end) == (date(2026, 1, 1), date(2026, 12, 31))


def test_it_cuts_quarters_and_years_at_local_midnight(w, member):
    served(w, member, local(2025, 12, 31, 23, 59), "8")  # last year
    served(w, member, local(2026, 1, 1, 0, 0), "1")  # first quarter
    served(w, member, local(2026, 3, 31, 23, 59, 59), "2")  # first quarter, its last second
    served(w, member, local(2026, 4, 1, 0, 0), "1.5")  # second quarter, its first second
    served(w, member, local(2026, 6, 30, 23, 0), "0.5")  # second quarter
    served(w, member, local(2026, 7, 1, 0, 0), "4")  # third quarter: later this year
    summary = service_summary(member, TODAY)
    assert (summary.quarter.hours, summary.quarter.services) == (Decimal("2.0"), 2)
    assert (summary.year.hours, summary.year.services) == (Decimal("9.0"), 5)


def test_it_places_a_record_by_the_local_day_not_the_utc_one(w, member):
    served(w, member, datetime(2026, 3, 31, 16, 30, tzinfo=UTC), "3")  # 00:30 on 1 April in Shanghai
    served(w, member, datetime(2026, 3, 31, 15, 30, tzinfo=UTC), "1")  # 23:30 on 31 March in Shanghai
    summary = service_summary(member, TODAY)
    assert (summary.quarter.hours, summary.quarter.services) == (Decimal("3.0"), 1)
    assert (summary.year.hours, summary.year.services) == (Decimal("4.0"), 2)


def test_it_nets_reversals_in_the_period_of_the_service(w, member):
    kept = served(w, member, local(2026, 4, 10, 9), "2", title="陪老人就医")
    wrong = served(w, member, local(2026, 4, 12, 9), "3", title="摆拍")
    old = served(w, member, local(2026, 2, 1, 9), "1.5", title="一季度的")
    record_reverse(actor=w.users["community_admin"], record=wrong, reason="没有到场")
    record_reverse(actor=w.users["community_admin"], record=old, reason="重复记录")
    summary = service_summary(member, TODAY)
    assert (summary.quarter.hours, summary.quarter.services) == (Decimal("2.0"), 1)
    assert (summary.year.hours, summary.year.services) == (Decimal("2.0"), 1)
    assert kept.hours == Decimal("2")


def test_it_holds_the_quarter_to_the_default_minimum_of_one_service(w, member):
    assert not service_summary(member, TODAY).met
    served(w, member, local(2026, 3, 20, 9), "4")  # last quarter does not count for this one
    summary = service_summary(member, TODAY)
    assert (summary.min_services, summary.min_services_period, summary.min_hours_per_year) == (
        1,
        Period.QUARTER,
        None,
    )
    assert not summary.services_met and summary.hours_met is None and not summary.met
    served(w, member, local(2026, 5, 1, 9), "0.5")
    summary = service_summary(member, TODAY)
    assert summary.services_met and summary.met


def test_it_checks_every_part_of_the_district_policy_in_force(w, member):
    Policy.objects.create(
        district=w.r("D1"),
        effective_from=date(2026, 1, 1),
        min_services=2,
        min_services_period=Period.YEAR,
        min_hours_per_year=10,
    )
    # a stricter rule that starts after today is not in force yet
    Policy.objects.create(district=w.r("D1"), effective_from=date(2026, 6, 1), min_services=9)
    served(w, member, local(2026, 1, 5, 9), "6")
    served(w, member, local(2026, 5, 5, 9), "3.5")
    summary = service_summary(member, TODAY)
    assert summary.services_tally == summary.year
    assert (summary.min_services, summary.min_hours_per_year) == (2, 10)
    assert summary.services_met and summary.hours_met is False and not summary.met
    served(w, member, local(2026, 5, 6, 9), "0.5")
    summary = service_summary(member, TODAY)
    assert summary.year.hours == Decimal("10.0") and summary.hours_met and summary.met


def test_it_keeps_hours_to_the_hundredth_as_the_ledger_does(w, member):
    served(w, member, local(2026, 4, 10, 9), "1.25")
    served(w, member, local(2026, 4, 11, 9), "0.5")
    served(w, member, local(2026, 2, 11, 9), "0.05")
    summary = service_summary(member, TODAY)
    assert str(summary.quarter.hours) == "1.75"  # not 1.8
    assert str(summary.year.hours) == "1.80"


def test_it_judges_the_yearly_hours_minimum_on_the_exact_hours(w, member):
    Policy.objects.create(
        district=w.r("D1"), effective_from=date(2026, 1, 1), min_services=0, min_hours_per_year=50
    )
    served(w, member, local(2026, 2, 5, 9), "49.99")  # would read 50.0 in tenths
    summary = service_summary(member, TODAY)
    assert summary.year.hours == Decimal("49.99") and summary.hours_met is False and not summary.met
    served(w, member, local(2026, 2, 6, 9), "0.01")
    summary = service_summary(member, TODAY)
    assert summary.year.hours == Decimal(50) and summary.hours_met and summary.met


def test_it_counts_hours_only_when_the_district_asks_for_no_services(w, member):
    Policy.objects.create(
        district=w.r("D1"), effective_from=date(2026, 1, 1), min_services=0, min_hours_per_year=50
    )
    served(w, member, local(2026, 2, 5, 9), "50")
    summary = service_summary(member, TODAY)
    assert summary.quarter.services == 0 and summary.services_met and summary.met


def test_it_uses_the_policy_of_the_district_the_member_is_registered_in(w):
    other = w.members["other_member"]  # lives in C2 (D1)
    far = w.r("C4")  # in D2
    Policy.objects.create(district=w.r("D2"), effective_from=date(2026, 1, 1), min_services=3)
    registered(other, far, w.r("C4G1"), by=w.users["far_community_admin"])
    assert service_summary(other, TODAY).min_services == 3


def test_it_lists_points_newest_first_with_their_sources(w, member):
    first = served(w, member, local(2026, 4, 10, 9), "2")  # 2 h × 10 + 5 for the need
    second = served(w, member, local(2026, 4, 11, 9), "1")  # 1 h × 10 + 5
    reversal = record_reverse(actor=w.users["community_admin"], record=first, reason="核实有误")
    entries = list(point_entries_of_member(member.pk))
    assert (entries[0].record, entries[0].rule, entries[0].points) == (reversal, Rule.REVERSAL, Decimal(-25))
    assert {(e.record_id, e.rule) for e in entries[1:]} == {
        (first.pk, Rule.PER_HOUR),
        (first.pk, Rule.PER_NEED),
        (second.pk, Rule.PER_HOUR),
        (second.pk, Rule.PER_NEED),
    }
    assert sum(e.points for e in entries) == Decimal(15)
