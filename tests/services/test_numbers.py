"""Hours as people write them, the same on every page, in the PDF and in messages."""

from decimal import Decimal

import pytest

from baodao.lib.numbers import hours_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("2.50"), "2.5"),
        (Decimal("10.00"), "10"),
        (Decimal("100"), "100"),
        (Decimal("1E+1"), "10"),
        (Decimal("0.25"), "0.25"),
        (Decimal("0.00"), "0"),
        (Decimal("-3.50"), "-3.5"),
        ("1.50", "1.5"),
        (4, "4"),
    ],
)
def test_it_drops_trailing_zeros_and_never_writes_an_exponent(value, text):
    assert hours_text(value) == text
