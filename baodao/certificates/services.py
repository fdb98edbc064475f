"""Issuing and verifying service certificates."""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.ledger.models import ServiceRecord
from baodao.lib.crypto import keyed_digest
from baodao.lib.errors import Forbidden, Invalid
from baodao.members.models import Member
from baodao.needs.models import Category

from .models import Certificate

#: the longest period one certificate covers
MAX_PERIOD = timedelta(days=366 * 5)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by people


def _check_chars(body: str) -> str:
    digest = keyed_digest(b"certificate-number", body)
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:3])


def _new_number(year: int) -> str:
    body = f"ZM{year}" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{body}{_check_chars(body)}"


def number_well_formed(number: str) -> bool:
    """True when the number's check characters match: a typo or an altered number fails here."""
    number = (number or "").strip().upper()
    if len(number) != 17 or not number.startswith("ZM"):
        return False
    return hmac.compare_digest(number[-3:], _check_chars(number[:-3]))


def _facts(cert: Certificate) -> str:
    return json.dumps(
        {
            "number": cert.number,
            "member": cert.member_id,
            "name": cert.name,
            "community": cert.issuing_community_id,
            "start": cert.period_start.isoformat(),
            "end": cert.period_end.isoformat(),
            "hours": str(cert.hours),
            "services": cert.services,
            "by_category": cert.by_category,
            "certifiers": cert.certifiers,
            "issued_at": cert.issued_at.isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _seal(cert: Certificate) -> str:
    return base64.b32encode(keyed_digest(b"certificate-seal", _facts(cert))).decode()[:52]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def certificate_issue(
    *,
    actor: Any,
    period_start: date,
    period_end: date,
    member: Member | None = None,
    request: HttpRequest | None = None,
) -> Certificate:
    """The member (the caller itself) gets a certificate of its verified service in the period. Reversed
    records count for nothing; a period with no verified service gives no certificate. Audited."""
    scope = scope_for(actor)
    if member is None:
        if scope.member_id is None:
            raise Forbidden(_("只有在职党员本人可以申请志愿服务证明。"))
        member = Member.objects.select_related("user", "registered_community").get(pk=scope.member_id)
    elif member.pk != scope.member_id:
        raise Forbidden(_("只有党员本人可以申请志愿服务证明。"))
    if period_start is None or period_end is None:
        raise Invalid(_("请填写起止日期。"), fields={"period_start": [_("必填。")]})
    if period_end < period_start:
        raise Invalid(_("截止日期不能早于起始日期。"), fields={"period_end": [_("早于起始日期。")]})
    today = timezone.localdate()
    if period_start > today:
        raise Invalid(_("起始日期不能晚于今天。"), fields={"period_start": [_("晚于今天。")]})
    if period_end - period_start > MAX_PERIOD:
        raise Invalid(_("一份证明最长覆盖 5 年。"), fields={"period_end": [_("期间过长。")]})
    records = ServiceRecord.objects.filter(
        member=member,
        served_at__gte=_day_start(period_start),
        served_at__lt=_day_start(period_end + timedelta(days=1)),
    )
    # a reversed record and its reversal cancel out; only records standing on their own are counted
    standing = records.filter(reverses__isnull=True, reversed_by__isnull=True)
    totals = standing.aggregate(hours=Sum("hours"), services=Count("id"))
    if not totals["services"]:
        raise Invalid(
            _("该期间没有经核实的服务记录，无法开具证明。"), fields={"period_start": [_("无服务记录。")]}
        )
    labels = dict(Category.choices)
    by_category = [
        {
            "category": row["category"],
            "label": str(labels.get(row["category"], row["category"])),
            "hours": str(row["hours"]),
            "services": row["n"],
        }
        for row in standing.values("category").annotate(hours=Sum("hours"), n=Count("id")).order_by("-hours")
    ]
    certifiers = sorted(set(standing.values_list("community__name", flat=True)))
    issuing = member.registered_community or standing.order_by("-served_at").first().community  # type: ignore[union-attr]
    cert = Certificate(
        number=_new_number(today.year),
        member=member,
        name=member.user.name,
        issuing_community=issuing,
        period_start=period_start,
        period_end=period_end,
        hours=(totals["hours"] or Decimal(0)).quantize(Decimal("0.01")),
        services=totals["services"],
        by_category=by_category,
        certifiers=certifiers,
        issued_at=timezone.now().replace(microsecond=0),
        issued_by=actor,
    )
    cert.seal = _seal(cert)
    with transaction.atomic():
        cert.save()
        audit_record(
            action=Action.CERTIFICATE_ISSUED,
            actor=actor,
            target=cert,
            detail={
                "number": cert.number,
                "member": member.pk,
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "hours": str(cert.hours),
                "services": cert.services,
            },
            request=request,
        )
    return cert


@dataclass(frozen=True)
class Verification:
    certificate: Certificate

    @property
    def masked_name(self) -> str:
        name = self.certificate.name
        return name[:1] + "*" * max(len(name) - 1, 1)


def certificate_verify(number: str) -> Verification:
    """The certificate behind a number, if it is genuine: well formed, issued, and its facts unaltered.
    Anything else is "not found" (404) — the page then says the number is not a genuine certificate."""
    number = (number or "").strip().upper()
    if not number_well_formed(number):
        raise Http404(_("没有这份证明。"))
    cert = Certificate.objects.select_related("issuing_community").filter(number=number).first()
    if cert is None or not hmac.compare_digest(cert.seal, _seal(cert)):
        raise Http404(_("没有这份证明。"))
    return Verification(cert)
