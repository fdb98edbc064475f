"""居民身份证号码 (GB 11643-1999): validation, masking."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.utils import timezone

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII digits only: \d also matches other scripts


def normalise(value: str) -> str:
    # NFKC turns full-width digits and letters (typed by Chinese input methods) into ASCII ones.
    return unicodedata.normalize("NFKC", value).strip().replace(" ", "").upper()


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def is_valid(value: str) -> bool:
    """True for an 18-character number with a real birth date and a correct check digit."""
    value = normalise(value)
    if not _PATTERN.match(value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born > timezone.localdate():
        return False
    return check_digit(value[:17]) == value[17]


def mask(value: str) -> str:
    """`440***********1234`: the first three and the last four characters, nothing else."""
    value = normalise(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """`138****5678`."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
