"""What an export reads: exactly what the caller's lists show, through the same scoped selectors and the
same filters, so that an export never holds a row its list would not."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import FilteredRelation, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.members.models import Member
from baodao.members.selectors import members_filter, members_visible_to
from baodao.needs.models import Need
from baodao.needs.selectors import needs_filter, needs_visible_to
from baodao.org.models import Unit
from baodao.org.selectors import units_visible_to
from baodao.registration.models import Registration, Status
from baodao.registration.selectors import (
    Coverage,
    coverage_by_community,
    coverage_by_unit,
    members_with_status,
    regions_for_coverage,
    registrations_visible_to,
)

from .models import ExportFile


def members_for_export(
    user: Any,
    *,
    status: str | None = None,
    registered_in: str | None = None,
    on_roster: bool | None = None,
    **filters: Any,
) -> QuerySet[Member]:
    """The members list (`members_filter` of `members_visible_to`), plus the filters of the pages that
    offer an export: `status` (registered, pending, unregistered — the unit page), `registered_in` (the
    community page: members registered there) and `on_roster`. Annotated with `pending` and the
    `confirmed` registration (at most one per member), in the pages' order."""
    qs = members_filter(members_visible_to(user), **filters)
    if registered_in:
        qs = qs.filter(registered_community__code=registered_in)
    if on_roster is not None:
        qs = qs.filter(on_roster=on_roster)
    qs = members_with_status(qs, status=status)
    return qs.annotate(
        confirmed=FilteredRelation("registrations", condition=Q(registrations__status=Status.CONFIRMED))
    ).order_by("user__name", "pk")


def registrations_for_export(
    user: Any, *, status: str | None = None, community: str | None = None
) -> QuerySet[Registration]:
    """The registrations list with its filters, newest first."""
    qs = registrations_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if community:
        qs = qs.filter(community__code=community)
    return qs.order_by("-applied_at", "-id")


def coverage_for_export(user: Any, *, region: str, by: str = "unit") -> list[Coverage]:
    """报到率 of a street or district the caller administers, by unit or by community, worst first, as
    `/api/v1/coverage` gives it. A region out of the caller's reach is not found."""
    found = regions_for_coverage(user).filter(code=region).first()
    if found is None:
        raise Http404(_("没有找到该区域。"))
    if by == "community":
        return coverage_by_community(found)
    in_region = units_visible_to(user).filter(region__path__startswith=found.path)
    return coverage_by_unit(Unit.objects.filter(pk__in=in_region.values("pk")))


def needs_for_export(user: Any, *, community: str | None = None, **filters: Any) -> QuerySet[Need]:
    """The community's classified ledger (分类台账) with its filters (`needs_filter`; the days as ISO
    strings), newest first, annotated with `overdue`."""
    qs = needs_visible_to(user)
    if community:
        qs = qs.filter(community__code=community)
    for name in ("since", "until"):
        if filters.get(name):
            filters[name] = date.fromisoformat(filters[name])
    return needs_filter(qs, **filters).order_by("-created_at", "-id")


def export_file_get_for_user(user: Any, pk: int) -> ExportFile:
    """A finished export file is its creator's alone; anyone else gets 404."""
    try:
        return ExportFile.objects.get(pk=pk, created_by_id=user.pk)
    except (ExportFile.DoesNotExist, ValueError):
        raise Http404(_("没有找到该导出文件。")) from None
