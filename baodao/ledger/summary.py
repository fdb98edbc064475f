"""A member's verified service against its district's minimum (我的服务), and its points history.

Hours are the sum of the ledger's rows, reversals included: a reversing row carries the negated hours and the
date of the service it cancels, so a reversed service nets to nothing in the period it was done. A service
counts once and only while it stands (neither a reversal nor reversed). Hours are kept to the hundredth, as
the ledger keeps them and as certificates print them: 我的服务 shows what a certificate for the same period
would certify. Quarters and years are calendar ones, bounded at midnight in the site's time zone.

The policy's minimum has two parts, each checked on its own: at least `min_services` services per quarter or
per year, and — when the district sets it — at least `min_hours_per_year` hours in the year. A member meets
the minimum when it meets every part the district sets (a district that counts only hours sets
`min_services` to 0). The hours minimum is judged on the exact hours: 49.99 hours do not meet 50.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from baodao.members.models import Member
from baodao.needs.selectors import local_midnight
from baodao.policy.models import Period
from baodao.policy.selectors import policy_in_force

from .models import PointEntry, ServiceRecord


@dataclass(frozen=True)
class Tally:
    """Verified service in a period: `start` to `end`, both days included."""

    start: date
    end: date
    hours: Decimal
    services: int


@dataclass(frozen=True)
class ServiceSummary:
    quarter: Tally
    year: Tally
    min_services: int
    #: `Period.QUARTER` or `Period.YEAR`: where `min_services` is counted
    min_services_period: str
    #: None: the district sets no hours minimum
    min_hours_per_year: int | None

    @property
    def services_tally(self) -> Tally:
        """The period the services minimum is counted in."""
        return self.quarter if self.min_services_period == Period.QUARTER else self.year

    @property
    def services_met(self) -> bool:
        return self.services_tally.services >= self.min_services

    @property
    def hours_met(self) -> bool | None:
        """None when the district sets no hours minimum."""
        if self.min_hours_per_year is None:
            return None
        return self.year.hours >= self.min_hours_per_year

    @property
    def met(self) -> bool:
        return self.services_met and self.hours_met is not False


def quarter_bounds(day: date) -> tuple[date, date]:
    """The first and the last day of the calendar quarter holding `day`."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    following = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, date.fromordinal(following.toordinal() - 1)


def _next_midnight(day: date) -> datetime:
    return local_midnight(date.fromordinal(day.toordinal() + 1))


def _district_code(member: Member) -> str:
    """The district whose policy the member answers to: where it is registered, else where it lives, else its
    unit's."""
    region = member.registered_community or member.community or member.unit.region
    return region.district_code


def _hundredths(hours: Decimal | None) -> Decimal:
    """Hours as the ledger keeps them (to the hundredth), whatever the database's sum looks like."""
    return (hours or Decimal(0)).quantize(Decimal("0.01"))


def service_summary(member: Member, today: date) -> ServiceSummary:
    """The member's verified hours and services this quarter and this calendar year (up to the end of each,
    `today` naming which), with the district's minimum in force on `today`. One query for the ledger, one for
    the policy."""
    q_start, q_end = quarter_bounds(today)
    y_start, y_end = date(today.year, 1, 1), date(today.year, 12, 31)
    in_quarter = Q(served_at__gte=local_midnight(q_start), served_at__lt=_next_midnight(q_end))
    standing = Q(reverses__isnull=True, reversed_by__isnull=True)
    totals = ServiceRecord.objects.filter(
        member=member, served_at__gte=local_midnight(y_start), served_at__lt=_next_midnight(y_end)
    ).aggregate(
        year_hours=Sum("hours"),
        year_services=Count("id", filter=standing),
        quarter_hours=Sum("hours", filter=in_quarter),
        quarter_services=Count("id", filter=standing & in_quarter),
    )
    policy = policy_in_force(_district_code(member), on=today)
    return ServiceSummary(
        quarter=Tally(q_start, q_end, _hundredths(totals["quarter_hours"]), totals["quarter_services"]),
        year=Tally(y_start, y_end, _hundredths(totals["year_hours"]), totals["year_services"]),
        min_services=policy.min_services,
        min_services_period=policy.min_services_period,
        min_hours_per_year=policy.min_hours_per_year,
    )


def point_entries_of_member(member_id: int) -> QuerySet[PointEntry]:
    """The member's points, newest first, with what each came from (a service record — of a need or an
    activity — or, for a no-show, the sign-up)."""
    return (
        PointEntry.objects.filter(member_id=member_id)
        .select_related("record__need", "record__activity", "signup__activity")
        .order_by("-created_at", "-id")
    )
