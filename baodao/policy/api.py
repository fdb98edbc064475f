"""API of a district's policy: `GET|PUT /api/v1/policy`.

GET: anyone working or serving in the district (its district, street and community admins, grid workers,
unit admins and members) reads the version in force today, its history and the upcoming versions; someone
with several districts names one with `?district=` (a district out of reach: 404). PUT: the district's admin
sets a new version from a start date (today or later; 400 for a past date, 409 `in_force` for a version that
started today); fields left out are carried over (403 for anyone else in the district).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import error_responses, validated
from baodao.org.api import RefOut
from baodao.org.models import Region

from .models import GRADE_NAME_MAX, Period, Policy
from .selectors import policy_district_for_user, policy_history, policy_in_force, policy_upcoming
from .services import EDITABLE, may_set_policy, policy_set


def _decimal_in() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=None, required=False)


class PolicyValuesOut(serializers.ModelSerializer):
    """Every value of one version."""

    class Meta:
        model = Policy
        fields = ["effective_from", *EDITABLE]

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_class is serializers.DecimalField:
            field_kwargs["coerce_to_string"] = False
        return field_class, field_kwargs


class PolicyVersionOut(PolicyValuesOut):
    created_at = serializers.DateTimeField(help_text=_("设置（或最近一次替换）的时间"))

    class Meta(PolicyValuesOut.Meta):
        fields = [*PolicyValuesOut.Meta.fields, "created_at"]


class PolicyOut(PolicyValuesOut):
    """The version in force today, with the district's history and upcoming versions."""

    district = RefOut()
    effective_from = serializers.DateField(
        allow_null=True, help_text=_("本版本的生效日期；采用全国默认值时为 null")
    )
    is_default = serializers.BooleanField(help_text=_("本区尚未设置政策，采用全国默认值"))
    may_edit = serializers.SerializerMethodField(help_text=_("本人是否可以修改本区政策"))
    history = serializers.SerializerMethodField(help_text=_("已生效的各版本（含现行版本），新的在前"))
    upcoming = serializers.SerializerMethodField(help_text=_("尚未生效的版本，先生效的在前"))

    class Meta(PolicyValuesOut.Meta):
        fields = ["district", *PolicyValuesOut.Meta.fields, "is_default", "may_edit", "history", "upcoming"]

    def to_representation(self, instance: Policy) -> Any:
        data = super().to_representation(instance)
        if instance.is_default:
            data["effective_from"] = None
        return data

    def get_may_edit(self, policy: Policy) -> bool:
        return may_set_policy(self.context["request"].user, self.context["district"])

    @extend_schema_field(PolicyVersionOut(many=True))
    def get_history(self, policy: Policy) -> Any:
        return PolicyVersionOut(policy_history(self.context["district"]), many=True).data

    @extend_schema_field(PolicyVersionOut(many=True))
    def get_upcoming(self, policy: Policy) -> Any:
        return PolicyVersionOut(policy_upcoming(self.context["district"]), many=True).data


class PolicyIn(serializers.Serializer):
    """A new version. Every field but `effective_from` may be left out: it is then carried over."""

    effective_from = serializers.DateField(help_text=_("生效日期（今天或以后）"))
    coverage_threshold = _decimal_in()
    registration_deadline_days = serializers.IntegerField(required=False)
    reconfirm_months = serializers.IntegerField(required=False)
    min_services = serializers.IntegerField(required=False)
    min_services_period = serializers.ChoiceField(choices=Period.choices, required=False)
    min_hours_per_year = serializers.IntegerField(required=False, allow_null=True)
    posts_required = serializers.BooleanField(required=False)
    need_respond_hours = serializers.IntegerField(required=False)
    need_resolve_days = serializers.IntegerField(required=False)
    claim_lapse_days = serializers.IntegerField(required=False)
    hours_rounding = _decimal_in()
    points_per_hour = _decimal_in()
    points_per_need = _decimal_in()
    points_rating_bonus = _decimal_in()
    points_no_show = _decimal_in()
    points_yearly_cap = serializers.IntegerField(required=False, allow_null=True)
    grade_excellent_name = serializers.CharField(max_length=GRADE_NAME_MAX, required=False)
    grade_good_name = serializers.CharField(max_length=GRADE_NAME_MAX, required=False)
    grade_basic_name = serializers.CharField(max_length=GRADE_NAME_MAX, required=False)
    grade_poor_name = serializers.CharField(max_length=GRADE_NAME_MAX, required=False)
    grade_excellent_min = serializers.IntegerField(required=False)
    grade_good_min = serializers.IntegerField(required=False)
    grade_basic_min = serializers.IntegerField(required=False)
    excellent_share_max = _decimal_in()
    weight_self = serializers.IntegerField(required=False)
    weight_unit = serializers.IntegerField(required=False)
    weight_residents = serializers.IntegerField(required=False)
    weight_community = serializers.IntegerField(required=False)
    weight_organisation = serializers.IntegerField(required=False)


_DISTRICT = OpenApiParameter(
    "district", str, required=False, description=_("区编码；可查看多个区时必填，只有一个区时可省略")
)


def _policy_out(request: Request, district: Region) -> Any:
    policy = policy_in_force(district.code, on=timezone.localdate())
    policy.district = district
    return PolicyOut(policy, context={"request": request, "district": district}).data


class PolicySavedOut(PolicyOut):
    """The policy in force today, and the version just saved (`saved`)."""

    saved = PolicyValuesOut(read_only=True, help_text=_("刚保存的版本"))

    class Meta(PolicyOut.Meta):
        fields = [*PolicyOut.Meta.fields, "saved"]


class PolicyView(APIView):
    @extend_schema(parameters=[_DISTRICT], responses={200: PolicyOut, **error_responses(400, 401, 404)})
    def get(self, request: Request) -> Response:
        district = policy_district_for_user(request.user, request.query_params.get("district"))
        return Response(_policy_out(request, district))

    @extend_schema(
        parameters=[_DISTRICT],
        request=PolicyIn,
        responses={200: PolicySavedOut, **error_responses(400, 401, 403, 404, 409)},
        description=_(
            "区委组织部管理员设置本区政策的新版本，自生效日期起执行；未提交的字段沿用该日期执行的政策。"
            "同一未来日期再次设置会替换该版本；已生效的版本不能修改；与当天执行的政策相同的新版本不予保存（400）。"
            "改动会带入此后已计划、仍沿用旧值的版本。回答为今天执行的政策，`saved` 为刚保存的版本。"
        ),
    )
    def put(self, request: Request) -> Response:
        district = policy_district_for_user(request.user, request.query_params.get("district"))
        data = validated(PolicyIn, request.data)
        saved = policy_set(actor=request.user, district=district, request=request._request, **data)
        return Response({**_policy_out(request, district), "saved": PolicyValuesOut(saved).data})
