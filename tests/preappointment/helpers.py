"""Crafted histories for reports: ledger rows, points, posts, emergency calls and appraisals, written
directly so that each figure of a report can be checked against what was put in."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from baodao.ledger.models import PointEntry, Rule, ServiceRecord, Source


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


def served(
    w, m, at: datetime, hours: str = "2", rating: int | None = None, points: str = "0"
) -> ServiceRecord:
    record = ServiceRecord.objects.create(
        source=Source.NEED,
        member=m,
        community=w.r("C1"),
        path=w.r("C1").path,
        title="服务",
        category="elderly",
        hours=Decimal(hours),
        rating=rating,
        served_at=at,
        verified_by=w.users["community_admin"],
    )
    if Decimal(points):
        PointEntry.objects.create(
            member=m, record=record, rule=Rule.PER_HOUR, rate=1, points=Decimal(points), year=at.year
        )
    return record


def reversed_(w, record: ServiceRecord) -> ServiceRecord:
    return ServiceRecord.objects.create(
        source=record.source,
        member=record.member,
        community=record.community,
        path=record.path,
        title=record.title,
        category=record.category,
        hours=-record.hours,
        served_at=record.served_at,
        verified_by=w.users["community_admin"],
        reverses=record,
        reason="记录有误",
    )


def this_year() -> int:
    return timezone.localdate().year


def day(year: int, month: int = 6, d: int = 15) -> date:
    return date(year, month, d)
