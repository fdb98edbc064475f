"""The feedback letter (反馈函) of a unit for a period, and who may read and send which letters.

The letter lists every member on the unit's record as circulars count the roster (`on_roster`, on it before
the period ended), registered or not:

- registered: a registration standing at the period's end (`baodao.circulars.selectors.registered_at_end`),
  and the community it is with;
- services: standing rows of the ledger (neither a reversal nor reversed) served in the period; hours: the
  period's rows summed, reversals included (as in `baodao.ledger.summary`);
- minimum met: the district's minimum of service for the period, under the policy in force on its last day,
  judged as the circular judges it (`minimum_for`, `_completed_members`) — and, as circulars count, only a
  member registered at the period's end can meet it;
- grade and the community's comment: from the member's appraisal of the period — both only once the
  appraisal is no longer open (an open appraisal shows neither).

Two lists follow: 未报到 (not registered at the period's end) and 本期未服务 (registered, but no standing
service in the period). Everything comes from a fixed number of grouped queries whatever the unit's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.models import Grant, Role
from baodao.accounts.scope import scope_for
from baodao.appraisals.models import Appraisal
from baodao.appraisals.models import Status as AppraisalStatus
from baodao.circulars.models import rate
from baodao.circulars.selectors import Minimum, _completed_members, minimum_for, registered_at_end
from baodao.ledger.models import ServiceRecord
from baodao.lib.periods import Period
from baodao.members.models import Member
from baodao.org.models import Region, Unit
from baodao.org.selectors import unit_get_for_user
from baodao.policy.selectors import policy_in_force
from baodao.registration.selectors import regions_for_coverage

from .models import FeedbackLetter, Reminder

_STANDING = Q(reverses__isnull=True, reversed_by__isnull=True)


@dataclass(frozen=True)
class LetterRow:
    member_id: int
    user_id: int
    name: str
    registered: bool
    #: the community registered with at the period's end ("" when not registered)
    community: str
    services: int
    hours: Decimal
    minimum_met: bool
    #: the finalised grade ("" while the appraisal is open or when there is none)
    grade: str
    #: the community's comment, likewise only once the appraisal is no longer open
    comment: str

    @property
    def served(self) -> bool:
        return self.services > 0


@dataclass(frozen=True)
class Letter:
    unit: Unit
    period: Period
    minimum: Minimum
    rows: list[LetterRow]
    #: the record of its sending, None when not sent
    sent: FeedbackLetter | None

    @property
    def issuer(self) -> str:
        """The district or street that sends it: the sender once sent, else the unit's own region."""
        return self.sent.region.name if self.sent is not None else self.unit.region.name

    @property
    def title(self) -> str:
        return _("关于%(unit)s在职党员%(period)s进社区情况的反馈函") % {
            "unit": self.unit.name,
            "period": self.period.label,
        }

    @property
    def members(self) -> int:
        return len(self.rows)

    @property
    def registered(self) -> int:
        return sum(1 for r in self.rows if r.registered)

    @property
    def served(self) -> int:
        """Registered members with at least one standing service in the period."""
        return sum(1 for r in self.rows if r.registered and r.served)

    @property
    def coverage(self) -> float | None:
        return rate(self.registered, self.members)

    @property
    def active_rate(self) -> float | None:
        """Of the registered, those who served in the period."""
        return rate(self.served, self.registered)

    @property
    def unregistered_rows(self) -> list[LetterRow]:
        return [r for r in self.rows if not r.registered]

    @property
    def unserved_rows(self) -> list[LetterRow]:
        return [r for r in self.rows if r.registered and not r.served]

    def rows_for(self, who: str) -> list[LetterRow]:
        return self.unregistered_rows if who == "unregistered" else self.unserved_rows


def roster_at_end(units: Any, period: Period) -> QuerySet[Member]:
    """Members on the roster of `units` (a queryset or a list of units) who were on it by the period's end."""
    return Member.objects.filter(unit__in=units, on_roster=True, created_at__lt=period.ends_at)


def feedback_letter(unit: Unit, period: Period) -> Letter:
    """The unit's letter for the period (see the module's docstring): seven queries, whatever the size."""
    policy = policy_in_force(unit.region.district_code, on=period.end)
    minimum = minimum_for(policy, period)
    roster = roster_at_end([unit], period)
    members = list(roster.order_by("user__name", "pk").values_list("pk", "user_id", "user__name"))
    communities = dict(
        registered_at_end(period)
        .filter(member__in=roster.values("pk"))
        .order_by("decided_at")
        .values_list("member_id", "community__name")
    )
    service = {
        member: (services, hours)
        for member, services, hours in ServiceRecord.objects.filter(
            member__in=roster.values("pk"), served_at__gte=period.starts_at, served_at__lt=period.ends_at
        )
        .values("member")
        .annotate(services=Count("pk", filter=_STANDING), hours=Sum("hours"))
        .values_list("member", "services", "hours")
    }
    completed = set(_completed_members(roster, period, minimum).values_list("pk", flat=True))
    appraisals = {
        a.member_id: a
        for a in Appraisal.objects.filter(member__in=roster.values("pk"), period=period.code)
        .select_related("run")
        .only("member_id", "status", "grade_level", "comment_community", "run__rules")
    }
    rows = []
    for pk, user_id, name in members:
        services, hours = service.get(pk, (0, Decimal(0)))
        appraisal = appraisals.get(pk)
        finalised = appraisal is not None and appraisal.status != AppraisalStatus.OPEN
        rows.append(
            LetterRow(
                member_id=pk,
                user_id=user_id,
                name=name,
                registered=pk in communities,
                community=communities.get(pk, ""),
                services=services,
                hours=Decimal(hours or 0).quantize(Decimal("0.01")),
                # as circulars count: only a member registered at the period's end meets the minimum
                minimum_met=pk in completed and pk in communities,
                grade=appraisal.grade if finalised and appraisal is not None else "",
                comment=appraisal.comment_community if finalised and appraisal is not None else "",
            )
        )
    sent = (
        FeedbackLetter.objects.filter(unit=unit, period=period.code)
        .select_related("region", "sent_by")
        .first()
    )
    return Letter(unit=unit, period=period, minimum=minimum, rows=rows, sent=sent)


@dataclass(frozen=True)
class UnitCounts:
    members: int
    registered: int
    served: int


def unit_counts(units: QuerySet[Unit], period: Period) -> dict[int, UnitCounts]:
    """For each of `units`: on the roster, registered at the period's end, and of those who served in it —
    two grouped queries, whatever the number of units."""
    roster = roster_at_end(units, period)
    at_end = registered_at_end(period).values("member")
    counts = {
        unit: (members, registered)
        for unit, members, registered in roster.values("unit")
        .annotate(members=Count("pk"), registered=Count("pk", filter=Q(pk__in=at_end)))
        .values_list("unit", "members", "registered")
    }
    served_rows = ServiceRecord.objects.filter(
        _STANDING, served_at__gte=period.starts_at, served_at__lt=period.ends_at
    ).values("member")
    served = dict(
        roster.filter(pk__in=at_end)
        .filter(pk__in=served_rows)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    return {
        pk: UnitCounts(*counts.get(pk, (0, 0)), served.get(pk, 0))
        for pk in units.values_list("pk", flat=True)
    }


def unit_admin_ids(units: Any) -> dict[int, list[int]]:
    """The active unit admins of each of `units`: unit id → user ids."""
    result: dict[int, list[int]] = {}
    for unit_id, user_id in Grant.objects.filter(
        role=Role.UNIT_ADMIN, unit__in=units, user__is_active=True
    ).values_list("unit_id", "user_id"):
        result.setdefault(unit_id, []).append(user_id)
    return result


# ---- who sees what ---------------------------------------------------------------------------------------


def unit_get_for_feedback(user: Any, code: str) -> Unit:
    """The unit, when the caller administers it: its unit admin, or a district or street admin over its
    region. Anyone else is told there is no such unit (404)."""
    unit = unit_get_for_user(user, code)
    if not scope_for(user).administers_unit(unit):
        raise Http404(_("没有找到该单位。"))
    return unit


def regions_for_feedback(user: Any) -> QuerySet[Region]:
    """Districts and streets whose units' letters the caller may send: those it administers as a district
    or street admin (as for coverage and circulars)."""
    return regions_for_coverage(user)


def region_for_feedback(user: Any, code: str) -> Region:
    try:
        return regions_for_feedback(user).get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该区域。")) from None


def feedback_units(region: Region, period: Period) -> QuerySet[Unit]:
    """The region's units (a district's include its streets'), each with `sent_at` of its letter for the
    period (None when not sent), by code."""
    sent = FeedbackLetter.objects.filter(unit=OuterRef("pk"), period=period.code).values("sent_at")[:1]
    return region_units(region).select_related("region").annotate(sent_at=Subquery(sent)).order_by("code")


def region_units(region: Region) -> QuerySet[Unit]:
    """The region's units (a district's include its streets')."""
    return Unit.objects.filter(region__path__startswith=region.path)


def units_not_sent(region: Region, period: Period) -> QuerySet[Unit]:
    """The region's units whose letter for the period has not been sent."""
    return region_units(region).exclude(
        pk__in=FeedbackLetter.objects.filter(period=period.code).values("unit")
    )


def last_reminder(unit: Unit, who: str, *, since: datetime) -> Reminder | None:
    """The unit's latest reminder of the list `who` since `since`, whatever its period."""
    return Reminder.objects.filter(unit=unit, who=who, at__gte=since).order_by("-at").first()


def reminders_of(unit: Unit, period: Period) -> dict[str, Reminder]:
    """The latest reminder of each kind for the unit and period."""
    latest: dict[str, Reminder] = {}
    for reminder in (
        Reminder.objects.filter(unit=unit, period=period.code).select_related("by").order_by("-at")
    ):
        latest.setdefault(reminder.who, reminder)
    return latest
