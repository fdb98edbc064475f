"""The certificate as a PDF (A4), drawn with ReportLab.

Chinese text uses the Adobe-GB1 CID font STSong-Light (宋体), which every PDF reader in use in China renders
without a font file being embedded, so the document stays small and needs no font installed on the server.
The verification QR code is drawn as vector shapes.
"""

from __future__ import annotations

from io import BytesIO

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from baodao.lib.numbers import hours_text

from .models import Certificate

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def certificate_pdf(cert: Certificate, verify_url: str) -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("志愿服务证明 %(number)s") % {"number": cert.number})
    pdf.setAuthor(cert.issuing_community.name)
    width, height = A4
    left, y = 25 * mm, height - 35 * mm

    pdf.setFont(FONT, 24)
    pdf.drawCentredString(width / 2, y, _("志愿服务证明"))
    y -= 12 * mm
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, y, _("编号：%(number)s") % {"number": cert.number})
    y -= 16 * mm

    pdf.setFont(FONT, 13)
    period = _("%(start)s 至 %(end)s") % {
        "start": formats.date_format(cert.period_start, "DATE_FORMAT"),
        "end": formats.date_format(cert.period_end, "DATE_FORMAT"),
    }
    body = _(
        "兹证明 %(name)s 同志于 %(period)s 期间，在社区参加经核实的志愿服务 %(services)d 次，"
        "累计服务时长 %(hours)s 小时。"
    ) % {"name": cert.name, "period": period, "services": cert.services, "hours": hours_text(cert.hours)}
    for line in _wrap(body, 34):
        pdf.drawString(left, y, line)
        y -= 8 * mm
    y -= 4 * mm

    pdf.setFont(FONT, 12)
    pdf.drawString(left, y, _("按服务类别："))
    y -= 8 * mm
    pdf.setFont(FONT, 11)
    for row in cert.by_category:
        pdf.drawString(left + 8 * mm, y, row["label"])
        pdf.drawRightString(left + 90 * mm, y, _("%(n)d 次") % {"n": row["services"]})
        pdf.drawRightString(left + 125 * mm, y, _("%(hours)s 小时") % {"hours": hours_text(row["hours"])})
        y -= 7 * mm
    y -= 6 * mm
    pdf.setFont(FONT, 11)
    for line in _wrap(_("核实单位：%(names)s") % {"names": _("、").join(cert.certifiers)}, 40):
        pdf.drawString(left, y, line)
        y -= 7 * mm
    pdf.drawString(left, y, _("服务记录由组织服务的社区核实并记入服务台账；照片不作为服务依据。"))

    pdf.setFont(FONT, 13)
    pdf.drawRightString(
        width - 25 * mm, 70 * mm, _("开具单位：%(community)s") % {"community": cert.issuing_community.name}
    )
    pdf.drawRightString(width - 25 * mm, 61 * mm, formats.date_format(cert.issued_at.date(), "DATE_FORMAT"))

    renderPDF.draw(_qr(verify_url, 32 * mm), pdf, left, 30 * mm)
    pdf.setFont(FONT, 9)
    pdf.drawString(left + 36 * mm, 50 * mm, _("扫描二维码或访问以下网址核验真伪："))
    pdf.drawString(left + 36 * mm, 44 * mm, verify_url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    """Chinese wraps anywhere: cut into lines of `width` characters."""
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]
