"""Text messages (SMS) through a pluggable backend.

`settings.SMS_BACKEND` names a class with a `send(phone, text)` method (the `SmsBackend` protocol). The
default, `OutboxBackend`, delivers nothing: it keeps each message in the `Outbox` table and logs it, which is
what the demo and the tests need. A real gateway is one class that calls the provider's API and raises on
failure:

    class AcmeSmsBackend:
        def send(self, phone: str, text: str) -> None:
            response = httpx.post(URL, json={"to": phone, "sign": "报到", "content": text}, timeout=10)
            response.raise_for_status()

and `SMS_BACKEND=yourpackage.sms.AcmeSmsBackend` in the environment.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from baodao.lib.idnumber import mask_phone

from .models import Outbox

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Deliver `text` to the mainland mobile number `phone`; raise if the message cannot be accepted."""


class OutboxBackend:
    """Keeps messages in the outbox table and the log instead of delivering them (demo, tests, and any
    installation without a gateway yet)."""

    def send(self, phone: str, text: str) -> None:
        Outbox.objects.create(phone=phone, text=text)
        logger.info("SMS to %s kept in the outbox (no gateway configured)", mask_phone(phone))


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def sms_send(*, phone: str, text: str) -> None:
    """Send one text message through the configured backend. Errors of the backend propagate."""
    sms_backend().send(phone, text)
