"""Delivery of inbox notices through the outside channels, off the request."""

from __future__ import annotations

import logging

from django_tasks import task

from .models import Notice

logger = logging.getLogger(__name__)


@task()
def notices_deliver(notice_ids: list[int]) -> int:
    """Send each notice through every configured channel. A failure of one is logged and does not stop the
    others: the notice is in the inbox either way."""
    from .services import channels

    sent = 0
    for notice in Notice.objects.filter(pk__in=notice_ids).select_related("user"):
        for channel in channels():
            try:
                channel.deliver(notice)
                sent += 1
            except Exception:
                logger.exception("Notice %s could not be delivered by %s", notice.pk, type(channel).__name__)
    return sent
