"""Writes of the dashboards' aggregates (see `models`): the hook the ledger calls in its own transaction, and
the rebuild from the ledger.

Race-safe upserts: an `UPDATE … SET x = x + d` first (it locks the row, or waits for the writer holding it);
when it found no row, an insert in a savepoint; when a concurrent writer inserted the row first (the unique
constraint refuses ours), the update again. The ledger is written under concurrency (check-outs of
activities, stand-downs of emergencies), and neither a lost update nor a failed write is acceptable.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from .models import ActiveTally, Kind, MemberActivity, ServiceTally


def _upsert(model: type[models.Model], keys: dict[str, Any], deltas: dict[str, Any]) -> None:
    """Add `deltas` to the row of `keys`, creating it when missing, whatever other writers do at once."""
    changes = {name: F(name) + delta for name, delta in deltas.items()}
    if model._default_manager.filter(**keys).update(**changes):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**keys, **deltas)
            return
    except IntegrityError:
        pass
    model._default_manager.filter(**keys).update(**changes)


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def period_starts(day: date) -> dict[str, date]:
    """The first days of the month, quarter and year of `day`."""
    return {
        Kind.MONTH: day.replace(day=1),
        Kind.QUARTER: date(day.year, (day.month - 1) // 3 * 3 + 1, 1),
        Kind.YEAR: date(day.year, 1, 1),
    }


def member_place(member: Any) -> tuple[str, int]:
    """Where a member's activity is counted: where it lives (its grid's or community's path; its unit's
    region when it lives nowhere on record), and its unit."""
    path = member.residence_path or member.unit.region.path
    return path, member.unit_id


def _activity(member: Any, kind: str, start: date, delta: int) -> None:
    """Move the member's standing services in one period; on 0 → 1 or 1 → 0, move the active counters."""
    keys = {"member_id": member.pk, "kind": kind, "start": start}
    rows = MemberActivity.objects.filter(**keys)
    if rows.update(services=F("services") + delta):
        # our update holds the row's lock until the ledger's transaction ends: the count read is ours
        services, path, unit_id = rows.values_list("services", "path", "unit_id").get()
    else:
        path, unit_id = member_place(member)
        try:
            with transaction.atomic():
                MemberActivity.objects.create(**keys, services=delta, path=path, unit_id=unit_id)
                services = delta
        except IntegrityError:
            rows.update(services=F("services") + delta)
            services, path, unit_id = rows.values_list("services", "path", "unit_id").get()
    if delta > 0 and services == delta:
        change = 1
    elif delta < 0 and services == 0:
        change = -1
    else:
        return
    _upsert(ActiveTally, {"kind": kind, "start": start, "path": path, "unit": None}, {"members": change})
    _upsert(ActiveTally, {"kind": kind, "start": start, "path": "", "unit_id": unit_id}, {"members": change})


def _tally(record: Any, *, sign: int, rating: int | None) -> None:
    day = _local_day(record.served_at)
    month = day.replace(day=1)
    deltas: dict[str, Any] = {
        "services": sign,
        "hours": Decimal(record.hours),
        "rated": sign if rating else 0,
        "rating_sum": sign * rating if rating else 0,
    }
    member = record.member
    unit_id = member.unit_id if member is not None else record.unit_id
    _upsert(ServiceTally, {"month": month, "path": record.path, "unit": None}, deltas)
    if unit_id:
        _upsert(ServiceTally, {"month": month, "path": "", "unit_id": unit_id}, deltas)
    if member is not None:
        for kind, start in period_starts(day).items():
            _activity(member, kind, start, sign)


def stats_on_write(record: Any) -> None:
    """The ledger's hook for a new record, inside its transaction."""
    _tally(record, sign=1, rating=record.rating)


def stats_on_reverse(*, original: Any, reversal: Any) -> None:
    """The ledger's hook for a reversal (its hours are negative), inside its transaction: the original's
    service and rating no longer stand."""
    _tally(reversal, sign=-1, rating=original.rating)


# ---- rebuild -----------------------------------------------------------------------------------------------


def _tz() -> Any:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def stats_rebuild() -> int:
    """Recompute every aggregate from the ledger, in grouped INSERT … SELECTs, in one transaction: the
    tables are emptied first, so running it twice gives the same rows. Returns the number of rows."""
    from baodao.ledger.models import ServiceRecord

    tz = _tz()
    day = TruncDate("served_at", tzinfo=tz)
    standing = Case(
        When(reverses__isnull=True, then=Value(1)), default=Value(-1), output_field=IntegerField()
    )
    # a reversal carries no rating: the original's counts against it
    rating = Coalesce("rating", "reverses__rating")
    rated = Q(rating__isnull=False) | Q(reverses__rating__isnull=False)
    figures = {
        "services": Sum(standing),
        "hours": Sum("hours"),
        "rated": Sum(Case(When(rated, then=standing), default=Value(0), output_field=IntegerField())),
        "rating_sum": Coalesce(
            Sum(ExpressionWrapper(standing * rating, output_field=IntegerField())), Value(0)
        ),
    }
    same = {name: name for name in figures}
    records = ServiceRecord.objects.order_by().annotate(month=TruncMonth(day, output_field=DateField()))
    total = 0
    with transaction.atomic():
        for model in (ServiceTally, ActiveTally, MemberActivity):
            model._default_manager.all().delete()
        by_path = records.values("month", "path").annotate(**figures)
        total += _insert_select(ServiceTally, {"month": "month", "path": "path", **same}, by_path)
        by_unit = (
            records.annotate(unit_key=Coalesce("member__unit_id", "unit_id"))
            .values("month", "unit_key")
            .annotate(**figures)
        )
        total += _insert_select(
            ServiceTally, {"month": "month", "unit_id": "unit_key", **same}, by_unit, {"path": ""}
        )
        place = Coalesce(NullIf("member__residence_path", Value("")), "member__unit__region__path")
        truncs = {Kind.MONTH: TruncMonth, Kind.QUARTER: TruncQuarter, Kind.YEAR: TruncYear}
        for kind, trunc in truncs.items():
            activity = (
                ServiceRecord.objects.order_by()
                .filter(member__isnull=False)
                .annotate(start=trunc(day, output_field=DateField()), kind=Value(kind))
                .values("member_id", "kind", "start")
                .annotate(
                    services=Sum(standing),
                    place=Max(place),
                    unit_key=Max("member__unit_id"),
                )
            )
            total += _insert_select(
                MemberActivity,
                {
                    "member_id": "member_id",
                    "kind": "kind",
                    "start": "start",
                    "services": "services",
                    "path": "place",
                    "unit_id": "unit_key",
                },
                activity,
            )
        active = MemberActivity.objects.order_by().filter(services__gt=0)
        total += _insert_select(
            ActiveTally,
            {"kind": "kind", "start": "start", "path": "path", "members": "n"},
            active.values("kind", "start", "path").annotate(n=Count("pk")),
        )
        total += _insert_select(
            ActiveTally,
            {"kind": "kind", "start": "start", "unit_id": "unit_id", "members": "n"},
            active.values("kind", "start", "unit_id").annotate(n=Count("pk")),
            {"path": ""},
        )
    return total


def _insert_select(
    model: type[models.Model], columns: dict[str, str], queryset: Any, constants: dict[str, Any] | None = None
) -> int:
    """INSERT INTO the model's table the rows of `queryset`: each column (key) from the query's value of that
    name (value), plus `constants`. In the database: nothing goes through Python."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    constants = constants or {}
    names = ", ".join(quote(c) for c in [*columns, *constants])
    outer = ", ".join([*(f"s.{quote(v)}" for v in columns.values()), *("%s" for _ in constants)])
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {outer} FROM ({sql}) s",  # noqa: S608
            (*constants.values(), *params),
        )
        return max(cursor.rowcount, 0)
