"""Demo data for preappointment (being built)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baodao.org.models import Region


def seed_preappointment(*, now: datetime, community: Region, people: Any) -> int:
    return 0
