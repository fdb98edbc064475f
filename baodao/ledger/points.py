"""The points engine (积分). Points come only from the ledger: each verified service record yields point
entries by the rules of the district's policy in force on the day the service was done — points per verified
hour, per confirmed need, a bonus for a resident's rating of 4 or 5 — and a no-show costs the policy's
deduction. Every entry names its rule, the rate it used, the policy row (none: the national defaults) and the
record or sign-up it comes from. Entries are never changed: a reversed record is answered by negated entries,
and a rule change applies to service done from its start date on, never to what was already counted.

A yearly cap, when the policy sets one, clips the entries that would take the member's positive points for
the year past it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from baodao.members.models import Member
from baodao.policy.models import Policy
from baodao.policy.selectors import policy_in_force

from .models import PointEntry, Rule, ServiceRecord, Source


def _policy_ref(policy: Policy) -> Policy | None:
    return policy if policy.pk else None


def _year_total(member_id: int, year: int) -> Decimal:
    """The member's points of the year that still stand under the cap: what a reversal took back frees its
    room again; a deduction (no-show) does not, nor does taking a deduction back (entries on a sign-up, not a
    record, are not service earned)."""
    total = (
        PointEntry.objects.filter(member_id=member_id, year=year, record__isnull=False)
        .filter(Q(points__gt=0) | Q(rule=Rule.REVERSAL))
        .aggregate(s=Sum("points"))["s"]
    )
    return total or Decimal(0)


def points_for_record(record: ServiceRecord) -> list[PointEntry]:
    """The entries a newly written record earns (none for a unit serving as a whole)."""
    if record.member_id is None or record.reverses_id is not None:
        return []
    served_on = timezone.localdate(record.served_at)
    policy = policy_in_force(record.community.district_code, on=served_on)
    wanted: list[tuple[str, Decimal, Decimal]] = []  # (rule, rate, points)
    if record.hours > 0 and policy.points_per_hour:
        wanted.append((Rule.PER_HOUR, policy.points_per_hour, record.hours * policy.points_per_hour))
    if record.source == Source.NEED and policy.points_per_need:
        wanted.append((Rule.PER_NEED, policy.points_per_need, policy.points_per_need))
    if record.rating is not None and record.rating >= 4 and policy.points_rating_bonus:
        wanted.append((Rule.RATING_BONUS, policy.points_rating_bonus, policy.points_rating_bonus))
    room: Decimal | None = None
    if policy.points_yearly_cap is not None:
        # one record of this member at a time past this point, so that two cannot both fit under the cap
        Member.objects.select_for_update().filter(pk=record.member_id).first()
        room = max(
            Decimal(policy.points_yearly_cap) - _year_total(record.member_id, served_on.year), Decimal(0)
        )
    entries = []
    for rule, rate, points in wanted:
        points = points.quantize(Decimal("0.01"))
        if room is not None:
            points = min(points, room)
            room -= points
        if points <= 0:
            continue
        entries.append(
            PointEntry(
                member_id=record.member_id,
                record=record,
                rule=rule,
                rate=rate,
                points=points,
                policy=_policy_ref(policy),
                year=served_on.year,
            )
        )
    return PointEntry.objects.bulk_create(entries)


def points_reverse(*, original: ServiceRecord, reversal: ServiceRecord) -> list[PointEntry]:
    """A reversed record takes back exactly the points it earned, in one entry on the reversing record (a
    record has one entry per rule); its rate is the amount taken back."""
    earned = list(PointEntry.objects.filter(record=original).exclude(rule=Rule.REVERSAL))
    if not earned:
        return []
    total = sum((e.points for e in earned), Decimal(0))
    first = earned[0]
    return [
        PointEntry.objects.create(
            member_id=first.member_id,
            record=reversal,
            rule=Rule.REVERSAL,
            rate=total,
            points=-total,
            policy=first.policy,
            year=first.year,
        )
    ]


def points_no_show(*, signup: Any, community: Any, on: date) -> PointEntry | None:
    """The policy's deduction for a confirmed sign-up never attended (once per sign-up)."""
    policy = policy_in_force(community.district_code, on=on)
    if not policy.points_no_show:
        return None
    entry, _ = PointEntry.objects.get_or_create(
        signup=signup,
        rule=Rule.NO_SHOW,
        defaults={
            "member_id": signup.member_id,
            "rate": policy.points_no_show,
            "points": -policy.points_no_show,
            "policy": _policy_ref(policy),
            "year": on.year,
        },
    )
    return entry


def points_balance(member_id: int) -> Decimal:
    return PointEntry.objects.filter(member_id=member_id).aggregate(s=Sum("points"))["s"] or Decimal(0)


def points_no_show_reverse(*, signup: Any) -> PointEntry | None:
    """A no-show later found to have served (recorded by hand): its deduction is taken back, once."""
    deduction = PointEntry.objects.filter(signup=signup, rule=Rule.NO_SHOW).first()
    if deduction is None:
        return None
    entry, _ = PointEntry.objects.get_or_create(
        signup=signup,
        rule=Rule.REVERSAL,
        defaults={
            "member_id": deduction.member_id,
            "rate": deduction.rate,
            "points": -deduction.points,
            "policy": deduction.policy,
            "year": deduction.year,
        },
    )
    return entry
