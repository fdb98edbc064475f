"""Who sees which pre-appointment checks, whom a check is about, and the report a community answers with.

A check is confidential to the organisation: it is seen by the person who asked, the admins of the member's
unit, the district admins over that unit and the admins of the community that answers — never by the member
itself, nor by anyone else (404). A person never takes part in a check about itself, whatever its grants (a
unit admin is often a member of its own unit, a community admin may live in the community that answers): it
neither asks about itself, nor sees, answers or explains a check about itself.

The report (`check_report`) is drawn from the ledger and the appraisals in a fixed number of queries whatever
the member's history: its registrations, verified services and hours for each of the last three calendar
years and in all (hours summed with reversals, services counted while they stand, as `baodao.ledger.summary`
counts them), points, the average of the residents' ratings, the posts it held, its answers to emergency
calls, and the grades of its finalised appraisals. It is JSON as it stands, so that an answer freezes it as
it was.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.appraisals.models import Appraisal
from baodao.appraisals.models import Status as AppraisalStatus
from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.members.models import Member
from baodao.members.selectors import members_visible_to
from baodao.mobilizations.models import Answer, Call
from baodao.needs.selectors import local_midnight
from baodao.posts.models import HolderStatus, PostHolder
from baodao.registration.models import Registration
from baodao.registration.models import Status as RegistrationStatus

from .models import Check, Status

#: how many calendar years the report details, the current one included
YEARS = 3


def checks_visible_to(user: Any) -> QuerySet[Check]:
    scope = scope_for(user)
    q = (
        Q(unit_id__in=scope.units(Role.UNIT_ADMIN))
        | under("unit__region__path", scope.paths(Role.DISTRICT_ADMIN))
        | under("community__path", scope.paths(Role.COMMUNITY_ADMIN))
    )
    if scope.user_id is not None:
        q |= Q(asked_by_id=scope.user_id)
    qs = Check.objects.filter(q)
    if scope.member_id is not None:
        qs = qs.exclude(member_id=scope.member_id)
    return qs.select_related("member__user", "unit", "community", "asked_by", "answered_by", "explained_by")


def checks_filter(
    qs: QuerySet[Check], *, status: str | None = None, member: int | None = None
) -> QuerySet[Check]:
    if status:
        qs = qs.filter(status=status)
    if member is not None:
        qs = qs.filter(member_id=member)
    return qs


def check_get_for_user(user: Any, pk: int) -> Check:
    try:
        return checks_visible_to(user).get(pk=pk)
    except (Check.DoesNotExist, ValueError):
        raise Http404(_("没有找到该任前考察。")) from None


def is_self(user: Any, member_id: int | None) -> bool:
    """The check (or the ask) is about the caller itself."""
    own = scope_for(user).member_id
    return own is not None and own == member_id


def may_ask_about(user: Any, member: Member) -> bool:
    """A unit admin of the member's unit, or a district admin over that unit — never about itself."""
    scope = scope_for(user)
    if is_self(user, member.pk):
        return False
    return member.unit_id in scope.units(Role.UNIT_ADMIN) or any(
        member.unit.region.path.startswith(p) for p in scope.paths(Role.DISTRICT_ADMIN)
    )


def may_ask(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.units(Role.UNIT_ADMIN) or scope.paths(Role.DISTRICT_ADMIN))


def may_answer(user: Any, check: Check) -> bool:
    return (
        check.community is not None
        and not is_self(user, check.member_id)
        and scope_for(user).covers_region(check.community, Role.COMMUNITY_ADMIN)
    )


def may_explain(user: Any, check: Check) -> bool:
    return not is_self(user, check.member_id) and check.unit_id in scope_for(user).units(Role.UNIT_ADMIN)


def askable_members(user: Any, q: str, limit: int) -> list[Member]:
    """Up to `limit` members the caller may ask about (its units' members on the roster, or those of the units
    of its district; never itself) whose name contains `q` — or, for four digits, whose phone number ends with
    them."""
    q = q.strip()
    if not q:
        return []
    scope = scope_for(user)
    mine = Q(unit_id__in=scope.units(Role.UNIT_ADMIN)) | under(
        "unit__region__path", scope.paths(Role.DISTRICT_ADMIN)
    )
    match = Q(user__phone__endswith=q) if q.isdigit() and len(q) == 4 else Q(user__name__contains=q)
    qs = members_visible_to(user).filter(mine, match, on_roster=True)
    if scope.member_id is not None:
        qs = qs.exclude(pk=scope.member_id)
    return list(qs.order_by("user__name", "pk")[:limit])


# ---- the member's history, when asked ------------------------------------------------------------------


def _held_registrations(member_id: int) -> QuerySet[Registration]:
    """Registrations the community confirmed (a receipt was issued), whether in force or ended since."""
    return Registration.objects.filter(member_id=member_id, receipt_no__isnull=False)


def ever_registered(member_id: int) -> bool:
    return _held_registrations(member_id).exists()


def answering_community(member_id: int) -> Any:
    """The community of the registration in force, else of the last one that ended; None: never registered."""
    held = _held_registrations(member_id).select_related("community")
    last = (
        held.filter(status=RegistrationStatus.CONFIRMED).first()
        or held.order_by("-ended_at", "-decided_at", "-pk").first()
    )
    return last.community if last is not None else None


# ---- the report ------------------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str:
    """Hours and points as the ledger keeps them, to the hundredth, as text (JSON keeps no decimals)."""
    return str((value or Decimal(0)).quantize(Decimal("0.01")))


def _day(value: Any) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


def check_report(check: Check, *, today: date | None = None) -> dict[str, Any]:
    """The report on the check's member as of `today` (default: today): six queries."""
    today = today or timezone.localdate()
    member = check.member
    years = list(range(today.year - YEARS + 1, today.year + 1))

    registrations = [
        {
            "community": r.community.name,
            "community_code": r.community.code,
            "since": _day(r.decided_at),
            "until": _day(r.ended_at) if r.status != RegistrationStatus.CONFIRMED else None,
        }
        for r in _held_registrations(member.pk).select_related("community").order_by("decided_at", "pk")
    ]

    standing = Q(reverses__isnull=True, reversed_by__isnull=True)
    sums: dict[str, Any] = {
        "total_hours": Sum("hours"),
        "total_services": Count("id", filter=standing),
        "average_rating": Avg("rating", filter=standing & Q(rating__isnull=False)),
        "ratings": Count("id", filter=standing & Q(rating__isnull=False)),
    }
    for year in years:
        in_year = Q(
            served_at__gte=local_midnight(date(year, 1, 1)),
            served_at__lt=local_midnight(date(year + 1, 1, 1)),
        )
        sums[f"hours_{year}"] = Sum("hours", filter=in_year)
        sums[f"services_{year}"] = Count("id", filter=standing & in_year)
    ledger = ServiceRecord.objects.filter(member_id=member.pk).aggregate(**sums)

    points = dict(
        PointEntry.objects.filter(member_id=member.pk)
        .values("year")
        .annotate(total=Sum("points"))
        .values_list("year", "total")
    )

    posts = [
        {
            "title": h.post.title,
            "kind": h.post.get_kind_display(),
            "community": h.post.community.name,
            "since": _day(h.decided_at),
            "until": _day(h.ended_at),
        }
        for h in PostHolder.objects.filter(
            Q(status=HolderStatus.CONFIRMED) | Q(status=HolderStatus.WITHDRAWN, decided_at__isnull=False),
            member_id=member.pk,
        )
        .select_related("post__community")
        .order_by("decided_at", "pk")
    ]

    emergency = Call.objects.filter(member_id=member.pk).aggregate(
        calls=Count("id"),
        answers=Count("id", filter=Q(answer=Answer.YES)),
        arrivals=Count("id", filter=Q(arrived_at__isnull=False)),
    )

    appraisals = [
        {
            "period": a.period,
            "grade": a.grade,
            "score": _money(a.score) if a.score is not None else None,
            "services": a.services,
            "hours": _money(a.hours),
            "comment": a.comment_community,
        }
        for a in Appraisal.objects.filter(member_id=member.pk, grade_level__isnull=False)
        .exclude(status=AppraisalStatus.OPEN)
        .select_related("run")
        .order_by("-run__period_end", "-id")
    ]

    rating = ledger["average_rating"]
    return {
        "as_of": today.isoformat(),
        "member": {"id": member.pk, "name": member.name},
        "unit": check.unit.name,
        "registrations": registrations,
        "years": [
            {
                "year": year,
                "services": ledger[f"services_{year}"],
                "hours": _money(ledger[f"hours_{year}"]),
                "points": _money(points.get(year)),
            }
            for year in reversed(years)
        ],
        "total": {
            "services": ledger["total_services"],
            "hours": _money(ledger["total_hours"]),
            "points": _money(sum(points.values(), Decimal(0))),
        },
        "rating": {
            "average": str(Decimal(rating).quantize(Decimal("0.01"))) if rating is not None else None,
            "count": ledger["ratings"],
        },
        "posts": posts,
        "emergency": emergency,
        "appraisals": appraisals,
    }


def check_report_for(user: Any, check: Check) -> dict[str, Any] | None:
    """What the caller reads as the report: the frozen one once answered; while pending, the live draft for
    the community that will answer; nothing otherwise."""
    if check.report is not None:
        return check.report
    if check.status == Status.PENDING and may_answer(user, check):
        return check_report(check)
    return None
