from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under

from .models import Member


def members_visible_to(user: Any) -> QuerySet[Member]:
    """Members living in, registered in, or working for a unit of the caller's region subtrees; members of
    the units it administers; and the caller itself."""
    scope = scope_for(user)
    paths = scope.paths()
    q = (
        under("residence_path", paths)
        | under("registered_community__path", paths)
        | under("unit__region__path", scope.paths(Role.DISTRICT_ADMIN, Role.STREET_ADMIN))
        | Q(unit_id__in=scope.units(Role.UNIT_ADMIN))
    )
    if scope.member_id:
        q |= Q(pk=scope.member_id)
    return Member.objects.filter(q).select_related(
        "user", "unit", "branch", "community", "grid", "registered_community"
    )


def member_get_for_user(user: Any, pk: int) -> Member:
    try:
        return members_visible_to(user).get(pk=pk)
    except (Member.DoesNotExist, ValueError):
        raise Http404(_("没有找到该党员。")) from None


def members_filter(
    qs: QuerySet[Member],
    *,
    community: str | None = None,
    grid: str | None = None,
    unit: str | None = None,
    skill: str | None = None,
    registered: bool | None = None,
    q: str | None = None,
) -> QuerySet[Member]:
    if community:
        qs = qs.filter(Q(community__code=community) | Q(registered_community__code=community))
    if grid:
        qs = qs.filter(grid__code=grid)
    if unit:
        qs = qs.filter(unit__code=unit)
    if skill:
        # JSON containment where the database has it (PostgreSQL), the quoted code in the JSON text elsewhere.
        if _json_contains_supported(qs):
            qs = qs.filter(skills__contains=[skill])
        else:
            qs = qs.filter(skills__icontains=f'"{skill}"')
    if registered is not None:
        qs = qs.filter(registered_community__isnull=not registered)
    if q:
        # By name only: searching the address would let someone who sees it masked recover it piece by piece.
        qs = qs.filter(user__name__contains=q)
    return qs


def _json_contains_supported(qs: QuerySet[Member]) -> bool:
    from django.db import connections

    return connections[qs.db].features.supports_json_field_contains


def member_public_list(community_code: str) -> QuerySet[Member]:
    """亮身份: registered members of one community — names, units and pledges only."""
    return (
        Member.objects.filter(registered_community__code=community_code)
        .select_related("user", "unit")
        .only("pledge", "user__name", "unit__name", "skills")
        .order_by("user__name")
    )
