"""`GET /api/v1/dashboard?region=&period=` (or `?unit=&period=`): a region's or a unit's dashboard, read from
the maintained aggregates. `region` defaults to the caller's own (first) region; `period` ("2026Q3" or "2026")
to the current quarter. Rates are decimals 0..1 to four places (null when there is nothing to divide by).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import error_responses, validated
from baodao.lib.errors import Invalid
from baodao.lib.periods import Period, current_quarter, period_parse

from .selectors import (
    Dashboard,
    Figures,
    dashboard_default_unit,
    dashboard_region,
    dashboard_unit,
    has_region,
    region_dashboard,
    unit_dashboard,
)


class DashboardIn(serializers.Serializer):
    region = serializers.CharField(required=False, max_length=32, help_text=gettext_lazy("区域编码"))
    unit = serializers.CharField(required=False, max_length=32, help_text=gettext_lazy("单位编码"))
    period = serializers.CharField(
        required=False,
        max_length=16,
        help_text=gettext_lazy("统计期：季度如 2026Q3，年度如 2026；默认本季度"),
    )


class NeedsOut(serializers.Serializer):
    closed = serializers.IntegerField(source="needs_closed")
    on_time = serializers.IntegerField(source="needs_on_time")
    on_time_rate = serializers.FloatField(allow_null=True)


class EmergencyOut(serializers.Serializer):
    called = serializers.IntegerField()
    answered = serializers.IntegerField()
    arrived = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text=gettext_lazy("响应率：已响应 ÷ 呼叫"))
    arrival_rate = serializers.FloatField(allow_null=True, help_text=gettext_lazy("到岗率：已到岗 ÷ 呼叫"))


class FiguresOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    coverage = serializers.FloatField(allow_null=True, help_text=gettext_lazy("报到率：已报到 ÷ 在册"))
    members = serializers.IntegerField(help_text=gettext_lazy("在册党员"))
    registered = serializers.IntegerField(help_text=gettext_lazy("已报到党员"))
    active = serializers.IntegerField(help_text=gettext_lazy("本期有经核实服务的党员"))
    active_rate = serializers.FloatField(allow_null=True, help_text=gettext_lazy("活跃率：活跃 ÷ 已报到"))
    services = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    rating = serializers.FloatField(allow_null=True, help_text=gettext_lazy("群众平均评分（1–5）"))
    needs = serializers.SerializerMethodField()
    emergency = serializers.SerializerMethodField()

    def get_needs(self, figures: Figures) -> dict[str, Any]:
        return dict(NeedsOut(figures).data)

    def get_emergency(self, figures: Figures) -> dict[str, Any]:
        return dict(EmergencyOut(figures).data)


class MonthOut(serializers.Serializer):
    month = serializers.CharField(source="code")
    services = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    active = serializers.IntegerField()


def dashboard_data(board: Dashboard) -> dict[str, Any]:
    total = dict(FiguresOut(board.total).data)
    ref = {k: total.pop(k) for k in ("code", "name", "level")}
    return {
        ("unit" if board.unit else "region"): ref,
        "period": board.period.code,
        **total,
        "children": FiguresOut(board.children, many=True).data,
        "trend": MonthOut(board.trend, many=True).data,
    }


def dashboard_for(user: Any, params: Any) -> Dashboard:
    """The dashboard a request asks for (query parameters as in the API and the page)."""
    data = validated(DashboardIn, params)
    period: Period = period_parse(data["period"]) if data.get("period") else current_quarter()
    if data.get("region") and data.get("unit"):
        message = _("请只指定区域或单位中的一个。")
        raise Invalid(message, fields={"unit": [message]})
    if data.get("unit"):
        return unit_dashboard(dashboard_unit(user, data["unit"]), period)
    if not data.get("region") and not has_region(user):
        unit = dashboard_default_unit(user)
        if unit is not None:
            return unit_dashboard(unit, period)
    return region_dashboard(dashboard_region(user, data.get("region")), period)


class DashboardView(APIView):
    """A region's (or a unit's) figures for a period, its children's, and the monthly trend."""

    @extend_schema(parameters=[DashboardIn], responses={200: dict, **error_responses(400, 401, 404)})
    def get(self, request: Request) -> Response:
        return Response(dashboard_data(dashboard_for(request.user, request.query_params)))
