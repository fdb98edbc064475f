"""Not written yet: every page answers 404 until it is."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


community_activities = activity_new = activity_code = activity_projector = activity_attendance = _todo
activity_close = activity_call_off = attendance_flags = community_points = _todo
