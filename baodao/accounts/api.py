"""API of accounts: `/api/v1/auth/token`, `/api/v1/me`, `/api/v1/users`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.lib.api import created, error_response, error_responses, validated
from baodao.lib.errors import Invalid
from baodao.lib.idnumber import mask_phone
from baodao.members.api import MemberOut, OwnMemberOut, own_member
from baodao.members.selectors import members_visible_to
from baodao.org.selectors import region_get, unit_get_for_user

from .lockout import lockout_message
from .models import Role, User
from .services import LockedOut, sign_in, token_issue, user_create


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Tells the schema how `BearerTokenAuthentication` works."""

    target_class = "baodao.accounts.api_auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": gettext("POST /api/v1/auth/token 取得的令牌"),
        }


# ---- sign-in --------------------------------------------------------------------------------------------


class TokenIn(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text=_("11 位手机号"))
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenOut(serializers.Serializer):
    token = serializers.CharField(help_text=_("放在请求头 Authorization: Bearer <token> 中"))


class TokenView(APIView):
    """Exchange a phone number and password for a bearer token.

    Wrong credentials: 401 `bad_credentials`, the same whether or not the number exists. After too many
    failures the number is locked for a while (429 `locked`), even for the right password.
    """

    authentication_classes = []
    permission_classes = []

    @extend_schema(auth=[], request=TokenIn, responses={200: TokenOut, **error_responses(400, 401, 429)})
    def post(self, request: Request) -> Response:
        data = validated(TokenIn, request.data)
        try:
            user = sign_in(request=request._request, phone=data["phone"], password=data["password"])
        except LockedOut:
            return error_response(429, "locked", lockout_message())
        except Invalid as exc:
            return error_response(401, exc.code, exc.detail)
        return Response(TokenOut({"token": token_issue(user=user, request=request._request)}).data)


# ---- people ---------------------------------------------------------------------------------------------


class GrantOut(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(source="get_role_display")
    region = serializers.CharField(
        source="region.code", allow_null=True, help_text=_("区域编码（按区域授权时）")
    )
    unit = serializers.CharField(source="unit.code", allow_null=True, help_text=_("单位编码（按单位授权时）"))
    can_unmask = serializers.BooleanField(help_text=_("可查看完整敏感信息"))


class MeOut(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    name = serializers.CharField()
    grants = GrantOut(many=True)
    member = OwnMemberOut(allow_null=True, help_text=_("本人的党员档案（完整信息）；不是党员时为 null"))


class UserOut(serializers.Serializer):
    """A person as the admin who created it sees it: phone and ID number masked."""

    id = serializers.IntegerField()
    phone = serializers.CharField(help_text=_("手机号（脱敏）"))
    name = serializers.CharField()
    grants = GrantOut(many=True)
    member = MemberOut(allow_null=True)


def _grants(user: User) -> Any:
    return user.grants.select_related("region", "unit").order_by("id")


class MeView(APIView):
    @extend_schema(responses={200: MeOut, **error_responses(401)})
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # IsAuthenticated
        me = {
            "id": user.pk,
            "phone": user.phone,
            "name": user.name,
            "grants": _grants(user),
            "member": own_member(user),
        }
        return Response(MeOut(me, context={"request": request}).data)


class UserIn(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text=_("11 位手机号（登录名）"))
    name = serializers.CharField(max_length=50)
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, help_text=_("初始密码，至少 8 位")
    )
    role = serializers.ChoiceField(choices=Role.choices)
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("按区域授权的角色：区域编码；党员：可选，居住社区或网格编码"),
    )
    unit = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text=_("单位党组织、党员：单位编码")
    )
    id_number = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=18, help_text=_("党员：可选，身份证号")
    )
    skills = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=_("党员：特长编码或名称")
    )
    can_unmask = serializers.BooleanField(
        default=False, help_text=_("管理角色：可查看完整敏感信息（授予人自己须有此权限）")
    )


class UserCreateView(APIView):
    """An admin adds a person with its first role, inside the admin's own scope (elsewhere: 404)."""

    @extend_schema(request=UserIn, responses={201: UserOut, **error_responses(400, 401, 404, 409)})
    def post(self, request: Request) -> Response:
        data = validated(UserIn, request.data)
        user = user_create(
            actor=request.user,
            phone=data["phone"],
            name=data["name"],
            password=data["password"],
            role=data["role"],
            region=region_get(data["region"]) if data.get("region") else None,
            unit=unit_get_for_user(request.user, data["unit"]) if data.get("unit") else None,
            id_number=data.get("id_number") or None,
            skills=data.get("skills", ()),
            can_unmask=data["can_unmask"],
            request=request._request,
        )
        out = {
            "id": user.pk,
            "phone": mask_phone(user.phone),
            "name": user.name,
            "grants": _grants(user),
            "member": members_visible_to(request.user).filter(user=user).first(),
        }
        return created(UserOut(out, context={"request": request}).data)
