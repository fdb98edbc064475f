"""Password validators whose messages Django does not translate (see AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 changed this message's source text and its Chinese catalogue still holds the old one, so the
    message would reach users in English."""

    def get_error_message(self) -> str:
        return gettext("密码长度太短。密码必须包含至少 %(min_length)d 个字符。") % {
            "min_length": self.min_length
        }
