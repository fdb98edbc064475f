from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

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
            result.append(Workspace(_("我的报到"), reverse("web:me")))
        elif role == Role.COMMUNITY_ADMIN and grant.region:
            result.append(
                Workspace(
                    _("%(community)s · 报到审核") % {"community": grant.region.name},
                    reverse("web:community_registrations", args=[grant.region.code]),
                )
            )
        elif role == Role.GRID_WORKER and grant.region:
            result.append(
                Workspace(
                    _("%(grid)s · 网格党员") % {"grid": grant.region.name},
                    reverse("web:grid_members", args=[grant.region.code]),
                )
            )
        elif role == Role.UNIT_ADMIN and grant.unit:
            result.append(
                Workspace(
                    _("%(unit)s · 党员报到情况") % {"unit": grant.unit.name},
                    reverse("web:unit_members", args=[grant.unit.code]),
                )
            )
        elif role in (Role.STREET_ADMIN, Role.DISTRICT_ADMIN) and grant.region:
            result.append(
                Workspace(
                    _("%(region)s · 报到率") % {"region": grant.region.name},
                    reverse("web:coverage", args=[grant.region.code]),
                )
            )
        elif role == Role.RESIDENT and grant.region:
            result.append(
                Workspace(
                    _("%(community)s · 我的心愿与诉求") % {"community": grant.region.name},
                    reverse("web:my_needs"),
                )
            )
    user._baodao_workspaces = result
    return result
