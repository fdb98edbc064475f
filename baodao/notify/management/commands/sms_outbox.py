"""`manage.py sms_outbox [--phone 13900000011] [--last 10]`: what the default SMS backend kept instead of
sending, newest first (for the demo and for installations without a gateway yet)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from baodao.notify.models import Outbox


class Command(BaseCommand):
    help = "Show the newest text messages kept by the outbox SMS backend."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--phone", default="", help="only messages to this number")
        parser.add_argument("--last", type=int, default=10, help="how many messages (default 10)")

    def handle(self, *args: Any, phone: str, last: int, **options: Any) -> None:
        messages = Outbox.objects.all()
        if phone:
            messages = messages.filter(phone=phone)
        for message in messages[: max(last, 0)]:
            at = timezone.localtime(message.created_at)
            self.stdout.write(f"{at:%Y-%m-%d %H:%M:%S}  {message.phone}  {message.text}")
