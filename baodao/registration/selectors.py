from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.members.models import Member
from baodao.org.models import Level, Region, Unit
from baodao.policy.selectors import coverage_thresholds

from .models import Registration, Status, UnitRegistration


def registrations_visible_to(user: Any) -> QuerySet[Registration]:
    """Registrations into the caller's region subtrees, those of its units' members (the units it
    administers, and for a district or street the units in it, as in `members_visible_to`), and its own."""
    scope = scope_for(user)
    paths = scope.paths()
    q = (
        under("community__path", paths)
        | under("grid__path", paths)
        | under("member__unit__region__path", scope.paths(Role.DISTRICT_ADMIN, Role.STREET_ADMIN))
        | Q(member__unit_id__in=scope.units(Role.UNIT_ADMIN))
    )
    if scope.member_id:
        q |= Q(member_id=scope.member_id)
    return Registration.objects.filter(q).select_related(
        "member__user", "member__unit", "community", "grid", "decided_by"
    )


def registration_get_for_user(user: Any, pk: int) -> Registration:
    try:
        return registrations_visible_to(user).get(pk=pk)
    except (Registration.DoesNotExist, ValueError):
        raise Http404(gettext("没有找到该报到记录。")) from None


def unit_registrations_visible_to(user: Any) -> QuerySet[UnitRegistration]:
    scope = scope_for(user)
    q = (
        under("community__path", scope.paths())
        | under("unit__region__path", scope.paths(Role.DISTRICT_ADMIN, Role.STREET_ADMIN))
        | Q(unit_id__in=scope.units(Role.UNIT_ADMIN))
    )
    return UnitRegistration.objects.filter(q).select_related("unit", "community", "applied_by")


def unit_registration_get_for_user(user: Any, pk: int) -> UnitRegistration:
    try:
        return unit_registrations_visible_to(user).get(pk=pk)
    except (UnitRegistration.DoesNotExist, ValueError):
        raise Http404(gettext("没有找到该单位报到记录。")) from None


#: A member's 报到 status as units see it: registered (confirmed), applied (pending), or neither.
MEMBER_STATUSES = {"registered": _("已报到"), "pending": _("待确认"), "unregistered": _("未报到")}


def members_with_status(qs: QuerySet[Member], *, status: str | None = None) -> QuerySet[Member]:
    """Annotate `pending` (has a pending application) and keep only members in `status` when given
    (a key of MEMBER_STATUSES). A member never holds a confirmed and a pending registration at once."""
    qs = qs.annotate(
        pending=Exists(Registration.objects.filter(member=OuterRef("pk"), status=Status.PENDING))
    )
    if status == "registered":
        qs = qs.filter(registered_community__isnull=False)
    elif status == "pending":
        qs = qs.filter(pending=True)
    elif status == "unregistered":
        qs = qs.filter(registered_community__isnull=True, pending=False)
    return qs


# ---- 报到率 --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """报到率 of one unit or one community: registered ÷ members on record, against the threshold."""

    code: str
    name: str
    members: int
    registered: int
    threshold: Decimal

    @property
    def rate(self) -> float | None:
        return round(self.registered / self.members, 4) if self.members else None

    @property
    def below_threshold(self) -> bool:
        return self.members > 0 and Decimal(self.registered) < self.threshold * self.members

    @property
    def unregistered(self) -> int:
        return self.members - self.registered


def _district_code(path: str) -> str:
    return path.split("/", 1)[0]


def _rows(items: list[tuple[str, str, str, int, int]]) -> list[Coverage]:
    thresholds = coverage_thresholds({_district_code(path) for _, _, path, _, _ in items})
    return [
        Coverage(
            code=code,
            name=name,
            members=members,
            registered=registered,
            threshold=thresholds[_district_code(path)],
        )
        for code, name, path, members, registered in items
    ]


def _worst_first(rows: list[Coverage]) -> list[Coverage]:
    return sorted(
        rows, key=lambda c: (c.rate is None, c.rate if c.rate is not None else 0, -c.members, c.code)
    )


def unit_coverage(unit: Unit) -> Coverage:
    counts = Member.objects.filter(unit=unit, on_roster=True).aggregate(
        members=Count("pk"), registered=Count("pk", filter=Q(registered_community__isnull=False))
    )
    return _rows([(unit.code, unit.name, unit.region.path, counts["members"], counts["registered"])])[0]


def coverage_by_unit(units: QuerySet[Unit]) -> list[Coverage]:
    """One row per unit, worst rate first: a single grouped query, whatever the number of units."""
    rows = units.annotate(
        n_members=Count("members", filter=Q(members__on_roster=True)),
        n_registered=Count(
            "members", filter=Q(members__on_roster=True, members__registered_community__isnull=False)
        ),
    ).values_list("code", "name", "region__path", "n_members", "n_registered")
    return _worst_first(_rows(list(rows)))


def coverage_by_community(region: Region) -> list[Coverage]:
    """One row per community under `region`: members on record living there, and how many of them are
    registered there. Two grouped queries (joining both counts in one would multiply the rows)."""
    communities = list(
        Region.objects.filter(path__startswith=region.path, level=Level.COMMUNITY).values_list(
            "pk", "code", "name", "path"
        )
    )
    on_roster = Member.objects.filter(on_roster=True)
    living = dict(
        on_roster.filter(community__path__startswith=region.path)
        .values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    registered = dict(
        on_roster.filter(registered_community__path__startswith=region.path)
        .values("registered_community")
        .annotate(n=Count("pk"))
        .values_list("registered_community", "n")
    )
    return _worst_first(
        _rows(
            [
                (code, name, path, living.get(pk, 0), registered.get(pk, 0))
                for pk, code, name, path in communities
            ]
        )
    )


def coverage_total(rows: list[Coverage], *, code: str, name: str, threshold: Decimal) -> Coverage:
    return Coverage(
        code=code,
        name=name,
        members=sum(r.members for r in rows),
        registered=sum(r.registered for r in rows),
        threshold=threshold,
    )


def regions_for_coverage(user: Any) -> QuerySet[Region]:
    """Streets and districts whose coverage the caller may read."""
    return Region.objects.filter(
        under("path", scope_for(user).paths(Role.DISTRICT_ADMIN, Role.STREET_ADMIN)),
        level__in=[Level.DISTRICT, Level.STREET],
    )
