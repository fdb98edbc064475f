from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from baodao.lib import crypto

from .models import Action, AuditEvent, AuditHead

if TYPE_CHECKING:
    from django.http import HttpRequest

    from baodao.accounts.models import User

GENESIS = "0" * 64


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return crypto.chain_hash(prev_hash + payload)


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "detail": event.detail,
        "ip": event.ip,
    }


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        return None
    # The canonical form the database gives back (IPv6 is rewritten when stored), so the hash still matches.
    return AuditEvent._meta.get_field("ip").to_python(raw)


def audit_record(
    *,
    action: Action,
    actor: User | None = None,
    actor_label: str = "",
    target: Any = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one entry to the chain. Runs in the caller's transaction when there is one."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor_label or actor.phone
    else:
        actor = None
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label[:64],
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail or {},
        ip=client_ip(request),
    )
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1, defaults={"last_hash": GENESIS})
        event.prev_hash = head.last_hash
        event.hash = _digest(head.last_hash, _hashed_fields(event))
        event.save(force_insert=True)
        AuditHead.objects.filter(id=1).update(last_hash=event.hash)
    return event


def audit_verify() -> tuple[bool, int, int | None]:
    """Walk the chain up to the head as it is when the walk starts; entries appended meanwhile (the log is
    written while it is checked) are left for the next run. Returns (intact, entries checked, id of the first
    broken entry or None when the end of the chain is missing)."""
    head = AuditHead.objects.filter(id=1).values_list("last_hash", flat=True).first() or GENESIS
    prev = GENESIS
    checked = 0
    if head != GENESIS:
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            if event.prev_hash != prev or event.hash != _digest(prev, _hashed_fields(event)):
                return False, checked, event.id
            prev = event.hash
            checked += 1
            if prev == head:
                break
    if prev != head or (checked == 0 and AuditEvent.objects.exists()):
        return False, checked, None
    return True, checked, None
