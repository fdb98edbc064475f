"""The workbooks the import hands out: the roster template, and the rows a valid-only import left out."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from baodao.lib import idnumber
from baodao.members.models import Skill

from . import columns as col
from .validation import Row, cell_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FDE9D9")
_WIDTHS = {
    col.NAME: 10,
    col.PHONE: 15,
    col.ID_NUMBER: 22,
    col.BRANCH: 16,
    col.COMMUNITY: 14,
    col.GRID: 14,
    col.ADDRESS: 22,
    col.SKILLS: 22,
    col.REMARK: 16,
}


def _descriptions() -> dict[str, tuple[str, str]]:
    """Column -> (required or not, what to write)."""
    optional = _("选填")
    return {
        col.NAME: (_("必填"), _("党员姓名，最多 50 个字。")),
        col.PHONE: (
            _("必填"),
            _("11 位中国大陆手机号码，也是登录账号。同一手机号在名册中只能出现一次。"),
        ),
        col.ID_NUMBER: (
            optional,
            _(
                "18 位居民身份证号码，按国家标准校验；全角数字也可。请把该列设为“文本”格式，"
                "否则 Excel 会把号码存成数字而丢失末几位。系统加密保存，页面上只显示前 3 位和后 4 位。"
            ),
        ),
        col.BRANCH: (optional, _("所在党支部名称；系统中还没有的支部会自动建立。")),
        col.COMMUNITY: (
            optional,
            _("居住社区的名称或编码，必须是本单位所在区的社区。"),
        ),
        col.GRID: (
            optional,
            _("居住网格的名称（须同时填写居住社区）或网格编码，须属于所填社区。"),
        ),
        col.ADDRESS: (optional, _("楼栋、单元、门牌，最多 200 个字。")),
        col.SKILLS: (
            optional,
            _("兴趣特长，可填多项，用逗号、顿号或分号隔开；填写下方列出的名称或代码。"),
        ),
        col.REMARK: (optional, _("仅供填表时备注，不导入系统。")),
    }


def _style_header(ws: Worksheet) -> None:
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"


def roster_template_xlsx() -> bytes:
    """The roster template: the header row and one example row on the first sheet, and a second sheet
    that explains each column and lists the accepted skills."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("党员名册")
    sheet.append([col.label(key) for key in col.ORDER])
    sheet.append(
        [
            _("张三"),
            "13800000000",
            "",
            _("第一党支部"),
            _("幸福社区"),
            _("第一网格"),
            _("3栋2单元502"),
            _("法律咨询、健康医疗"),
            _("示例行，导入前请删除"),
        ]
    )
    for index, key in enumerate(col.ORDER, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[key]
    for key in (col.PHONE, col.ID_NUMBER):
        # Text format for the whole column (also the cells people add later): Excel keeps every digit.
        sheet.column_dimensions[get_column_letter(col.ORDER.index(key) + 1)].number_format = "@"
        sheet.cell(row=2, column=col.ORDER.index(key) + 1).number_format = "@"
    _style_header(sheet)

    notes = book.create_sheet(_("说明"))
    notes.append([_("列名"), _("是否必填"), _("填写说明")])
    descriptions = _descriptions()
    for key in col.ORDER:
        required, text = descriptions[key]
        notes.append([col.label(key), required, text])
    notes.append([])
    notes.append([_("说明"), "", _("第 1 行是表头，请勿修改；第 2 行是示例，导入前请删除。每位党员一行。")])
    notes.append(["", "", _("再次导入同一名册不会重复建档：已在本单位名册中的党员按手机号或身份证号更新。")])
    notes.append(["", "", _("空白单元格不会清除系统中已有的信息。")])
    notes.append([])
    notes.append([_("特长名称"), _("特长代码")])
    for code, skill_label in Skill.choices:
        notes.append([str(skill_label), code])
    for letter, width in (("A", 14), ("B", 12), ("C", 80)):
        notes.column_dimensions[letter].width = width
    _style_header(notes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    """Text stays text: a cell from an upload that starts with "=" is written as a string, never as a
    formula that Excel would run."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def error_workbook_xlsx(rows: Iterable[Row]) -> bytes:
    """The rows left out, as uploaded (ID numbers masked), each with its Excel row number and the reasons,
    so the admin can correct them and upload them again."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("未导入的行"))
    sheet.append(
        [
            _cell(sheet, _("原行号")),
            *(_cell(sheet, col.label(k)) for k in col.ORDER),
            _cell(sheet, _("错误原因")),
        ]
    )
    id_index = col.ORDER.index(col.ID_NUMBER)
    separator = _("；")
    for row in rows:
        values = [cell_text(v) for v in row.cells]
        if values[id_index]:
            values[id_index] = idnumber.mask(values[id_index])
        reasons = separator.join(
            _("%(column)s：%(message)s") % {"column": col.label(column), "message": message}
            for column, message in row.errors
        )
        sheet.append([row.number, *(_cell(sheet, v) for v in values), _cell(sheet, reasons)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
