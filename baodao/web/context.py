from typing import Any

from django.http import HttpRequest


def workspaces(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's workspaces (one per grant), for the navigation."""
    from .workspaces import workspaces_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"workspaces": []}
    return {"workspaces": workspaces_for(user)}
