"""The template workbook: documented, and importable as soon as its example row is replaced."""

import io

from openpyxl import load_workbook

from baodao.roster.files import inspect_upload
from baodao.roster.workbooks import roster_template_xlsx


def test_it_is_a_workbook_our_own_checks_accept():
    assert inspect_upload(roster_template_xlsx()).kind == "xlsx"


def test_phone_and_id_columns_are_text_so_excel_keeps_every_digit():
    sheet = load_workbook(io.BytesIO(roster_template_xlsx())).worksheets[0]
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet.column_dimensions["C"].number_format == "@"
    assert sheet["B2"].number_format == "@"


def test_the_template_filled_in_imports(w, run):
    book = load_workbook(io.BytesIO(roster_template_xlsx()))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    sheet.append(
        [
            "赵敏",
            "13900007777",
            "",
            "第一党支部",
            "幸福社区",
            "网格C1G1",
            "5栋1单元",
            "法律咨询、健康医疗",
            "",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    imp = run(out.getvalue())
    assert (imp.rows, imp.created, imp.invalid) == (1, 1, 0), imp.errors
