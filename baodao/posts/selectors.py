"""Reads of posts, holders, teams and lead members, through the one scope: region admins see their subtree,
a member sees the posts and teams of the community it is registered in (and what it holds elsewhere)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from baodao.accounts.scope import scope_for, under
from baodao.members.models import Member
from baodao.org.models import Level, Region

from .models import HOLDING, GridLead, HolderStatus, Post, PostHolder, Team, TeamMember


def _member_community_id(member_id: int | None) -> int | None:
    if member_id is None:
        return None
    return Member.objects.filter(pk=member_id).values_list("registered_community_id", flat=True).first()


def posts_visible_to(user: Any) -> QuerySet[Post]:
    scope = scope_for(user)
    q: Any = under("community__path", scope.paths())
    if scope.member_id is not None:
        community_id = _member_community_id(scope.member_id)
        if community_id is not None:
            q |= Q(community_id=community_id)
        q |= Exists(PostHolder.objects.filter(post=OuterRef("pk"), member_id=scope.member_id))
    return Post.objects.filter(q).select_related("community")


def post_get_for_user(user: Any, pk: Any) -> Post:
    post = posts_visible_to(user).filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def with_pending(qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.annotate(pending=Count("holders", filter=Q(holders__status=HolderStatus.PENDING)))


def holding_of(member_id: int | None, post: Post) -> PostHolder | None:
    """The member's current claim or holding of the post, if any."""
    if member_id is None:
        return None
    return PostHolder.objects.filter(post=post, member_id=member_id, status__in=HOLDING).first()


def holders_of(post: Post) -> QuerySet[PostHolder]:
    return (
        PostHolder.objects.filter(post=post)
        .select_related("member__user", "member__unit", "member__grid")
        .order_by("status", "claimed_at", "id")
    )


def holdings_of_member(member_id: int) -> QuerySet[PostHolder]:
    return PostHolder.objects.filter(member_id=member_id).select_related("post__community")


def members_without_post(community: Region) -> QuerySet[Member]:
    """Members registered in the community who hold no confirmed post (what `posts_required` asks for)."""
    held = PostHolder.objects.filter(
        member=OuterRef("pk"), status=HolderStatus.CONFIRMED, post__community=community
    )
    return (
        Member.objects.filter(registered_community=community)
        .exclude(Exists(held))
        .select_related("user", "unit", "grid")
        .order_by("grid__code", "user__name", "pk")
    )


def teams_visible_to(user: Any) -> QuerySet[Team]:
    scope = scope_for(user)
    q: Any = under("community__path", scope.paths())
    if scope.member_id is not None:
        community_id = _member_community_id(scope.member_id)
        if community_id is not None:
            q |= Q(community_id=community_id)
        q |= Exists(TeamMember.objects.filter(team=OuterRef("pk"), member_id=scope.member_id))
    return (
        Team.objects.filter(q)
        .select_related("community", "leader__user")
        .annotate(size=Count("memberships", distinct=True))
    )


def team_get_for_user(user: Any, pk: Any) -> Team:
    team = teams_visible_to(user).filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


def team_members(team: Team) -> QuerySet[TeamMember]:
    return TeamMember.objects.filter(team=team).select_related("member__user", "member__unit", "member__grid")


def grid_leads(grid: Region) -> QuerySet[GridLead]:
    return GridLead.objects.filter(grid=grid).select_related("member__user", "member__unit")


def leads_visible_to(user: Any) -> QuerySet[GridLead]:
    scope = scope_for(user)
    return GridLead.objects.filter(under("grid__path", scope.paths())).select_related(
        "grid", "member__user", "member__unit"
    )


def holder_member(post: Post, member_pk: int) -> Member:
    """The member who claimed the post (whatever became of the claim), or 404: what the community's actions on
    one holder start from."""
    holder = PostHolder.objects.filter(post=post, member_id=member_pk).select_related("member__user").first()
    if holder is None:
        raise Http404
    return holder.member


def team_candidates(team: Team, members: QuerySet[Member], q: str, limit: int) -> list[Member]:
    """Up to `limit` of `members` (those the caller may see) registered in the team's community and not yet in
    it, whose name contains `q` — or, for four digits, whose phone number ends with them."""
    q = q.strip()
    if not q:
        return []
    match = Q(user__phone__endswith=q) if q.isdigit() and len(q) == 4 else Q(user__name__contains=q)
    return list(
        members.filter(match, registered_community_id=team.community_id)
        .exclude(team_memberships__team=team)
        .select_related("user", "unit", "grid")
        .order_by("user__name", "pk")[:limit]
    )


def grid_get_for_user(user: Any, code: str) -> Region:
    """A grid inside the caller's regions, or one of the community its member is registered in; else 404."""
    scope = scope_for(user)
    q: Any = under("path", scope.paths())
    community_id = _member_community_id(scope.member_id)
    if community_id is not None:
        q |= Q(parent_id=community_id)
    grid = Region.objects.filter(q, code=code, level=Level.GRID).select_related("parent").first()
    if grid is None:
        raise Http404
    return grid


def teams_of_member(member_id: int) -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.filter(member_id=member_id)
        .select_related("team__community", "team__leader__user")
        .order_by("team__kind", "team__name", "pk")
    )


def leads_of_member(member_id: int) -> QuerySet[GridLead]:
    return GridLead.objects.filter(member_id=member_id).select_related("grid__parent").order_by("grid__path")
