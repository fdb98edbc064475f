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
from datetime import UTC, datetime

from baodao.lib.crypto import keyed_digest

#: seconds a code is shown before the next one replaces it
CODE_PERIOD = 45
CODE_DIGITS = 6


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
