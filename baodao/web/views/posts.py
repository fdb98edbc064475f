"""Members' pages of posts (岗位) and teams: the posts of the community one is registered in, a post (claim
it, leave it with a reason — and, for the community's admins, its holders to confirm, turn down or take
off), 我的岗位 (holdings, teams, the grids one leads), and a team's page.

Every action is one POST that calls one service and returns to the page it came from with a message. A
refusal shows that page again with the reason and the refusal's status (400 for bad input, 409 for a state
that forbids it); someone not allowed at all gets the 403 page. The community's own pages are in
`posts_admin.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from baodao.accounts.scope import scope_for
from baodao.lib.errors import DomainError, Forbidden
from baodao.members.models import Member, Skill
from baodao.members.selectors import member_get_for_user, members_visible_to
from baodao.org.selectors import communities_administered_by
from baodao.posts import services
from baodao.posts.models import HOLDING, HolderStatus, Kind, Post, PostHolder, Team, TeamKind
from baodao.posts.selectors import (
    holders_of,
    holding_of,
    holdings_of_member,
    leads_of_member,
    post_get_for_user,
    posts_visible_to,
    team_candidates,
    team_get_for_user,
    team_members,
    teams_of_member,
)

from ..post_forms import MemberSearchForm
from .common import forbidden, paginate

SKILL_LABELS = dict(Skill.choices)
#: members found by one search on a team's page
CANDIDATES_LIMIT = 20

#: a post's holders: those waiting for the community first, then those on the post, then the history
HOLDER_ORDER = Case(
    When(status=HolderStatus.PENDING, then=Value(0)),
    When(status=HolderStatus.CONFIRMED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# ---- who is looking ---------------------------------------------------------------------------------


def _member(request: HttpRequest) -> Member | None:
    member_id = scope_for(request.user).member_id
    return member_get_for_user(request.user, member_id) if member_id else None


def _own_member(request: HttpRequest) -> Member:
    member = _member(request)
    if member is None:
        raise Http404(_("您还没有党员档案，请联系本单位党组织。"))
    return member


def _skill_tags(codes: list[str], mine: list[str]) -> list[dict[str, Any]]:
    return [{"label": SKILL_LABELS.get(code, code), "match": code in mine} for code in codes or []]


# ---- the posts of one's community ----------------------------------------------------------------------


@login_required
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    """The posts of the community the member is registered in (all, 常态服务岗 or 应急岗位), each with its
    places left and the member's own claim. An admin who is no member finds its communities' post pages."""
    member = _member(request)
    scope = scope_for(request.user)
    if member is None and not scope.is_admin:
        raise Http404(_("只有在职党员和管理员可以查看岗位。"))
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    ctx: dict[str, Any] = {
        "member": member,
        "kind": kind,
        "kinds": Kind.choices,
        "communities": list(communities_administered_by(request.user).order_by("path")),
    }
    if member is not None and member.registered_community_id:
        posts = posts_visible_to(request.user).filter(
            community_id=member.registered_community_id, active=True
        )
        if kind:
            posts = posts.filter(kind=kind)
        page = paginate(request, posts.prefetch_related("grids").order_by("kind", "title", "id"))
        mine = {
            h.post_id: h
            for h in holdings_of_member(member.pk).filter(
                post_id__in=[p.pk for p in page], status__in=HOLDING
            )
        }
        ctx.update(
            page=page,
            cards=[
                {"post": p, "skill_tags": _skill_tags(p.skills, member.skills), "mine": mine.get(p.pk)}
                for p in page
            ],
        )
    return render(request, "web/post_list.html", ctx)


# ---- a post ---------------------------------------------------------------------------------------------


def _holders(post: Post) -> QuerySet[PostHolder]:
    return holders_of(post).order_by(HOLDER_ORDER, "-claimed_at", "-id")


def _holder_counts(post: Post) -> dict[str, int]:
    return PostHolder.objects.filter(post=post).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in HolderStatus.values}
    )


def post_page(request: HttpRequest, post: Post, *, status: int = 200) -> HttpResponse:
    """The post as the viewer sees it: its facts; a member's own claim with exactly the forms open to it; the
    holders with the community's forms for its admins."""
    member = _member(request)
    holding = holding_of(member.pk, post) if member else None
    latest = holding
    if member is not None and holding is None:
        latest = holdings_of_member(member.pk).filter(post=post).order_by("-claimed_at", "-id").first()
    in_community = member is not None and member.registered_community_id == post.community_id
    manager = services.may_manage_community(request.user, post.community)
    ctx: dict[str, Any] = {
        "post": post,
        "member": member,
        "holding": latest,
        "holds": holding is not None,
        "in_community": in_community,
        "can_claim": in_community and post.active and holding is None and post.free_places > 0,
        "grids": list(post.grids.order_by("path")),
        "skill_tags": _skill_tags(post.skills, member.skills if member else []),
        "manager": manager,
    }
    if manager:
        ctx.update(page=paginate(request, _holders(post)), counts=_holder_counts(post))
    return render(request, "web/post_detail.html", ctx, status=status)


@login_required
@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return post_page(request, post_get_for_user(request.user, pk))


def post_action(request: HttpRequest, post: Post, action: Callable[[], str]) -> HttpResponse:
    """Run one service on the post: back to the post with `action`'s message when it passes; the post's page
    again with the refusal and its status when it does not; the 403 page when the caller may not act."""
    try:
        done = action()
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        post.refresh_from_db()
        return post_page(request, post, status=exc.status)
    messages.success(request, done)
    return redirect("web:post_detail", post.pk)


@login_required
@require_POST
def post_claim(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_user(request.user, pk)

    def claim() -> str:
        services.post_claim(actor=request.user, post=post)
        return _("已认领“%(title)s”，请等待社区确认。确认后会通知您。") % {"title": post.title}

    return post_action(request, post, claim)


@login_required
@require_POST
def post_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_get_for_user(request.user, pk)

    def withdraw() -> str:
        services.post_withdraw(actor=request.user, post=post, reason=request.POST.get("reason", ""))
        return _("已退出岗位“%(title)s”，社区会收到您的退出原因。") % {"title": post.title}

    return post_action(request, post, withdraw)


# ---- 我的岗位 ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_posts(request: HttpRequest) -> HttpResponse:
    """我的岗位: the posts the member holds or waits for first, then those it left or was turned down for
    (with the reason); its branches and teams; the grids where it is a lead member."""
    member = _own_member(request)
    holdings = holdings_of_member(member.pk).order_by(HOLDER_ORDER, "-claimed_at", "-id")
    return render(
        request,
        "web/my_posts.html",
        {
            "member": member,
            "page": paginate(request, holdings),
            "teams": list(teams_of_member(member.pk)),
            "leads": list(leads_of_member(member.pk)),
            "tab": "posts",
        },
    )


# ---- a team ---------------------------------------------------------------------------------------------


def team_page(
    request: HttpRequest, team: Team, *, status: int = 200, search: MemberSearchForm | None = None
) -> HttpResponse:
    """The team and its members; for the community's admins, a search for members to add and the buttons to
    remove a member or name the secretary or leader."""
    manager = services.may_manage_community(request.user, team.community)
    ctx: dict[str, Any] = {
        "team": team,
        "manager": manager,
        "page": paginate(request, team_members(team)),
        "leader_title": _("书记") if team.kind == TeamKind.BRANCH else _("队长"),
    }
    if manager:
        search = search or MemberSearchForm(request.GET or None)
        found = search.cleaned_data["q"] if search.is_bound and search.is_valid() else ""
        ctx.update(
            search=search,
            searched=bool(found),
            candidates=team_candidates(team, members_visible_to(request.user), found, CANDIDATES_LIMIT),
        )
    return render(request, "web/team_detail.html", ctx, status=status)


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return team_page(request, team_get_for_user(request.user, pk))
