"""Domain errors raised by services; the API and the pages turn them into answers."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. `code` is stable for clients, `detail` is Chinese for people."""

    status = 400
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.fields = fields or {}


class Invalid(DomainError):
    """Input that breaks a rule (400)."""


class Conflict(DomainError):
    """The object's state forbids the action, or it would duplicate another (409)."""

    status = 409
    code = "conflict"


class Forbidden(DomainError):
    """The caller may see the object but not do this to it (403)."""

    status = 403
    code = "forbidden"


class Throttled(DomainError):
    """Too many attempts in a short time (429)."""

    status = 429
    code = "throttled"
