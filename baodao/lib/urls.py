"""Absolute addresses that leave the site: printed on paper, encoded in a QR code, handed to an app."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings


class _Request(Protocol):
    def build_absolute_uri(self, location: str | None = None) -> str: ...


def public_url(request: _Request, path: str) -> str:
    """`path` (from `reverse`, starting with "/") as others are to open it: under `PUBLIC_BASE_URL` when it is
    set — a certificate printed today or a QR code on a projector must lead to the address people know, not
    to whatever host and scheme the request reached the server by (an intranet name, plain HTTP behind a
    proxy) — otherwise under the request's own."""
    base: str = settings.PUBLIC_BASE_URL
    if base:
        return base.rstrip("/") + path
    return request.build_absolute_uri(path)
