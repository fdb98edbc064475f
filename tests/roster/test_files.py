"""Hostile and broken files, each built in code: refused with a clear Chinese message, nothing written."""

import io
import struct
import zipfile

import pytest

from baodao.accounts.models import User
from baodao.members.models import Member
from baodao.roster import files
from baodao.roster.files import BadFile, inspect_upload, read_rows
from baodao.roster.models import RosterImport, Status
from tests.roster.conftest import csv_bytes, row, xlsx

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


GOOD_ROWS = (
    f'<row r="1">{cell("A1", "姓名")}{cell("B1", "手机号")}</row>'
    f'<row r="2">{cell("A2", "张三")}{cell("B2", "13900001001")}</row>'
)


def sheet(rows=GOOD_ROWS):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><sheetData>{rows}</sheetData></worksheet>'
    )


def workbook(main=XLSX_MAIN, extra=None, drop=(), sheet_xml=None, content_types=None):
    """A minimal .xlsx, part by part, with the parts given replaced or added."""
    parts = {
        "[Content_Types].xml": content_types or CONTENT_TYPES.format(main=main),
        "_rels/.rels": RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml or sheet(),
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name not in drop:
                z.writestr(name, data)
    return out.getvalue()


def refused(content, match):
    with pytest.raises(BadFile) as exc:
        inspect_upload(content)
        list(read_rows(content, inspect_upload(content).kind))
    assert match in exc.value.detail, exc.value.detail
    return exc.value


# ---- what a good file looks like ----------------------------------------------------------------------


def test_a_minimal_workbook_passes_and_reads(db):
    content = workbook()
    assert inspect_upload(content).kind == "xlsx"
    assert list(read_rows(content, "xlsx")) == [["姓名", "手机号"], ["张三", "13900001001"]]


def test_a_real_workbook_and_a_csv_pass():
    assert inspect_upload(xlsx([row()])) == files.Inspected("xlsx", 2)
    assert inspect_upload(csv_bytes([row(), row()])).kind == "csv"


# ---- not a spreadsheet at all --------------------------------------------------------------------------


def test_an_executable_renamed_xlsx_is_refused():
    refused(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, "不是 Excel 工作簿")


def test_a_png_renamed_xlsx_is_refused():
    refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "不是 Excel 工作簿")


def test_a_pdf_renamed_csv_is_refused():
    refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "不是 Excel 工作簿")


def test_a_csv_with_nul_bytes_is_refused():
    refused("姓名,手机号\n张三,139\x0000001001\n".encode(), "不是 Excel 工作簿")


def test_a_csv_with_control_characters_is_refused():
    refused("姓名,手机号\n张三\x01\x02,13900001001\n".encode(), "不是 Excel 工作簿")


def test_a_csv_in_no_known_encoding_is_refused():
    refused(b"\xff\xfe\xfd\x81\x30" * 3 + b"\x80\xff", "编码")


def test_an_empty_file_is_refused():
    refused(b"", "空的")


def test_an_old_xls_or_a_password_protected_workbook_is_refused():
    refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 .xls")


def test_another_zip_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    refused(out.getvalue(), "不是 Excel 工作簿")


def test_an_ods_and_an_xlsb_are_refused_with_what_to_do():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    refused(out.getvalue(), ".ods")
    refused(workbook(extra={"xl/workbook.bin": b"\x00"}), ".xlsb")


def test_a_truncated_archive_is_refused():
    content = workbook()
    refused(content[: len(content) // 2], "已损坏")
    refused(b"PK\x03\x04" + b"garbage" * 20, "已损坏")


# ---- macro workbooks ----------------------------------------------------------------------------------


def test_a_macro_workbook_renamed_xlsx_is_refused_by_its_content_type():
    refused(workbook(main=XLSM_MAIN), "带宏")


def test_a_workbook_carrying_a_vba_project_is_refused():
    refused(workbook(extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 100}), "带宏")


# ---- zip bombs ----------------------------------------------------------------------------------------


def test_a_bomb_is_refused_on_its_declared_total_size_before_inflating(monkeypatch):
    monkeypatch.setattr(files, "MAX_UNPACKED", 1024 * 1024)
    monkeypatch.setattr(files, "_inflate", lambda *a: pytest.fail("inflated before checking"))
    refused(workbook(extra={"xl/media/padding.xml": "<a>" + "x" * (2 * 1024 * 1024) + "</a>"}), "压缩炸弹")


def test_a_bomb_is_refused_on_its_compression_ratio_before_inflating(monkeypatch):
    monkeypatch.setattr(files, "_inflate", lambda *a: pytest.fail("inflated before checking"))
    refused(workbook(sheet_xml=sheet(GOOD_ROWS + " " * (8 * 1024 * 1024))), "压缩炸弹")


def test_a_bomb_of_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_MEMBERS", 20)
    refused(workbook(extra={f"xl/p{i}.xml": "<a/>" for i in range(30)}), "压缩炸弹")


def _central_entries(data: bytearray, name: str):
    """Offsets of the central-directory entries for `name`."""
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_length = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_length]).decode() == name:
            yield pos
        pos = data.find(b"PK\x01\x02", pos + 4)


def _lie_about_sizes(content: bytes, name: str, declared: int) -> bytes:
    """Rewrite the uncompressed size the archive declares for one part (local header and directory)."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    for pos in _central_entries(data, name):
        struct.pack_into("<I", data, pos + 24, declared)
    return bytes(data)


def test_a_bomb_whose_headers_lie_about_its_size_is_stopped_while_inflating():
    content = workbook(sheet_xml=sheet(GOOD_ROWS + " " * (600 * 1024)))
    liar = _lie_about_sizes(content, "xl/worksheets/sheet1.xml", 2000)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("xl/worksheets/sheet1.xml").file_size == 2000
    refused(liar, "压缩炸弹")


def test_a_sheet_naming_the_last_cell_of_excel_is_refused_without_harm():
    """The reader would size its grid to 16,384 × 1,048,576 cells: its process dies, not ours."""
    rows = GOOD_ROWS + f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
    refused(workbook(sheet_xml=sheet(rows)), "无法读取该工作簿")


# ---- malformed XML ------------------------------------------------------------------------------------


def test_malformed_sheet_xml_is_a_clear_error():
    refused(workbook(sheet_xml=sheet(GOOD_ROWS)[:-40]), "XML 格式错误")


def test_malformed_content_types_are_a_clear_error():
    refused(workbook(content_types="<Types><Override"), "XML 格式错误")


def test_an_entity_expansion_in_the_content_types_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<Types>&b;</Types>"
    )
    refused(workbook(content_types=laughs), "XML 格式错误")


def test_an_undefined_entity_in_a_sheet_is_a_clear_error():
    refused(workbook(sheet_xml=sheet(f'<row r="1">{cell("A1", "&boom;")}</row>')), "XML 格式错误")


def test_an_encrypted_part_is_refused():
    content = bytearray(workbook())
    for pos in _central_entries(content, "xl/workbook.xml"):
        flags = struct.unpack_from("<H", content, pos + 8)[0]
        struct.pack_into("<H", content, pos + 8, flags | 0x1)
    refused(bytes(content), "加密")


# ---- limits, through the upload ----------------------------------------------------------------------


def test_a_file_over_the_byte_limit_is_refused(w, run, settings):
    settings.ROSTER_MAX_BYTES = 1000
    with pytest.raises(BadFile, match="文件太大"):
        run(xlsx([row()]))
    assert not RosterImport.objects.exists()


def test_a_file_over_the_row_limit_is_refused_at_upload(w, run, settings):
    settings.ROSTER_MAX_ROWS = 1
    rows = [row(phone=f"139000{i:05d}") for i in range(1100)]
    with pytest.raises(BadFile, match="超过 1 行的上限"):
        run(xlsx(rows), dry_run=True)


def test_a_file_over_the_row_limit_is_refused_while_read_and_writes_nothing(w, run, settings):
    settings.ROSTER_MAX_ROWS = 2
    users = User.objects.count()
    with pytest.raises(BadFile, match="超过 2 行的上限"):
        run(csv_bytes([row(phone=f"1390000100{i}") for i in range(3)]))
    assert User.objects.count() == users
    assert RosterImport.objects.get().status == Status.FAILED


@pytest.mark.parametrize(
    "content",
    [
        workbook(sheet_xml=sheet(GOOD_ROWS)[:-40]),
        workbook(sheet_xml=sheet(GOOD_ROWS + f'<row r="1048576">{cell("XFD1048576", "x")}</row>')),
    ],
    ids=["malformed", "sparse"],
)
def test_a_file_found_broken_while_read_writes_nothing(w, run, content):
    members = Member.objects.count()
    with pytest.raises(BadFile):
        run(content)
    assert Member.objects.count() == members
    imp = RosterImport.objects.get()
    assert imp.status == Status.FAILED and imp.message
