"""Writes to the ledger: a record for verified service, and the reversing entry that corrects one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.stats.services import member_place, stats_on_reverse, stats_on_write

from .models import ServiceRecord, Source
from .points import points_for_record, points_reverse

REASON_MAX = 300


def record_write(
    *,
    source: str,
    member: Any,
    unit: Any,
    community: Any,
    path: str,
    title: str,
    category: str,
    hours: Decimal,
    served_at: datetime,
    verified_by: Any,
    need: Any = None,
    claim: Any = None,
    activity: Any = None,
    signup: Any = None,
    shift: Any = None,
    rating: int | None = None,
    attempt: int = 0,
) -> ServiceRecord:
    """Credit verified service once. A second credit for the same claim and person is a Conflict."""
    # where the member belongs now: the dashboards keep counting the record there after the member moves
    home_path, member_unit = member_place(member) if member is not None else (None, None)
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                source=source,
                member=member,
                member_unit_id=member_unit,
                home_path=home_path,
                unit=unit,
                community=community,
                path=path,
                title=title[:120],
                category=category,
                hours=hours,
                served_at=served_at,
                verified_by=verified_by,
                need=need,
                claim=claim,
                activity=activity,
                signup=signup,
                shift=shift,
                rating=rating,
                attempt=attempt,
            )
            points_for_record(record)
            stats_on_write(record)
            return record
    except IntegrityError:
        raise Conflict(_("这次服务已经记入台账，不能重复记录。"), code="already_recorded") from None


def record_reverse(*, actor: Any, record: ServiceRecord, reason: str, request: Any = None) -> ServiceRecord:
    """冲销: the community that verified a record cancels it with a reason. The record stays; a reversing row
    with the negated hours is added, once."""
    if not scope_for(actor).covers_region(record.community, Role.COMMUNITY_ADMIN):
        raise Forbidden(_("只有记录所在社区的管理员可以冲销服务记录。"))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("请填写冲销原因。"), fields={"reason": [_("请填写原因。")]})
    if len(reason) > REASON_MAX:
        raise Invalid(_("原因最多 300 字。"), fields={"reason": [_("最多 300 字。")]})
    if record.is_reversal:
        raise Conflict(_("冲销记录本身不能再冲销。"), code="illegal_transition")
    try:
        with transaction.atomic():
            reversal = ServiceRecord.objects.create(
                source=record.source,
                member=record.member,
                member_unit_id=record.member_unit_id,
                home_path=record.home_path,
                unit=record.unit,
                community=record.community,
                path=record.path,
                need=record.need,
                claim=record.claim,
                activity=record.activity,
                signup=record.signup,
                shift=record.shift,
                attempt=record.attempt,
                title=record.title,
                category=record.category,
                hours=-record.hours,
                served_at=record.served_at,
                verified_by=actor,
                reverses=record,
                reason=reason,
            )
            points_reverse(original=record, reversal=reversal)
            stats_on_reverse(original=record, reversal=reversal)
            audit_record(
                action=Action.SERVICE_REVERSED,
                actor=actor,
                target=record,
                detail={"reason": reason, "hours": str(record.hours)},
                request=request,
            )
    except IntegrityError:
        raise Conflict(_("该记录已经冲销过了。"), code="already_reversed") from None
    return reversal


__all__ = ["Source", "record_reverse", "record_write"]
