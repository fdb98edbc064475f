from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "登录失败次数过多，该账号已被临时锁定，请 %(minutes)d 分钟后再试。",
        "登录失败次数过多，该账号已被临时锁定，请 %(minutes)d 分钟后再试。",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """What django-axes answers while a phone number is locked out."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "locked", "detail": lockout_message(), "fields": {}}, status=429)
    return render(request, "web/login.html", {"error": lockout_message(), "locked": True}, status=429)
