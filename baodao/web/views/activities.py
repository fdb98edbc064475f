"""Not written yet: every page answers 404 until it is."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


activity_list = activity_detail = activity_signup = activity_cancel_signup = activity_checkin = _todo
activity_checkout = my_service = my_points = my_certificates = certificate_pdf = _todo
certificate_lookup = certificate_verify = _todo
