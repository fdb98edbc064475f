"""Rotating check-in codes (签到码), TOTP-style: the code of a time window is an HMAC of the activity's secret
and the window's number, under a key only the server holds. Nothing is stored per code; any server checks any
code; a code from another activity, from a window gone by, or guessed, does not pass.

A code is shown for a whole window and accepted during that window and the next (so a member who reads it in
the last second still has a full window to type it): at most `2 × CODE_PERIOD` seconds, never more.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from baodao.lib.crypto import keyed_digest
from baodao.lib.errors import Invalid, Throttled

#: seconds a code is shown before the next one replaces it
CODE_PERIOD = 45
CODE_DIGITS = 6
#: wrong codes a person may type for one activity (or emergency) before it must wait `CODE_LOCKOUT`:
#: guessing a 6-digit code by script is not an option
MAX_CODE_FAILURES = 5
CODE_LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class CheckinCode:
    code: str
    expires_at: datetime
    #: what a phone's camera opens: the check-in page with the code filled in
    url_path: str


def _window(when: datetime) -> int:
    return math.floor(when.timestamp() / CODE_PERIOD)


def _code(activity_id: int, secret: str, window: int) -> str:
    digest = keyed_digest(b"checkin-code", f"{activity_id}:{secret}:{window}")
    number = int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS
    return f"{number:0{CODE_DIGITS}d}"


def code_now(activity_id: int, secret: str, now: datetime) -> tuple[str, datetime]:
    """The code shown now, and when the next one replaces it."""
    window = _window(now)
    return _code(activity_id, secret, window), datetime.fromtimestamp((window + 1) * CODE_PERIOD, tz=UTC)


def code_accepted(activity_id: int, secret: str, code: str, now: datetime) -> bool:
    """True for the code of the current window or of the one before; compared in constant time."""
    code = (code or "").strip()
    window = _window(now)
    return any(hmac.compare_digest(code, _code(activity_id, secret, w)) for w in (window, window - 1))


def code_attempt(row: QuerySet[Any], *, accepted: bool, now: datetime) -> None:
    """Count one try of a code against the one row of `row` (a sign-up, a call to an emergency), which carries
    `code_failures` and `code_locked_until`; raise when the code is wrong or the person is locked out.

    Called outside the request's transaction, so that a wrong code is counted even though the request fails;
    after `MAX_CODE_FAILURES` the person waits `CODE_LOCKOUT`. Each try is counted before the code is looked
    at, by one conditional UPDATE, so that a burst of requests at once gets no more tries than requests one
    after another.
    """
    not_locked = row.exclude(code_locked_until__gt=now)
    with_tries_left = not_locked.filter(code_failures__lt=MAX_CODE_FAILURES)
    if not with_tries_left.update(code_failures=F("code_failures") + 1):
        # locked; or the last try is still being checked (and a lock left unset is set now)
        not_locked.filter(code_failures__gte=MAX_CODE_FAILURES).update(
            code_failures=0, code_locked_until=now + CODE_LOCKOUT
        )
        raise Throttled(_("签到码输错次数过多，请 5 分钟后再试。"), code="too_many_attempts")
    if accepted:
        row.update(code_failures=0)
        return
    row.filter(code_failures__gte=MAX_CODE_FAILURES).update(
        code_failures=0, code_locked_until=now + CODE_LOCKOUT
    )
    message = _("签到码不正确或已过期，请看现场屏幕上的最新签到码。")
    raise Invalid(message, fields={"code": [message]})
