from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under

from .models import Level, Region, Unit


def regions_visible_to(user: Any) -> QuerySet[Region]:
    """The region directory. Names and codes of regions are public to every signed-in person (a member
    must find its community to register); what lies inside them is scoped elsewhere."""
    if not getattr(user, "is_authenticated", False):
        return Region.objects.none()
    return Region.objects.select_related("parent")


def region_get(code: str, *, level: str | None = None) -> Region:
    qs = Region.objects.select_related("parent")
    if level:
        qs = qs.filter(level=level)
    try:
        return qs.get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该区域。")) from None


def regions_administered_by(user: Any, *roles: str) -> QuerySet[Region]:
    """Regions inside the caller's admin subtrees (all region-admin roles unless named)."""
    return Region.objects.filter(under("path", scope_for(user).paths(*roles)))


def communities_administered_by(user: Any) -> QuerySet[Region]:
    return regions_administered_by(user, Role.COMMUNITY_ADMIN).filter(level=Level.COMMUNITY)


def units_visible_to(user: Any) -> QuerySet[Unit]:
    """Units of the caller's region subtrees, units it administers, its own unit, and units that
    co-build (单位报到) with its communities."""
    scope = scope_for(user)
    paths = scope.paths()
    q = under("region__path", paths) | Q(pk__in=scope.units(Role.UNIT_ADMIN, Role.MEMBER))
    if paths:
        # A subquery, not a join: a join would repeat a unit once per agreement and multiply any count
        # annotated on the result (coverage_by_unit).
        q |= Q(pk__in=_co_building_unit_ids(paths))
    return Unit.objects.filter(q).select_related("region")


def _co_building_unit_ids(paths: tuple[str, ...]) -> QuerySet[Any]:
    from baodao.registration.models import UnitRegistration

    return UnitRegistration.objects.filter(under("community__path", paths)).values("unit_id")


def unit_get_for_user(user: Any, code: str) -> Unit:
    try:
        return units_visible_to(user).get(code=code)
    except Unit.DoesNotExist:
        raise Http404(_("没有找到该单位。")) from None


def communities_in(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=region.path, level=Level.COMMUNITY)


def units_in(region: Region) -> QuerySet[Unit]:
    """Units belonging to the region or to any region under it."""
    return Unit.objects.filter(region__path__startswith=region.path)
