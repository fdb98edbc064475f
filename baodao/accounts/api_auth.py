from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .services import token_user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` with tokens issued by POST /api/v1/auth/token."""

    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, None] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确，应为 Authorization: Bearer <token>。"))
        user = token_user(header[1])
        if user is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期，请重新登录。"))
        return user, None

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
