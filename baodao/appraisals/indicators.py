"""What an appraisal run computes: who is appraised for a region and period, and each one's indicators.

Who: every member whose confirmed registration stood at some time during the period in a community under the
region (confirmed before the period ended, not ended before it began). A member is appraised where it stood
at the period's end, else where its last registration that ended in the period was: a member who moved
mid-period is appraised in the community it ended up in (and only by a run whose region holds that one).

The indicators of a batch of members come from a fixed number of grouped queries (one per source: the
ledger, points, posts, emergency calls, activity sign-ups, and the minimum of service), whatever the size of
the batch. Periods are bounded at local midnights, the end excluded (`baodao.lib.periods`):

- services: standing rows of the ledger (neither a reversal nor reversed) served in the period; hours: the
  period's rows summed, reversals included (`baodao.ledger.summary`); rating: the average of the standing
  rows' ratings (to the hundredth), ratings: how many there are;
- points: the points of the entries whose record was served in the period (a reversal's record carries the
  date of the service it cancels), plus entries without a record (no-show deductions) written in the period;
- posts_held: confirmed holdings that overlapped the period (confirmed before its end, not left before its
  start); emergency calls, answers ("yes") and arrivals of calls made in the period; no-shows at activities
  that started in the period;
- minimum_met: the district's minimum of service as circulars judge it (`baodao.circulars.selectors`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from baodao.activities.models import Attendance, Signup
from baodao.circulars.selectors import Minimum, _completed_members, registered_at_end
from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.lib.periods import Period
from baodao.members.models import Member
from baodao.mobilizations.models import Answer, Call
from baodao.org.models import Region
from baodao.posts.models import HolderStatus, PostHolder
from baodao.registration.models import Registration, Status

HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Placement:
    """Where a member is appraised for a period, and its registration standing at the period's end."""

    community_id: int
    community_path: str
    unit_id: int
    #: when the registration standing at the period's end was confirmed; None: none stood then
    registered_since: datetime | None


@dataclass(frozen=True)
class Indicators:
    registered: bool
    registered_since: date | None
    services: int
    hours: Decimal
    points: Decimal
    rating: Decimal | None
    ratings: int
    posts_held: int
    emergency_calls: int
    emergency_answers: int
    emergency_arrivals: int
    no_shows: int
    minimum_met: bool


def _stood_during(period: Period) -> Q:
    return Q(
        Q(ended_at__isnull=True) | Q(ended_at__gte=period.starts_at),
        status__in=[Status.CONFIRMED, Status.ENDED],
        decided_at__lt=period.ends_at,
    )


def members_in_scope(region: Region, period: Period) -> dict[int, Placement]:
    """The members a run over `region` appraises for `period`, each with where it is appraised (see the
    module's docstring). Two queries whatever the size of the region."""
    candidates = Registration.objects.filter(
        _stood_during(period), community__path__startswith=region.path
    ).values("member")
    fields = ("member_id", "community_id", "community__path", "member__unit_id", "decided_at")
    standing = {
        row[0]: row
        for row in registered_at_end(period)
        .filter(member__in=candidates)
        .order_by("decided_at", "pk")
        .values_list(*fields)
    }
    # registrations that ended in the period, the last one of each member last
    ended = {
        row[0]: row
        for row in Registration.objects.filter(
            _stood_during(period), member__in=candidates, ended_at__lt=period.ends_at
        )
        .order_by("ended_at", "pk")
        .values_list(*fields)
    }
    result: dict[int, Placement] = {}
    for member_id in standing.keys() | ended.keys():
        at_end = standing.get(member_id)
        _m, community_id, path, unit_id, decided_at = at_end or ended[member_id]
        if path.startswith(region.path):
            result[member_id] = Placement(
                community_id, path, unit_id, decided_at if at_end is not None else None
            )
    return result


def _hundredths(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def compute(placements: dict[int, Placement], period: Period, minimum: Minimum) -> dict[int, Indicators]:
    """The indicators of the members in `placements` (a batch): six grouped queries."""
    ids = list(placements)
    starts_at, ends_at = period.starts_at, period.ends_at
    in_period = Q(served_at__gte=starts_at, served_at__lt=ends_at)
    standing = Q(reverses__isnull=True, reversed_by__isnull=True)
    ledger: dict[int, dict[str, Any]] = {
        row["member"]: dict(row)
        for row in ServiceRecord.objects.filter(in_period, member__in=ids)
        .values("member")
        .annotate(
            n_services=Count("id", filter=standing),
            n_hours=Sum("hours"),
            n_ratings=Count("id", filter=standing & Q(rating__isnull=False)),
            rating_sum=Sum("rating", filter=standing & Q(rating__isnull=False)),
        )
    }
    points = dict(
        PointEntry.objects.filter(
            Q(record__served_at__gte=starts_at, record__served_at__lt=ends_at)
            | Q(record__isnull=True, created_at__gte=starts_at, created_at__lt=ends_at),
            member__in=ids,
        )
        .values("member")
        .annotate(total=Sum("points"))
        .values_list("member", "total")
    )
    posts = dict(
        PostHolder.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=starts_at),
            member__in=ids,
            status__in=[HolderStatus.CONFIRMED, HolderStatus.WITHDRAWN],
            decided_at__isnull=False,
            decided_at__lt=ends_at,
        )
        .values("member")
        .annotate(n=Count("id"))
        .values_list("member", "n")
    )
    calls: dict[int, dict[str, Any]] = {
        row["member"]: dict(row)
        for row in Call.objects.filter(member__in=ids, called_at__gte=starts_at, called_at__lt=ends_at)
        .values("member")
        .annotate(
            n_calls=Count("id"),
            n_answers=Count("id", filter=Q(answer=Answer.YES)),
            n_arrivals=Count("id", filter=Q(arrived_at__isnull=False)),
        )
    }
    no_shows = dict(
        Signup.objects.filter(
            member__in=ids,
            attendance=Attendance.NO_SHOW,
            activity__starts_at__gte=starts_at,
            activity__starts_at__lt=ends_at,
        )
        .values("member")
        .annotate(n=Count("id"))
        .values_list("member", "n")
    )
    met = set(
        _completed_members(Member.objects.filter(pk__in=ids), period, minimum).values_list("pk", flat=True)
    )
    result: dict[int, Indicators] = {}
    for member_id, placement in placements.items():
        row = ledger.get(member_id, {})
        call = calls.get(member_id, {})
        n_ratings = row.get("n_ratings", 0)
        since = placement.registered_since
        result[member_id] = Indicators(
            registered=since is not None,
            registered_since=timezone.localdate(since) if since is not None else None,
            services=row.get("n_services", 0),
            hours=_hundredths(row.get("n_hours")),
            points=_hundredths(points.get(member_id)),
            rating=_hundredths(Decimal(row["rating_sum"]) / n_ratings) if n_ratings else None,
            ratings=n_ratings,
            posts_held=posts.get(member_id, 0),
            emergency_calls=call.get("n_calls", 0),
            emergency_answers=call.get("n_answers", 0),
            emergency_arrivals=call.get("n_arrivals", 0),
            no_shows=no_shows.get(member_id, 0),
            minimum_met=member_id in met,
        )
    return result


def batches(ids: Iterable[int], size: int) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]
