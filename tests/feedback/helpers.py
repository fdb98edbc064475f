"""Crafted histories for feedback letters: appraisals of a period, and a history in the last quarter."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from baodao.appraisals.models import Appraisal, AppraisalRun, RunStatus
from baodao.lib.periods import Period, local_midnight
from baodao.members.models import Member
from tests.circulars.helpers import member_of, registered, served

GRADES = [["优秀", 90], ["合格", 60], ["基本合格", 50], ["不合格", 0]]


def appraised(
    w, m: Member, period: Period, *, status: str, level: int | None, comment: str = ""
) -> Appraisal:
    run, _ = AppraisalRun.objects.get_or_create(
        region=w.r("C1"),
        period=period.code,
        defaults={
            "period_start": period.start,
            "period_end": period.end,
            "status": RunStatus.DONE,
            "rules": {"grades": GRADES},
            "created_by": w.users["community_admin"],
        },
    )
    return Appraisal.objects.create(
        run=run,
        period=period.code,
        member=m,
        community=w.r("C1"),
        unit=m.unit,
        registered=True,
        computed_at=timezone.now(),
        status=status,
        grade_level=level,
        comment_community=comment,
    )


def day(period: Period, n: int):
    """Local midnight `n` days into the period."""
    return local_midnight(period.start + timedelta(days=n))


def history(w, period: Period) -> dict[str, Member]:
    """U1 in `period`: the world's member (never registered), 赵强 registered and served, 钱芳 registered
    without service. U2: the world's other member (never registered)."""
    served_one = member_of(w, "U1", name="赵强")
    registered(w, served_one, at=day(period, 10))
    served(w, served_one, day(period, 20))
    idle = member_of(w, "U1", name="钱芳")
    registered(w, idle, at=day(period, 10))
    return {"served": served_one, "idle": idle, "unregistered": w.members["member"]}
