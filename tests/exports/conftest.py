"""A populated world for exports, and readers that open what an export sends (openpyxl, the csv module)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from baodao.accounts.models import Role
from baodao.registration.services import registration_apply
from tests import factories

#: Names a spreadsheet would read as formulas.
HOSTILE_NAMES = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(w):
    """Besides the world's two members: 李明 (U1, C1G1) confirmed in C1, 王芳 (U2, C2) pending in C2;
    four U1 members in C1G2 with hostile names; 赵老师 (U3) in C3; 孙电工 (U4) registered in C4 (district
    D2); and a district admin of D2."""
    registration = factories.registered(
        w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"]
    )
    registration_apply(member=w.members["other_member"], community=w.r("C2"), grid=w.r("C2G1"))
    hostile = [
        factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name=name, skills=("it",))
        for name in HOSTILE_NAMES
    ]
    street = factories.member(w.units["U3"], community=w.r("C3"), grid=w.r("C3G1"), name="赵老师")
    far = factories.member(w.units["U4"], community=w.r("C4"), grid=w.r("C4G1"), name="孙电工")
    factories.registered(far, w.r("C4"), w.r("C4G1"), by=w.users["far_community_admin"])
    w.users["far_district_admin"] = factories.user(
        Role.DISTRICT_ADMIN, region_=w.r("D2"), name="西山区组织部"
    )
    w.members.update({"street": street, "far": far})
    w.members.update({f"hostile{i}": m for i, m in enumerate(hostile)})
    w.registration = registration
    return w


def read_xlsx(content: bytes) -> list[list]:
    """Every row of the first sheet, header first, as openpyxl reads it."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    # Empty cells are not written: pad each row to the header's width, as a spreadsheet shows it.
    return [r + [None] * (len(rows[0]) - len(r)) for r in rows]


def read_xlsx_cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for row in book.worksheets[0].iter_rows() for cell in row]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def rows_of(response) -> list[list]:
    """Header and rows of an export answer, whatever its format."""
    content = body(response)
    if response["Content-Type"].startswith("text/csv"):
        return read_csv(content)
    return read_xlsx(content)


def names(response) -> set[str]:
    return {row[0] for row in rows_of(response)[1:]}
