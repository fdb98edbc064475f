"""`manage.py stats_rebuild`: recompute the dashboards' aggregates from the ledger (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from baodao.stats.services import stats_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboards' aggregates from the service ledger."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows = stats_rebuild()
        self.stdout.write(f"{rows} rows in {time.monotonic() - started:.1f} s")
