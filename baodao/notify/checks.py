"""A deployment check: an installation that still keeps text messages in the outbox delivers none."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.utils.translation import gettext as _

OUTBOX = "baodao.notify.sms.OutboxBackend"


@register(Tags.security, deploy=True)
def sms_backend_delivers(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.SMS_BACKEND != OUTBOX:
        return []
    return [
        Warning(
            _("短信不会真正发出：SMS_BACKEND 仍是发件箱（只存入数据库），短信申请的激活码无人收到。"),
            hint=_("接入短信网关后设置 SMS_BACKEND；在此之前请由管理员打印激活码发放。"),
            id="notify.W001",
        )
    ]
