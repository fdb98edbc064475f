"""The two file formats of an export, written row by row in flat memory, and the rule that keeps a cell
from being read as a formula.

Formula neutralisation (OWASP "CSV injection"): a text cell whose first character is `=`, `+`, `-`, `@`,
a tab or a carriage return (or the full-width `＝ ＋ － ＠` a Chinese input method types) gets a leading
single quote, in both formats, so that the text reads the same in either file. Spreadsheet programs treat
a quoted cell as text, and the csv module quotes every cell that needs it. In the workbook every text
cell is moreover an inline *string* cell — the writer below has no way to emit a formula at all — so
the quote there only guards a sheet that is edited or saved again as CSV. Numbers stay numbers.

The workbook writer is our own: a minimal SpreadsheetML package (one sheet, inline strings, a bold frozen
header row, column widths) streamed into a zip. openpyxl's write-only mode writes about 10,000 rows of
twelve columns a second on our machines, less than the export's target end to end; this writer does
several times that. Workbooks are read back with openpyxl in the tests.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Cell = str | int | float | Decimal | None

#: First characters that make a spreadsheet read a cell as a formula (and their full-width forms).
FORMULA_TRIGGERS = frozenset("=+-@\t\r") | frozenset(chr(ord(c) + 0xFEE0) for c in "=+-@")
#: Rows written between two calls of the progress callback, and CSV rows sent in one piece.
CHUNK_ROWS = 2000
#: The longest text a spreadsheet cell holds.
MAX_CELL_TEXT = 32767
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    header: StrOrPromise
    #: Width in the workbook, in characters (a Chinese character counts about two).
    width: int = 12


def neutralise(value: str) -> str:
    """The text with a leading `'` when a spreadsheet would otherwise take it for a formula."""
    return "'" + value if value and value[0] in FORMULA_TRIGGERS else value


def safe_row(row: Sequence[Cell]) -> list[Cell]:
    return [neutralise(v) if isinstance(v, str) else v for v in row]


def content_disposition(filename: str, fallback: str) -> str:
    """`attachment` with the Chinese name in RFC 5987 form and an ASCII name for older clients."""
    ascii_name = fallback.encode("ascii", "ignore").decode().replace('"', "") or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# ---- CSV ----------------------------------------------------------------------------------------------


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so that Excel on Chinese Windows does not take it for GBK), CRLF line
    ends, a header row; sent in pieces of CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(c.header)) for c in columns])
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow(["" if v is None else v for v in safe_row(row)])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


# ---- XLSX ---------------------------------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="styles.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
    "</Relationships>"
)
#: Style 0: normal; style 1: bold (the header row).
_STYLES = (
    _DECL + f'<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_name(title: str) -> str:
    """At most 31 characters, none of those a sheet name may not hold."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


def _text(value: str) -> str:
    return escape(_XML_ILLEGAL.sub("", value[:MAX_CELL_TEXT]))


def _row_xml(number: int, refs: list[str], row: Sequence[Cell], style: str = "") -> str:
    n = str(number)
    cells = []
    for ref, value in zip(refs, row, strict=False):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            text = _text(value)
            cells.append(
                f'<c r="{ref}{n}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
            )
        else:
            cells.append(f'<c r="{ref}{n}"{style}><v>{value}</v></c>')
    return f'<row r="{n}">{"".join(cells)}</row>'


def write_xlsx(
    out: IO[bytes],
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write one sheet named `title` with a header row and `rows` into `out` (a file opened for binary
    writing); return the number of data rows. Memory stays flat: rows go to the compressor as they come."""
    refs = [_column_letters(i) for i in range(len(columns))]
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr(
            "xl/workbook.xml",
            _DECL + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>'
            f'<sheet name={quoteattr(_sheet_name(title))} sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            widths = "".join(
                f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
                for i, c in enumerate(columns, 1)
            )
            sheet.write(
                (
                    _DECL + f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheetViews>'
                    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                    'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
                    f"<cols>{widths}</cols><sheetData>"
                    + _row_xml(1, refs, [neutralise(str(c.header)) for c in columns], ' s="1"')
                ).encode()
            )
            pending: list[str] = []
            for count, row in enumerate(rows, 1):
                pending.append(_row_xml(count + 1, refs, safe_row(row)))
                if count % CHUNK_ROWS == 0:
                    sheet.write("".join(pending).encode())
                    pending.clear()
                    if progress is not None:
                        progress(count)
            sheet.write(("".join(pending) + "</sheetData></worksheet>").encode())
    return count
