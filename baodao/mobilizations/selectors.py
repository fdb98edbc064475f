"""Reads of emergencies: who sees which (region admins whose regions meet the area — above it or inside it —
and the members called), and the roll call, computed by a few grouped, indexed counts so that it answers
quickly at ten thousand calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from baodao.accounts.scope import scope_for, under
from baodao.members.models import Member
from baodao.org.models import Region

from .models import Answer, Area, Call, Mobilization, PostNeed, Shift


def _prefixes(path: str) -> list[str]:
    """ "D/S/C/G/" → ["D/", "D/S/", "D/S/C/", "D/S/C/G/"]: the areas a region lies inside."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def mobilizations_visible_to(user: Any) -> QuerySet[Mobilization]:
    scope = scope_for(user)
    paths = scope.paths()
    inside = Area.objects.filter(mobilization=OuterRef("pk")).filter(under("path", paths))
    above = Area.objects.filter(
        mobilization=OuterRef("pk"), path__in=[p for x in paths for p in _prefixes(x)]
    )
    q: Any = Exists(inside) | Exists(above)
    if scope.member_id is not None:
        q |= Exists(Call.objects.filter(mobilization=OuterRef("pk"), member_id=scope.member_id))
    return Mobilization.objects.filter(q)


def mobilization_get_for_user(user: Any, pk: Any) -> Mobilization:
    mobilization = mobilizations_visible_to(user).filter(pk=pk).first()
    if mobilization is None:
        raise Http404
    return mobilization


def mobilization_get_for_checkin(user: Any, pk: Any) -> Mobilization:
    """What a check-in may reach: the emergencies the person sees, and — for a registered member who was not
    called — an emergency still on over its community (it may come anyway, 自行到岗). 404 otherwise."""
    visible = mobilizations_visible_to(user).filter(pk=pk).first()
    if visible is not None:
        return visible
    member_id = scope_for(user).member_id
    community_id = (
        Member.objects.filter(pk=member_id or 0).values_list("registered_community_id", flat=True).first()
    )
    over_it = Area.objects.filter(mobilization=OuterRef("pk")).filter(
        Q(region_id=community_id) | Q(region__parent_id=community_id)
    )
    mobilization = (
        Mobilization.objects.filter(pk=pk, status="active").filter(Exists(over_it)).first()
        if community_id
        else None
    )
    if mobilization is None:
        raise Http404
    return mobilization


def call_of(member_id: int | None, mobilization: Mobilization) -> Call | None:
    if member_id is None:
        return None
    return Call.objects.filter(mobilization=mobilization, member_id=member_id).select_related("post").first()


def open_shift_of(call: Call | None) -> Shift | None:
    if call is None:
        return None
    return Shift.objects.filter(call=call, ended_at__isnull=True).first()


def active_calls_of(member_id: int | None) -> QuerySet[Call]:
    """The member's calls to emergencies still on: what its home page shows first."""
    return (
        Call.objects.filter(member_id=member_id or 0, mobilization__status="active")
        .select_related("mobilization", "post")
        .order_by("-called_at")
    )


# ---- the roll call ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    called: int = 0
    yes: int = 0
    no: int = 0
    silent: int = 0
    arrived: int = 0
    on_duty: int = 0


@dataclass
class PostLine:
    post_id: int | None
    title: str
    needed: int | None
    called: int = 0
    yes: int = 0
    arrived: int = 0


@dataclass
class GridLine:
    grid_id: int | None
    name: str
    called: int = 0
    yes: int = 0
    no: int = 0
    silent: int = 0
    arrived: int = 0


@dataclass
class RollCall:
    totals: Tally
    posts: list[PostLine] = field(default_factory=list)
    grids: list[GridLine] = field(default_factory=list)


_COUNTS = {
    "called": Count("id"),
    "yes": Count("id", filter=Q(answer=Answer.YES)),
    "no": Count("id", filter=Q(answer=Answer.NO)),
    "silent": Count("id", filter=Q(answer=Answer.NONE)),
    "arrived": Count("id", filter=Q(arrived_at__isnull=False)),
}


def _calls(mobilization: Mobilization, within: Q | None) -> QuerySet[Call]:
    calls = Call.objects.filter(mobilization=mobilization)
    return calls if within is None else calls.filter(within)


def rollcall(mobilization: Mobilization, *, within: Q | None = None) -> RollCall:
    """点名: called / yes / no / silent / arrived in all, per post needed (with the headcount) and per grid.
    "yes" counts everyone whose answer is 到岗 (a check-in sets it); "arrived" everyone who checked in.
    `within` (from `site_scope`) narrows it to the members a community or grid worker looks after."""
    calls = _calls(mobilization, within)
    post_rows: list[dict[str, Any]] = [
        dict(r) for r in calls.values("post_id").annotate(**_COUNTS).order_by()
    ]
    # every call is in one post row (the widened ones in the row without a post): the totals are their sums
    totals = Tally(**{name: sum(row[name] for row in post_rows) for name in _COUNTS})
    totals.on_duty = Shift.objects.filter(call__in=calls.values("pk"), ended_at__isnull=True).count()
    by_post = {row["post_id"]: row for row in post_rows}
    posts: list[PostLine] = []
    for need in PostNeed.objects.filter(mobilization=mobilization).select_related("post"):
        row: dict[str, Any] = by_post.pop(need.post_id, {})
        posts.append(
            PostLine(
                post_id=need.post_id,
                title=need.post.title,
                needed=need.headcount,
                called=row.get("called", 0),
                yes=row.get("yes", 0),
                arrived=row.get("arrived", 0),
            )
        )
    for post_id, row in by_post.items():
        # widened calls (no post), and holders of a post no longer named
        posts.append(
            PostLine(
                post_id=post_id,
                title="",
                needed=None,
                called=row["called"],
                yes=row["yes"],
                arrived=row["arrived"],
            )
        )
    by_grid: list[dict[str, Any]] = [dict(r) for r in calls.values("grid_id").annotate(**_COUNTS).order_by()]
    names = dict(
        Region.objects.filter(pk__in=[r["grid_id"] for r in by_grid if r["grid_id"]]).values_list(
            "pk", "name"
        )
    )
    grids = sorted(
        (
            GridLine(
                grid_id=r["grid_id"],
                name=names.get(r["grid_id"], ""),
                called=r["called"],
                yes=r["yes"],
                no=r["no"],
                silent=r["silent"],
                arrived=r["arrived"],
            )
            for r in by_grid
        ),
        key=lambda g: (g.grid_id is None, g.name),
    )
    return RollCall(totals=totals, posts=posts, grids=grids)


#: What a list of calls shows of each. Fetched for the page only, once it is cut (prefetched, not joined):
#: joined, PostgreSQL would join every call of the emergency — thousands — before sorting out one page.
_CALL_RELATED = ("member__user", "grid", "post")


def silent_calls(mobilization: Mobilization, *, within: Q | None = None) -> QuerySet[Call]:
    """Who has not answered, longest waiting first (paginate it)."""
    return (
        _calls(mobilization, within)
        .filter(answer=Answer.NONE)
        .prefetch_related(*_CALL_RELATED)
        .order_by("called_at", "id")
    )


def calls_of(
    mobilization: Mobilization, *, answer: str | None = None, grid: Any = None, within: Q | None = None
) -> QuerySet[Call]:
    qs = _calls(mobilization, within).prefetch_related(*_CALL_RELATED)
    if answer is not None:
        qs = qs.filter(answer=answer)
    if grid is not None:
        qs = qs.filter(grid=grid)
    return qs.order_by("called_at", "id")


def post_needs_of(mobilization: Mobilization) -> QuerySet[PostNeed]:
    return PostNeed.objects.filter(mobilization=mobilization).select_related("post__community")


def areas_of(mobilization: Mobilization) -> QuerySet[Area]:
    return Area.objects.filter(mobilization=mobilization).select_related("region")
