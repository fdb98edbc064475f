"""Error answers that Django does not render from our templates by itself."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or missing form token: say so in Chinese and offer the way back."""
    return render(request, "403_csrf.html", status=403)
