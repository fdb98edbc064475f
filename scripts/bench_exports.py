"""Export benchmarks (issue: exporting 100,000 members at least as fast as the import, ≥ 10,000 rows a
second, in flat memory).

They read the unit the roster benchmark imported (`--rows` members; topped up here with bulk_create if
that step did not run) after an untimed set-up gives 70% of them a confirmed registration with a
receipt and 10% a pending one, so that every column is filled. Each step asks the API for the unit's
members as the district admin, through the whole stack (authentication, scope, filters, masking,
formula neutralisation, audit), and reads the answer to its last byte:

- the baseline: the same members' rows read from the database only (no formatting, no file);
- CSV, streamed from the database to the client;
- the workbook written inside the request (the sync limit lifted for the measurement);
- the workbook over the sync limit: the 202, the worker's run (writing, storing in the database), and
  the download of the stored file.
"""

from __future__ import annotations

from typing import Any

from bench import Context, Step
from bench_roster import ADMIN_PHONE, UNIT_XLSX

URL = "/api/v1/exports/members"
FILTERS = {"unit": UNIT_XLSX}


def setup(ctx: Context) -> int:
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from baodao.accounts.models import Grant, Role, User
    from baodao.members.models import Member
    from baodao.org.models import Level, Region, Unit
    from baodao.registration.models import Registration, Status

    unit = Unit.objects.get(code=UNIT_XLSX)
    missing = ctx.rows - Member.objects.filter(unit=unit).count()
    if missing > 0:
        grids = list(Region.objects.filter(level=Level.GRID).select_related("parent")[:3000])
        users = [User(phone=f"137{i:08d}", name=f"党员{i}") for i in range(missing)]
        User.objects.bulk_create(users, batch_size=2000)
        Grant.objects.bulk_create(
            [Grant(user=u, role=Role.MEMBER, unit=unit) for u in users], batch_size=2000
        )
        Member.objects.bulk_create(
            [
                Member(
                    user=u,
                    unit=unit,
                    community=grids[i % len(grids)].parent,
                    grid=grids[i % len(grids)],
                    address=f"{i % 40 + 1}栋{i % 4 + 1}单元{i % 30 + 1}01",
                    residence_path=grids[i % len(grids)].path,
                    skills=["legal", "it"][: i % 3],
                )
                for i, u in enumerate(users)
            ],
            batch_size=2000,
        )
    now = timezone.now()
    members = Member.objects.filter(unit=unit, community__isnull=False).values_list(
        "pk", "community_id", "community__code", "grid_id"
    )
    registrations = []
    for n, (pk, community, code, grid) in enumerate(members.iterator(chunk_size=2000)):
        if n % 10 < 7:
            registrations.append(
                Registration(
                    member_id=pk,
                    community_id=community,
                    grid_id=grid,
                    status=Status.CONFIRMED,
                    receipt_no=f"BD{code}-2026-{pk:06d}",
                    decided_at=now,
                )
            )
        elif n % 10 == 7:
            registrations.append(Registration(member_id=pk, community_id=community, grid_id=grid))
    Registration.objects.bulk_create(registrations, batch_size=2000)
    confirmed = Registration.objects.filter(member=OuterRef("pk"), status=Status.CONFIRMED)
    Member.objects.filter(unit=unit, registrations__status=Status.CONFIRMED).update(
        registered_community=Subquery(confirmed.values("community_id")[:1])
    )
    return 0


def _client() -> Any:
    from django.test import Client

    from baodao.accounts.models import User
    from baodao.accounts.services import token_issue

    token = token_issue(user=User.objects.get(phone=ADMIN_PHONE))
    return Client(headers={"authorization": f"Bearer {token}"})


def _drain(response: Any) -> tuple[int, int]:
    """Bytes and lines of the answer, read to the end as a client would."""
    if response.status_code != 200:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.content[:300]!r}")
    size = lines = 0
    for chunk in response if response.streaming else [response.content]:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    return size, lines


def _check(ctx: Context, rows: int, size: int) -> int:
    if rows != ctx.rows or size < rows * 20:
        raise SystemExit(f"unexpected export: {rows} rows, {size} bytes")
    return rows


def read_only(ctx: Context) -> int:
    from baodao.accounts.models import User
    from baodao.exports.datasets import _MEMBER_FIELDS
    from baodao.exports.selectors import members_for_export

    qs = members_for_export(User.objects.get(phone=ADMIN_PHONE), **FILTERS)
    return sum(1 for _ in qs.values_list(*_MEMBER_FIELDS).iterator(chunk_size=2000))


def export_csv(ctx: Context) -> int:
    size, lines = _drain(ctx.prepared.get(URL, {"format": "csv", **FILTERS}))
    return _check(ctx, lines - 1, size)


def _rows_exported() -> int:
    """The row count the audit entry of the last export gives (the export itself is not read twice)."""
    from baodao.audit.models import Action, AuditEvent

    return (
        AuditEvent.objects.filter(action=Action.EXPORTED)
        .order_by("-id")
        .values_list("detail", flat=True)[0]["rows"]
    )


def export_xlsx_in_request(ctx: Context) -> int:
    from django.conf import settings

    settings.EXPORT_SYNC_MAX_ROWS = ctx.rows
    size, _lines = _drain(ctx.prepared.get(URL, {"format": "xlsx", **FILTERS}))
    return _check(ctx, _rows_exported(), size)


def export_xlsx_background(ctx: Context) -> int:
    from django.conf import settings
    from django.core.management import call_command

    from baodao.jobs.models import Job, JobStatus

    settings.EXPORT_SYNC_MAX_ROWS = min(settings.EXPORT_SYNC_MAX_ROWS, ctx.rows - 1)
    queued = ctx.prepared.get(URL, {"format": "xlsx", **FILTERS})
    if queued.status_code != 202:
        raise SystemExit(f"expected a background job, got {queued.status_code}")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job = Job.objects.get(pk=queued.json()["job"])
    if job.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"the export job ended {job.status}: {job.message}")
    size, _lines = _drain(ctx.prepared.get(job.result["url"]))
    return _check(ctx, job.result["rows"], size)


def _prepare(ctx: Context) -> Any:
    return _client()


STEPS = [
    Step("exports-setup", "exports: registrations for the members", setup, setup=True),
    Step("exports-read", "exports: read the members only (baseline)", read_only),
    Step(
        "exports-csv",
        "exports: members csv (streamed)",
        export_csv,
        prepare=_prepare,
        baseline="exports-read",
        target=10_000,
    ),
    Step(
        "exports-xlsx",
        "exports: members xlsx (in the request)",
        export_xlsx_in_request,
        prepare=_prepare,
        baseline="exports-read",
        target=10_000,
    ),
    Step(
        "exports-xlsx-job",
        "exports: members xlsx (background job + download)",
        export_xlsx_background,
        prepare=_prepare,
        baseline="exports-read",
        target=10_000,
    ),
]
