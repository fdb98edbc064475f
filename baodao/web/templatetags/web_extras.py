"""Small filters for the pages: rates as percentages and as bar widths (classes, not inline styles:
the Content Security Policy allows only our own stylesheet)."""

from __future__ import annotations

from decimal import Decimal

from django import template

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
