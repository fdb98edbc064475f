from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under

from .models import ServiceRecord


def records_visible_to(user: Any) -> QuerySet[ServiceRecord]:
    """Records of service done in the caller's region subtrees, by its units' members (or units), and its
    own."""
    scope = scope_for(user)
    units = scope.units(Role.UNIT_ADMIN)
    q = under("path", scope.paths()) | Q(member__unit_id__in=units) | Q(unit_id__in=units)
    if scope.member_id:
        q |= Q(member_id=scope.member_id)
    return ServiceRecord.objects.filter(q).select_related(
        "member__user", "unit", "community", "need", "verified_by", "reverses"
    )


def records_of_member(member_id: int) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(member_id=member_id).select_related(
        "need", "verified_by", "community"
    )


def verifier_name(record: ServiceRecord) -> str:
    """Who vouched for the row, as the ledger's lists and the API name it: staff by name; the resident who was
    served never by name (服务对象确认) — a ledger is read by many who may not see the resident. `record.need`
    should be fetched with the row."""
    if record.need is not None and record.verified_by_id == record.need.requester_id:
        return gettext("服务对象确认")
    return str(record.verified_by.name)


def record_get_for_user(user: Any, pk: int) -> ServiceRecord:
    try:
        return records_visible_to(user).get(pk=pk)
    except (ServiceRecord.DoesNotExist, ValueError):
        raise Http404(gettext("没有找到该服务记录。")) from None
