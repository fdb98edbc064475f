"""API of member profiles: `/api/v1/members`, `/api/v1/skills` and the member's own `/api/v1/me/profile`.

Masking contract: in every member output the ID number is masked (`440***********1234`); the phone
(`138****5678`) and the home address are masked for everyone but the member itself. Only `/api/v1/me`
shows a member its own ID number, and `POST /api/v1/members/{id}/unmask` shows the full values to those
who may act on them — audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.scope import scope_for
from baodao.lib.api import error_responses, validated
from baodao.org.api import RefOut
from baodao.org.models import Branch

from .models import Member, Skill
from .selectors import member_get_for_user, members_filter, members_visible_to
from .services import PLEDGE_MAX, member_is_self, member_unmask, member_update_profile


def mask_address(value: str) -> str:
    """The first half of a home address, the rest starred: enough to tell buildings apart, not to find
    a door."""
    return value[: len(value) // 2] + "****" if value else ""


def own_member(user: Any) -> Member | None:
    """The caller's own member profile (through the scoped selector), or None for non-members."""
    member_id = scope_for(user).member_id
    return member_get_for_user(user, member_id) if member_id else None


def _viewer_is(context: Mapping[str, Any], member: Member) -> bool:
    request = context.get("request")
    return request is not None and member_is_self(request.user, member)


class MemberOut(serializers.Serializer):
    """A member as others see it (masked), or as it sees itself through /members (phone and address)."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="user.name")
    phone = serializers.SerializerMethodField(help_text=_("手机号，脱敏如 138****5678（本人可见完整号码）"))
    id_number = serializers.CharField(source="id_number_masked", help_text=_("身份证号，始终脱敏"))
    unit = RefOut()
    branch = serializers.CharField(source="branch.name", allow_null=True, help_text=_("党支部名称"))
    on_roster = serializers.BooleanField(help_text=_("是否在单位党员名册上"))
    community = RefOut(allow_null=True, help_text=_("居住社区"))
    grid = RefOut(allow_null=True, help_text=_("居住网格"))
    address = serializers.SerializerMethodField(help_text=_("楼栋/住址，脱敏（本人可见完整地址）"))
    registered = serializers.BooleanField(source="is_registered", help_text=_("是否已在社区报到（已确认）"))
    registered_community = RefOut(allow_null=True, help_text=_("已报到的社区"))
    skills = serializers.ListField(child=serializers.CharField(), help_text=_("特长编码，见 /api/v1/skills"))
    tags = serializers.ListField(child=serializers.CharField())
    preferences = serializers.ListField(child=serializers.CharField(), help_text=_("服务意愿（特长编码）"))
    availability = serializers.ListField(
        child=serializers.CharField(), help_text=_("可服务时间，如 sat-morning")
    )
    pledge = serializers.CharField(help_text=_("服务承诺（亮承诺）"))

    def get_phone(self, member: Member) -> str:
        return member.user.phone if _viewer_is(self.context, member) else member.phone_masked

    def get_address(self, member: Member) -> str:
        return member.address if _viewer_is(self.context, member) else mask_address(member.address)


class OwnMemberOut(MemberOut):
    """The member's own profile, in full (only ever shown to the member itself)."""

    phone = serializers.CharField(source="user.phone")  # type: ignore[assignment]
    id_number = serializers.SerializerMethodField(help_text=_("身份证号（本人可见完整号码）"))  # type: ignore[assignment]
    address = serializers.CharField()  # type: ignore[assignment]

    def get_id_number(self, member: Member) -> str:
        return member.id_number()


class MemberSummaryOut(serializers.Serializer):
    """The few facts other objects (a registration) show of their member."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="user.name")
    phone = serializers.SerializerMethodField(help_text=_("手机号，脱敏（本人可见完整号码）"))
    unit = RefOut()

    def get_phone(self, member: Member) -> str:
        return member.user.phone if _viewer_is(self.context, member) else member.phone_masked


class UnmaskOut(serializers.Serializer):
    phone = serializers.CharField()
    id_number = serializers.CharField()
    address = serializers.CharField()


class MemberFilter(serializers.Serializer):
    community = serializers.CharField(required=False, help_text=_("居住或报到社区编码"))
    grid = serializers.CharField(required=False, help_text=_("网格编码"))
    unit = serializers.CharField(required=False, help_text=_("单位编码"))
    skill = serializers.ChoiceField(choices=Skill.choices, required=False, help_text=_("特长编码"))
    registered = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true 已报到；false 未报到")
    )
    q = serializers.CharField(required=False, help_text=_("按姓名查找"))


class MemberListView(generics.ListAPIView):
    """The members the caller may see (its subtrees, its units, itself), oldest profile first."""

    serializer_class = MemberOut

    def get_queryset(self) -> QuerySet[Member]:
        params = validated(MemberFilter, self.request.query_params)
        return members_filter(members_visible_to(self.request.user), **params).order_by("pk")

    @extend_schema(
        parameters=[MemberFilter], responses={200: MemberOut(many=True), **error_responses(400, 401)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class MemberDetailView(APIView):
    @extend_schema(responses={200: MemberOut, **error_responses(401, 404)})
    def get(self, request: Request, pk: int) -> Response:
        member = member_get_for_user(request.user, pk)
        return Response(MemberOut(member, context={"request": request}).data)


class MemberUnmaskView(APIView):
    """The full phone, ID number and address, for a caller whose grant allows it. Every call is audited."""

    @extend_schema(request=None, responses={200: UnmaskOut, **error_responses(401, 403, 404)})
    def post(self, request: Request, pk: int) -> Response:
        member = member_get_for_user(request.user, pk)
        return Response(
            UnmaskOut(member_unmask(actor=request.user, member=member, request=request._request)).data
        )


# ---- the member's own profile ---------------------------------------------------------------------------


class ProfileIn(serializers.Serializer):
    """Only the fields present change. Residence changes go through registration (a transfer)."""

    name = serializers.CharField(required=False, max_length=50)
    skills = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("特长编码或名称")
    )
    tags = serializers.ListField(child=serializers.CharField(), required=False, help_text=_("自由标签"))
    preferences = serializers.ListField(child=serializers.CharField(), required=False)
    availability = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("如 sat-morning、sun-evening")
    )
    pledge = serializers.CharField(required=False, allow_blank=True, max_length=PLEDGE_MAX)
    branch = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=100,
        help_text=_("本单位已有党支部的名称"),
    )


def _branch_of(member: Member, name: str | None) -> Branch | None:
    name = (name or "").strip()
    if not name:
        return None
    branch = member.unit.branches.filter(name=name).first()
    if branch is None:
        raise serializers.ValidationError(
            {"branch": [gettext("本单位没有名为“%(name)s”的党支部。") % {"name": name}]}
        )
    return branch


class MeProfileView(APIView):
    @extend_schema(request=ProfileIn, responses={200: OwnMemberOut, **error_responses(400, 401, 404)})
    def patch(self, request: Request) -> Response:
        member = own_member(request.user)
        if member is None:
            raise Http404(gettext("您还没有党员档案。"))
        changes = validated(ProfileIn, request.data)
        if "branch" in changes:
            changes["branch"] = _branch_of(member, changes["branch"])
        member = member_update_profile(member=member, **changes)
        return Response(OwnMemberOut(member, context={"request": request}).data)


# ---- vocabulary -----------------------------------------------------------------------------------------


class SkillOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]


class SkillListView(APIView):
    """The controlled vocabulary of skills and service preferences (a short, fixed list: not paginated)."""

    @extend_schema(responses={200: SkillOut(many=True), **error_responses(401)})
    def get(self, request: Request) -> Response:
        return Response(SkillOut([{"code": c, "label": label} for c, label in Skill.choices], many=True).data)
