"""Fast INSERT and UPDATE of many rows, for the roster import's write phase.

`QuerySet.bulk_create` builds a model instance per row and prepares every field of every row in Python:
for a 100,000-person roster (three tables) that is most of the import's time. Here each row is a tuple of
plain values, the fields that need preparing for the database (dates, JSON) are prepared per row, every
other column gets its default prepared once, and the rows go to the database in one go: `executemany` of
one prepared statement on SQLite, COPY on PostgreSQL (an UPDATE there joins a COPYed scratch table).
Constraints, indexes and the caller's transaction apply exactly as with the ORM; no signals are sent
(bulk_create sends none either). Run inside a transaction: the scratch table lives until its commit.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

#: Rows per executemany call.
CHUNK = 2000
#: Values per lookup query on PostgreSQL, where they travel as one array (elsewhere: Django's parameter
#: limit, 999 on SQLite).
LOOKUP_BATCH = 10_000
#: The SQLite page cache while `bulk_load` lasts, as PRAGMA cache_size counts it (negative: KiB).
SQLITE_BULK_CACHE_KIB = -64 * 1024
#: Fields whose Python value must be converted for the database (the others are stored as given).
_PREPARED = (
    models.JSONField,
    models.DateTimeField,
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.UUIDField,
    models.BinaryField,
    models.DurationField,
)


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.local_concrete_fields if not f.primary_key]


def _column(field: Any) -> str:
    column = field.column
    assert column, field
    return connection.ops.quote_name(column)


def _preparer(field: models.Field[Any, Any], copy: bool) -> Callable[[Any], Any]:
    """How a value of `field` goes to the database. JSON as its text, which is what Django stores on
    SQLite and what COPY takes on PostgreSQL (cheaper than an adapter object per row)."""
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, cls=field.encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def _default(field: models.Field[Any, Any], now: datetime, copy: bool) -> Any:
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        value: Any = now
    else:
        value = field.get_default()
    return _preparer(field, copy)(value)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    now: datetime,
    returning: str | None = None,
) -> dict[Any, int]:
    """INSERT one row per tuple of `rows`, whose values are those of `columns` (attnames: `user_id`) in
    order. Every other field gets its default, `now` for auto_now(_add) fields. `rows` may be a generator:
    it is consumed while the rows are sent, so that preparing them overlaps with the database's work.

    With `returning` (a unique column among `columns`), answers {value of that column: new primary key}:
    on PostgreSQL the keys are drawn from the table's sequence beforehand (safe with concurrent writers);
    elsewhere they are read back by that column."""
    fields = {f.attname: f for f in _fields(model)}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"not fields of {model.__name__}: {sorted(unknown)}")
    copy = connection.vendor == "postgresql"
    pk = model._meta.pk
    assert pk is not None
    found: dict[Any, int] = {}
    given: list[Any] = []  # the `returning` values, to read the keys back by
    if returning:
        index = columns.index(returning)
        rows = list(rows)
        if copy:
            keys = _reserve_keys(model, len(rows))
            found = {row[index]: key for key, row in zip(keys, rows, strict=True)}
            columns = [pk.attname, *columns]
            rows = [(key, *row) for key, row in zip(keys, rows, strict=True)]
            fields[pk.attname] = pk
        else:
            given = [row[index] for row in rows]
    rest = [f for name, f in fields.items() if name not in columns]
    constants = tuple(_default(f, now, copy) for f in rest)
    prepare = [
        (i, _preparer(fields[name], copy))
        for i, name in enumerate(columns)
        if isinstance(fields[name], _PREPARED)
    ]

    def params() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            values = list(row)
            for i, prepared in prepare:
                values[i] = prepared(values[i])
            yield (*values, *constants)

    names = [_column(fields[n]) for n in (*columns, *(f.attname for f in rest))]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if copy:
            _copy(cursor, table, names, params())
        else:
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
            for chunk in _chunks(params()):
                cursor.executemany(sql, chunk)
    if returning and given:
        for batch in batches(given):
            found.update(
                model._default_manager.filter(among(model, returning, batch)).values_list(
                    returning, pk.attname
                )
            )
    return found


def batches(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """`values` cut into lists that one lookup query can take."""
    size = connection.features.max_query_params or LOOKUP_BATCH
    for start in range(0, len(values), size):
        yield values[start : start + size]


def among(model: type[models.Model], attname: str, values: Sequence[Any]) -> Q | RawSQL:
    """A filter: `attname` is one of `values` (plain strings or integers, as the column holds them). On
    PostgreSQL the values go as one array parameter (`= ANY`), cheap to send and hashed by the server;
    elsewhere as an IN list, bound as they are (the ORM's `__in` would prepare each value again)."""
    field = model._meta.get_field(attname)
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{_column(field)}"
    if connection.vendor == "postgresql":
        sql, params = f"{column} = ANY(%s)", (list(values),)
    elif values:
        sql, params = f"{column} IN ({', '.join(['%s'] * len(values))})", tuple(values)
    else:
        return Q(pk__in=[])
    return RawSQL(sql, params, output_field=models.BooleanField())  # noqa: S611  (values bound)


@contextlib.contextmanager
def bulk_load() -> Iterator[None]:
    """Around the writes of a large import. On SQLite, a larger page cache while it lasts (64 MB instead of
    the default 2 MB): the index pages of tables that grow by 100,000 rows stay in memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {SQLITE_BULK_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous):d}")


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    while chunk := list(itertools.islice(rows, CHUNK)):
        yield chunk


def _reserve_keys(model: type[models.Model], count: int) -> list[int]:
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [key for (key,) in cursor.fetchall()]


def _copy(cursor: Any, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL's COPY: several times faster than any INSERT for thousands of rows. Errors come out as
    Django's (IntegrityError…), as they would through the ORM."""
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UPDATE `columns` (attnames) of one row per tuple: the new values in order, then the primary key."""
    fields = {f.attname: f for f in _fields(model)}
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608  (names from the model, values bound)
        quote(model._meta.db_table),
        ", ".join(f"{_column(fields[n])} = %s" for n in columns),
        _column(model._meta.pk),
    )
    copy = connection.vendor == "postgresql"
    prepare = [
        (i, _preparer(fields[n], copy)) for i, n in enumerate(columns) if isinstance(fields[n], _PREPARED)
    ]
    params = []
    for row in rows:
        values = list(row)
        for i, prepared in prepare:
            values[i] = prepared(values[i])
        params.append(values)
    if not params:
        return
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(sql, params)
            return
        # PostgreSQL: the new values COPYed into a scratch table, then one UPDATE … FROM it.
        table = quote(model._meta.db_table)
        scratch = quote(f"{model._meta.db_table}_bulk_update")
        pk = _column(model._meta.pk)
        targets = [_column(fields[n]) for n in columns]
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608  (names from the model)
            f"SELECT {', '.join(targets)}, {pk} FROM {table} WITH NO DATA"
        )
        _copy(cursor, scratch, [*targets, pk], params)
        cursor.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = u.{c}' for c in targets)} "  # noqa: S608
            f"FROM {scratch} AS u WHERE {table}.{pk} = u.{pk}"
        )
        cursor.execute(f"DROP TABLE {scratch}")
