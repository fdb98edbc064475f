"""The demo's feedback letters (反馈函): the district's admin (周建国) sends last quarter's letters to every
unit of the district — the demo unit's admin (赵文静) finds the letter in its inbox, with its lists of members
who have not registered or not served, ready for a one-click reminder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from baodao.feedback.services import feedback_send
from baodao.lib.periods import previous_quarter
from baodao.org.models import Level, Region


def seed_feedback(*, now: datetime, community: Region, people: Any) -> int:
    """Returns how many letters were sent."""
    district = Region.objects.get(code=community.district_code, level=Level.DISTRICT)
    period = previous_quarter(timezone.localdate(now))
    return feedback_send(actor=people["district_admin"], region=district, period=period).sent
