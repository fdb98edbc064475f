"""Posts: set (按需设岗), claimed by members, confirmed or turned down by the community, left with a reason;
functional branches and volunteer teams; lead members of a grid.

A confirmed holder takes one of the post's places with `UPDATE … SET taken = taken + 1 WHERE taken <
headcount` (a CHECK constraint behind it), so a post is never over-filled whatever runs at once; a partial
unique constraint keeps one holding per member and post.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.lib.errors import Conflict, Forbidden
from baodao.lib.inputs import invalid as _invalid
from baodao.lib.inputs import text as _text
from baodao.members.models import Member
from baodao.members.vocabulary import parse_skills
from baodao.notify.services import notify
from baodao.org.models import Level, Region

from .models import HOLDING, GridLead, HolderStatus, Kind, Post, PostHolder, Team, TeamKind, TeamMember

TITLE_MAX = 40
REASON_MAX = 300
MAX_HEADCOUNT = 1000


def _reason(value: str | None) -> str:
    return _text(value, field="reason", label=_("原因"), max_length=REASON_MAX, required=True)


def _post_url(post: Post) -> str:
    return reverse("web:post_detail", args=[post.pk])


# ---- who may do what -----------------------------------------------------------------------------------


def may_manage_community(user: Any, community: Region) -> bool:
    """The community's own admins (and street/district admins above it) set its posts and teams."""
    return scope_for(user).covers_region(
        community, Role.COMMUNITY_ADMIN, Role.STREET_ADMIN, Role.DISTRICT_ADMIN
    )


def _require_manager(user: Any, community: Region) -> None:
    if not may_manage_community(user, community):
        raise Forbidden(_("只有社区的管理员可以办理此事项。"))


def _own_member(user: Any) -> Member:
    member_id = scope_for(user).member_id
    if member_id is None:
        raise Forbidden(_("只有在职党员可以认领岗位。"))
    return Member.objects.select_related("user").get(pk=member_id)


def _community_admins(community: Region) -> list[Any]:
    from baodao.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True, grants__role=Role.COMMUNITY_ADMIN, grants__region=community
        ).distinct()
    )


def _registered_here(member: Member, community: Region, *, field: str = "member") -> None:
    if member.registered_community_id != community.pk:
        raise _invalid(field, _("该党员没有在本社区报到。"))


# ---- posts ---------------------------------------------------------------------------------------------


def _grids_of(community: Region, grids: Iterable[Region]) -> list[Region]:
    result: list[Region] = []
    for grid in grids:
        if grid.level != Level.GRID or grid.parent_id != community.pk:
            raise _invalid("grids", _("“%(name)s”不是本社区的网格。") % {"name": grid.name})
        if grid not in result:
            result.append(grid)
    return result


def post_create(
    *,
    actor: Any,
    community: Region,
    kind: str,
    title: str,
    headcount: Any,
    duties: str = "",
    skills: Iterable[str] = (),
    schedule: str = "",
    grids: Iterable[Region] = (),
) -> Post:
    """按需设岗: a regular or emergency post of the community, for the whole community or some of its
    grids."""
    if community.level != Level.COMMUNITY:
        raise _invalid("community", _("岗位须设在社区。"))
    _require_manager(actor, community)
    if kind not in Kind.values:
        raise _invalid("kind", _("岗位类型须为常态服务岗或应急岗位。"))
    title = _text(title, field="title", label=_("岗位名称"), max_length=TITLE_MAX, required=True)
    try:
        count = int(headcount)
    except (TypeError, ValueError):
        raise _invalid("headcount", _("人数须为整数。")) from None
    if not 1 <= count <= MAX_HEADCOUNT:
        raise _invalid("headcount", _("人数须在 1 到 %(max)d 之间。") % {"max": MAX_HEADCOUNT})
    duties = _text(duties, field="duties", label=_("岗位职责"), max_length=1000, required=False)
    schedule = _text(schedule, field="schedule", label=_("服务时间"), max_length=100, required=False)
    skill_codes = parse_skills(skills)
    grid_list = _grids_of(community, grids)
    if Post.objects.filter(community=community, kind=kind, title=title, active=True).exists():
        raise _invalid("title", _("本社区已有同名的在设岗位。"))
    try:
        with transaction.atomic():
            post = Post.objects.create(
                community=community,
                kind=kind,
                title=title,
                headcount=count,
                duties=duties,
                skills=skill_codes,
                schedule=schedule,
                created_by=actor,
            )
            post.grids.set(grid_list)
    except IntegrityError:
        raise _invalid("title", _("本社区已有同名的在设岗位。")) from None
    return post


def post_close(*, actor: Any, post: Post, reason: str) -> Post:
    """撤岗: no more claims; everyone holding or waiting for the post is released and told."""
    _require_manager(actor, post.community)
    reason = _reason(reason)
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if not post.active:
            raise Conflict(_("岗位已撤销。"), code="illegal_transition")
        holders = list(
            PostHolder.objects.filter(post=post, status__in=HOLDING).select_related("member__user")
        )
        PostHolder.objects.filter(post=post, status__in=HOLDING).update(
            status=HolderStatus.WITHDRAWN, ended_at=now, ended_by=actor, reason=reason
        )
        Post.objects.filter(pk=post.pk).update(active=False, taken=0, closed_at=now, close_reason=reason)
        notify(
            users=[h.member.user for h in holders],
            title=_("岗位已撤销：%(title)s") % {"title": post.title},
            body=reason,
            url=_post_url(post),
        )
    post.refresh_from_db()
    return post


def post_claim(*, actor: Any, post: Post) -> PostHolder:
    """A member registered in the post's community claims it; the community confirms (pending until then)."""
    member = _own_member(actor)
    if member.registered_community_id != post.community_id:
        raise Forbidden(_("只有在本社区报到的党员可以认领本社区的岗位。"))
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if not post.active:
            raise Conflict(_("岗位已撤销，不能认领。"), code="illegal_transition")
        if PostHolder.objects.filter(post=post, member=member, status__in=HOLDING).exists():
            raise Conflict(_("您已经认领了这个岗位。"), code="already_claimed")
        if post.taken >= post.headcount:
            raise Conflict(_("岗位人数已满。"), code="full")
        try:
            with transaction.atomic():
                holder = PostHolder.objects.create(post=post, member=member, status=HolderStatus.PENDING)
        except IntegrityError:
            raise Conflict(_("您已经认领了这个岗位。"), code="already_claimed") from None
        notify(
            users=_community_admins(post.community),
            title=_("岗位认领待确认：%(title)s") % {"title": post.title},
            body=_("%(name)s 认领了岗位，请确认。") % {"name": member.name},
            url=_post_url(post),
        )
    return holder


def _holder_of(post: Post, member: Member, statuses: Iterable[str]) -> PostHolder | None:
    return (
        PostHolder.objects.select_for_update()
        .filter(post=post, member=member, status__in=list(statuses))
        .first()
    )


def post_confirm(*, actor: Any, post: Post, member: Member) -> PostHolder:
    """The community confirms a pending claim; the holder takes a place (409 `full` when none is left).
    Confirming a holder already confirmed changes nothing."""
    _require_manager(actor, post.community)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        holder = _holder_of(post, member, HOLDING)
        if holder is None:
            raise Conflict(_("该党员没有待确认的认领。"), code="not_pending")
        if holder.status == HolderStatus.CONFIRMED:
            return holder
        if not post.active:
            raise Conflict(_("岗位已撤销。"), code="illegal_transition")
        if not Post.objects.filter(pk=post.pk, taken__lt=F("headcount")).update(taken=F("taken") + 1):
            raise Conflict(_("岗位人数已满，不能再确认。"), code="full")
        PostHolder.objects.filter(pk=holder.pk).update(
            status=HolderStatus.CONFIRMED, decided_at=timezone.now(), decided_by=actor
        )
        notify(
            users=[member.user],
            title=_("岗位认领已确认：%(title)s") % {"title": post.title},
            url=_post_url(post),
        )
    holder.refresh_from_db()
    return holder


def post_reject(*, actor: Any, post: Post, member: Member, reason: str) -> PostHolder:
    """The community turns a pending claim down, with a reason the member sees."""
    _require_manager(actor, post.community)
    reason = _reason(reason)
    with transaction.atomic():
        holder = _holder_of(post, member, [HolderStatus.PENDING])
        if holder is None:
            raise Conflict(_("该党员没有待确认的认领。"), code="not_pending")
        PostHolder.objects.filter(pk=holder.pk).update(
            status=HolderStatus.REJECTED, decided_at=timezone.now(), decided_by=actor, reason=reason
        )
        notify(
            users=[member.user],
            title=_("岗位认领未通过：%(title)s") % {"title": post.title},
            body=reason,
            url=_post_url(post),
        )
    holder.refresh_from_db()
    return holder


def post_withdraw(*, actor: Any, post: Post, reason: str, member: Member | None = None) -> PostHolder:
    """退出岗位 with a reason: a member leaves its own post (pending or confirmed); a community admin may take
    a holder off the post (naming `member`). A confirmed holder's place is freed."""
    reason = _reason(reason)
    own = scope_for(actor).member_id
    if member is None or member.pk == own:
        member = _own_member(actor)
        by_community = False
    else:
        _require_manager(actor, post.community)
        by_community = True
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        holder = _holder_of(post, member, HOLDING)
        if holder is None:
            raise Conflict(_("没有在这个岗位上，无需退出。"), code="not_holding")
        if holder.status == HolderStatus.CONFIRMED:
            Post.objects.filter(pk=post.pk, taken__gt=0).update(taken=F("taken") - 1)
        PostHolder.objects.filter(pk=holder.pk).update(
            status=HolderStatus.WITHDRAWN, ended_at=timezone.now(), ended_by=actor, reason=reason
        )
        if by_community:
            notify(
                users=[member.user],
                title=_("您已被调离岗位：%(title)s") % {"title": post.title},
                body=reason,
                url=_post_url(post),
            )
        else:
            notify(
                users=_community_admins(post.community),
                title=_("党员退出岗位：%(title)s") % {"title": post.title},
                body=_("%(name)s：%(reason)s") % {"name": member.name, "reason": reason},
                url=_post_url(post),
            )
    holder.refresh_from_db()
    return holder


# ---- functional branches and volunteer teams --------------------------------------------------------------


def team_create(
    *,
    actor: Any,
    community: Region,
    kind: str,
    name: str,
    description: str = "",
) -> Team:
    if community.level != Level.COMMUNITY:
        raise _invalid("community", _("功能型党支部和志愿服务队须建在社区。"))
    _require_manager(actor, community)
    if kind not in TeamKind.values:
        raise _invalid("kind", _("类型须为功能型党支部或志愿服务队。"))
    name = _text(name, field="name", label=_("名称"), max_length=60, required=True)
    description = _text(description, field="description", label=_("简介"), max_length=1000, required=False)
    try:
        with transaction.atomic():
            return Team.objects.create(
                community=community, kind=kind, name=name, description=description, created_by=actor
            )
    except IntegrityError:
        raise _invalid("name", _("本社区已有同名的队伍。")) from None


def team_add_member(*, actor: Any, team: Team, member: Member) -> TeamMember:
    """Add a member registered in the team's community; adding it twice changes nothing."""
    _require_manager(actor, team.community)
    _registered_here(member, team.community)
    membership, created = TeamMember.objects.get_or_create(
        team=team, member=member, defaults={"added_by": actor}
    )
    if created:
        notify(
            users=[member.user],
            title=_("您已加入%(kind)s：%(name)s") % {"kind": team.get_kind_display(), "name": team.name},
        )
    return membership


def team_remove_member(*, actor: Any, team: Team, member: Member) -> None:
    _require_manager(actor, team.community)
    with transaction.atomic():
        if not TeamMember.objects.filter(team=team, member=member).delete()[0]:
            raise Conflict(_("该党员不在这支队伍中。"), code="not_member")
        # on the row, not on the caller's copy of it (which may predate the leader's naming)
        if Team.objects.filter(pk=team.pk, leader=member).update(leader=None) or team.leader_id == member.pk:
            team.leader = None


def team_set_leader(*, actor: Any, team: Team, member: Member | None) -> Team:
    """Name the branch's secretary or the team's leader (one of its members), or clear it."""
    _require_manager(actor, team.community)
    if member is not None and not TeamMember.objects.filter(team=team, member=member).exists():
        raise _invalid("member", _("书记或队长须是队伍的成员。"))
    Team.objects.filter(pk=team.pk).update(leader=member)
    team.refresh_from_db()
    if member is not None:
        notify(
            users=[member.user],
            title=_("您被指定为%(name)s的%(role)s")
            % {"name": team.name, "role": _("书记") if team.kind == TeamKind.BRANCH else _("队长")},
        )
    return team


# ---- lead members of a grid (带头人) -----------------------------------------------------------------


def may_lead_grid(user: Any, grid: Region) -> bool:
    return scope_for(user).covers_region(grid, Role.GRID_WORKER, Role.COMMUNITY_ADMIN)


def grid_lead_designate(*, actor: Any, grid: Region, member: Member, note: str = "") -> GridLead:
    """The grid's worker (or the community) names a registered member living in the grid as a lead member.
    Naming the same member again only updates the note."""
    if grid.level != Level.GRID:
        raise _invalid("grid", _("带头人须指定到网格。"))
    if not may_lead_grid(actor, grid):
        raise Forbidden(_("只有本网格的网格员或社区管理员可以指定带头人。"))
    if member.registered_community_id != grid.parent_id or member.grid_id != grid.pk:
        raise _invalid("member", _("带头人须是居住在本网格并已在本社区报到的党员。"))
    note = _text(note, field="note", label=_("分工"), max_length=100, required=False)
    lead, created = GridLead.objects.update_or_create(
        grid=grid,
        member=member,
        defaults={"note": note},
        create_defaults={"note": note, "designated_by": actor},
    )
    if created:
        notify(users=[member.user], title=_("您被指定为%(grid)s的带头人") % {"grid": grid.name})
    return lead


def grid_lead_revoke(*, actor: Any, grid: Region, member: Member) -> None:
    if not may_lead_grid(actor, grid):
        raise Forbidden(_("只有本网格的网格员或社区管理员可以撤销带头人。"))
    if not GridLead.objects.filter(grid=grid, member=member).delete()[0]:
        raise Conflict(_("该党员不是本网格的带头人。"), code="not_lead")
