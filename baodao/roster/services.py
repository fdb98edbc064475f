"""Roster (党员名册) import: upload, dry run, commit, and the background run for large files.

The flow: `roster_upload` checks the file and stores it (encrypted); `roster_validate` is the dry run
(counts and errors, nothing written to members or accounts); `roster_commit` writes, in one transaction.
`roster_start` runs either of them at once when the file is small, or queues `roster_import_task` when it
has more than `settings.ROSTER_SYNC_MAX_ROWS` rows; `roster_import_start` is upload and start in one call.

Commit modes: `all_or_nothing` (the default) writes nothing if any row is invalid; `valid_only` writes the
valid rows and keeps the others, with their reasons, as a downloadable error workbook.

People created by an import get an account without a usable password (they set one through the
activation flow), a member grant on the unit and a member profile on its roster. People already on the
unit's roster are updated (name, branch, residence, skills, an ID number given for the first time); their
registrations are never touched. Importing the same file again changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Grant, Role, User
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.jobs.services import job_create
from baodao.lib import crypto, idnumber
from baodao.lib.errors import Conflict, DomainError, Invalid
from baodao.members.models import Member
from baodao.org.models import Branch, Unit

from . import columns as col
from .bulk import among, batches, bulk_load, insert_rows, update_rows
from .files import BadFile, inspect_upload, read_rows
from .models import BUSY, STARTABLE, FileKind, Mode, RosterImport, Status
from .validation import Plan, Row, Update, check_roster
from .workbooks import error_workbook_xlsx

#: Random bytes after the "unusable" mark of an imported account's password: what
#: `set_unusable_password` stores, without its cost (no hashing for a person who has no password yet).
UNUSABLE_SUFFIX_BYTES = 20
JOB_KIND = "roster_import"
_MODES = {
    "all_or_nothing": Mode.ALL_OR_NOTHING,
    "all-or-nothing": Mode.ALL_OR_NOTHING,
    "valid_only": Mode.VALID_ONLY,
    "valid-only": Mode.VALID_ONLY,
}
_ZEROED: dict[str, Any] = {
    "rows": 0,
    "created": 0,
    "updated": 0,
    "unchanged": 0,
    "invalid": 0,
    "errors": [],
    "errors_total": 0,
    "finished_at": None,
}

Progress = Callable[[int], None]


def roster_mode(value: str | None) -> str:
    """`all_or_nothing` or `valid_only` (hyphens accepted); blank means all-or-nothing."""
    if not value:
        return Mode.ALL_OR_NOTHING
    mode = _MODES.get(value.strip().lower())
    if mode is None:
        raise Invalid(
            _("导入方式只能是 all_or_nothing（全部正确才导入）或 valid_only（只导入正确的行）。"),
            fields={"mode": [_("只能是 all_or_nothing 或 valid_only。")]},
        )
    return mode


def _check_scope(actor: Any, unit: Unit) -> None:
    if not scope_for(actor).administers_unit(unit):
        raise Http404(_("没有找到该单位。"))


def roster_upload(
    *,
    actor: Any,
    unit: Unit,
    filename: str,
    content: bytes,
    mode: str = Mode.ALL_OR_NOTHING,
    dry_run: bool = True,
) -> RosterImport:
    """Check an uploaded file (its content, not its name: see `files.inspect_upload`) and keep it for the
    runs that follow. Raises `BadFile` (400) for a file refused as a whole, `Http404` when the actor does
    not administer the unit (its own unit for a unit admin, any unit of its subtree for a district or
    street admin). Writes nothing else."""
    _check_scope(actor, unit)
    if len(content) > settings.ROSTER_MAX_BYTES:
        raise BadFile(
            _("文件太大（%(size)s MB），上限为 %(max)s MB。")
            % {
                "size": f"{len(content) / 1048576:.1f}",
                "max": f"{settings.ROSTER_MAX_BYTES / 1048576:g}",
            }
        )
    inspected = inspect_upload(content)
    # The estimate counts every row tag or line: refuse only what is clearly over, the read is exact.
    if inspected.rows_estimate > settings.ROSTER_MAX_ROWS + col.HEADER_SCAN + 1000:
        raise BadFile(
            _("名册超过 %(max)s 行的上限，请分成几个文件导入。") % {"max": f"{settings.ROSTER_MAX_ROWS:,}"}
        )
    created = RosterImport.objects.create(
        unit=unit,
        uploaded_by=actor,
        filename=(filename or "")[-255:],
        kind=FileKind.XLSX if inspected.kind == "xlsx" else FileKind.CSV,
        content=crypto.encrypt_bytes(content),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        rows_estimate=inspected.rows_estimate,
        mode=mode,
        dry_run=dry_run,
    )
    # The instance handed back does not carry the file: the runs read it when they need it.
    return (
        RosterImport.objects.select_related("unit__region")
        .defer("content", "error_workbook")
        .get(pk=created.pk)
    )


def roster_validate(
    *, actor: Any, roster_import: RosterImport, progress: Progress | None = None
) -> RosterImport:
    """The dry run, now: reads the stored file and fills in the counts and errors of what a commit would
    do. Writes nothing to accounts or members. Raises `BadFile` when the file turns out to be unreadable,
    `Conflict` when the import is busy or already committed."""
    return _run(actor, roster_import, commit=False, mode=roster_import.mode, progress=progress)


def roster_commit(
    *,
    actor: Any,
    roster_import: RosterImport,
    mode: str | None = None,
    request: Any = None,
    progress: Progress | None = None,
) -> RosterImport:
    """Import the stored file, now, in one transaction. All-or-nothing (the default): when a row is
    invalid nothing is written and the import ends `refused` with the errors. Valid-only: the valid rows
    are written and the others kept as `error_workbook`. Records one audit entry per commit that wrote.
    Any failure while writing leaves the database as it was."""
    return _run(
        actor,
        roster_import,
        commit=True,
        mode=mode or roster_import.mode,
        request=request,
        progress=progress,
    )


def roster_start(
    *,
    actor: Any,
    roster_import: RosterImport,
    dry_run: bool,
    mode: str | None = None,
    request: Any = None,
) -> RosterImport:
    """Run the dry run or the commit at once for a file of at most `ROSTER_SYNC_MAX_ROWS` rows; queue it
    for the task worker otherwise (the import's `job` then reports progress and, at the end, the summary).
    """
    mode = mode or roster_import.mode
    if _row_count(roster_import) > settings.ROSTER_SYNC_MAX_ROWS:
        return _enqueue(actor, roster_import, dry_run=dry_run, mode=mode)
    if dry_run:
        return _run(actor, roster_import, commit=False, mode=mode)
    return roster_commit(actor=actor, roster_import=roster_import, mode=mode, request=request)


def roster_import_start(
    *,
    actor: Any,
    unit: Unit,
    filename: str,
    content: bytes,
    dry_run: bool = True,
    mode: str = Mode.ALL_OR_NOTHING,
    request: Any = None,
) -> RosterImport:
    """`roster_upload`, then `roster_start`: what the API's upload endpoint does."""
    roster_import = roster_upload(
        actor=actor, unit=unit, filename=filename, content=content, mode=mode, dry_run=dry_run
    )
    return roster_start(actor=actor, roster_import=roster_import, dry_run=dry_run, mode=mode, request=request)


def roster_run_queued(*, roster_import: RosterImport, progress: Progress | None = None) -> RosterImport:
    """Run an import that `roster_start` queued (called by the task, as the person who queued it)."""
    assert roster_import.job is not None
    return _run(
        roster_import.job.created_by,
        roster_import,
        commit=not roster_import.dry_run,
        mode=roster_import.mode,
        progress=progress,
        starting=(Status.QUEUED,),
    )


# ---- running -------------------------------------------------------------------------------------------


def _row_count(roster_import: RosterImport) -> int:
    if roster_import.status != Status.UPLOADED and roster_import.rows:
        return roster_import.rows
    return max(roster_import.rows_estimate - 1, 0)  # less the header row


def _save(roster_import: RosterImport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(roster_import, name, value)
    RosterImport.objects.filter(pk=roster_import.pk).update(**fields)


def _claim(roster_import: RosterImport, starting: tuple[str, ...], status: str, **fields: Any) -> None:
    """Move the import from one of `starting` to `status` with a conditional UPDATE, so that two clicks
    (or two workers) never run the same import twice."""
    claimed = RosterImport.objects.filter(pk=roster_import.pk, status__in=starting).update(
        status=status, **fields
    )
    if not claimed:
        current = RosterImport.objects.filter(pk=roster_import.pk).values_list("status", flat=True).first()
        if current == Status.COMMITTED:
            raise Conflict(_("该名册已经导入，不能重复提交。"), code="already_committed")
        if current in BUSY:
            raise Conflict(_("该名册正在处理中，请稍候。"), code="busy")
        raise Conflict(_("该名册当前不能处理。"))
    roster_import.status = status
    for name, value in fields.items():
        setattr(roster_import, name, value)


def _enqueue(actor: Any, roster_import: RosterImport, *, dry_run: bool, mode: str) -> RosterImport:
    from .tasks import roster_import_task

    _check_scope(actor, roster_import.unit)
    total = _row_count(roster_import)
    with transaction.atomic():
        _claim(roster_import, STARTABLE, Status.QUEUED, dry_run=dry_run, mode=mode, message="", **_ZEROED)
        job = job_create(kind=JOB_KIND, created_by=actor, total=total, message=_("排队等待处理……"))
        _save(roster_import, job=job)
        import_id = roster_import.pk
        # Queued once the rows above are committed, so that a worker on another host finds them.
        transaction.on_commit(lambda: roster_import_task.enqueue(import_id))
    return roster_import


def _run(
    actor: Any,
    roster_import: RosterImport,
    *,
    commit: bool,
    mode: str,
    request: Any = None,
    progress: Progress | None = None,
    starting: tuple[str, ...] = STARTABLE,
) -> RosterImport:
    _check_scope(actor, roster_import.unit)
    _claim(roster_import, starting, Status.RUNNING, dry_run=not commit, mode=mode, message="", **_ZEROED)
    try:
        with contextlib.closing(read_rows(_stored_file(roster_import), roster_import.kind)) as rows:
            plan = check_roster(
                unit=roster_import.unit,
                rows=rows,
                max_rows=settings.ROSTER_MAX_ROWS,
                progress=progress,
            )
        if not commit:
            _finish(roster_import, plan, Status.CHECKED, _summary_message(plan))
        elif mode == Mode.ALL_OR_NOTHING and plan.invalid:
            _finish(
                roster_import,
                plan,
                Status.REFUSED,
                _(
                    "名册中有 %(invalid)s 行有误，按“全部正确才导入”的方式没有导入任何数据。"
                    "请改正后重新上传，或选择“只导入正确的行”。"
                )
                % {"invalid": len(plan.invalid)},
            )
        else:
            _commit(actor, roster_import, plan, request=request)
    except DomainError as exc:
        _save(roster_import, status=Status.FAILED, message=exc.detail[:300], finished_at=timezone.now())
        raise
    except IntegrityError:
        # Someone else wrote one of these people (a phone number, an ID number) between the check and
        # the write: the transaction is rolled back, the import can simply be run again.
        conflict = Conflict(
            _("导入期间，名册中的部分党员被同时登记或修改，没有导入任何数据。请重新导入。"),
            code="concurrent_change",
        )
        _save(roster_import, status=Status.FAILED, message=conflict.detail, finished_at=timezone.now())
        raise conflict from None
    except Exception:
        _save(
            roster_import,
            status=Status.FAILED,
            message=_("处理名册时发生系统错误，没有导入任何数据。请稍后重试或联系管理员。"),
            finished_at=timezone.now(),
        )
        raise
    return roster_import


def _stored_file(roster_import: RosterImport) -> bytes:
    """The uploaded file, decrypted; read from the database without keeping a copy on the instance."""
    token = RosterImport.objects.filter(pk=roster_import.pk).values_list("content", flat=True).get()
    return crypto.decrypt_bytes(bytes(token))


def _summary_message(plan: Plan) -> str:
    return (
        _("共 %(rows)s 行：新增 %(created)s，更新 %(updated)s，无变化 %(unchanged)s，有误 %(invalid)s。")
        % plan.counts()
    )


def _results(plan: Plan) -> dict[str, Any]:
    errors = []
    total = 0
    for error in plan.errors():
        if total < RosterImport.ERRORS_KEPT:
            errors.append(error)
        total += 1
    return {**plan.counts(), "errors": errors, "errors_total": total}


def _finish(roster_import: RosterImport, plan: Plan, status: str, message: str, **fields: Any) -> None:
    _save(
        roster_import,
        status=status,
        message=message[:300],
        finished_at=timezone.now(),
        **_results(plan),
        **fields,
    )


def _commit(actor: Any, roster_import: RosterImport, plan: Plan, *, request: Any) -> None:
    if plan.invalid:
        # Valid-only: the rows left out, with their reasons; only the written rows are counted as such.
        error_workbook: bytes | None = error_workbook_xlsx(plan.invalid)
        message = _(
            "已导入 %(written)s 行（新增 %(created)s，更新 %(updated)s，无变化 %(unchanged)s）；"
            "%(invalid)s 行有误未导入，可下载错误清单改正后重新导入。"
        ) % {**plan.counts(), "written": plan.rows - len(plan.invalid)}
    else:
        error_workbook = None
        message = _summary_message(plan)
    now = timezone.now()
    with transaction.atomic(), bulk_load():
        _write(plan, now)
        _finish(
            roster_import,
            plan,
            Status.COMMITTED,
            message,
            committed_at=now,
            committed_by=actor,
            error_workbook=error_workbook,
            content=b"",  # the file held ID numbers in full: not kept once imported
        )
        # Last, so the audit chain's head is locked only for an instant of this long transaction.
        audit_record(
            action=Action.ROSTER_IMPORTED,
            actor=actor,
            target=roster_import,
            detail={
                "unit": roster_import.unit.code,
                "filename": roster_import.filename,
                "sha256": roster_import.sha256,
                "mode": roster_import.mode,
                **plan.counts(),
            },
            request=request,
        )


# ---- writing -------------------------------------------------------------------------------------------


def _id_fields(number: str) -> dict[str, Any]:
    if not number:
        return {}
    return {
        "id_number_encrypted": crypto.encrypt(number),
        "id_number_hash": crypto.lookup_hash(number),
        "id_number_masked": idnumber.mask(number),
    }


def _branches(unit: Unit, names: set[str]) -> dict[str, int]:
    if names:
        Branch.objects.bulk_create(
            [Branch(unit=unit, name=name) for name in sorted(names)], ignore_conflicts=True
        )
    return {name: pk for pk, name in Branch.objects.filter(unit=unit).values_list("id", "name")}


def _write(plan: Plan, now: datetime) -> None:
    unit_id = plan.unit.pk
    branch_ids = _branches(plan.unit, plan.new_branches)
    creates = plan.creates
    new = [row for row in creates if row.known is None]
    secrets_ = os.urandom(UNUSABLE_SUFFIX_BYTES * len(new)).hex()
    step = 2 * UNUSABLE_SUFFIX_BYTES
    made = insert_rows(
        User,
        ["phone", "name", "password"],
        [
            (row.phone, row.name, UNUSABLE_PASSWORD_PREFIX + secrets_[i * step : (i + 1) * step])
            for i, row in enumerate(new)
        ],
        now=now,
        returning="phone",
    )
    user_ids = [made[row.phone] if row.known is None else row.known.user_id for row in creates]
    # People who had an account under the same name (an admin, a resident) and now join the roster keep it
    # (and its password); a member grant they may hold already is not repeated.
    accounts = [row.known.user_id for row in creates if row.known is not None]
    granted: set[int] = set()
    for batch in batches(accounts):
        granted.update(
            Grant.objects.filter(
                among(Grant, "user_id", batch), role=Role.MEMBER, unit_id=unit_id
            ).values_list("user_id", flat=True)
        )
    insert_rows(
        Grant,
        ["user_id", "role", "unit_id"],
        ((uid, Role.MEMBER.value, unit_id) for uid in user_ids if uid not in granted),
        now=now,
    )
    insert_rows(
        Member,
        _MEMBER_COLUMNS,
        (_member_row(plan, row, uid, branch_ids) for uid, row in zip(user_ids, creates, strict=True)),
        now=now,
    )
    update_rows(
        User, ["name"], [(u.changes["name"], u.known.user_id) for u in plan.updates if "name" in u.changes]
    )
    _update_members(plan.updates, branch_ids, now)


_MEMBER_COLUMNS = (
    "user_id",
    "unit_id",
    "branch_id",
    "on_roster",
    "community_id",
    "grid_id",
    "address",
    "residence_path",
    "skills",
    "id_number_encrypted",
    "id_number_hash",
    "id_number_masked",
)


def _member_row(plan: Plan, row: Row, user_id: int, branch_ids: dict[str, int]) -> tuple[Any, ...]:
    number = row.id_number
    return (
        user_id,
        plan.unit.pk,
        branch_ids[row.branch] if row.branch else None,
        True,
        row.community_id,
        row.grid_id,
        row.address or "",
        plan.home_path(row.community_id, row.grid_id),
        row.skills or [],
        crypto.encrypt(number) if number else "",
        row.id_hash if number else None,
        idnumber.mask(number) if number else "",
    )


#: Which member columns each kind of change writes.
_MEMBER_FIELDS = {
    "branch": ("branch_id",),
    "community_id": ("community_id", "grid_id", "address", "residence_path"),
    "skills": ("skills",),
    "id_number": ("id_number_encrypted", "id_number_hash", "id_number_masked"),
    "on_roster": ("on_roster",),
}


def _update_members(updates: list[Update], branch_ids: dict[str, int], now: datetime) -> None:
    """Members changed by the roster, written in groups that change the same columns."""
    groups: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
    for update in updates:
        changes = update.changes
        kinds = tuple(kind for kind in _MEMBER_FIELDS if kind in changes)
        if not kinds:
            continue  # a new name only: the account, not the profile
        values: list[Any] = []
        for kind in kinds:
            if kind == "branch":
                values.append(branch_ids[changes["branch"]])
            elif kind == "community_id":
                values += [
                    changes["community_id"],
                    changes["grid_id"],
                    changes["address"],
                    changes["residence_path"],
                ]
            elif kind == "skills":
                values.append(changes["skills"])
            elif kind == "id_number":
                fields = _id_fields(changes["id_number"])
                values += [fields[name] for name in _MEMBER_FIELDS["id_number"]]
            else:
                values.append(True)
        groups[kinds].append([*values, now, update.known.member_id])
    for kinds, rows in groups.items():
        update_rows(Member, [name for kind in kinds for name in _MEMBER_FIELDS[kind]] + ["updated_at"], rows)
