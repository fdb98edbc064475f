"""Roster files built in code (no binary fixtures) and a shortcut to run them through the services."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from baodao.lib import idnumber
from baodao.roster.services import roster_import_start

HEADER = ["姓名", "手机号", "身份证号", "所在支部", "居住社区", "网格", "住址", "特长", "备注"]


def id_number(seq: int, born: str = "19900101", region: str = "440106") -> str:
    """A valid GB 11643 number (check digit computed)."""
    first17 = f"{region}{born}{seq:03d}"
    return first17 + idnumber.check_digit(first17)


def row(
    name="张三",
    phone="13900001001",
    id_no="",
    branch="第一支部",
    community="幸福社区",
    grid="网格C1G1",
    address="1栋101",
    skills="法律咨询",
    remark="",
):
    return [name, phone, id_no, branch, community, grid, address, skills, remark]


def xlsx(rows, header=HEADER, title_rows=()):
    book = Workbook()
    sheet = book.active
    for title in title_rows:
        sheet.append(title)
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig", delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run(w):
    """`run(content, dry_run=..., mode=..., actor=..., unit=...)`: upload and run at once, as U1's admin."""

    def go(content, *, dry_run=False, mode="all_or_nothing", actor=None, unit=None, filename="名册.xlsx"):
        return roster_import_start(
            actor=actor or w.users["unit_admin"],
            unit=unit or w.units["U1"],
            filename=filename,
            content=content,
            dry_run=dry_run,
            mode=mode,
        )

    return go


def errors_of(roster_import):
    return [(e["row"], e["column"], e["message"]) for e in roster_import.errors]


@pytest.fixture
def anon():
    """A client without credentials."""
    from rest_framework.test import APIClient

    return APIClient()
