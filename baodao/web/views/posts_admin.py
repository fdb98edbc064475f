"""Pages of the community and of grid workers for posts, teams and lead members: the community's posts
(按需设岗) and a new one, the registered members who hold none, 撤岗 and the decisions on one holder (确认,
不通过, 调离); the community's branches and teams with their members and leaders; a grid's lead members
(带头人).

Each action is one POST calling one service; see `posts.py` for how refusals are answered."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baodao.lib.errors import DomainError, Forbidden
from baodao.members.models import Member
from baodao.members.selectors import member_get_for_user, members_visible_to
from baodao.org.models import Level, Region
from baodao.org.selectors import regions_visible_to
from baodao.policy.selectors import policy_in_force
from baodao.posts import selectors, services
from baodao.posts.models import Kind, Post, Team, TeamKind
from baodao.posts.selectors import (
    holder_member,
    members_without_post,
    post_get_for_user,
    posts_visible_to,
    team_get_for_user,
    teams_visible_to,
    with_pending,
)

from ..post_forms import GridLeadForm, MemberSearchForm, PostForm, TeamForm
from .common import forbidden, paginate
from .community import _region_for_user
from .posts import post_action, team_page

#: the members a grid worker chooses a lead member from (those living in one grid: a few dozen)
GRID_CHOICES_LIMIT = 500


def _require_manager(request: HttpRequest, community: Region) -> None:
    if not services.may_manage_community(request.user, community):
        raise PermissionDenied(_("只有社区的管理员可以办理此事项。"))


def _managed_post(request: HttpRequest, pk: int) -> Post:
    """The post, if the caller manages its community: 404 when out of scope, 403 when only visible."""
    post = post_get_for_user(request.user, pk)
    _require_manager(request, post.community)
    return post


# ---- the community's posts ---------------------------------------------------------------------------


@login_required
def community_posts(request: HttpRequest, code: str) -> HttpResponse:
    """All the community's posts, those in force first, with holders and claims waiting for a decision."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    posts = posts_visible_to(request.user).filter(community=community)
    if kind:
        posts = posts.filter(kind=kind)
    posts = with_pending(posts).order_by("-active", "kind", "title", "id")
    return render(
        request,
        "web/community_posts.html",
        {
            "community": community,
            "page": paginate(request, posts),
            "kind": kind,
            "kinds": Kind.choices,
            "manager": services.may_manage_community(request.user, community),
            "tab": "posts",
        },
    )


def _grids_of(request: HttpRequest, community: Region) -> dict[str, Region]:
    grids = regions_visible_to(request.user).filter(parent=community, level=Level.GRID).order_by("path")
    return {g.code: g for g in grids}


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest, code: str) -> HttpResponse:
    """按需设岗: a new post of the community."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    _require_manager(request, community)
    grids = _grids_of(request, community)
    form = PostForm(request.POST or None, grids=[(g.code, g.name) for g in grids.values()])
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                post = services.post_create(actor=request.user, community=community, **form.submission(grids))
            except Forbidden as exc:
                raise forbidden(exc) from exc
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request, _("已设岗“%(title)s”，本社区报到的党员现在可以认领。") % {"title": post.title}
                )
                return redirect("web:post_detail", post.pk)
    return render(
        request,
        "web/post_new.html",
        {"community": community, "form": form, "tab": "posts"},
        status=status,
    )


@login_required
def community_without_post(request: HttpRequest, code: str) -> HttpResponse:
    """Registered members holding no confirmed post of the community, with the district's rule on posts."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    return render(
        request,
        "web/community_without_post.html",
        {
            "community": community,
            "page": paginate(request, members_without_post(community)),
            "posts_required": policy_in_force(community.district_code).posts_required,
            "tab": "posts",
        },
    )


# ---- decisions on a post and its holders ---------------------------------------------------------------


@login_required
@require_POST
def post_close(request: HttpRequest, pk: int) -> HttpResponse:
    post = _managed_post(request, pk)

    def close() -> str:
        services.post_close(actor=request.user, post=post, reason=request.POST.get("reason", ""))
        return _("已撤销岗位“%(title)s”，在岗和待确认的党员会收到通知和原因。") % {"title": post.title}

    return post_action(request, post, close)


@login_required
@require_POST
def post_confirm(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    post = _managed_post(request, pk)
    member = holder_member(post, member_pk)

    def confirm() -> str:
        services.post_confirm(actor=request.user, post=post, member=member)
        return _("已确认%(name)s在“%(title)s”岗位。") % {"name": member.name, "title": post.title}

    return post_action(request, post, confirm)


@login_required
@require_POST
def post_reject(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    post = _managed_post(request, pk)
    member = holder_member(post, member_pk)

    def reject() -> str:
        services.post_reject(
            actor=request.user, post=post, member=member, reason=request.POST.get("reason", "")
        )
        return _("%(name)s的认领未通过，党员会看到原因。") % {"name": member.name}

    return post_action(request, post, reject)


@login_required
@require_POST
def post_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    post = _managed_post(request, pk)
    member = holder_member(post, member_pk)

    def remove() -> str:
        services.post_withdraw(
            actor=request.user, post=post, member=member, reason=request.POST.get("reason", "")
        )
        return _("已将%(name)s调离“%(title)s”，党员会收到通知和原因。") % {
            "name": member.name,
            "title": post.title,
        }

    return post_action(request, post, remove)


# ---- branches and teams ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def community_teams(request: HttpRequest, code: str) -> HttpResponse:
    """The community's functional party branches and volunteer teams, and a form for a new one."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    manager = services.may_manage_community(request.user, community)
    form = TeamForm(request.POST or None)
    status = 200
    if request.method == "POST":
        _require_manager(request, community)
        status = 400
        if form.is_valid():
            try:
                team = services.team_create(actor=request.user, community=community, **form.cleaned_data)
            except Forbidden as exc:
                raise forbidden(exc) from exc
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已成立%(kind)s“%(name)s”，请添加成员。")
                    % {"kind": team.get_kind_display(), "name": team.name},
                )
                return redirect("web:team_detail", team.pk)
    teams = teams_visible_to(request.user).filter(community=community).order_by("kind", "name", "pk")
    return render(
        request,
        "web/community_teams.html",
        {
            "community": community,
            "page": paginate(request, teams),
            "form": form if manager else None,
            "tab": "teams",
        },
        status=status,
    )


def _managed_team(request: HttpRequest, pk: int) -> Team:
    team = team_get_for_user(request.user, pk)
    _require_manager(request, team.community)
    return team


def _team_action(request: HttpRequest, team: Team, action: Any) -> HttpResponse:
    """As `post_action`, for a team."""
    try:
        done = action()
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        return team_page(request, team_get_for_user(request.user, team.pk), status=exc.status)
    messages.success(request, done)
    return redirect("web:team_detail", team.pk)


def _posted_member(request: HttpRequest) -> Member | None:
    """The member named by the form (404 when the caller cannot see it); None when none is named."""
    value = request.POST.get("member", "").strip()
    return member_get_for_user(request.user, int(value)) if value.isdigit() else None


@login_required
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _managed_team(request, pk)
    member = _posted_member(request)
    if member is None:
        messages.error(request, _("请选择要加入的党员。"))
        return team_page(request, team, status=400, search=MemberSearchForm())

    def add() -> str:
        services.team_add_member(actor=request.user, team=team, member=member)
        return _("已将%(name)s加入“%(team)s”。") % {"name": member.name, "team": team.name}

    return _team_action(request, team, add)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    team = _managed_team(request, pk)
    member = member_get_for_user(request.user, member_pk)

    def remove() -> str:
        services.team_remove_member(actor=request.user, team=team, member=member)
        return _("已将%(name)s移出“%(team)s”。") % {"name": member.name, "team": team.name}

    return _team_action(request, team, remove)


@login_required
@require_POST
def team_leader(request: HttpRequest, pk: int) -> HttpResponse:
    """Name one of the team's members its secretary or leader; no member named: nobody."""
    team = _managed_team(request, pk)
    member = _posted_member(request)
    role = _("书记") if team.kind == TeamKind.BRANCH else _("队长")

    def lead() -> str:
        services.team_set_leader(actor=request.user, team=team, member=member)
        if member is None:
            return _("已取消“%(team)s”的%(role)s。") % {"team": team.name, "role": role}
        return _("已指定%(name)s为“%(team)s”的%(role)s。") % {
            "name": member.name,
            "team": team.name,
            "role": role,
        }

    return _team_action(request, team, lead)


# ---- lead members of a grid ---------------------------------------------------------------------------


def _grid_leads_page(
    request: HttpRequest, grid: Region, form: GridLeadForm | None, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/grid_leads.html",
        {"grid": grid, "form": form, "page": paginate(request, selectors.grid_leads(grid))},
        status=status,
    )


def _lead_candidates(request: HttpRequest, grid: Region) -> dict[str, Member]:
    members = (
        members_visible_to(request.user)
        .filter(registered_community_id=grid.parent_id, grid=grid)
        .order_by("user__name", "pk")[:GRID_CHOICES_LIMIT]
    )
    return {str(m.pk): m for m in members}


def _lead_form(
    request: HttpRequest, grid: Region, data: Any = None
) -> tuple[GridLeadForm, dict[str, Member]]:
    members = _lead_candidates(request, grid)
    choices = [
        (key, _("%(name)s（%(unit)s）") % {"name": m.name, "unit": m.unit.name}) for key, m in members.items()
    ]
    return GridLeadForm(data, members=choices), members


@login_required
@require_http_methods(["GET", "POST"])
def grid_leads(request: HttpRequest, code: str) -> HttpResponse:
    """带头人: the grid's lead members, and — for its grid worker and the community — naming another one."""
    grid = _region_for_user(request, code, Level.GRID)
    may_lead = services.may_lead_grid(request.user, grid)
    if request.method == "GET":
        return _grid_leads_page(request, grid, _lead_form(request, grid)[0] if may_lead else None)
    if not may_lead:
        raise PermissionDenied(_("只有本网格的网格员或社区管理员可以指定带头人。"))
    form, members = _lead_form(request, grid, request.POST)
    if not form.is_valid():
        return _grid_leads_page(request, grid, form, status=400)
    member = members[form.cleaned_data["member"]]
    try:
        services.grid_lead_designate(
            actor=request.user, grid=grid, member=member, note=form.cleaned_data["note"]
        )
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        form.add_domain_error(exc)
        return _grid_leads_page(request, grid, form, status=exc.status)
    messages.success(request, _("已指定%(name)s为本网格的带头人。") % {"name": member.name})
    return redirect("web:grid_leads", grid.code)


@login_required
@require_POST
def grid_lead_revoke(request: HttpRequest, code: str, member_pk: int) -> HttpResponse:
    grid = _region_for_user(request, code, Level.GRID)
    member = member_get_for_user(request.user, member_pk)
    try:
        services.grid_lead_revoke(actor=request.user, grid=grid, member=member)
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _grid_leads_page(request, grid, _lead_form(request, grid)[0], status=exc.status)
    messages.success(request, _("已撤销%(name)s的带头人。") % {"name": member.name})
    return redirect("web:grid_leads", grid.code)
