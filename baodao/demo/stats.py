"""Demo data for stats (being built)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baodao.org.models import Region


def seed_stats(*, now: datetime, community: Region, people: Any) -> int:
    return 0
