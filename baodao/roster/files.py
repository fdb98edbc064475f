"""What an uploaded roster file is, judged by its content (never by its name), and its rows.

`inspect_upload` refuses anything that is not a plain .xlsx workbook or a CSV text table before any row is
read: executables, images and other binaries renamed .xlsx or .csv, old .xls and encrypted workbooks, macro
workbooks (.xlsm) renamed, zip bombs (refused on the sizes the archive declares, before anything is
inflated, and again if the data inflates to more than it declared), damaged archives and malformed XML.

`read_rows` yields the rows of the first visible worksheet, or of the CSV, from row 1 on. Workbooks are
read in a separate, memory- and CPU-capped process (see `_xlsx_reader.py`); CSV files are decoded as
UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (what Excel in China saves).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import marshal
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeElementTree
from django.utils.translation import gettext as _

from baodao.lib.errors import Invalid

logger = logging.getLogger(__name__)

#: An .xlsx written by Excel, WPS or openpyxl holds about ten parts; thousands are a trick.
MAX_MEMBERS = 500
#: The most all parts of a workbook may inflate to, together.
MAX_UNPACKED = 512 * 1024 * 1024
#: Real sheets compress 5–20 : 1; beyond this a part is treated as a bomb (parts under RATIO_FLOOR excepted).
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
#: Limits of the process that reads a workbook.
READER_MEMORY = 1024 * 1024 * 1024
READER_CPU_SECONDS = 300
READER_SCRIPT = Path(__file__).with_name("_xlsx_reader.py")
CONTENT_TYPES_MAX = 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected Office file
_BINARY = (
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",  # JPEG
    b"%PDF-",
    b"\x7fELF",
    b"MZ\x90\x00",  # Windows executable
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHUNK = 256 * 1024


class BadFile(Invalid):
    """An upload refused as a whole: nothing in it is read further, nothing is written."""

    code = "bad_file"


def _not_a_table() -> BadFile:
    return BadFile(
        _("文件内容不是 Excel 工作簿（.xlsx）或 CSV 表格，请用名册模板填写后上传。"),
    )


def _damaged() -> BadFile:
    return BadFile(_("工作簿已损坏，无法读取。请用 Excel 打开后另存为 .xlsx 再上传。"))


def _bomb() -> BadFile:
    return BadFile(_("工作簿解压后的大小异常（疑似压缩炸弹），已拒绝。"))


def _malformed_xml() -> BadFile:
    return BadFile(_("工作簿内容已损坏（XML 格式错误）。请用 Excel 打开后另存为 .xlsx 再上传。"))


def _macro() -> BadFile:
    return BadFile(_("不接受带宏的工作簿（.xlsm）。请另存为不带宏的 Excel 工作簿（.xlsx）后上传。"))


@dataclass(frozen=True)
class Inspected:
    kind: str  # "xlsx" | "csv"
    #: The rows the file appears to hold (row tags or lines): enough to choose between running now and
    #: running in the background, and to refuse a file far over the limit before reading it.
    rows_estimate: int


def inspect_upload(content: bytes) -> Inspected:
    """The kind of the file and its approximate number of rows, or `BadFile`."""
    if not content:
        raise BadFile(_("文件是空的。"))
    if content.startswith(_ZIP):
        return Inspected("xlsx", _inspect_xlsx(content))
    if content.startswith(_OLE2):
        raise BadFile(
            _("不支持旧版 .xls 文件或设置了密码的工作簿。请用 Excel 取消密码并另存为 .xlsx 后上传。")
        )
    if content.startswith((b"PK", *_BINARY)):
        raise _not_a_table()
    text = decode_csv(content)
    return Inspected("csv", text.count("\n") + 1)


def read_rows(content: bytes, kind: str) -> Generator[list[Any], None, None]:
    """The rows of the file from row 1 on (each a list of cells: str, int, float, bool or None).
    Raises `BadFile` when the file turns out to be unreadable while it is read."""
    if kind == "xlsx":
        return _xlsx_rows(content)
    return _csv_rows(decode_csv(content))


# ---- xlsx ----------------------------------------------------------------------------------------------


def _inspect_xlsx(content: bytes) -> int:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    if len(infos) > MAX_MEMBERS:
        raise _bomb()
    names = {info.filename for info in infos}
    lowered = {name.lower() for name in names}
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lowered):
        raise _macro()
    if "xl/workbook.bin" in lowered:
        raise BadFile(_("不支持二进制工作簿（.xlsb）。请另存为 .xlsx 后上传。"))
    if "mimetype" in names and "content.xml" in names:
        raise BadFile(_("不支持 OpenDocument 表格（.ods）。请另存为 .xlsx 后上传。"))
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise _not_a_table()
    # Everything below is decided on what the archive declares, before a single byte is inflated.
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise _bomb()
    for info in infos:
        if info.flag_bits & 0x1:
            raise BadFile(_("工作簿的内容经过加密，无法读取。请取消密码后另存为 .xlsx 再上传。"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged()
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb()
    # Then each part is inflated as a stream, a chunk at a time, and stopped as soon as it grows past what
    # its header declared: a header that lies about the size cannot smuggle a bomb past the checks above.
    rows = 0  # of the longest sheet: the roster (a sheet of notes beside it is short)
    for info in infos:
        keep = info.filename == "[Content_Types].xml"
        count_rows = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        kept = bytearray()
        sheet_rows = 0
        for chunk in _inflate(content, info):
            if keep:
                kept += chunk
                if len(kept) > CONTENT_TYPES_MAX:
                    raise _not_a_table()
            if count_rows:
                sheet_rows += chunk.count(b"<row ") + chunk.count(b"<row>") + chunk.count(b":row ")
        rows = max(rows, sheet_rows)
        if keep:
            _check_content_types(bytes(kept))
    return rows


def _raw_member(content: bytes, info: zipfile.ZipInfo) -> memoryview:
    offset = info.header_offset
    header = content[offset : offset + 30]
    if len(header) < 30 or not header.startswith(_ZIP):
        raise _damaged()
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    end = start + info.compress_size
    if end > len(content):
        raise _damaged()
    return memoryview(content)[start:end]


def _inflate(content: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, a chunk at a time; `BadFile` once they exceed the size the archive declared."""
    raw = _raw_member(content, info)
    if info.compress_type == zipfile.ZIP_STORED:
        for pos in range(0, len(raw), _CHUNK):
            yield bytes(raw[pos : pos + _CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    try:
        for pos in range(0, len(raw), _CHUNK):
            data: bytes | memoryview = raw[pos : pos + _CHUNK]
            while data:
                out = inflater.decompress(data, _CHUNK)
                produced += len(out)
                if produced > info.file_size:
                    raise _bomb()
                yield out
                data = inflater.unconsumed_tail
            if inflater.eof:
                return
    except zlib.error:
        raise _damaged() from None


def _check_content_types(xml: bytes) -> None:
    try:
        root = SafeElementTree.fromstring(xml)
    except (ParseError, defusedxml.DefusedXmlException):
        raise _malformed_xml() from None
    types = [el.get("ContentType", "") for el in root.iter() if el.get("ContentType")]
    if any("macroenabled" in t.lower() or "vbaproject" in t.lower() for t in types):
        raise _macro()
    if not any(t.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.") for t in types):
        raise _not_a_table()


def _frames(stream: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    while True:
        head = stream.read(4)
        if len(head) < 4:
            return
        (length,) = struct.unpack(">I", head)
        body = stream.read(length)
        if len(body) < length:
            return
        # The frames come from our own reader process, never from the uploaded file itself.
        yield marshal.loads(body)  # noqa: S302


_READER_ERRORS = {
    "xml": _malformed_xml,
    "zip": _damaged,
    "password": lambda: BadFile(_("工作簿设置了密码，无法读取。请取消密码后另存为 .xlsx 再上传。")),
    "no_sheet": lambda: BadFile(_("工作簿中没有可见的工作表。")),
}


def _xlsx_rows(content: bytes) -> Generator[list[Any], None, None]:
    with tempfile.TemporaryFile() as stderr:
        command = [sys.executable, "-I", str(READER_SCRIPT), str(READER_MEMORY), str(READER_CPU_SECONDS)]
        # A fixed command line: this interpreter and our own script; the file goes in on stdin.
        reader = subprocess.Popen(  # noqa: S603
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
        )
        assert reader.stdin is not None and reader.stdout is not None
        try:
            # The reader takes in the whole file before it writes anything: no deadlock on the pipes.
            with contextlib.suppress(BrokenPipeError):
                reader.stdin.write(content)
            with contextlib.suppress(BrokenPipeError):
                reader.stdin.close()
            for message in _frames(reader.stdout):
                if message[0] == "rows":
                    yield from message[1]
                elif message[0] == "error":
                    logger.info("roster workbook refused by the reader: %s %s", message[1], message[2])
                    raise _READER_ERRORS.get(message[1], _damaged)()
            if reader.wait() != 0:
                stderr.seek(0)
                logger.warning(
                    "roster workbook reader exited with %s: %s",
                    reader.returncode,
                    stderr.read(2000).decode(errors="replace"),
                )
                raise BadFile(
                    _(
                        "无法读取该工作簿：内容结构异常或超出处理能力（例如单元格范围过大）。"
                        "请用 Excel 打开后另存为 .xlsx 再上传。"
                    )
                )
        finally:
            if reader.poll() is None:
                reader.kill()
            reader.wait()
            reader.stdout.close()


# ---- csv -----------------------------------------------------------------------------------------------


def decode_csv(content: bytes) -> str:
    """The text of a CSV upload, or `BadFile` when it is binary or in an encoding we cannot tell."""
    try:
        if content.startswith(codecs.BOM_UTF8):
            text = content[len(codecs.BOM_UTF8) :].decode("utf-8")
        elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = content.decode("utf-16")
        elif b"\x00" in content:
            raise _not_a_table()
        else:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                text = content.decode("gb18030")
    except UnicodeDecodeError:
        raise BadFile(_("无法识别 CSV 文件的编码，请另存为“CSV UTF-8”或 .xlsx 后上传。")) from None
    if _CONTROL.search(text):
        raise _not_a_table()
    return text


def _csv_rows(text: str) -> Generator[list[Any], None, None]:
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise BadFile(
            _("CSV 文件格式有误（第 %(line)s 行附近），请检查引号是否成对。") % {"line": reader.line_num}
        ) from None
