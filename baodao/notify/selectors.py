"""Reads of the in-app inbox: a person only ever sees its own notices."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from .models import Notice


def notices_of(user: Any) -> QuerySet[Notice]:
    """The caller's notices, newest first (none for an anonymous caller)."""
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    return Notice.objects.filter(user=user)


def notice_get_for_user(user: Any, pk: Any) -> Notice:
    try:
        return notices_of(user).get(pk=pk)
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("没有找到该消息。")) from None


def unread_count(user: Any) -> int:
    return notices_of(user).filter(read_at__isnull=True).count()
