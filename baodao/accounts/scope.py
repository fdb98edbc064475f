"""The one scoping layer: what a signed-in person may see and act on, derived from its grants.

Every selector that reads scoped data starts from `scope_for(user)`. Objects outside the scope are not
found (404), never forbidden: a 403 would tell an outsider that the object exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from .models import REGION_ADMIN_ROLES, Grant, Role

if TYPE_CHECKING:
    from baodao.org.models import Region, Unit

#: Roles whose grant may carry `can_unmask`: those that must act on a member's full details.
UNMASK_ROLES = REGION_ADMIN_ROLES | {Role.UNIT_ADMIN}


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    #: role -> materialised paths of the region subtrees it is granted on
    region_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: role -> ids of the units it is granted on
    unit_ids: dict[str, frozenset[int]] = field(default_factory=dict)
    member_id: int | None = None
    unmask_paths: tuple[str, ...] = ()
    unmask_unit_ids: frozenset[int] = frozenset()

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.region_paths) | frozenset(self.unit_ids)

    def paths(self, *roles: str) -> tuple[str, ...]:
        """Region subtrees granted by any of `roles` (all region-admin roles when none are named)."""
        wanted = roles or tuple(REGION_ADMIN_ROLES)
        return tuple(p for r in wanted for p in self.region_paths.get(r, ()))

    def units(self, *roles: str) -> frozenset[int]:
        wanted = roles or (Role.UNIT_ADMIN,)
        return frozenset().union(*(self.unit_ids.get(r, frozenset()) for r in wanted))

    def covers_region(self, region: Region, *roles: str) -> bool:
        return any(region.path.startswith(p) for p in self.paths(*roles))

    def administers_unit(self, unit: Unit) -> bool:
        """A unit admin of the unit, or a district/street admin over the unit's region."""
        return unit.pk in self.units(Role.UNIT_ADMIN) or any(
            unit.region.path.startswith(p) for p in self.paths(Role.DISTRICT_ADMIN, Role.STREET_ADMIN)
        )

    @property
    def is_admin(self) -> bool:
        return bool(self.paths() or self.units(Role.UNIT_ADMIN))


def under(field_name: str, paths: tuple[str, ...]) -> Q:
    """Rows whose `field_name` (a materialised path) lies in any of the subtrees. No paths: no rows."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field_name}__startswith": p})
    return q


def scope_for(user: Any) -> Scope:
    """The caller's scope, computed once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(user_id=None)
    cached = getattr(user, "_baodao_scope", None)
    if cached is not None:
        return cached
    region_paths: dict[str, list[str]] = {}
    unit_ids: dict[str, set[int]] = {}
    unmask_paths: list[str] = []
    unmask_units: set[int] = set()
    for role, path, unit_id, can_unmask in Grant.objects.filter(user=user).values_list(
        "role", "region__path", "unit_id", "can_unmask"
    ):
        if path:
            region_paths.setdefault(role, []).append(path)
            if can_unmask and role in UNMASK_ROLES:
                unmask_paths.append(path)
        elif unit_id:
            unit_ids.setdefault(role, set()).add(unit_id)
            if can_unmask and role == Role.UNIT_ADMIN:
                unmask_units.add(unit_id)
    from baodao.members.models import Member

    member_id = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    scope = Scope(
        user_id=user.pk,
        region_paths={r: tuple(ps) for r, ps in region_paths.items()},
        unit_ids={r: frozenset(ids) for r, ids in unit_ids.items()},
        member_id=member_id,
        unmask_paths=tuple(unmask_paths),
        unmask_unit_ids=frozenset(unmask_units),
    )
    user._baodao_scope = scope
    return scope


def scope_forget(user: Any) -> None:
    """Drop the cached scope after the user's grants or member profile change."""
    if hasattr(user, "_baodao_scope"):
        del user._baodao_scope
