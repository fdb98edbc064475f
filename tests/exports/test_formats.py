"""The file formats on their own: formula neutralisation, the CSV and workbook writers, file names."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from baodao.exports.formats import Column, content_disposition, csv_chunks, neutralise, write_xlsx

COLUMNS = [Column("姓名"), Column("说明", 30), Column("数")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign
        ("李明", "李明"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_it_neutralises_what_a_spreadsheet_would_run(value, expected):
    assert neutralise(value) == expected


def test_it_writes_csv_rows_quoted_in_chunks(monkeypatch):
    from baodao.exports import formats

    monkeypatch.setattr(formats, "CHUNK_ROWS", 2)
    rows = [("张三", 'say "hi", then\nleave', 1), ("=1+1", None, Decimal("66.67")), ("王五", "", 0)]
    chunks = list(csv_chunks(COLUMNS, rows))
    assert len(chunks) == 3  # header, two rows, the last row
    text = b"".join(chunks).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["姓名", "说明", "数"],
        ["张三", 'say "hi", then\nleave', "1"],
        ["'=1+1", "", "66.67"],
        ["王五", "", "0"],
    ]


def test_it_writes_a_workbook_with_strings_numbers_and_a_frozen_bold_header():
    out = io.BytesIO()
    rows = [("张三", "a < b & c\x07", 12), ("@x", None, Decimal("66.67")), ("  空格  ", "x" * 40000, 1.5)]
    assert (
        write_xlsx(
            out,
            title="报到率[按单位]/东湖区:2026年度汇总表格的名字很长很长很长很长",
            columns=COLUMNS,
            rows=rows,
        )
        == 3
    )
    book = load_workbook(io.BytesIO(out.getvalue()))
    sheet = book.worksheets[0]
    assert sheet.title == "报到率 按单位  东湖区 2026年度汇总表格的名字很长很长很"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["姓名", "说明", "数"]
    assert values[1] == ["张三", "a < b & c", 12]  # a control character cannot be stored in XML: dropped
    assert values[2] == ["'@x", None, 66.67]
    assert values[3][0] == "  空格  " and len(values[3][1]) == 32767 and values[3][2] == 1.5
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 30


def test_it_reports_progress_while_writing_a_workbook(monkeypatch):
    from baodao.exports import formats

    monkeypatch.setattr(formats, "CHUNK_ROWS", 2)
    seen = []
    write_xlsx(io.BytesIO(), title="t", columns=COLUMNS, rows=[("a", "b", 1)] * 5, progress=seen.append)
    assert seen == [2, 4]


def test_a_workbook_is_a_plain_package_without_macros_or_formulas():
    out = io.BytesIO()
    write_xlsx(out, title="t", columns=COLUMNS, rows=[("=1+1", "+SUM(A1)", 1)])
    with zipfile.ZipFile(out) as package:
        names = set(package.namelist())
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert names == {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    }
    assert "<f>" not in sheet and "'=1+1" in sheet


def test_it_names_files_in_chinese_with_an_ascii_fallback():
    assert content_disposition("党员名单-20260105.csv", "baodao-members-20260105.csv") == (
        "attachment; filename=\"baodao-members-20260105.csv\"; filename*=UTF-8''"
        "%E5%85%9A%E5%91%98%E5%90%8D%E5%8D%95-20260105.csv"
    )
    assert content_disposition('a"b.csv', '名单"x.csv') == (
        "attachment; filename=\"x.csv\"; filename*=UTF-8''a%22b.csv"
    )
