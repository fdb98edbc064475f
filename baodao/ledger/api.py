"""API of the service ledger: the caller's own rows, `GET /api/v1/me/records`, and the correction of a row,
`POST /api/v1/records/{id}/reverse`.

Rows are never changed: a correction adds a reversing row (negated hours, `reverses` naming the row it
cancels). Sum `hours` over the rows to get the confirmed total.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for
from baodao.lib.api import created, error_responses, validated
from baodao.org.api import RefOut

from .models import ServiceRecord, Source
from .selectors import record_get_for_user, records_of_member, verifier_name
from .services import REASON_MAX, record_reverse


class RecordNeedOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class RecordMemberOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="user.name")


class RecordOut(serializers.Serializer):
    id = serializers.IntegerField()
    # `source` names a field here (the metaclass moves it out of the class), not Field.source.
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    member = RecordMemberOut(allow_null=True, help_text=_("服务的党员；单位整体服务时为 null"))
    unit = RefOut(allow_null=True, help_text=_("整体服务的单位；党员服务时为 null"))
    community = RefOut()
    need = RecordNeedOut(allow_null=True, help_text=_("所办结的需求；其他来源为 null"))
    activity = serializers.SerializerMethodField(help_text=_("所参加的活动；其他来源为 null"))
    mobilization = serializers.SerializerMethodField(help_text=_("值守的应急动员；其他来源为 null"))
    title = serializers.CharField(help_text=_("服务内容"))
    category = serializers.CharField(help_text=_("分类编码"))
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, help_text=_("时长（小时）；冲销记录为负数")
    )
    rating = serializers.IntegerField(allow_null=True, help_text=_("服务对象的评分（1–5）"))
    served_at = serializers.DateTimeField()
    verified_by = serializers.SerializerMethodField(
        help_text=_("核实人：工作人员的姓名，服务对象本人确认的为“服务对象确认”（冲销记录为冲销人）")
    )
    reverses = serializers.IntegerField(
        source="reverses_id", allow_null=True, help_text=_("冲销记录：被冲销的记录编号")
    )
    reversed_by = serializers.SerializerMethodField(help_text=_("已被冲销时，冲销记录的编号"))
    reason = serializers.CharField(help_text=_("冲销原因"))
    created_at = serializers.DateTimeField()

    @extend_schema_field(RecordNeedOut(allow_null=True))
    def get_activity(self, record: ServiceRecord) -> dict[str, Any] | None:
        if record.activity is None:
            return None
        return {"id": record.activity.pk, "title": record.activity.title}

    @extend_schema_field(RecordNeedOut(allow_null=True))
    def get_mobilization(self, record: ServiceRecord) -> dict[str, Any] | None:
        if record.shift is None:
            return None
        mobilization = record.shift.call.mobilization
        return {"id": mobilization.pk, "title": mobilization.title}

    def get_verified_by(self, record: ServiceRecord) -> str:
        return verifier_name(record)

    def get_reversed_by(self, record: ServiceRecord) -> int | None:
        try:
            return record.reversed_by.pk
        except ServiceRecord.DoesNotExist:
            return None


def _with_people(qs: QuerySet[ServiceRecord]) -> QuerySet[ServiceRecord]:
    return qs.select_related(
        "member__user",
        "unit",
        "community",
        "need",
        "activity",
        "shift__call__mobilization",
        "verified_by",
        "reversed_by",
    )


class MyRecordListView(generics.ListAPIView):
    """The ledger rows about the calling member, newest first (empty for someone who is not a member)."""

    serializer_class = RecordOut

    def get_queryset(self) -> QuerySet[ServiceRecord]:
        member_id = scope_for(self.request.user).member_id
        if member_id is None:
            return ServiceRecord.objects.none()
        return _with_people(records_of_member(member_id))

    @extend_schema(responses={200: RecordOut(many=True), **error_responses(401)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ReverseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("冲销原因"))


class RecordReverseView(APIView):
    """冲销: the admin of the community where the service was done cancels a row, with a reason. The row
    stays; a reversing row with the negated hours is added (once)."""

    @extend_schema(request=ReverseIn, responses={201: RecordOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        record = record_get_for_user(request.user, pk)
        data = validated(ReverseIn, request.data)
        reversal = record_reverse(
            actor=request.user, record=record, reason=data["reason"], request=request._request
        )
        return created(RecordOut(_with_people(ServiceRecord.objects.filter(pk=reversal.pk)).get()).data)
