"""Checking a roster against the rules and the database: what each row would do, or why it cannot.

`check_roster` reads the rows once, validates each against the template's rules with everything it needs
already in memory (the district's communities and grids, the unit's branches, the skill vocabulary), then
looks up the people already on record in a few batched queries (by phone number and by ID-number lookup
hash), and sorts every row into create, update, unchanged or invalid. It writes nothing: `services`
does, from the `Plan` it returns. Row numbers are those Excel shows (the sheet's first row is 1).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _

from baodao.accounts.models import PHONE_RE, User
from baodao.lib import crypto, idnumber
from baodao.lib.errors import Invalid
from baodao.members.models import Member
from baodao.members.vocabulary import parse_skills
from baodao.org.models import Branch, Level, Region, Unit

from . import bulk
from . import columns as col
from .files import BadFile

#: Rows read between two progress reports.
PROGRESS_EVERY = 2000
#: Distinct unknown community names looked up outside the district, to say where they are; past this,
#: the plain "not found" message is given.
ELSEWHERE_LOOKUPS = 100
NAME_MAX = 50
BRANCH_MAX = 100
ADDRESS_MAX = 200
SHOWN_MAX = 30  # characters of a cell repeated in a message

_PHONE = re.compile(PHONE_RE, re.ASCII)
_PHONE_NOISE = re.compile(r"[\s\-()]+")
# NFKC has already turned full-width commas and semicolons into ASCII ones; U+3001 is the ideographic comma.
_SKILL_SEPARATORS = re.compile(r"[,;\u3001\s]+")

Progress = Callable[[int], None]


class _Place(NamedTuple):
    id: int
    code: str
    name: str
    path: str
    parent_id: int | None


class _Known(NamedTuple):
    """A person on record, found by phone number: the account and, if any, its member profile."""

    user_id: int
    name: str
    member_id: int | None
    unit_id: int | None
    unit_name: str | None
    branch_id: int | None
    community_id: int | None
    grid_id: int | None
    address: str | None
    residence_path: str | None
    skills: list[str] | None
    id_hash: str | None
    id_masked: str | None
    on_roster: bool | None


class _KnownId(NamedTuple):
    """A member on record, found by the lookup hash of its ID number."""

    member_id: int
    unit_id: int
    unit_name: str
    phone: str


class Row:
    """One data row: its values once parsed, or its errors; then what it will do."""

    __slots__ = (
        "address",
        "branch",
        "cells",
        "community_id",
        "errors",
        "grid_id",
        "id_hash",
        "id_number",
        "known",
        "name",
        "number",
        "phone",
        "skills",
    )

    def __init__(self, number: int, cells: list[Any]):
        self.number = number
        self.cells = cells  # the raw cells in template order, for the error workbook
        self.errors: list[tuple[str, str]] = []
        self.name = ""
        self.phone = ""
        self.id_number = ""
        self.id_hash: str | None = None
        self.branch: str | None = None
        self.community_id: int | None = None
        self.grid_id: int | None = None
        self.address: str | None = None
        self.skills: list[str] | None = None
        self.known: _Known | None = None

    def fail(self, column: str, message: str) -> None:
        self.errors.append((column, message))


@dataclass
class Update:
    row: Row
    known: _Known
    #: field -> new value, among: name, branch, community_id, grid_id, address, residence_path, skills,
    #: id_number, on_roster
    changes: dict[str, Any]


@dataclass
class Plan:
    """What committing the checked roster would do."""

    unit: Unit
    rows: int = 0
    creates: list[Row] = field(default_factory=list)  # rows whose `known` is None, or an account only
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    invalid: list[Row] = field(default_factory=list)
    #: Branch names of the file not yet in the unit: created on commit.
    new_branches: set[str] = field(default_factory=set)
    communities: dict[int, _Place] = field(default_factory=dict)
    grids: dict[int, _Place] = field(default_factory=dict)

    def errors(self) -> Iterator[dict[str, Any]]:
        for row in self.invalid:
            for column, message in row.errors:
                yield {"row": row.number, "column": col.label(column), "message": message}

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "invalid": len(self.invalid),
        }

    def home_path(self, community_id: int | None, grid_id: int | None) -> str:
        if grid_id is not None:
            return self.grids[grid_id].path
        if community_id is not None:
            return self.communities[community_id].path
        return ""


def check_roster(
    *, unit: Unit, rows: Iterable[list[Any]], max_rows: int, progress: Progress | None = None
) -> Plan:
    """Check every row of a roster for `unit`. Raises `BadFile` for a problem with the file as a whole
    (no header, no data, too many rows); row problems are in the plan."""
    return _Checker(unit, progress).run(rows, max_rows)


def cell_text(value: Any) -> str:
    """A cell as text: numbers Excel stored for digits (13800000000.0) without their decimal part."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _key(value: str) -> str:
    """How names and codes of places are compared: full-width folded, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def _blank(value: Any) -> bool:
    return value is None or value == "" or (value.__class__ is str and not value.strip())


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "…"


def _unquote(value: str) -> str:
    """`="13800000000"` and `'13800000000`: the tricks people use to keep Excel from turning digits into a
    number."""
    if value.startswith('="') and value.endswith('"'):
        return value[2:-1]
    return value.lstrip("'")


class _Checker:
    def __init__(self, unit: Unit, progress: Progress | None):
        self.unit = unit
        self.progress = progress
        self.plan = Plan(unit=unit)
        district_path = unit.region.path.split("/", 1)[0] + "/"
        self.district_path = district_path
        self.district_name = (
            Region.objects.filter(path=district_path).values_list("name", flat=True).first() or ""
        )
        places = Region.objects.filter(
            path__startswith=district_path, level__in=(Level.COMMUNITY, Level.GRID)
        ).values_list("id", "code", "name", "path", "parent_id", "level")
        self.community_by_code: dict[str, _Place] = {}
        self.community_by_name: dict[str, list[_Place]] = {}
        self.grid_by_code: dict[str, _Place] = {}
        self.grid_by_name: dict[tuple[int, str], _Place] = {}
        for pk, code, name, path, parent_id, level in places:
            place = _Place(pk, code, name, path, parent_id)
            if level == Level.COMMUNITY:
                self.plan.communities[pk] = place
                self.community_by_code[code.upper()] = place
                self.community_by_name.setdefault(_key(name), []).append(place)
            else:
                self.plan.grids[pk] = place
                self.grid_by_code[code.upper()] = place
                if parent_id is not None:
                    self.grid_by_name.setdefault((parent_id, _key(name)), place)
        self.branch_ids: dict[str, int] = {
            name: pk for pk, name in Branch.objects.filter(unit=unit).values_list("id", "name")
        }
        self.phones: dict[str, int] = {}  # phone -> first row holding it
        self.id_hashes: dict[str, int] = {}
        self._communities: dict[str, _Place | str] = {}  # cell -> place or error message
        self._grids: dict[tuple[int | None, str], _Place | str] = {}
        self._residences: dict[tuple[str, str], tuple[str, str, int | None, int | None]] = {}
        self._skills: dict[str, list[str] | str] = {}
        self._elsewhere_lookups = 0

    # ---- reading -------------------------------------------------------------------------------------

    def run(self, rows: Iterable[list[Any]], max_rows: int) -> Plan:
        header: dict[str, int] | None = None
        header_row = 0
        indexes: list[int] = []
        pick: Callable[[list[Any]], Any] = operator.itemgetter(0)
        widest = 0
        best: dict[str, int] = {}
        parsed: list[Row] = []
        plan = self.plan
        for number, cells in enumerate(rows, start=1):
            if header is None:
                found = col.header_columns(cells)
                if all(key in found for key in col.REQUIRED):
                    header = found
                    header_row = number
                    indexes = [found.get(key, -1) for key in col.ORDER]
                    pick = operator.itemgetter(*indexes)
                    widest = max(indexes)
                    continue
                if len(found) > len(best):
                    best = found
                if number >= col.HEADER_SCAN:
                    raise BadFile(col.missing_columns_message(best))
                continue
            if len(cells) > widest:
                cells.append(None)  # what a missing column (index -1) reads
                values = list(pick(cells))
            else:
                values = [cells[i] if 0 <= i < len(cells) else None for i in indexes]
            if _blank(values[1]) and all(_blank(v) for v in values):
                if number - header_row > 2 * max_rows:
                    raise self._too_many(max_rows)
                continue
            plan.rows += 1
            if plan.rows > max_rows:
                raise self._too_many(max_rows)
            parsed.append(self._parse(number, values))
            if self.progress is not None and plan.rows % PROGRESS_EVERY == 0:
                self.progress(plan.rows)
        if header is None:
            raise BadFile(col.missing_columns_message(best) if best else _("文件中没有找到名册表头。"))
        if plan.rows == 0:
            raise BadFile(_("名册中没有党员数据：表头下面是空的。"))
        self._classify(parsed)
        return plan

    @staticmethod
    def _too_many(max_rows: int) -> BadFile:
        return BadFile(
            _("名册超过 %(max)s 行的上限，请分成几个文件导入。") % {"max": f"{max_rows:,}"},
        )

    def _parse(self, number: int, values: list[Any]) -> Row:
        """One row's values, checked. The common case (text cells, places and skills met before) costs a
        few dictionary lookups: this runs once per row of files of 100,000 rows."""
        name, phone, id_number, branch, community, grid, address, skills, _remark = values
        row = Row(number, values)
        name = name.strip() if name.__class__ is str else cell_text(name)
        if name and len(name) <= NAME_MAX:
            row.name = name
        else:
            row.fail(
                col.NAME,
                _("姓名过长（最多 %(max)s 个字）。") % {"max": NAME_MAX} if name else _("请填写姓名。"),
            )
        if phone.__class__ is str and len(phone) == 11 and phone.isascii() and _PHONE.match(phone):
            self._keep_phone(row, phone)
        else:
            self._phone(row, phone)
        if id_number is not None and id_number != "":
            self._id_number(row, id_number)
        branch = branch.strip() if branch.__class__ is str else cell_text(branch)
        if branch:
            self._branch(row, branch)
        address = address.strip() if address.__class__ is str else cell_text(address)
        if len(address) > ADDRESS_MAX:
            row.fail(col.ADDRESS, _("住址过长（最多 %(max)s 个字）。") % {"max": ADDRESS_MAX})
        elif address:
            row.address = address
        community = community.strip() if community.__class__ is str else cell_text(community)
        grid = grid.strip() if grid.__class__ is str else cell_text(grid)
        if community or grid:
            place = self._residences.get((community, grid))
            if place is None:
                place = self._residences[(community, grid)] = self._residence(community, grid)
            column, message, row.community_id, row.grid_id = place
            if message:
                row.fail(column, message)
        skills = skills.strip() if skills.__class__ is str else cell_text(skills)
        if skills:
            self._skill_list(row, skills)
        return row

    def _phone(self, row: Row, raw: Any) -> None:
        phone = cell_text(raw)
        if not phone:
            row.fail(col.PHONE, _("请填写手机号。"))
            return
        if not phone.isascii():
            phone = unicodedata.normalize("NFKC", phone)
        phone = _PHONE_NOISE.sub("", _unquote(phone))
        if phone.startswith("+86"):
            phone = phone[3:]
        elif len(phone) == 13 and phone.startswith("86"):
            phone = phone[2:]
        if not _PHONE.match(phone):
            row.fail(col.PHONE, _("手机号格式不正确，应为 11 位中国大陆手机号码。"))
            return
        self._keep_phone(row, phone)

    def _keep_phone(self, row: Row, phone: str) -> None:
        first = self.phones.setdefault(phone, row.number)
        if first != row.number:
            row.fail(col.PHONE, _("手机号与第 %(row)s 行重复。") % {"row": first})
        else:
            row.phone = phone

    def _id_number(self, row: Row, raw: Any) -> None:
        if raw is None or raw == "":
            return
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            row.fail(
                col.ID_NUMBER,
                _("身份证号被 Excel 存成了数字，末几位可能已经丢失。请把该列设置为“文本”格式后重新填写。"),
            )
            return
        value = idnumber.normalise(_unquote(str(raw).strip()))
        if not value:
            return
        if not idnumber.is_valid(value):
            row.fail(
                col.ID_NUMBER,
                _("身份证号码无效（位数、出生日期或校验位不正确）：%(masked)s。")
                % {"masked": idnumber.mask(value)},
            )
            return
        digest = crypto.lookup_hash(value)
        first = self.id_hashes.setdefault(digest, row.number)
        if first != row.number:
            row.fail(col.ID_NUMBER, _("身份证号与第 %(row)s 行重复。") % {"row": first})
            return
        row.id_number = value
        row.id_hash = digest

    def _branch(self, row: Row, branch: str) -> None:
        if len(branch) > BRANCH_MAX:
            row.fail(col.BRANCH, _("支部名称过长（最多 %(max)s 个字）。") % {"max": BRANCH_MAX})
            return
        row.branch = branch
        if branch not in self.branch_ids:
            self.plan.new_branches.add(branch)

    def _residence(self, community: str, grid: str) -> tuple[str, str, int | None, int | None]:
        """(column, error message or "", community id, grid id) for a pair of cells."""
        place: _Place | None = None
        if community:
            found = self._community(community)
            if isinstance(found, str):
                return col.COMMUNITY, found, None, None
            place = found
        grid_id = None
        if grid:
            found_grid = self._grid(place, grid)
            if isinstance(found_grid, str):
                return col.GRID, found_grid, None, None
            grid_id = found_grid.id
            if place is None:  # a grid named by its code: its community follows
                place = self.plan.communities.get(found_grid.parent_id or 0)
        return "", "", place.id if place is not None else None, grid_id

    def _community(self, value: str) -> _Place | str:
        found = self._communities.get(value)
        if found is None:
            key = _key(value)
            by_code = self.community_by_code.get(key.upper())
            by_name = self.community_by_name.get(key, [])
            if by_code is not None:
                found = by_code
            elif len(by_name) == 1:
                found = by_name[0]
            elif by_name:
                found = _("%(district)s有不止一个名为“%(value)s”的社区，请填写社区编码。") % {
                    "district": self.district_name,
                    "value": _shown(value),
                }
            else:
                found = self._community_elsewhere(key, value)
            self._communities[value] = found
        return found

    def _community_elsewhere(self, key: str, value: str) -> str:
        params = {"district": self.district_name, "value": _shown(value)}
        if self._elsewhere_lookups < ELSEWHERE_LOOKUPS:
            self._elsewhere_lookups += 1
            elsewhere = (
                Region.objects.filter(level=Level.COMMUNITY)
                .filter(Q(code__iexact=key) | Q(name=key))
                .exclude(path__startswith=self.district_path)
                .exists()
            )
            if elsewhere:
                return _("社区“%(value)s”不在本单位所在的%(district)s，不能导入到本单位名册。") % params
        return _("在%(district)s没有找到社区“%(value)s”（请填写社区名称或编码）。") % params

    def _grid(self, community: _Place | None, value: str) -> _Place | str:
        cache_key = (community.id if community else None, value)
        found = self._grids.get(cache_key)
        if found is None:
            key = _key(value)
            by_code = self.grid_by_code.get(key.upper())
            if community is None:
                found = by_code or _("填写网格名称时请同时填写居住社区（或填写网格编码）。")
            else:
                found = self.grid_by_name.get((community.id, key))
                if found is None and by_code is not None and by_code.parent_id == community.id:
                    found = by_code
                elif found is None and by_code is not None:
                    found = _("网格“%(value)s”不属于社区“%(community)s”。") % {
                        "community": community.name,
                        "value": _shown(value),
                    }
                elif found is None:
                    found = _("社区“%(community)s”下没有网格“%(value)s”。") % {
                        "community": community.name,
                        "value": _shown(value),
                    }
            self._grids[cache_key] = found
        return found

    def _skill_list(self, row: Row, value: str) -> None:
        found = self._skills.get(value)
        if found is None:
            parts = _SKILL_SEPARATORS.split(unicodedata.normalize("NFKC", value))
            try:
                found = parse_skills(parts)
            except Invalid as exc:
                found = exc.detail
            self._skills[value] = found
        if isinstance(found, str):
            row.fail(col.SKILLS, found)
        else:
            row.skills = found

    # ---- the people on record ------------------------------------------------------------------------

    def _classify(self, parsed: list[Row]) -> None:
        """Match the valid rows with the people on record, a batch at a time: the records looked up for a
        batch are dropped once its rows are sorted (an update keeps the one it changes)."""
        plan = self.plan
        valid = [row for row in parsed if not row.errors]
        for batch in bulk.batches(valid):
            by_phone = self._known_by_phone([row.phone for row in batch])
            by_hash = self._known_by_id([row.id_hash for row in batch if row.id_hash])
            for row in batch:
                self._match(row, by_phone.get(row.phone), by_hash.get(row.id_hash) if row.id_hash else None)
        plan.invalid = [row for row in parsed if row.errors]

    def _known_by_phone(self, phones: list[str]) -> dict[str, _Known]:
        rows = User.objects.filter(bulk.among(User, "phone", phones)).values_list(
            "phone",
            "id",
            "name",
            "member__id",
            "member__unit_id",
            "member__unit__name",
            "member__branch_id",
            "member__community_id",
            "member__grid_id",
            "member__address",
            "member__residence_path",
            "member__skills",
            "member__id_number_hash",
            "member__id_number_masked",
            "member__on_roster",
        )
        return {phone: _Known(*values) for phone, *values in rows}

    def _known_by_id(self, hashes: list[str]) -> dict[str, _KnownId]:
        if not hashes:
            return {}
        rows = Member.objects.filter(bulk.among(Member, "id_number_hash", hashes)).values_list(
            "id_number_hash", "id", "unit_id", "unit__name", "user__phone"
        )
        return {
            digest: _KnownId(member_id, unit_id, unit_name, phone)
            for digest, member_id, unit_id, unit_name, phone in rows
            if digest
        }

    def _other_unit(self, unit_name: str | None) -> str:
        return _("该党员已在其他单位名册中（%(unit)s）。") % {"unit": unit_name or ""}

    def _match(self, row: Row, known: _Known | None, known_id: _KnownId | None) -> None:
        member_id = known.member_id if known is not None else None
        if known_id is not None and known_id.member_id != member_id:
            if known is not None:
                row.fail(col.ID_NUMBER, _("该身份证号已登记在另一名党员名下。"))
            elif known_id.unit_id != self.unit.pk:
                row.fail(col.ID_NUMBER, self._other_unit(known_id.unit_name))
            else:
                row.fail(
                    col.ID_NUMBER,
                    _(
                        "该身份证号已登记在本单位手机号为 %(phone)s 的党员名下。"
                        "名册导入不更改手机号：如已换号，请本人在个人资料中修改。"
                    )
                    % {"phone": idnumber.mask_phone(known_id.phone)},
                )
            return
        if known is not None and known.member_id is None and known.name != row.name:
            # The number signs in an account of someone else, as far as the name tells: never attach a
            # roster row to it (nor say whose it is).
            row.fail(col.PHONE, _("该手机号已是系统中另一个账号的登录手机号，且姓名与本行不一致，请核对。"))
            return
        if known is None or known.member_id is None:
            row.known = known  # a new member, or an account (an admin, a resident) that becomes one
            self.plan.creates.append(row)
            return
        if known.unit_id != self.unit.pk:
            row.fail(col.PHONE, self._other_unit(known.unit_name))
            return
        if row.id_hash and known.id_hash and row.id_hash != known.id_hash:
            row.fail(
                col.ID_NUMBER,
                _("身份证号与该党员已登记的号码（%(masked)s）不一致。") % {"masked": known.id_masked or ""},
            )
            return
        changes = self._changes(row, known)
        if changes:
            row.known = known
            self.plan.updates.append(Update(row, known, changes))
        else:
            self.plan.unchanged += 1

    def _changes(self, row: Row, known: _Known) -> dict[str, Any]:
        """What the row changes on a member of the unit. A blank cell changes nothing: the roster adds
        to what is on record and corrects it, it never erases."""
        changes: dict[str, Any] = {}
        if row.name != known.name:
            changes["name"] = row.name
        if row.branch is not None and (
            row.branch not in self.branch_ids or self.branch_ids[row.branch] != known.branch_id
        ):
            changes["branch"] = row.branch
        community_id, grid_id, address = known.community_id, known.grid_id, known.address or ""
        if row.community_id is not None:
            moved = row.community_id != known.community_id
            community_id = row.community_id
            grid_id = row.grid_id if row.grid_id is not None else (None if moved else known.grid_id)
            address = row.address if row.address is not None else ("" if moved else address)
        elif row.address is not None:
            address = row.address
        if (community_id, grid_id, address) != (known.community_id, known.grid_id, known.address or ""):
            # A new address alone keeps the home the member has, which may lie outside the district.
            same_home = (community_id, grid_id) == (known.community_id, known.grid_id)
            changes.update(
                community_id=community_id,
                grid_id=grid_id,
                address=address,
                residence_path=(
                    known.residence_path or "" if same_home else self.plan.home_path(community_id, grid_id)
                ),
            )
        if row.skills is not None and row.skills != known.skills:
            changes["skills"] = row.skills
        if row.id_number and not known.id_hash:
            changes["id_number"] = row.id_number
        if not known.on_roster:
            changes["on_roster"] = True
        return changes
