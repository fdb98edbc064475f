"""The feedback letter (反馈函) as an Excel sheet, written with openpyxl (a unit's letter is small)."""

from __future__ import annotations

from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from baodao.exports.formats import _XML_ILLEGAL, MAX_CELL_TEXT, content_disposition, neutralise
from baodao.exports.responses import CONTENT_TYPES

from .pdf import letter_fallback, letter_filename
from .selectors import Letter

#: the sheet's columns: heading and width in characters
XLSX_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("姓名"), 12),
    (gettext_lazy("是否报到"), 10),
    (gettext_lazy("报到社区"), 20),
    (gettext_lazy("服务次数"), 10),
    (gettext_lazy("服务时长（小时）"), 16),
    (gettext_lazy("达到最低服务要求"), 18),
    (gettext_lazy("考评等次"), 10),
    (gettext_lazy("社区评语"), 40),
)


def _text(value: str) -> str:
    """A text cell: without the control characters a workbook cannot hold (openpyxl refuses them), then
    kept from being read as a formula — as the exports write theirs."""
    return neutralise(_XML_ILLEGAL.sub("", value[:MAX_CELL_TEXT]))


def feedback_xlsx(letter: Letter) -> bytes:
    """One sheet: a bold header row, then one row per member; counts and hours as numbers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(_("反馈函"))
    sheet.append([str(h) for h, _width in XLSX_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, (_heading, width) in enumerate(XLSX_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    for n, row in enumerate(letter.rows, start=1):
        sheet.append(
            [
                n,
                _text(row.name),
                _text(_("是") if row.registered else _("否")),
                _text(row.community),
                row.services,
                float(row.hours),
                _text(_("是") if row.minimum_met else _("否")),
                _text(row.grade),
                _text(row.comment),
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def feedback_xlsx_response(letter: Letter) -> HttpResponse:
    response = HttpResponse(feedback_xlsx(letter), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition(
        letter_filename(letter, "xlsx"), letter_fallback(letter, "xlsx")
    )
    response["Cache-Control"] = "private, no-store"
    return response
