"""Small filters for the pages: rates as percentages and as bar widths (classes, not inline styles:
the Content Security Policy allows only our own stylesheet), hours as people write them, and who verified a
ledger row."""

from __future__ import annotations

from decimal import Decimal

from django import template

from baodao.ledger.models import ServiceRecord
from baodao.ledger.selectors import verifier_name
from baodao.lib.numbers import hours_text

register = template.Library()


@register.filter
def percent(value: float | Decimal | None) -> str:
    """0.7345 → "73.5%", 0.9 → "90%", None → "—"."""
    if value is None or value == "":
        return "—"
    text = f"{float(value) * 100:.1f}"
    return f"{text.removesuffix('.0')}%"


@register.filter
def bar_class(value: float | Decimal | None) -> str:
    """The width class of a bar showing a fraction, in whole percent: "w-73"."""
    if value is None or value == "":
        return "w-0"
    return f"w-{max(0, min(100, round(float(value) * 100)))}"


@register.filter
def hours(value: Decimal | int | str | None) -> str:
    """Hours to the hundredth the ledger keeps, without trailing zeros: 1.50 → "1.5", 10.00 → "10";
    None → "—"."""
    if value is None or value == "":
        return "—"
    return hours_text(value)


@register.filter
def verifier(record: ServiceRecord) -> str:
    """Who verified a service record, as the ledger's pages may name it (`ledger.selectors.verifier_name`)."""
    return verifier_name(record)
