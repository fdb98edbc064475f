"""The ranking a circular (通报) publishes, and who may read which circulars.

For a district or a street and a period (`baodao.lib.periods`), one row per unit of the region — a district's
are all its units, including those attached to its streets; a street's are its own:

- coverage (报到率) = members of the unit registered at the period's end ÷ members on the unit's roster. A
  member counts as registered when one of its registrations was confirmed before the period ended and had not
  ended by then. The roster keeps no history: it is today's roster (`on_roster`) less the members added to it
  after the period ended (they could not have registered in it).
- completion (服务完成率) = of those registered members, the share who met the district's minimum of service
  in the period, under the policy in force on the period's last day. Services are standing rows of the ledger
  (neither a reversal nor reversed) served in the period; hours are the period's rows summed, reversals
  included (as in `baodao.ledger.summary`). The rule, by period:
  * a quarter: at least `min_services` services in the quarter when the district counts services per quarter;
    when it counts them per year, the year so far: from the first of January to the quarter's end at least
    ceil(`min_services` × quarters gone / 4) (a member who did its two a year in February has met the rule in
    every later quarter). The yearly hours minimum is judged the same way, pro rata: by the end of the third
    quarter, three quarters of it since the first of January.
  * a year: at least `min_services` services in the year when the district counts per year, or in each of the
    year's four quarters when it counts per quarter; and, when the district sets one, at least
    `min_hours_per_year` hours in the year.
- below_threshold: coverage under the district's `coverage_threshold` in force on the period's last day.
- rank: 1 is best — coverage first, then completion (a unit with nobody registered has none and comes after
  any completion); units with equal coverage and completion share a rank and are listed by code. Units with
  nobody on the roster have no coverage: they are listed last, without a rank.

The figures come from a fixed number of grouped queries whatever the number of units, members and records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.ledger.models import ServiceRecord
from baodao.lib.numbers import hours_text
from baodao.lib.periods import Period
from baodao.members.models import Member
from baodao.org.models import Region, Unit
from baodao.policy.models import Period as PolicyPeriod
from baodao.policy.models import Policy
from baodao.policy.selectors import policy_in_force
from baodao.registration.models import Registration, Status
from baodao.registration.selectors import regions_for_coverage

from .models import Circular, CircularRow, rate

#: hours are kept to the hundredth: a sum reaches N hours when it exceeds N less half a hundredth (which
#: absorbs the rounding of a database that sums decimals as floating point)
HALF_HUNDREDTH = Decimal("0.005")


@dataclass(frozen=True)
class Minimum:
    """The minimum of service a registered member owes by the end of one period, as the circular applies it.

    Services are counted from `services_since` (the period's start, or the first of January for a quarter
    under a yearly rule: year to date) — or in each quarter of a year when `each_quarter`; hours from
    `hours_since` (always the first of January: the yearly hours minimum, pro rata by the quarters gone for a
    quarter)."""

    services: int
    each_quarter: bool
    services_since: datetime
    hours: Decimal | None
    hours_since: datetime
    #: a quarter judged on the year so far
    year_to_date: bool = False

    @property
    def trivial(self) -> bool:
        return self.services == 0 and not self.hours

    def describe(self) -> str:
        parts = []
        if self.services:
            if self.each_quarter:
                text = _("每季度至少 %(n)d 次服务")
            elif self.year_to_date:
                text = _("年初至本季度末累计至少 %(n)d 次服务")
            else:
                text = _("期内至少 %(n)d 次服务")
            parts.append(text % {"n": self.services})
        if self.hours:
            parts.append(_("年初至期末累计服务不少于 %(hours)s 小时") % {"hours": hours_text(self.hours)})
        return _("，").join(parts) if parts else _("无最低服务要求")


def minimum_for(policy: Policy, period: Period) -> Minimum:
    """The policy's minimum applied to a quarter or a year (see the module's docstring)."""
    yearly_services = policy.min_services_period == PolicyPeriod.YEAR
    year_start = Period(year=period.year).starts_at
    if period.quarter is not None:
        share = Decimal(period.quarter) / 4
        hours = None
        if policy.min_hours_per_year:
            hours = (Decimal(policy.min_hours_per_year) * share).quantize(Decimal("0.01"))
        if yearly_services:
            return Minimum(
                services=math.ceil(policy.min_services * period.quarter / 4),
                each_quarter=False,
                services_since=year_start,
                hours=hours,
                hours_since=year_start,
                year_to_date=True,
            )
        return Minimum(
            services=policy.min_services,
            each_quarter=False,
            services_since=period.starts_at,
            hours=hours,
            hours_since=year_start,
        )
    return Minimum(
        services=policy.min_services,
        each_quarter=not yearly_services,
        services_since=year_start,
        hours=Decimal(policy.min_hours_per_year) if policy.min_hours_per_year else None,
        hours_since=year_start,
    )


@dataclass(frozen=True)
class Standing:
    """One unit's line in a ranking."""

    unit_id: int
    code: str
    name: str
    members: int
    registered: int
    completed: int
    below_threshold: bool
    rank: int | None

    @property
    def coverage(self) -> float | None:
        return rate(self.registered, self.members)

    @property
    def completion(self) -> float | None:
        return rate(self.completed, self.registered)


@dataclass(frozen=True)
class Ranking:
    region: Region
    period: Period
    threshold: Decimal
    minimum: Minimum
    units: list[Standing]


def registered_at_end(period: Period) -> QuerySet[Registration]:
    """Registrations standing when the period ended: confirmed before its end and not ended by then."""
    ends_at = period.ends_at
    return Registration.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=ends_at),
        status__in=[Status.CONFIRMED, Status.ENDED],
        decided_at__lt=ends_at,
    )


def _completed_members(members: QuerySet[Member], period: Period, minimum: Minimum) -> QuerySet[Member]:
    """Those of `members` who met `minimum` in `period`: one grouped subquery over the period's ledger."""
    if minimum.trivial:
        return members
    standing = Q(reverses__isnull=True, reversed_by__isnull=True)
    since = min(minimum.services_since, minimum.hours_since)
    rows = ServiceRecord.objects.filter(
        member__in=members.values("pk"), served_at__gte=since, served_at__lt=period.ends_at
    ).values("member")
    having = Q()
    if minimum.services:
        spans = (
            [(q.starts_at, q.ends_at) for q in period.quarters()]
            if minimum.each_quarter
            else [(minimum.services_since, period.ends_at)]
        )
        counts = {
            f"services_{i}": Count("id", filter=standing & Q(served_at__gte=start, served_at__lt=end))
            for i, (start, end) in enumerate(spans)
        }
        rows = rows.annotate(**counts)
        for name in counts:
            having &= Q(**{f"{name}__gte": minimum.services})
    if minimum.hours:
        rows = rows.annotate(hours=Sum("hours", filter=Q(served_at__gte=minimum.hours_since)))
        having &= Q(hours__gt=minimum.hours - HALF_HUNDREDTH)
    return members.filter(pk__in=rows.filter(having).values("member"))


def _ranked(items: list[tuple[int, str, str, int, int, int]], threshold: Decimal) -> list[Standing]:
    def key(item: tuple[int, str, str, int, int, int]) -> tuple[Fraction, Fraction]:
        _pk, _code, _name, members, registered, completed = item
        completion = Fraction(completed, registered) if registered else Fraction(-1)
        return (-Fraction(registered, members), -completion)

    ranked = sorted((i for i in items if i[3]), key=lambda i: (key(i), i[1]))
    result: list[Standing] = []
    previous: tuple[Fraction, Fraction] | None = None
    rank = 0
    for position, item in enumerate(ranked, start=1):
        if key(item) != previous:
            rank, previous = position, key(item)
        pk, code, name, members, registered, completed = item
        below = Decimal(registered) < threshold * members
        result.append(Standing(pk, code, name, members, registered, completed, below, rank))
    for pk, code, name, _members, _registered, _completed in sorted(
        (i for i in items if not i[3]), key=lambda i: i[1]
    ):
        result.append(Standing(pk, code, name, 0, 0, 0, False, None))
    return result


def circular_ranking(region: Region, period: Period) -> Ranking:
    """The region's units ranked for the period (see the module's docstring): four queries — the policy, the
    units, the roster and registrations per unit, and the members who met the minimum per unit."""
    policy = policy_in_force(region.district_code, on=period.end)
    minimum = minimum_for(policy, period)
    units = Unit.objects.filter(region__path__startswith=region.path)
    on_roster = Member.objects.filter(unit__in=units, on_roster=True, created_at__lt=period.ends_at)
    registered = on_roster.filter(pk__in=registered_at_end(period).values("member"))
    counts = {
        unit: (members, n_registered)
        for unit, members, n_registered in on_roster.values("unit")
        .annotate(
            members=Count("pk"),
            n_registered=Count("pk", filter=Q(pk__in=registered_at_end(period).values("member"))),
        )
        .values_list("unit", "members", "n_registered")
    }
    completed = dict(
        _completed_members(registered, period, minimum)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    items = [
        (pk, code, name, *counts.get(pk, (0, 0)), completed.get(pk, 0))
        for pk, code, name in units.values_list("pk", "code", "name")
    ]
    return Ranking(
        region=region,
        period=period,
        threshold=policy.coverage_threshold,
        minimum=minimum,
        units=_ranked(items, policy.coverage_threshold),
    )


# ---- who sees what ---------------------------------------------------------------------------------------


def regions_for_circulars(user: Any) -> QuerySet[Region]:
    """Districts and streets whose units the caller may rank and publish a circular of: those it administers
    as a district or street admin (the same as for coverage)."""
    return regions_for_coverage(user)


def region_for_circular(user: Any, code: str) -> Region:
    try:
        return regions_for_circulars(user).get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该区域。")) from None


def _ancestors(path: str) -> list[str]:
    """ "D1/S1/" → ["D1/", "D1/S1/"]."""
    codes = [c for c in path.split("/") if c]
    return ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]


def circulars_visible_to(user: Any) -> QuerySet[Circular]:
    """Published circulars the caller may read: a district or street admin, those of the regions it
    administers and of the regions above them (a street admin reads its district's); a unit admin, those of
    the district and street its unit belongs to. Nobody else reads any."""
    scope = scope_for(user)
    admin_paths = scope.paths(Role.DISTRICT_ADMIN, Role.STREET_ADMIN)
    unit_paths = Unit.objects.filter(pk__in=scope.units(Role.UNIT_ADMIN)).values_list(
        "region__path", flat=True
    )
    above = {a for path in (*admin_paths, *unit_paths) for a in _ancestors(path)}
    return Circular.objects.filter(
        under("region__path", admin_paths) | Q(region__path__in=above)
    ).select_related("region", "published_by")


def circular_get_for_user(user: Any, pk: int) -> Circular:
    try:
        return circulars_visible_to(user).get(pk=pk)
    except (Circular.DoesNotExist, ValueError):
        raise Http404(_("没有找到该通报。")) from None


def circular_rows(circular: Circular) -> QuerySet[CircularRow]:
    return circular.rows.order_by("position")


def own_unit_ids(user: Any) -> frozenset[int]:
    """The units whose rows are highlighted for the caller: those it administers as a unit admin."""
    return scope_for(user).units(Role.UNIT_ADMIN)
