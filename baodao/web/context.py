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


#: the emergency calls a member's pages announce at most
EMERGENCY_BANNER_CALLS = 3


def emergencies(request: HttpRequest) -> dict[str, Any]:
    """A member's calls to emergencies still on, for the banner at the top of every page: one indexed query,
    made only when a page shows it, and none for a signed-in person known (from the scope its page has
    already read) to have no member profile."""
    from baodao.mobilizations.models import Call, Status

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = getattr(user, "_baodao_scope", None)
    if scope is not None and scope.member_id is None:
        return {}

    def calls() -> list[Any]:
        qs = Call.objects.filter(mobilization__status=Status.ACTIVE)
        qs = qs.filter(member_id=scope.member_id) if scope is not None else qs.filter(member__user=user)
        return list(qs.select_related("mobilization").order_by("-called_at", "-id")[:EMERGENCY_BANNER_CALLS])

    def banner() -> dict[str, Any]:
        found = calls()
        return {
            "silent": [c for c in found if not c.answer],
            "coming": [c for c in found if c.answer == "yes" and c.arrived_at is None],
        }

    return {"emergency_banner": SimpleLazyObject(banner)}
