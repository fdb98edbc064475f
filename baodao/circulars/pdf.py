"""A published circular as a PDF (A4), drawn with ReportLab from its snapshot, never from live figures.

Chinese text uses the Adobe-GB1 CID font STSong-Light, as the certificates do (`baodao.certificates.pdf`).
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from django.http import FileResponse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from baodao.certificates.pdf import FONT
from baodao.lib.periods import period_parse

from .models import Circular, CircularRow

#: the table's columns: heading, right edge (mm from the left margin) for figures, left edge for text
_COLUMNS = (
    (gettext_lazy("名次"), 12, "right"),
    (gettext_lazy("单位"), 16, "left"),
    (gettext_lazy("在册"), 98, "right"),
    (gettext_lazy("已报到"), 114, "right"),
    (gettext_lazy("报到率"), 132, "right"),
    (gettext_lazy("服务完成率"), 152, "right"),
    (gettext_lazy("是否达标"), 156, "left"),
)


#: unit names up to this many characters fit their column; a longer one is cut, and its code added so that
#: two long names with the same beginning stay apart
NAME_FITS = 20


def _fitted_name(name: str, code: str) -> str:
    if len(name) <= NAME_FITS:
        return name
    keep = max(NAME_FITS - len(code) - 3, 6)
    return _("%(name)s…（%(code)s）") % {"name": name[:keep], "code": code}


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


def circular_title(circular: Circular) -> str:
    """《关于 2026 年第三季度在职党员进社区报到和服务情况的通报》"""
    return _("关于 %(period)s 在职党员进社区报到和服务情况的通报") % {
        "period": period_parse(circular.period).label
    }


def _wrap(text: str, width: int) -> list[str]:
    """Chinese wraps anywhere: cut into lines of `width` characters."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def circular_pdf(circular: Circular, rows: Iterable[CircularRow]) -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    title = circular_title(circular)
    pdf.setTitle(title)
    pdf.setAuthor(circular.issuer)
    width, height = A4
    left, bottom = 20 * mm, 25 * mm
    y = height - 30 * mm

    pdf.setFont(FONT, 16)
    for line in _wrap(title, 24):
        pdf.drawCentredString(width / 2, y, line)
        y -= 9 * mm
    y -= 3 * mm
    pdf.setFont(FONT, 11)
    intro = _(
        "现将 %(period)s（%(start)s 至 %(end)s）本辖区各单位在职党员进社区报到和服务情况通报如下。"
        "报到率为期末已报到党员占单位在册党员的比例，达标线为 %(threshold)s；"
        "服务完成率为已报到党员中达到最低服务要求（%(minimum)s）的比例。"
        "在册人数按发布时的党员名册计算。"
    ) % {
        "period": period_parse(circular.period).label,
        "start": formats.date_format(circular.period_start, "DATE_FORMAT"),
        "end": formats.date_format(circular.period_end, "DATE_FORMAT"),
        "threshold": _percent(float(circular.threshold)),
        "minimum": circular.minimum,
    }
    for line in _wrap(intro, 40):
        pdf.drawString(left, y, line)
        y -= 6.5 * mm
    y -= 4 * mm

    def header(y: float) -> float:
        pdf.setFont(FONT, 10)
        for heading, x, align in _COLUMNS:
            draw = pdf.drawRightString if align == "right" else pdf.drawString
            draw(left + x * mm, y, str(heading))
        pdf.line(left, y - 2 * mm, width - left, y - 2 * mm)
        return y - 8 * mm

    y = header(y)
    for row in rows:
        if y < bottom:
            pdf.showPage()
            y = header(height - 25 * mm)
        pdf.setFont(FONT, 10)
        cells = (
            str(row.rank) if row.rank is not None else "—",
            _fitted_name(row.name, row.code),
            str(row.members),
            str(row.registered),
            _percent(row.coverage),
            _percent(row.completion),
            _("未达标") if row.below_threshold else (_("达标") if row.members else _("无在册党员")),
        )
        for (_heading, x, align), text in zip(_COLUMNS, cells, strict=True):
            draw = pdf.drawRightString if align == "right" else pdf.drawString
            draw(left + x * mm, y, text)
        y -= 7 * mm

    if y < bottom + 25 * mm:
        pdf.showPage()
        y = height - 40 * mm
    pdf.setFont(FONT, 12)
    y -= 12 * mm
    pdf.drawRightString(width - left, y, circular.issuer)
    y -= 8 * mm
    published = timezone.localdate(circular.published_at)
    pdf.drawRightString(width - left, y, formats.date_format(published, "DATE_FORMAT"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def circular_pdf_response(circular: Circular, rows: Iterable[CircularRow]) -> FileResponse:
    """The PDF, shown in the browser; kept by the reader's browser, never a shared cache."""
    response = FileResponse(
        BytesIO(circular_pdf(circular, rows)),
        content_type="application/pdf",
        filename=_("通报-%(region)s-%(period)s.pdf")
        % {"region": circular.region.code, "period": circular.period},
    )
    patch_cache_control(response, private=True, max_age=3600)
    return response
