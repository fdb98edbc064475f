"""Telling people what changed. Every notice lands in the recipient's in-app inbox, in the same transaction
as the change it reports; the channels named in `settings.NOTIFY_CHANNELS` (text message today, WeChat later)
deliver a copy from the task queue once that transaction has committed, so a slow or failing gateway never
holds up or undoes the change itself.

A channel is a class with `deliver(notice)`; `SmsChannel` sends the title and body to the person's phone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Notice
from .sms import sms_send


class Channel(Protocol):
    def deliver(self, notice: Notice) -> None:
        """Deliver a copy of one notice; raise if it cannot be accepted."""


class SmsChannel:
    def deliver(self, notice: Notice) -> None:
        text = (
            _("%(title)s：%(body)s") % {"title": notice.title, "body": notice.body}
            if notice.body
            else notice.title
        )
        sms_send(phone=notice.user.phone, text=text[:200])


def notify(*, users: Iterable[Any], title: str, body: str = "", url: str = "") -> list[Notice]:
    """Put one notice in each person's inbox (each person once) and queue its delivery by the channels."""
    seen: set[int] = set()
    notices: list[Notice] = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notices.append(Notice(user=user, title=title[:120], body=body[:500], url=url[:200]))
    if not notices:
        return []
    created = Notice.objects.bulk_create(notices)
    if settings.NOTIFY_CHANNELS and all(n.pk for n in created):
        from .tasks import notices_deliver

        ids = [n.pk for n in created]
        transaction.on_commit(lambda: notices_deliver.enqueue(ids))
    return created


#: notices delivered by one task: a call to 10,000 people is 20 tasks any number of workers can share
DELIVERY_BATCH = 500


def notify_many(*, user_ids: Iterable[int], title: str, body: str = "", url: str = "") -> int:
    """The same notice to many people at once (an emergency call): inserted in batches, delivered by the
    channels in batches of `DELIVERY_BATCH` from the task queue. Returns how many notices were written."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return 0
    created = Notice.objects.bulk_create(
        [Notice(user_id=uid, title=title[:120], body=body[:500], url=url[:200]) for uid in ids],
        batch_size=1000,
    )
    if settings.NOTIFY_CHANNELS:
        from .tasks import notices_deliver

        notice_ids = [n.pk for n in created if n.pk]
        batches = [notice_ids[i : i + DELIVERY_BATCH] for i in range(0, len(notice_ids), DELIVERY_BATCH)]

        def enqueue() -> None:
            for batch in batches:
                notices_deliver.enqueue(batch)

        transaction.on_commit(enqueue)
    return len(created)


def notice_read(*, user: Any, notice_id: int | None = None) -> int:
    """Mark one of the person's notices read (or all of them when no id is given); how many changed."""
    qs = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_id is not None:
        qs = qs.filter(pk=notice_id)
    return qs.update(read_at=timezone.now())


def channels() -> list[Channel]:
    return [import_string(path)() for path in settings.NOTIFY_CHANNELS]
