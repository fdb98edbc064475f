"""API of the caller's points, `GET /api/v1/me/points`: the balance and the entries behind it.

Every entry names the rule it applied, the rate, and where it comes from — the service record it was earned by
(and that record's activity, if any), or for a no-show the activity. The balance is the sum of all entries;
the entries are paginated like every list (`?page=`, `?page_size=`), newest first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for
from baodao.lib.api import Pagination, error_responses

from .models import PointEntry, Rule
from .points import points_balance


class PointSourceOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class PointEntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.ChoiceField(choices=Rule.choices)
    rule_label = serializers.CharField(source="get_rule_display")
    rate = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text=_("所用标准：每小时、每件或每次的积分")
    )
    points = serializers.DecimalField(max_digits=9, decimal_places=2, help_text=_("积分；扣减和冲销为负数"))
    year = serializers.IntegerField(help_text=_("计入的年度（服务所在年度）"))
    record = serializers.SerializerMethodField(help_text=_("所依据的服务记录；缺席扣分为 null"))
    activity = serializers.SerializerMethodField(help_text=_("相关的活动（活动出勤或缺席）；其他为 null"))
    created_at = serializers.DateTimeField()

    @extend_schema_field(PointSourceOut(allow_null=True))
    def get_record(self, entry: PointEntry) -> Any:
        return PointSourceOut(entry.record).data if entry.record is not None else None

    @extend_schema_field(PointSourceOut(allow_null=True))
    def get_activity(self, entry: PointEntry) -> Any:
        activity = None
        if entry.record is not None and entry.record.activity is not None:
            activity = entry.record.activity
        elif entry.signup is not None:
            activity = entry.signup.activity
        return PointSourceOut(activity).data if activity is not None else None


class PointsOut(serializers.Serializer):
    balance = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text=_("积分余额（全部明细之和）")
    )
    count = serializers.IntegerField(help_text=_("明细条数"))
    next = serializers.CharField(allow_null=True, help_text=_("下一页明细的地址"))
    previous = serializers.CharField(allow_null=True)
    entries = PointEntryOut(many=True, help_text=_("积分明细（本页），最新的在前"))


def _entries_of(member_id: int | None) -> QuerySet[PointEntry]:
    if member_id is None:
        return PointEntry.objects.none()
    return (
        PointEntry.objects.filter(member_id=member_id)
        .select_related("record__activity", "signup__activity")
        .order_by("-created_at", "-id")
    )


class MyPointsView(APIView):
    """The calling member's points (zero and no entries for someone who is not a member)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int, required=False, description=_("页码")),
            OpenApiParameter("page_size", int, required=False, description=_("每页条数（最多 200）")),
        ],
        responses={200: PointsOut, **error_responses(401, 404)},
    )
    def get(self, request: Request) -> Response:
        member_id = scope_for(request.user).member_id
        paginator = Pagination()
        page = paginator.paginate_queryset(_entries_of(member_id), request, view=self)
        assert page is not None and paginator.page is not None
        balance = points_balance(member_id) if member_id is not None else Decimal(0)
        return Response(
            PointsOut(
                {
                    "balance": balance,
                    "count": paginator.page.paginator.count,
                    "next": paginator.get_next_link(),
                    "previous": paginator.get_previous_link(),
                    "entries": page,
                }
            ).data
        )
