from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from .models import DEFAULT_COVERAGE_THRESHOLD, Policy


def policy_in_force(district_code: str, *, on: date | None = None) -> Policy:
    """The district's policy on a day; the national defaults (an unsaved row) where it has set none."""
    on = on or timezone.localdate()
    policy = (
        Policy.objects.filter(district__code=district_code, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    return policy if policy is not None else Policy(effective_from=on)


def coverage_thresholds(district_codes: set[str], *, on: date | None = None) -> dict[str, Decimal]:
    """The coverage threshold in force for each district code on a day (national default if none set)."""
    on = on or timezone.localdate()
    result = dict.fromkeys(district_codes, DEFAULT_COVERAGE_THRESHOLD)
    rows = (
        Policy.objects.filter(district__code__in=district_codes, effective_from__lte=on)
        .order_by("district__code", "-effective_from")
        .values_list("district__code", "coverage_threshold")
    )
    seen: set[str] = set()
    for code, threshold in rows:
        if code not in seen:
            result[code] = threshold
            seen.add(code)
    return result
