"""Writes of the dashboards' aggregates (see `models`): the hook the ledger calls in its own transaction, and
the rebuild from the ledger.

Race-safe upserts: an `UPDATE … SET x = x + d` first (it locks the row, or waits for the writer holding it);
when it found no row, an insert in a savepoint; when a concurrent writer inserted the row first (the unique
constraint refuses ours), the update again. The ledger is written under concurrency (check-outs of
activities, stand-downs of emergencies), and neither a lost update nor a failed write is acceptable.
"""

from __future__ import annotations

import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone

from .models import ActiveTally, Kind, MemberActivity, ServiceTally


class AggregateLost(RuntimeError):
    """An aggregate row vanished between our insert and our update: never drop a change silently."""


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
    if not model._default_manager.filter(**keys).update(**changes):
        raise AggregateLost(f"{model.__name__} {keys}")


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def period_starts(day: date) -> dict[str, date]:
    """The first days of the month, quarter and year of `day`."""
    return {
        Kind.MONTH: day.replace(day=1),
        Kind.QUARTER: date(day.year, (day.month - 1) // 3 * 3 + 1, 1),
        Kind.YEAR: date(day.year, 1, 1),
    }


def _period_end(kind: str, start: date) -> date:
    months: dict[str, int] = {Kind.MONTH: 1, Kind.QUARTER: 3, Kind.YEAR: 12}
    index = start.year * 12 + start.month - 1 + months[kind]
    return date(index // 12, index % 12 + 1, 1)


def member_place(member: Any) -> tuple[str, int]:
    """Where a member's activity is counted: where it lives (its grid's or community's path; its unit's
    region when it lives nowhere on record), and its unit. The ledger keeps it on each record when written
    (`home_path`, `member_unit`)."""
    path = member.residence_path or member.unit.region.path
    return path, member.unit_id


def record_place(record: Any) -> tuple[str, int]:
    """The member's place kept on a record; today's for records written before it was kept."""
    if record.home_path is not None and record.member_unit_id is not None:
        return record.home_path, record.member_unit_id
    return member_place(record.member)


def registered_at(moment: Any) -> Any:
    """Exists: the record's member held a registration (confirmed, or ended since) at `moment` (an expression
    or a value). Only such service makes a member active: active members are a part of the registered."""
    from baodao.registration.models import Registration, Status

    return Exists(
        Registration.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=moment),
            member_id=OuterRef("member_id"),
            status__in=(Status.CONFIRMED, Status.ENDED),
            decided_at__lte=moment,
        )
    )


def _counts_for_activity(record: Any) -> bool:
    from baodao.registration.models import Registration, Status

    return Registration.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=record.served_at),
        member_id=record.member_id,
        status__in=(Status.CONFIRMED, Status.ENDED),
        decided_at__lte=record.served_at,
    ).exists()


# ---- the changes of one write, or of a batch of writes, applied in one global order -----------------------


@dataclass
class _Activity:
    member: Any
    delta: int = 0
    #: the place of the batch's last new record (the member's latest standing one)
    place: tuple[str, int] | None = None
    #: a record was reversed: the latest standing one is looked up in the ledger
    reversed: bool = False


@dataclass
class _Pending:
    service: dict[tuple[date, str, int], dict[str, Any]] = field(default_factory=dict)
    activity: dict[tuple[int, str, date], _Activity] = field(default_factory=dict)


_state = threading.local()
#: an ActiveTally row: (kind, start, path, unit id), the unit 0 for a region row
_ActiveKey = tuple[str, date, str, int]


@contextmanager
def stats_batch() -> Iterator[None]:
    """Inside: the hook collects the aggregates' changes of many ledger writes; on leaving, they are merged
    and applied in one global order (ServiceTally, MemberActivity, ActiveTally; each by key), so that two
    transactions writing many records lock the same rows in the same order and cannot deadlock. Use it
    inside the transaction that writes the records. Nested batches join the outer one."""
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = _Pending()
    try:
        yield
        pending = _state.pending
    finally:
        _state.pending = None
    _apply(pending)


def _tally(record: Any, *, sign: int, rating: int | None, counted: bool) -> None:
    batch = getattr(_state, "pending", None)
    pending = batch if batch is not None else _Pending()
    day = _local_day(record.served_at)
    month = day.replace(day=1)
    deltas: dict[str, Any] = {
        "services": sign,
        "hours": Decimal(record.hours),
        "rated": sign if rating else 0,
        "rating_sum": sign * rating if rating else 0,
    }
    member = record.member
    place = record_place(record) if member is not None else None
    unit_id = place[1] if place is not None else record.unit_id
    keys = [(month, record.path, 0)] + ([(month, "", unit_id)] if unit_id else [])
    for key in keys:
        row = pending.service.setdefault(key, dict.fromkeys(deltas, 0))
        for name, value in deltas.items():
            row[name] += value
    if member is not None and counted:
        for kind, start in period_starts(day).items():
            activity = pending.activity.setdefault((member.pk, kind, start), _Activity(member))
            activity.delta += sign
            if sign > 0:
                activity.place = place
            else:
                activity.reversed = True
    if batch is None:
        _apply(pending)


def _apply(pending: _Pending) -> None:
    for (month, path, unit_id), deltas in sorted(pending.service.items()):
        if any(deltas.values()):
            keys = {"month": month, "path": path, "unit_id": unit_id or None}
            _upsert(ServiceTally, keys, deltas)
    active: dict[_ActiveKey, int] = {}
    for (_member, kind, start), change in sorted(pending.activity.items(), key=lambda item: item[0]):
        _activity(kind, start, change, active)
    for (kind, start, path, unit_id), n in sorted(active.items()):
        if n:
            keys = {"kind": kind, "start": start, "path": path, "unit_id": unit_id or None}
            _upsert(ActiveTally, keys, {"members": n})


def _latest_place(member: Any, kind: str, start: date) -> tuple[str, int] | None:
    """The place of the member's latest standing record counted in the period (a write-path read of the
    ledger, by its (member, served_at) index, after a reversal only)."""
    from baodao.ledger.models import ServiceRecord

    tz = _tz()
    lo = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(_period_end(kind, start), datetime.min.time(), tzinfo=tz)
    record = (
        ServiceRecord.objects.filter(
            member=member,
            served_at__gte=lo,
            served_at__lt=hi,
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .filter(registered_at(OuterRef("served_at")))
        .select_related("member__unit__region")
        .order_by("-pk")
        .first()
    )
    return record_place(record) if record is not None else None


def _activity(kind: str, start: date, change: _Activity, active: dict[_ActiveKey, int]) -> None:
    """Move the member's standing services in one period; its active counters move with its transitions
    (0 → n, n → 0) and with its place (that of its latest standing record)."""
    if not change.delta and change.place is None and not change.reversed:
        return
    rows = MemberActivity.objects.filter(member_id=change.member.pk, kind=kind, start=start)
    for _attempt in range(3):
        if rows.update(services=F("services") + change.delta):
            # our update holds the row's lock until the ledger's transaction ends: what we read is ours
            after, path, unit_id = rows.values_list("services", "path", "unit_id").get()
            before, old = after - change.delta, (path, unit_id)
            break
        if change.delta <= 0 or change.place is None:
            # a reversal of a service counted nowhere (written before the aggregates, or not counted)
            return
        try:
            with transaction.atomic():
                MemberActivity.objects.create(
                    member_id=change.member.pk,
                    kind=kind,
                    start=start,
                    services=change.delta,
                    path=change.place[0],
                    unit_id=change.place[1],
                )
            before, after, old = 0, change.delta, change.place
            break
        except IntegrityError:
            continue
    else:
        raise AggregateLost(f"MemberActivity {change.member.pk} {kind}{start}")
    if after <= 0:
        rows.delete()
        new = old
    elif change.reversed:
        new = _latest_place(change.member, kind, start) or old
    else:
        new = change.place or old
    if after > 0 and new != old:
        rows.update(path=new[0], unit_id=new[1])
    for place, n in ((old, -1 if before > 0 else 0), (new, 1 if after > 0 else 0)):
        if n:
            for key in ((kind, start, place[0], 0), (kind, start, "", place[1])):
                active[key] = active.get(key, 0) + n


def stats_on_write(record: Any) -> None:
    """The ledger's hook for a new record, inside its transaction."""
    counted = record.member_id is not None and _counts_for_activity(record)
    _tally(record, sign=1, rating=record.rating, counted=counted)


def stats_on_reverse(*, original: Any, reversal: Any) -> None:
    """The ledger's hook for a reversal (its hours are negative), inside its transaction: the original's
    service and rating no longer stand."""
    counted = original.member_id is not None and _counts_for_activity(original)
    _tally(reversal, sign=-1, rating=original.rating, counted=counted)


# ---- rebuild -----------------------------------------------------------------------------------------------


def _tz() -> Any:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def stats_rebuild() -> int:
    """Recompute every aggregate from the ledger, in grouped INSERT … SELECTs, in one transaction: the
    tables are emptied first, so running it twice gives the same rows. On PostgreSQL it first takes
    `LOCK TABLE ledger_servicerecord IN SHARE MODE`: ledger writes wait for it (reads do not). Returns the
    number of rows."""
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
        if connection.vendor == "postgresql":
            # ledger writes (and their hooks) wait until the rebuild commits: none is lost between the
            # rebuild's reading of the ledger and its rows (SQLite has one writer at a time anyway)
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(ServiceRecord._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
        for model in (ServiceTally, ActiveTally, MemberActivity):
            model._default_manager.all().delete()
        by_path = records.values("month", "path").annotate(**figures)
        total += _insert_select(ServiceTally, {"month": "month", "path": "path", **same}, by_path)
        by_unit = (
            records.annotate(unit_key=Coalesce("member_unit_id", "member__unit_id", "unit_id"))
            .values("month", "unit_key")
            .annotate(**figures)
        )
        total += _insert_select(
            ServiceTally, {"month": "month", "unit_id": "unit_key", **same}, by_unit, {"path": ""}
        )
        truncs = {Kind.MONTH: TruncMonth, Kind.QUARTER: TruncQuarter, Kind.YEAR: TruncYear}
        counted = (
            ServiceRecord.objects.order_by()
            .filter(member__isnull=False)
            .filter(registered_at(OuterRef("served_at")))
        )
        for kind, trunc in truncs.items():
            activity = (
                counted.annotate(start=trunc(day, output_field=DateField()), kind=Value(kind))
                .values("member_id", "kind", "start")
                .annotate(
                    services=Sum(standing),
                    latest=Max("pk", filter=Q(reverses__isnull=True, reversed_by__isnull=True)),
                )
                .filter(services__gt=0)
            )
            total += _insert_activity(activity)
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


def _insert_activity(queryset: Any) -> int:
    """INSERT the member-period rows of `queryset` (member_id, kind, start, services, latest: the latest
    standing record), placed where that record keeps the member (where it is now for records written
    before the ledger kept it)."""
    from baodao.ledger.models import ServiceRecord
    from baodao.members.models import Member
    from baodao.org.models import Region, Unit

    sql, params = queryset.query.sql_with_params()
    q = connection.ops.quote_name
    table, ledger = q(MemberActivity._meta.db_table), q(ServiceRecord._meta.db_table)
    members, units, regions = (q(m._meta.db_table) for m in (Member, Unit, Region))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (member_id, kind, start, services, path, unit_id) "  # noqa: S608
            "SELECT s.member_id, s.kind, s.start, s.services, "
            "COALESCE(r.home_path, NULLIF(m.residence_path, ''), g.path), "
            "COALESCE(r.member_unit_id, m.unit_id) "
            f"FROM ({sql}) s JOIN {ledger} r ON r.id = s.latest JOIN {members} m ON m.id = s.member_id "
            f"JOIN {units} u ON u.id = m.unit_id JOIN {regions} g ON g.id = u.region_id",
            params,
        )
        return max(cursor.rowcount, 0)


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
