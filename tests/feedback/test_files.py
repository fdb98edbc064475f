"""The letter as a PDF (parses, paginates a long table, names the unit) and as an Excel sheet (reads back
with exactly the unit's members, numbers as numbers, a bold header)."""

import io

import openpyxl
import pypdf
import pytest

from baodao.appraisals.models import Status
from baodao.feedback.pdf import feedback_pdf
from baodao.feedback.selectors import feedback_letter
from baodao.feedback.xlsx import feedback_xlsx
from baodao.lib.periods import period_parse
from tests.circulars.helpers import local, member_of, registered, served

from .helpers import appraised

pytestmark = pytest.mark.django_db

Q3 = period_parse("2026Q3")


def test_the_pdf_parses_and_a_long_table_runs_over_pages(w):
    for i in range(70):
        member_of(w, "U1", name=f"党员{i:02d}")
    m = member_of(w, "U1", name="赵强")
    registered(w, m, at=local(2026, 7, 1))
    served(w, m, local(2026, 8, 1))
    appraised(w, m, Q3, status=Status.FINALISED, level=1, comment="服务积极，" * 30)
    content = feedback_pdf(feedback_letter(w.units["U1"], Q3))
    assert content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 2
    assert "反馈函" in (reader.metadata.title or "")
    assert "区税务局" in reader.metadata.title


def test_the_pdf_of_an_empty_roster(w):
    content = feedback_pdf(feedback_letter(w.units["U3"], Q3))
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == 1


def test_the_workbook_holds_exactly_the_units_members(w):
    m = member_of(w, "U1", name="赵强")
    registered(w, m, at=local(2026, 7, 1))
    served(w, m, local(2026, 8, 1), hours="2.5")
    appraised(w, m, Q3, status=Status.FINALISED, level=2, comment="=危险公式")
    member_of(w, "U2", name="医院的")
    book = openpyxl.load_workbook(io.BytesIO(feedback_xlsx(feedback_letter(w.units["U1"], Q3))))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "姓名", "是否报到")
    assert sheet["A1"].font.bold
    assert sorted(r[1] for r in rows[1:]) == sorted(["李明", "赵强"])
    zhao = next(r for r in rows[1:] if r[1] == "赵强")
    assert zhao[2:] == ("是", "幸福社区", 1, 2.5, "是", "合格", "'=危险公式")
    assert isinstance(zhao[4], int) and isinstance(zhao[5], float)


def test_control_characters_are_dropped_from_every_text_cell(w):
    m = member_of(w, "U1", name="赵\x0b强")
    registered(w, m, at=local(2026, 7, 1))
    served(w, m, local(2026, 8, 1))
    appraised(w, m, Q3, status=Status.FINALISED, level=1, comment="\x1b=服务\x08积极\x0c")
    letter = feedback_letter(w.units["U1"], Q3)
    sheet = openpyxl.load_workbook(io.BytesIO(feedback_xlsx(letter))).active
    zhao = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "赵强")
    assert zhao[-1] == "'=服务积极"  # stripped first, then kept from being read as a formula
    reader = pypdf.PdfReader(io.BytesIO(feedback_pdf(letter)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "赵强" in text and "=服务积极" in text
    assert not {"\x08", "\x0b", "\x0c", "\x1b"} & set(text)
