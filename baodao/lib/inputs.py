"""Small checks of what people type, shared by the services: a refusal on one field, and a trimmed text with
its label, whether it is required and its longest length."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import Invalid


def invalid(field: str, message: str) -> Invalid:
    """A 400 on one field, with the same message for the field and the whole answer."""
    return Invalid(message, fields={field: [message]})


def text(value: str | None, *, field: str, label: str, max_length: int, required: bool) -> str:
    """The value trimmed; refused when required and empty, or longer than `max_length`."""
    value = (value or "").strip()
    if required and not value:
        raise invalid(field, _("请填写%(label)s。") % {"label": label})
    if len(value) > max_length:
        raise invalid(field, _("%(label)s最多 %(max)d 字。") % {"label": label, "max": max_length})
    return value
