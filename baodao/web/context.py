from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def workspaces(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's workspaces (one per grant), for the navigation."""
    from .workspaces import workspaces_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"workspaces": []}
    return {"workspaces": workspaces_for(user)}


def inbox(request: HttpRequest) -> dict[str, Any]:
    """How many unread notices the signed-in person has, for the 消息 link in the header: one count query,
    made only when a page shows it; nothing for anonymous visitors."""
    from baodao.notify.selectors import unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
