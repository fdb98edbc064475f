"""The feedback letter (反馈函) as a PDF (A4) drawn with ReportLab.

Chinese text uses the Adobe-GB1 CID font STSong-Light, as the certificates and circulars do.
"""

from __future__ import annotations

from io import BytesIO

from django.http import FileResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from baodao.certificates.pdf import FONT
from baodao.exports.formats import _XML_ILLEGAL, content_disposition
from baodao.lib.numbers import hours_text

from .selectors import Letter, LetterRow

#: the table's columns: heading, x (mm from the left margin), alignment, the most characters that fit
_COLUMNS = (
    (gettext_lazy("序号"), 8, "right", 4),
    (gettext_lazy("姓名"), 11, "left", 6),
    (gettext_lazy("报到社区"), 32, "left", 9),
    (gettext_lazy("服务次数"), 77, "right", 5),
    (gettext_lazy("时长"), 90, "right", 6),
    (gettext_lazy("达标"), 93, "left", 3),
    (gettext_lazy("等次"), 104, "left", 4),
    (gettext_lazy("社区评语"), 119, "left", 16),
)
_SIZE = 9
_LINE = 5 * mm


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


def _wrap(text: str, width: int) -> list[str]:
    """Chinese wraps anywhere: cut into lines of `width` characters."""
    text = " ".join(text.split())
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _clean(text: str) -> str:
    """Without control characters (ReportLab would write them into the page as they are)."""
    return _XML_ILLEGAL.sub("", text)


def _cells(n: int, row: LetterRow) -> list[str]:
    return [
        str(n),
        _clean(row.name),
        _clean(row.community) if row.registered else _("未报到"),
        str(row.services),
        hours_text(row.hours),
        _("是") if row.minimum_met else _("否"),
        _clean(row.grade) or "—",
        _clean(row.comment),
    ]


def summary_text(letter: Letter) -> str:
    return _(
        "贵单位在册党员 %(members)d 人，截至期末已到居住地社区报到 %(registered)d 人（报到率 %(coverage)s），"
        "其中本期参加经核实的社区服务 %(served)d 人（服务率 %(active)s）；未报到 %(unregistered)d 人，"
        "已报到但本期未服务 %(unserved)d 人。本期最低服务要求：%(minimum)s。"
    ) % {
        "members": letter.members,
        "registered": letter.registered,
        "coverage": _percent(letter.coverage),
        "served": letter.served,
        "active": _percent(letter.active_rate),
        "unregistered": len(letter.unregistered_rows),
        "unserved": len(letter.unserved_rows),
        "minimum": letter.minimum.describe(),
    }


def feedback_pdf(letter: Letter) -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(letter.title)
    pdf.setAuthor(letter.issuer)
    width, height = A4
    left, bottom = 20 * mm, 22 * mm
    y = height - 28 * mm

    pdf.setFont(FONT, 16)
    for line in _wrap(letter.title, 24):
        pdf.drawCentredString(width / 2, y, line)
        y -= 9 * mm
    y -= 3 * mm
    pdf.setFont(FONT, 11)
    pdf.drawString(left, y, _("%(unit)s党组织：") % {"unit": letter.unit.name})
    y -= 8 * mm
    intro = _(
        "现将贵单位在职党员%(period)s（%(start)s 至 %(end)s）到居住地社区报到和参加服务的情况反馈如下，"
        "请督促未报到、未服务的党员尽快报到、参加服务，并将社区评价作为党员年度考核、评先评优的参考。"
    ) % {
        "period": letter.period.label,
        "start": formats.date_format(letter.period.start, "DATE_FORMAT"),
        "end": formats.date_format(letter.period.end, "DATE_FORMAT"),
    }
    for paragraph in (intro, summary_text(letter)):
        for line in _wrap(paragraph, 40):
            pdf.drawString(left, y, line)
            y -= 6.5 * mm
        y -= 2 * mm
    y -= 3 * mm

    def header(y: float) -> float:
        pdf.setFont(FONT, _SIZE)
        for heading, x, align, _fits in _COLUMNS:
            draw = pdf.drawRightString if align == "right" else pdf.drawString
            draw(left + x * mm, y, str(heading))
        pdf.line(left, y - 2 * mm, width - left, y - 2 * mm)
        return y - 7 * mm

    y = header(y)
    for n, row in enumerate(letter.rows, start=1):
        cells = _cells(n, row)
        comment = _wrap(cells[-1], _COLUMNS[-1][3]) if cells[-1] else ["—"]
        if y - (len(comment) - 1) * _LINE < bottom:
            pdf.showPage()
            y = header(height - 25 * mm)
        pdf.setFont(FONT, _SIZE)
        for (_heading, x, align, fits), text in zip(_COLUMNS[:-1], cells[:-1], strict=True):
            draw = pdf.drawRightString if align == "right" else pdf.drawString
            draw(left + x * mm, y, _fit(text, fits))
        for i, line in enumerate(comment):
            pdf.drawString(left + _COLUMNS[-1][1] * mm, y - i * _LINE, line)
        y -= len(comment) * _LINE + 1.5 * mm
    if not letter.rows:
        pdf.drawString(left, y, _("贵单位名册上没有党员。"))
        y -= _LINE

    if y < bottom + 25 * mm:
        pdf.showPage()
        y = height - 40 * mm
    pdf.setFont(FONT, 12)
    y -= 12 * mm
    pdf.drawRightString(width - left, y, letter.issuer)
    y -= 8 * mm
    day = timezone.localdate(letter.sent.sent_at) if letter.sent is not None else timezone.localdate()
    pdf.drawRightString(width - left, y, formats.date_format(day, "DATE_FORMAT"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def letter_filename(letter: Letter, extension: str) -> str:
    return _("反馈函-%(unit)s-%(period)s.%(ext)s") % {
        "unit": letter.unit.name,
        "period": letter.period.code,
        "ext": extension,
    }


def letter_fallback(letter: Letter, extension: str) -> str:
    return f"feedback-{letter.unit.code}-{letter.period.code}.{extension}"


def feedback_pdf_response(letter: Letter) -> FileResponse:
    """The PDF, shown in the browser; personal data: kept by no shared cache."""
    response = FileResponse(BytesIO(feedback_pdf(letter)), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        letter_filename(letter, "pdf"), letter_fallback(letter, "pdf")
    ).replace("attachment", "inline", 1)
    response["Cache-Control"] = "private, no-store"
    return response
