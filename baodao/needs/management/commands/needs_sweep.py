from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Lapse claims past their time and escalate overdue needs to the street (safe to run any time)."

    def handle(self, *args: Any, **options: Any) -> None:
        from baodao.needs.services import needs_sweep

        result = needs_sweep()
        self.stdout.write(f"lapsed={result['lapsed']} escalated={result['escalated']}")
