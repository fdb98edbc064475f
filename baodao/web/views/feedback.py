"""反馈函 pages: a unit's letter for a period (its members, registered or not, their service and grade), its
PDF and Excel, and the one-click reminders to those who have not registered or not served; for district and
street admins, the letters of their region's units and the button that sends them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baodao.feedback.models import Who
from baodao.feedback.pdf import feedback_pdf_response
from baodao.feedback.selectors import (
    Letter,
    feedback_letter,
    feedback_units,
    last_reminder,
    regions_for_feedback,
    reminders_of,
    unit_get_for_feedback,
    units_not_sent,
)
from baodao.feedback.services import REMIND_INTERVAL, members_remind, sms_on
from baodao.feedback.services import feedback_send as send_letters
from baodao.feedback.xlsx import feedback_xlsx_response
from baodao.lib.errors import Invalid
from baodao.lib.periods import Period, period_choices, period_parse, previous_quarter

from ..forms import Form
from .common import paginate, refusals_as_messages


def _period_choices(requested: Period | None) -> list[tuple[str, str]]:
    periods = period_choices()
    if requested is not None and requested not in periods:
        periods = [requested, *periods]
    return [(p.code, p.label) for p in periods]


def _no_period() -> str:
    return _("请选择统计期（如 2026Q3 或 2026），没有发送任何内容。")


def _requested_period(data: Any) -> Period | None:
    try:
        return period_parse(data.get("period")) if data.get("period") else None
    except Invalid:
        return None


class PeriodForm(Form):
    period = forms.ChoiceField(label=gettext_lazy("统计期"))

    def __init__(self, *args: Any, requested: Period | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("period", _period_choices(requested))


class RegionPeriodForm(PeriodForm):
    region = forms.ChoiceField(label=gettext_lazy("区域"))

    field_order = ["region", "period"]

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("region", regions)


def _chosen_period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    """The period the page shows: the one asked for, else the last quarter that ended."""
    requested = _requested_period(request.GET)
    form = PeriodForm(
        request.GET if "period" in request.GET else None,
        requested=requested,
        initial={"period": previous_quarter().code},
    )
    if form.is_bound and form.is_valid():
        return form, period_parse(form.cleaned_data["period"])
    return form, previous_quarter()


def _letter_for(request: HttpRequest, code: str) -> Letter:
    unit = unit_get_for_feedback(request.user, code)
    return feedback_letter(unit, _chosen_period(request)[1])


@login_required
def unit_feedback(request: HttpRequest, code: str) -> HttpResponse:
    unit = unit_get_for_feedback(request.user, code)
    form, period = _chosen_period(request)
    letter = feedback_letter(unit, period)
    now = timezone.now()
    reminders = reminders_of(unit, period)
    lists = [
        (
            who,
            label,
            letter.rows_for(who),
            reminders.get(who),
            last_reminder(unit, who, since=now - REMIND_INTERVAL),
        )
        for who, label in ((Who.UNREGISTERED, _("未报到")), (Who.UNSERVED, _("本期未服务")))
    ]
    return render(
        request,
        "web/feedback_unit.html",
        {
            "unit": unit,
            "tab": "feedback",
            "form": form,
            "letter": letter,
            "page": paginate(request, letter.rows),
            "lists": [
                # recent: reminded in the last 24 hours, for this period or another
                {"who": who, "label": label, "rows": rows, "last": last, "recent": recent}
                for who, label, rows, last, recent in lists
            ],
            "started": period.starts_at <= now,
            "sms": sms_on(),
        },
    )


@login_required
def unit_feedback_pdf(request: HttpRequest, code: str) -> FileResponse:
    return feedback_pdf_response(_letter_for(request, code))


@login_required
def unit_feedback_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    return feedback_xlsx_response(_letter_for(request, code))


@login_required
@require_POST
def unit_feedback_remind(request: HttpRequest, code: str) -> HttpResponse:
    """一键提醒: POST `who` and `period`; back to the letter with a message (post/redirect/get)."""
    unit = unit_get_for_feedback(request.user, code)
    page = reverse("web:unit_feedback", args=[unit.code])
    period = _requested_period(request.POST)
    if period is None:
        messages.error(request, _no_period())
        return redirect(page)
    who = request.POST.get("who", "")
    with refusals_as_messages(request):
        count = members_remind(actor=request.user, unit=unit, period=period, who=who, request=request)
        if sms_on():
            message = _("已提醒 %(count)d 名党员（站内消息，同时发送短信）。")
        else:
            message = _("已提醒 %(count)d 名党员（站内消息）。")
        messages.success(request, message % {"count": count})
    return redirect(f"{page}?period={period.code}")


def _regions(request: HttpRequest) -> list[Any]:
    regions = list(regions_for_feedback(request.user).order_by("path"))
    if not regions:
        raise Http404(_("没有找到该页面。"))
    return regions


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    """A district or street admin: its region's units with their letter for the period — sent or not — a
    link to each, and the button that sends those not sent yet. Nobody else finds the page."""
    regions = _regions(request)
    choices = [(r.code, r.name) for r in regions]
    data = request.GET if "region" in request.GET else None
    form = RegionPeriodForm(
        data,
        regions=choices,
        requested=_requested_period(request.GET),
        initial={"region": choices[0][0], "period": previous_quarter().code},
    )
    region, period = regions[0], previous_quarter()
    if form.is_bound and form.is_valid():
        region = next(r for r in regions if r.code == form.cleaned_data["region"])
        period = period_parse(form.cleaned_data["period"])
    units = feedback_units(region, period)
    page = paginate(request, units)
    return render(
        request,
        "web/feedback_list.html",
        {
            "form": form,
            "region": region,
            "period": period,
            "page": page,
            "pending": units_not_sent(region, period).count(),
            "ended": period.ends_at <= timezone.now(),
        },
    )


@login_required
@require_POST
def feedback_send(request: HttpRequest) -> HttpResponse:
    regions = _regions(request)
    region = next((r for r in regions if r.code == request.POST.get("region")), None)
    if region is None:
        raise Http404(_("没有找到该区域。"))
    page = f"{reverse('web:feedback')}?region={region.code}"
    period = _requested_period(request.POST)
    if period is None:
        messages.error(request, _no_period())
        return redirect(page)
    with refusals_as_messages(request):
        result = send_letters(actor=request.user, region=region, period=period, request=request)
        message = _("已向 %(count)d 个单位发送反馈函。") % {"count": result.sent}
        if result.no_admin:
            message += _(
                "另有 %(count)d 个单位还没有单位管理员，无人接收，未发送；设置管理员后可再次发送。"
            ) % {"count": result.no_admin}
        messages.success(request, message)
    return redirect(f"{page}&period={period.code}")
