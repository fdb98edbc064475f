"""A closed pre-appointment check as a PDF (A4), drawn with ReportLab from what the check keeps: the frozen
report and the community's comment, or the statement that the member never registered and the unit's
explanation. Chinese text uses STSong-Light, as the certificates do (`baodao.certificates.pdf`)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.http import FileResponse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from baodao.certificates.pdf import FONT
from baodao.lib.numbers import hours_text

from .models import Check

LINE = 7 * mm
WIDTH_CHARS = 38


def _wrap(text: str, width: int = WIDTH_CHARS) -> list[str]:
    """Chinese wraps anywhere: cut each paragraph into lines of `width` characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += [paragraph[i : i + width] for i in range(0, len(paragraph), width)] or [""]
    return lines


class _Page:
    """A cursor down the page that starts a new page when the bottom is reached."""

    def __init__(self, pdf: canvas.Canvas):
        self.pdf = pdf
        self.width, self.height = A4
        self.left = 22 * mm
        self.y = self.height - 30 * mm

    def line(self, text: str, *, size: int = 11, indent: float = 0) -> None:
        if self.y < 25 * mm:
            self.pdf.showPage()
            self.y = self.height - 25 * mm
        self.pdf.setFont(FONT, size)
        self.pdf.drawString(self.left + indent, self.y, text)
        self.y -= LINE if size <= 12 else LINE + 2 * mm

    def paragraph(self, text: str, *, size: int = 11, indent: float = 0) -> None:
        for part in _wrap(text):
            self.line(part, size=size, indent=indent)

    def gap(self) -> None:
        self.y -= 3 * mm


def _report_lines(page: _Page, report: dict[str, Any]) -> None:
    page.line(_("一、报到情况"), size=13)
    for r in report["registrations"]:
        page.line(
            _("%(community)s：%(since)s 至 %(until)s")
            % {"community": r["community"], "since": r["since"] or "—", "until": r["until"] or _("今")},
            indent=6 * mm,
        )
    page.gap()
    page.line(_("二、经核实的服务"), size=13)
    for y in report["years"]:
        page.line(
            _("%(year)d 年：服务 %(services)d 次，%(hours)s 小时，积分 %(points)s")
            % {
                "year": y["year"],
                "services": y["services"],
                "hours": hours_text(y["hours"]),
                "points": hours_text(y["points"]),
            },
            indent=6 * mm,
        )
    total = report["total"]
    page.line(
        _("累计：服务 %(services)d 次，%(hours)s 小时，积分 %(points)s")
        % {
            "services": total["services"],
            "hours": hours_text(total["hours"]),
            "points": hours_text(total["points"]),
        },
        indent=6 * mm,
    )
    rating = report["rating"]
    page.line(
        _("群众评价：平均 %(average)s 星（%(count)d 次评价）")
        % {"average": rating["average"] or "—", "count": rating["count"]}
        if rating["count"]
        else _("群众评价：暂无"),
        indent=6 * mm,
    )
    page.gap()
    page.line(_("三、岗位与应急"), size=13)
    for p in report["posts"]:
        page.line(
            _("%(kind)s · %(title)s（%(community)s）：%(since)s 至 %(until)s")
            % {
                "kind": p["kind"],
                "title": p["title"],
                "community": p["community"],
                "since": p["since"] or "—",
                "until": p["until"] or _("今"),
            },
            indent=6 * mm,
        )
    if not report["posts"]:
        page.line(_("未担任服务岗位。"), indent=6 * mm)
    e = report["emergency"]
    page.line(
        _("应急动员：被呼叫 %(calls)d 次，响应到岗 %(answers)d 次，实际到岗 %(arrivals)d 次") % e,
        indent=6 * mm,
    )
    page.gap()
    page.line(_("四、考评等次"), size=13)
    for a in report["appraisals"]:
        page.paragraph(
            _("%(period)s：%(grade)s；社区评语：%(comment)s")
            % {"period": a["period"], "grade": a["grade"] or "—", "comment": a["comment"] or "—"},
            indent=6 * mm,
        )
    if not report["appraisals"]:
        page.line(_("暂无已确定的考评结果。"), indent=6 * mm)


def check_pdf(check: Check) -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    title = _("任前考察社区表现情况")
    pdf.setTitle(title)
    pdf.setAuthor(check.community.name if check.community else check.unit.name)
    page = _Page(pdf)
    pdf.setFont(FONT, 18)
    pdf.drawCentredString(page.width / 2, page.y, title)
    page.y -= 14 * mm
    page.paragraph(_("被考察人：%(name)s（%(unit)s）") % {"name": check.member.name, "unit": check.unit.name})
    page.paragraph(_("考察事由：%(reason)s") % {"reason": check.reason})
    page.paragraph(
        _("发起：%(who)s，%(at)s")
        % {
            "who": check.asked_by.name,
            "at": formats.date_format(timezone.localtime(check.asked_at), "DATE_FORMAT"),
        }
    )
    page.gap()
    if check.report:
        _report_lines(page, check.report)
        page.gap()
        page.line(_("五、社区意见"), size=13)
        page.paragraph(check.comment, indent=6 * mm)
        page.gap()
        signed = check.community.name if check.community else ""
        when = check.answered_at
    else:
        page.paragraph(check.statement)
        page.gap()
        page.line(_("单位情况说明"), size=13)
        page.paragraph(check.explanation, indent=6 * mm)
        page.gap()
        signed = check.unit.name
        when = check.explained_at
    pdf.setFont(FONT, 12)
    page.y -= 6 * mm
    pdf.drawRightString(page.width - page.left, page.y, signed)
    if when:
        page.y -= 8 * mm
        pdf.drawRightString(
            page.width - page.left, page.y, formats.date_format(timezone.localdate(when), "DATE_FORMAT")
        )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def check_pdf_response(check: Check) -> FileResponse:
    """The PDF, shown in the browser; kept by the reader's browser only, never a shared cache."""
    response = FileResponse(
        BytesIO(check_pdf(check)),
        content_type="application/pdf",
        filename=_("任前考察-%(pk)d.pdf") % {"pk": check.pk},
    )
    patch_cache_control(response, private=True, max_age=0, no_store=True)
    return response
