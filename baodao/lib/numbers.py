"""Numbers as people read them."""

from __future__ import annotations

from decimal import Decimal


def hours_text(value: Decimal | int | str) -> str:
    """Hours without trailing zeros and never in exponent form: 2.50 → "2.5", 10.00 → "10" (not "1E+1"),
    0.25 → "0.25"."""
    return f"{Decimal(value).normalize():f}"
