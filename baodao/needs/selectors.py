"""Reads of needs and claims, each through the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, BooleanField, Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.members.models import Member
from baodao.org.models import Level, Region
from baodao.registration.models import Status as RegistrationStatus
from baodao.registration.models import UnitRegistration

from .models import (
    FINAL_STATUSES,
    HOLDING_STATUSES,
    LIVE_STATUSES,
    RESIDENT_KINDS,
    Claim,
    Kind,
    Need,
    Photo,
    Status,
)

#: how many open needs the member's list ranks (grid first in the database, then skills and deadline here)
NEAR_LIMIT = 300


def mask_name(value: str) -> str:
    """张三 → 张*, 欧阳明明 → 欧***: the first character and a star for each other one (at least one)."""
    value = (value or "").strip()
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


def overdue_q(now: datetime | None = None) -> Q:
    """Needs past a time limit: not answered by the community in time, or not resolved in time."""
    now = now or timezone.now()
    return ~Q(status__in=FINAL_STATUSES) & (
        Q(status=Status.SUBMITTED, respond_by__lte=now) | Q(resolve_by__lte=now)
    )


def needs_visible_to(user: Any) -> QuerySet[Need]:
    """Region admins: every need in their subtrees. A member: the live needs of the community it is registered
    in, and every need it holds or held a place on. A unit admin: the live needs of the communities its units
    co-build with, and those its units took on. Everyone: the needs it submitted or asked for."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Need.objects.none()
    q: Q = under("path", scope.paths()) | Q(requester_id=scope.user_id) | Q(submitted_by_id=scope.user_id)
    if scope.member_id:
        registered = Member.objects.filter(pk=scope.member_id).values("registered_community")
        q |= Q(community__in=registered, status__in=LIVE_STATUSES)
        q |= Q(Exists(Claim.objects.filter(need=OuterRef("pk"), member_id=scope.member_id)))
    units = scope.units(Role.UNIT_ADMIN)
    if units:
        co_built = UnitRegistration.objects.filter(
            unit_id__in=units, status=RegistrationStatus.CONFIRMED
        ).values("community")
        q |= Q(community__in=co_built, status__in=LIVE_STATUSES)
        q |= Q(Exists(Claim.objects.filter(need=OuterRef("pk"), unit_id__in=units)))
    return Need.objects.filter(q).select_related("community", "grid", "requester", "submitted_by")


def need_get_for_user(user: Any, pk: Any) -> Need:
    try:
        return needs_visible_to(user).get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("没有找到该需求。")) from None


def photos_visible(user: Any, need: Need, *, contact_visible: bool | None = None) -> bool:
    """Photos often show the inside of a home: they are for the people who may see the resident's contact
    details, and for the administrators of the region the need is in — not for every member who can see it.
    A page that has already asked `need_contact_visible` passes its answer."""
    if contact_visible is None:
        contact_visible = need_contact_visible(user, need)
    return contact_visible or scope_for(user).covers_region(need.grid or need.community)


def photo_get_for_user(user: Any, need_pk: Any, photo_pk: Any) -> Photo:
    """A photo of a need the caller may see and whose photos it may see (404 otherwise)."""
    need = need_get_for_user(user, need_pk)
    if not photos_visible(user, need):
        raise Http404(gettext("没有找到该照片。"))
    try:
        return Photo.objects.get(need=need, pk=photo_pk)
    except (Photo.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("没有找到该照片。")) from None


def need_contact_visible(user: Any, need: Need) -> bool:
    """The resident's phone and address: for the resident itself, whoever took it down for it, and whoever
    holds a place on the need (the member, or the admins of the unit) — nobody else."""
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    if scope.user_id in (need.requester_id, need.submitted_by_id):
        return True
    mine = Q(unit_id__in=scope.units(Role.UNIT_ADMIN))
    if scope.member_id:
        mine |= Q(member_id=scope.member_id)
    return need.claims.filter(mine, status__in=HOLDING_STATUSES).exists()


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    kind_label: str
    actor_name: str | None
    note: str
    at: datetime
    claim_id: int | None


def need_timeline(user: Any, need: Need, *, contact_visible: bool | None = None) -> list[TimelineEntry]:
    """The need's events, oldest first, as `user` may see them: the resident's own name appears only to those
    who may see its contact details (elsewhere masked, as 张**); staff and claimers are named. A page that
    has already asked `need_contact_visible` passes its answer."""
    if contact_visible is None:
        contact_visible = need_contact_visible(user, need)
    entries = []
    for event in need.events.select_related("actor"):
        name = event.actor.name if event.actor is not None else None
        if name and event.actor_id == need.requester_id and not contact_visible:
            name = mask_name(name)
        entries.append(
            TimelineEntry(
                kind=event.kind,
                kind_label=event.get_kind_display(),
                actor_name=name,
                note=event.note,
                at=event.at,
                claim_id=event.claim_id,
            )
        )
    return entries


def needs_near_member(member: Member) -> list[Need]:
    """What a registered member can take on now, best first: its grid's needs, then those needing its skills,
    then the soonest deadline. Only needs of the community it is registered in, with places free."""
    if member.registered_community_id is None:
        return []
    holding = Claim.objects.filter(need=OuterRef("pk"), member=member, status__in=HOLDING_STATUSES)
    in_my_grid = (
        Case(When(grid_id=member.grid_id, then=Value(0)), default=Value(1)) if member.grid_id else Value(1)
    )
    open_needs = (
        Need.objects.filter(
            community_id=member.registered_community_id, status__in=LIVE_STATUSES, taken__lt=F("places")
        )
        .exclude(Exists(holding))
        .exclude(due_at__lte=timezone.now())
        .exclude(requester=member.user_id)
        .annotate(in_my_grid=in_my_grid)
        .order_by("in_my_grid", "-created_at")
        .select_related("community", "grid")[:NEAR_LIMIT]
    )
    skills = set(member.skills or [])
    far_future = timezone.now().replace(year=9999)

    def rank(need: Need) -> tuple[int, int, datetime, int]:
        in_grid = 0 if member.grid_id and need.grid_id == member.grid_id else 1
        fits = -len(skills & set(need.skills or []))
        return (in_grid, fits, need.due_at or need.resolve_by or far_future, -need.pk)

    return sorted(open_needs, key=rank)


def claims_of(user: Any) -> QuerySet[Claim]:
    """The caller's claims: its member's, and those of the units it administers."""
    scope = scope_for(user)
    q = Q(unit_id__in=scope.units(Role.UNIT_ADMIN))
    if scope.member_id:
        q |= Q(member_id=scope.member_id)
    return Claim.objects.filter(q).select_related("need__community", "member__user", "unit")


def public_board(community: Region) -> tuple[QuerySet[Need], QuerySet[Need]]:
    """The community's public board: open wishes (微心愿) and the fulfilled ones with their ratings. Requests
    (诉求: complaints, disputes between neighbours) are not published. Callers show no names, phones,
    addresses, descriptions or comments."""
    wishes = Need.objects.filter(community=community, kind=Kind.WISH)
    open_wishes = wishes.filter(status__in=LIVE_STATUSES).order_by("-created_at")
    fulfilled = wishes.filter(status=Status.CLOSED, rating__isnull=False).order_by("-closed_at")
    return open_wishes, fulfilled


def counts_by_status(qs: QuerySet[Need]) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for status, n in qs.order_by().values_list("status").annotate(n=Count("id")):
        counts[status] = n
    return counts


@dataclass(frozen=True)
class NeedStats:
    region: Region
    total: int
    closed: int
    closed_on_time: int
    backlog: int
    overdue: int
    rating: Decimal | None

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.closed:
            return None
        return (Decimal(self.closed_on_time) / Decimal(self.closed)).quantize(Decimal("0.001"))


def need_stats_by_community(
    parent: Region, *, since: datetime | None = None, until: datetime | None = None
) -> list[NeedStats]:
    """Residents' wishes and requests per community under `parent` (a street or district): how many came in,
    how many were closed and how many of those within the time limit, the backlog, how many are overdue, and
    the average rating. Worst on-time rate first."""
    now = timezone.now()
    needs = Need.objects.filter(kind__in=RESIDENT_KINDS, path__startswith=parent.path)
    if since is not None:
        needs = needs.filter(created_at__gte=since)
    if until is not None:
        needs = needs.filter(created_at__lt=until)
    rows = {
        row["community"]: row
        for row in needs.order_by()
        .values("community")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(status=Status.CLOSED)),
            closed_on_time=Count(
                "id",
                filter=Q(status=Status.CLOSED)
                & (Q(resolve_by__isnull=True) | Q(closed_at__lte=F("resolve_by"))),
            ),
            backlog=Count("id", filter=~Q(status__in=FINAL_STATUSES)),
            overdue=Count("id", filter=overdue_q(now)),
            rating=Avg("rating", filter=Q(status=Status.CLOSED)),
        )
    }
    communities = Region.objects.filter(level=Level.COMMUNITY, path__startswith=parent.path).order_by("path")
    result = []
    for community in communities:
        row: dict[str, Any] = dict(rows.get(community.pk, {}))
        rating = row.get("rating")
        result.append(
            NeedStats(
                region=community,
                total=row.get("total", 0),
                closed=row.get("closed", 0),
                closed_on_time=row.get("closed_on_time", 0),
                backlog=row.get("backlog", 0),
                overdue=row.get("overdue", 0),
                rating=Decimal(str(rating)).quantize(Decimal("0.01")) if rating is not None else None,
            )
        )
    result.sort(key=lambda s: (s.on_time_rate is None, s.on_time_rate or 0, -s.backlog))
    return result


def local_midnight(day: date) -> datetime:
    """The start of `day` in the site's time zone: where a filter by days begins (and, a day later, ends)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def needs_filter(
    qs: QuerySet[Need],
    *,
    kind: str | None = None,
    category: str | None = None,
    status: str | None = None,
    grid: str | None = None,
    since: date | None = None,
    until: date | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
) -> QuerySet[Need]:
    """The filters of the classified ledger (分类台账): kind, category, status, grid (its code), the days the
    need came in (`since` to `until`, both included, in the site's time zone) and only the overdue ones. Each
    need is annotated with `overdue` (a boolean) for the pages and the export."""
    now = now or timezone.now()
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if grid:
        qs = qs.filter(grid__code=grid)
    if since:
        qs = qs.filter(created_at__gte=local_midnight(since))
    if until:
        qs = qs.filter(created_at__lt=local_midnight(until + timedelta(days=1)))
    if overdue:
        qs = qs.filter(overdue_q(now))
    late = Case(When(overdue_q(now), then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(overdue=late)
