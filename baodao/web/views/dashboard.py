"""数据看板: a region's or a unit's figures for a period, a bar chart of its children (a click on a bar, or
the link in the table, drills down to that child) and a line chart of the monthly trend — read from the
maintained aggregates (`baodao.stats`). The tables are the accessible source; the charts only repeat them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from baodao.accounts.scope import scope_for
from baodao.lib.errors import Invalid
from baodao.lib.periods import period_choices
from baodao.registration.selectors import regions_for_coverage
from baodao.stats.api import dashboard_for
from baodao.stats.selectors import DASHBOARD_ROLES, Dashboard, Figures


def _children_chart(board: Dashboard, period: str) -> dict[str, Any]:
    url = reverse("web:dashboard")
    return {
        "labels": [c.name for c in board.children],
        "values": [c.services for c in board.children],
        # the row of what lies in no child has no code: no page to open
        "links": [f"{url}?region={c.code}&period={period}" if c.code else "" for c in board.children],
        "name": _("服务次数"),
    }


def _trend_chart(board: Dashboard) -> dict[str, Any]:
    return {
        "labels": [m.code for m in board.trend],
        "series": [
            {"name": _("服务次数"), "values": [m.services for m in board.trend]},
            {"name": _("服务时长（小时）"), "values": [float(m.hours) for m in board.trend]},
            {"name": _("活跃党员"), "values": [m.active for m in board.trend]},
        ],
    }


def _up(board: Dashboard, request: HttpRequest) -> Any:
    region = board.region
    if region is None or region.parent_id is None:
        return None
    parent = region.parent
    if parent is not None and scope_for(request.user).covers_region(parent, *DASHBOARD_ROLES):
        return parent
    return None


def _refused(request: HttpRequest, error: Any) -> HttpResponse:
    """400 with the reason, and the period form again (the region or unit asked for kept)."""
    unit = request.GET.get("unit")
    ctx = {
        "error": error,
        "periods": period_choices(),
        "code_param": "unit" if unit else "region",
        "code": (unit or request.GET.get("region") or "")[:64],
    }
    return render(request, "web/dashboard.html", ctx, status=400)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        board = dashboard_for(request.user, request.GET)
    except Invalid as refusal:
        return _refused(request, refusal.detail)
    except ValidationError:
        return _refused(request, _("请求参数不正确。"))
    period = board.period.code
    total: Figures = board.total
    ctx = {
        "board": board,
        "total": total,
        "period": board.period,
        "periods": period_choices(),
        "children_chart": _children_chart(board, period),
        "trend_chart": _trend_chart(board),
        "up": _up(board, request),
        "code_param": "unit" if board.unit else "region",
        # the coverage page exists for the districts and streets the caller reads there
        "coverage_link": board.region is not None
        and regions_for_coverage(request.user).filter(pk=board.region.pk).exists(),
    }
    return render(request, "web/dashboard.html", ctx)
