"""Dashboards (数据看板): a region's or a unit's figures for a period, its children's, and a monthly trend —
read from the maintained aggregates (`models`), never from the ledger.

Definitions:
- members / registered / coverage: members on record (在册) living in the region (their grid's or community's
  path, as the coverage page counts a community's members) and how many of them are registered in the
  community they live in (the coverage page counts a community's registered by the community registered in;
  registering moves a member's home there, so both agree but for a member who moved after registering);
  for a unit, its members on record and how many are registered (`unit_coverage`). Counted now, whatever the
  period: the roster and the registrations keep no history a dashboard could read quickly.
- active: members living in the region (of the unit) with at least one standing verified service in the
  period done while they held a registration (so the active are a part of the registered); counted where
  their latest such service's record kept their home and unit; active_rate = active ÷ registered.
- services, hours, rating: standing records (reversed ones cancelled) served in the region in the period (by
  the unit's members, or the unit as a whole); rating is the average of the residents' ratings.
- needs: requests of the region closed in the period, and how many of them by their `resolve_by` (a need with
  no time limit is on time).
- emergency: calls of emergencies activated in the period to members who lived in the region when called
  (the grid kept on the call; where they live now for those who lived in no grid), or to the unit's members:
  answered (either way) and arrived.
- trend: services, hours and active members per month: the period's months for a year, the twelve months
  ending with the quarter's last for a quarter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.lib.errors import Invalid
from baodao.lib.periods import Period
from baodao.members.models import Member
from baodao.mobilizations.models import Answer, Call, Mobilization
from baodao.needs.models import Claim, ClaimStatus, Need, Status
from baodao.org.models import Region, Unit, code_validator

from .models import ActiveTally, Kind, ServiceTally

#: who reads a region's dashboard: its admins (a grid worker, its grid's)
DASHBOARD_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Figures:
    code: str
    name: str
    level: str
    members: int = 0
    registered: int = 0
    active: int = 0
    services: int = 0
    hours: Decimal = Decimal(0)
    rated: int = 0
    rating_sum: int = 0
    needs_closed: int = 0
    needs_on_time: int = 0
    called: int = 0
    answered: int = 0
    arrived: int = 0

    @property
    def coverage(self) -> float | None:
        return _rate(self.registered, self.members)

    @property
    def active_rate(self) -> float | None:
        return _rate(self.active, self.registered)

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rated, 2) if self.rated else None

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.needs_on_time, self.needs_closed)

    @property
    def response_rate(self) -> float | None:
        return _rate(self.answered, self.called)

    @property
    def arrival_rate(self) -> float | None:
        return _rate(self.arrived, self.called)


@dataclass
class Month:
    start: date
    services: int = 0
    hours: Decimal = Decimal(0)
    active: int = 0

    @property
    def code(self) -> str:
        return f"{self.start:%Y-%m}"


@dataclass
class Dashboard:
    period: Period
    total: Figures
    region: Region | None = None
    unit: Unit | None = None
    children: list[Figures] = field(default_factory=list)
    trend: list[Month] = field(default_factory=list)


# ---- who sees what -------------------------------------------------------------------------------------


def dashboard_region(user: Any, code: str | None) -> Region:
    """The region named (the caller's own first one when none is): 404 outside the caller's scope."""
    scope = scope_for(user)
    if not code:
        paths = sorted(scope.paths(*DASHBOARD_ROLES), key=lambda p: (p.count("/"), p))
        if not paths:
            raise Http404(_("没有找到可以查看的区域。"))
        return Region.objects.get(path=paths[0])
    _check_code(code, "region")
    region = Region.objects.filter(code=code).first()
    if region is None or not scope.covers_region(region, *DASHBOARD_ROLES):
        raise Http404(_("没有找到该区域。"))
    return region


def has_region(user: Any) -> bool:
    return bool(scope_for(user).paths(*DASHBOARD_ROLES))


def dashboard_unit(user: Any, code: str) -> Unit:
    _check_code(code, "unit")
    unit = Unit.objects.select_related("region").filter(code=code).first()
    if unit is None or not scope_for(user).administers_unit(unit):
        raise Http404(_("没有找到该单位。"))
    return unit


def dashboard_default_unit(user: Any) -> Unit | None:
    return Unit.objects.filter(pk__in=scope_for(user).units(Role.UNIT_ADMIN)).order_by("code").first()


def _check_code(code: str, name: str) -> None:
    try:
        code_validator(code)
    except Exception:
        message = _("编码格式不正确。")
        raise Invalid(message, fields={name: [message]}) from None


# ---- the figures ---------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trend_months(period: Period) -> list[date]:
    last = period.end.replace(day=1)
    first = period.start if period.quarter is None else _add_months(last, -11)
    months = []
    while first <= last:
        months.append(first)
        first = _add_months(first, 1)
    return months


def _kind(period: Period) -> str:
    return Kind.YEAR if period.quarter is None else Kind.QUARTER


class _Buckets:
    """Rows keyed by a path, summed into the total and into the child the path lies under."""

    def __init__(self, region: Region, children: Iterable[Region]) -> None:
        self.prefix = region.path
        self.total = Figures(region.code, region.name, region.level)
        self.children = {c.path: Figures(c.code, c.name, c.level) for c in children}
        #: path → the figures it adds to (the same few thousand paths come back in every query)
        self._targets: dict[str, tuple[Figures, ...]] = {}

    def targets(self, path: str) -> tuple[Figures, ...]:
        found = self._targets.get(path)
        if found is None:
            rest = path[len(self.prefix) :] if path.startswith(self.prefix) else None
            child = self.children.get(self.prefix + rest.split("/", 1)[0] + "/") if rest else None
            found = () if rest is None else (self.total, child) if child is not None else (self.total,)
            self._targets[path] = found
        return found

    def add(self, path: str, **values: Any) -> None:
        for figures in self.targets(path):
            for name, value in values.items():
                setattr(figures, name, getattr(figures, name) + value)


def region_dashboard(region: Region, period: Period) -> Dashboard:
    """A region's figures, its children's and its trend: about eight grouped queries on the aggregates and
    on indexed rows (members, needs, calls), whatever the size of the district."""
    children = list(Region.objects.filter(parent=region).order_by("path"))
    buckets = _Buckets(region, children)
    months = trend_months(period)
    trend = {m: Month(m) for m in months}
    tallies = ServiceTally.objects.filter(unit__isnull=True, path__startswith=region.path)
    in_period = tallies.filter(month__gte=period.start, month__lte=period.end)
    for path, services, hours, rated, rating_sum in (
        in_period.values("path")
        .annotate(s=Sum("services"), h=Sum("hours"), r=Sum("rated"), rs=Sum("rating_sum"))
        .values_list("path", "s", "h", "r", "rs")
    ):
        buckets.add(path, services=services, hours=hours, rated=rated, rating_sum=rating_sum)
    for month, services, hours in (
        tallies.filter(month__gte=months[0], month__lte=months[-1])
        .values("month")
        .annotate(s=Sum("services"), h=Sum("hours"))
        .values_list("month", "s", "h")
    ):
        if month in trend:
            trend[month].services, trend[month].hours = services, hours
    active = ActiveTally.objects.filter(unit__isnull=True, path__startswith=region.path)
    for path, n in active.filter(kind=_kind(period), start=period.start).values_list("path", "members"):
        buckets.add(path, active=n)
    monthly = (
        active.filter(kind=Kind.MONTH, start__gte=months[0], start__lte=months[-1])
        .values("start")
        .annotate(n=Sum("members"))
        .values_list("start", "n")
    )
    for start, n in monthly:
        if start in trend:
            trend[start].active = n
    people = (
        Member.objects.filter(on_roster=True, residence_path__startswith=region.path)
        .values("residence_path")
        .annotate(n=Count("pk"), registered=Count("pk", filter=Q(registered_community=F("community"))))
        .values_list("residence_path", "n", "registered")
    )
    for path, n, registered in people:
        buckets.add(path, members=n, registered=registered)
    needs = (
        Need.objects.filter(
            status=Status.CLOSED,
            closed_at__gte=period.starts_at,
            closed_at__lt=period.ends_at,
            path__startswith=region.path,
        )
        .values("path")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(resolve_by__isnull=True) | Q(closed_at__lte=F("resolve_by"))),
        )
        .values_list("path", "n", "on_time")
    )
    for path, n, on_time in needs:
        buckets.add(path, needs_closed=n, needs_on_time=on_time)
    # calls counted by the grid the member lived in when called (kept on the call, so no join to the members);
    # the few calls of members who lived in no grid, by where they live now
    calls = _calls(period)
    by_grid = list(
        calls.filter(grid__path__startswith=region.path)
        .values("grid_id")
        .annotate(**_call_counts())
        .values_list("grid_id", "called", "answered", "arrived")
    )
    grid_paths = dict(Region.objects.filter(pk__in=[row[0] for row in by_grid]).values_list("pk", "path"))
    no_grid = (
        calls.filter(grid__isnull=True, member__residence_path__startswith=region.path)
        .values("member__residence_path")
        .annotate(**_call_counts())
        .values_list("member__residence_path", "called", "answered", "arrived")
    )
    for path, called, answered, arrived in [
        *((grid_paths.get(grid, ""), *counts) for grid, *counts in by_grid),
        *no_grid,
    ]:
        buckets.add(path, called=called, answered=answered, arrived=arrived)
    rows = list(buckets.children.values())
    rest = _remainder(buckets.total, rows)
    return Dashboard(
        period=period,
        total=buckets.total,
        region=region,
        children=[*rows, rest] if rest is not None else rows,
        trend=list(trend.values()),
    )


#: the figures that add up from the children to the total
ADDITIVE = (
    "members",
    "registered",
    "active",
    "services",
    "hours",
    "rated",
    "rating_sum",
    "needs_closed",
    "needs_on_time",
    "called",
    "answered",
    "arrived",
)
#: the level of the row of what lies in a region but in none of its children (no code: no drill-down)
DIRECT = "direct"


def _remainder(total: Figures, children: list[Figures]) -> Figures | None:
    """What the total holds beyond its children (members living in a community but in no grid of it,
    needs and services recorded at the community itself): a row "未划分网格/直属" of its own, so that the
    children add up to the total; None when they already do (or there are no children)."""
    if not children:
        return None
    rest = Figures("", _("未划分网格/直属"), DIRECT)
    for name in ADDITIVE:
        setattr(rest, name, getattr(total, name) - sum(getattr(c, name) for c in children))
    return rest if any(getattr(rest, name) for name in ADDITIVE) else None


def _mobilizations(period: Period) -> Any:
    """The emergencies activated in the period (a handful: the calls are then read by their index)."""
    return Mobilization.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_at
    ).values_list("pk", flat=True)


def _calls(period: Period) -> Any:
    return Call.objects.filter(mobilization_id__in=list(_mobilizations(period)))


def _call_counts() -> dict[str, Any]:
    return {
        "called": Count("pk"),
        "answered": Count("pk", filter=~Q(answer=Answer.NONE)),
        "arrived": Count("pk", filter=Q(arrived_at__isnull=False)),
    }


def unit_dashboard(unit: Unit, period: Period) -> Dashboard:
    """A unit's figures (its members wherever they serve; the needs closed with a confirmed claim of one of
    them or of the unit) and trend; no children."""
    total = Figures(unit.code, unit.name, "unit")
    months = trend_months(period)
    lo, hi = min(months[0], period.start), period.end
    trend = {m: Month(m) for m in months}
    for month, services, hours, rated, rating_sum in ServiceTally.objects.filter(
        unit=unit, month__gte=lo, month__lte=hi
    ).values_list("month", "services", "hours", "rated", "rating_sum"):
        if period.start <= month <= period.end:
            total.services += services
            total.hours += hours
            total.rated += rated
            total.rating_sum += rating_sum
        if month in trend:
            trend[month].services += services
            trend[month].hours += hours
    active = ActiveTally.objects.filter(unit=unit)
    total.active = sum(
        active.filter(kind=_kind(period), start=period.start).values_list("members", flat=True)
    )
    for start, n in active.filter(kind=Kind.MONTH, start__gte=months[0], start__lte=months[-1]).values_list(
        "start", "members"
    ):
        if start in trend:
            trend[start].active = n
    counts = Member.objects.filter(unit=unit, on_roster=True).aggregate(
        members=Count("pk"), registered=Count("pk", filter=Q(registered_community__isnull=False))
    )
    total.members, total.registered = counts["members"], counts["registered"]
    closed = Need.objects.filter(
        status=Status.CLOSED,
        closed_at__gte=period.starts_at,
        closed_at__lt=period.ends_at,
        pk__in=Claim.objects.filter(Q(member__unit=unit) | Q(unit=unit), status=ClaimStatus.CONFIRMED).values(
            "need_id"
        ),
    ).aggregate(
        n=Count("pk"),
        on_time=Count("pk", filter=Q(resolve_by__isnull=True) | Q(closed_at__lte=F("resolve_by"))),
    )
    total.needs_closed, total.needs_on_time = closed["n"], closed["on_time"]
    calls = _calls(period).filter(member__unit=unit).aggregate(**_call_counts())
    total.called, total.answered, total.arrived = calls["called"], calls["answered"], calls["arrived"]
    return Dashboard(period=period, total=total, unit=unit, trend=list(trend.values()))
