"""API of first sign-in: `/api/v1/auth/activate`, `/api/v1/auth/activation-code` and
`/api/v1/members/{id}/activation-code`."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baodao.accounts.api import TokenOut
from baodao.accounts.services import token_issue
from baodao.lib.api import created, error_response, error_responses, validated

from .selectors import members_activatable_by
from .services import (
    ActivationLocked,
    Throttled,
    account_activate,
    activation_code_request,
    activation_codes_issue,
    requested_message,
)


class ActivateIn(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text=_("11 位手机号"))
    code = serializers.CharField(max_length=20, help_text=_("8 位激活码（管理员发放或短信收到）"))
    password = serializers.CharField(max_length=128, trim_whitespace=False, help_text=_("新密码，至少 8 位"))


class ActivateView(APIView):
    """Set the first password of an account that has none, with its activation code, and sign in.

    A wrong, expired, used or revoked code, an unknown number and an account that already has a password all
    give the same 400 `bad_code`; a password that breaks the rules gives 400 `invalid` with `fields.password`.
    After too many wrong codes the number is locked for a while (429 `locked`)."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(auth=[], request=ActivateIn, responses={200: TokenOut, **error_responses(400, 429)})
    def post(self, request: Request) -> Response:
        data = validated(ActivateIn, request.data)
        try:
            user = account_activate(request=request._request, **data)
        except ActivationLocked as exc:
            return error_response(429, "locked", str(exc))
        return Response(TokenOut({"token": token_issue(user=user, request=request._request)}).data)


class CodeRequestIn(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text=_("11 位手机号"))


class DetailOut(serializers.Serializer):
    detail = serializers.CharField()


class ActivationCodeRequestView(APIView):
    """Ask for an activation code by SMS. The answer is 202 whether or not the number has an account waiting
    for activation (only then is a text sent); 429 `throttled` when the number asked too often."""

    authentication_classes = []
    permission_classes = []

    @extend_schema(
        auth=[],
        request=CodeRequestIn,
        responses={202: OpenApiResponse(DetailOut), **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(CodeRequestIn, request.data)
        try:
            activation_code_request(phone=data["phone"], request=request._request)
        except Throttled as exc:
            return error_response(429, "throttled", str(exc))
        return Response(DetailOut({"detail": requested_message()}).data, status=202)


class IssuedCodeOut(serializers.Serializer):
    code = serializers.CharField(help_text=_("8 位激活码，只返回这一次"))
    expires_at = serializers.DateTimeField()


class MemberActivationCodeView(APIView):
    """An admin issues an activation code to a member it administers who has no password yet; the code is
    returned once. Issuing again revokes the previous code. Out of scope: 404; the member already has a
    password (a password reset, not offered here): 409 `has_password`."""

    @extend_schema(request=None, responses={201: IssuedCodeOut, **error_responses(401, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        member = members_activatable_by(request.user).filter(pk=pk).first()
        if member is None:
            raise Http404(gettext("没有找到该党员。"))
        [issued] = activation_codes_issue(actor=request.user, members=[member], request=request._request)
        return created(IssuedCodeOut(issued).data)
