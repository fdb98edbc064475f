from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.lib.errors import Invalid
from baodao.members.models import Member
from baodao.org.models import Level, Region, Unit

from .models import DEFAULT_COVERAGE_THRESHOLD, Policy

#: Roles whose grant on a region lets them read the policy of the district above it.
READER_REGION_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER)


def policy_in_force(district_code: str, *, on: date | None = None) -> Policy:
    """The district's policy on a day; the national defaults (an unsaved row) where it has set none."""
    on = on or timezone.localdate()
    policy = (
        Policy.objects.filter(district__code=district_code, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    return policy if policy is not None else Policy(effective_from=on)


def coverage_thresholds(district_codes: set[str], *, on: date | None = None) -> dict[str, Decimal]:
    """The coverage threshold in force for each district code on a day (national default if none set)."""
    on = on or timezone.localdate()
    result = dict.fromkeys(district_codes, DEFAULT_COVERAGE_THRESHOLD)
    rows = (
        Policy.objects.filter(district__code__in=district_codes, effective_from__lte=on)
        .order_by("district__code", "-effective_from")
        .values_list("district__code", "coverage_threshold")
    )
    seen: set[str] = set()
    for code, threshold in rows:
        if code not in seen:
            result[code] = threshold
            seen.add(code)
    return result


def policy_history(district: Region, *, today: date | None = None) -> QuerySet[Policy]:
    """The district's versions that have started (the one in force first), newest first."""
    today = today or timezone.localdate()
    return Policy.objects.filter(district=district, effective_from__lte=today).order_by("-effective_from")


def policy_upcoming(district: Region, *, today: date | None = None) -> QuerySet[Policy]:
    """The district's versions that start after today, soonest first."""
    today = today or timezone.localdate()
    return Policy.objects.filter(district=district, effective_from__gt=today).order_by("effective_from")


def policy_districts_for(user: Any) -> QuerySet[Region]:
    """The districts whose policy the caller may read: those it administers or works in (district, street,
    community admin, grid worker), those of the units it administers or belongs to, and that of the
    community a member lives or is registered in."""
    scope = scope_for(user)
    codes = {path.split("/", 1)[0] for path in scope.paths(*READER_REGION_ROLES)}
    unit_ids = scope.units(Role.UNIT_ADMIN, Role.MEMBER)
    if unit_ids:
        codes |= {
            p.split("/", 1)[0]
            for p in Unit.objects.filter(pk__in=unit_ids).values_list("region__path", flat=True)
        }
    if scope.member_id is not None:
        for paths in Member.objects.filter(pk=scope.member_id).values_list(
            "community__path", "registered_community__path"
        ):
            codes |= {p.split("/", 1)[0] for p in paths if p}
    return Region.objects.filter(level=Level.DISTRICT, code__in=codes).order_by("code")


def policy_district_for_user(user: Any, code: str | None = None) -> Region:
    """The district the caller asks about (`code`), or its only one. Out of its reach: 404; several and
    none named: 400 on `district`."""
    districts = policy_districts_for(user)
    if code:
        district = districts.filter(code=code).first()
        if district is None:
            raise Http404(_("没有找到该区。"))
        return district
    found = list(districts[:2])
    if not found:
        raise Http404(_("没有找到您所在的区。"))
    if len(found) > 1:
        message = _("您可以查看多个区的政策，请指明区编码（district）。")
        raise Invalid(message, fields={"district": [message]})
    return found[0]
