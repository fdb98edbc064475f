"""Demo data for stats: the dashboards' aggregates, rebuilt from everything the demo seeded (it bulk-inserts
records, which bypasses the ledger's hook)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baodao.org.models import Region
from baodao.stats.services import stats_rebuild


def seed_stats(*, now: datetime, community: Region, people: Any) -> int:
    return stats_rebuild()
