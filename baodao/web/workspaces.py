from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from baodao.accounts.models import Grant, Role


@dataclass(frozen=True)
class Workspace:
    label: str
    url: str


def workspaces_for(user: Any) -> list[Workspace]:
    """One entry per grant, linking to the page where that role works. Cached per request on the user."""
    cached = getattr(user, "_baodao_workspaces", None)
    if cached is not None:
        return cached
    result: list[Workspace] = []
    for grant in Grant.objects.filter(user=user).select_related("region", "unit").order_by("role", "id"):
        role = Role(grant.role)
        if role == Role.MEMBER:
            result.append(Workspace("我的报到", reverse("web:me")))
        elif role == Role.COMMUNITY_ADMIN and grant.region:
            result.append(
                Workspace(
                    f"{grant.region.name} · 报到审核",
                    reverse("web:community_registrations", args=[grant.region.code]),
                )
            )
        elif role == Role.GRID_WORKER and grant.region:
            result.append(
                Workspace(
                    f"{grant.region.name} · 网格党员", reverse("web:grid_members", args=[grant.region.code])
                )
            )
        elif role == Role.UNIT_ADMIN and grant.unit:
            result.append(
                Workspace(
                    f"{grant.unit.name} · 党员报到情况", reverse("web:unit_members", args=[grant.unit.code])
                )
            )
        elif role in (Role.STREET_ADMIN, Role.DISTRICT_ADMIN) and grant.region:
            result.append(
                Workspace(f"{grant.region.name} · 报到率", reverse("web:coverage", args=[grant.region.code]))
            )
        elif role == Role.RESIDENT and grant.region:
            result.append(
                Workspace(
                    f"{grant.region.name} · 亮身份", reverse("web:community_public", args=[grant.region.code])
                )
            )
    user._baodao_workspaces = result
    return result
