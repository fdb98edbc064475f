"""Commanders' pages of 战时应急 (community, street and district admins; grid workers of the area see the
board and the code): the emergencies of one's scope, 启动应急, the live roll call (点名板, which refreshes by
itself: `web/poll.js` fetches its fragment, and without script a meta refresh reloads the page), the
rotating check-in code, and the actions — 扩大呼叫, 再次呼叫, 解除应急 — each one POST answered with a
redirect and a message. The members' pages are in `mobilizations.py`."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from baodao.accounts.scope import scope_for, under
from baodao.activities.qr import qr_svg
from baodao.lib.errors import DomainError, Forbidden
from baodao.lib.urls import public_url
from baodao.mobilizations import services
from baodao.mobilizations.models import Answer, Call, Mobilization, Reason, Status
from baodao.mobilizations.selectors import (
    areas_of,
    calls_of,
    mobilization_get_for_user,
    mobilizations_visible_to,
    rollcall,
    silent_calls,
)
from baodao.org.models import Level, Region
from baodao.org.selectors import communities_administered_by
from baodao.posts.models import Kind, Post

from ..mobilization_forms import MobilizationForm, StandDownForm, WidenForm
from .common import forbidden, paginate, refusals_as_messages

#: the emergencies list, and the silent members on the board, per page
LIST_PER_PAGE = 20
SILENT_PER_PAGE = 20
#: those who cannot come, shown on the board with their reasons (the latest first)
NO_SHOWN = 50
#: how often the board's fragment is fetched by poll.js, and the page reloaded without script
POLL_SECONDS = 10
NOSCRIPT_REFRESH_SECONDS = 15
#: the code page reloads itself when its code is replaced, and at least this often
REFRESH_MAX_SECONDS = 15

ACTIVE_FIRST = Case(When(status=Status.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField())


def _single_community(request: HttpRequest, regions: list[Region] | None = None) -> Region | None:
    """The community whose tabs the page shows: the one community the caller administers (and, when the page
    is about an emergency, the one its area lies in)."""
    communities = list(communities_administered_by(request.user).order_by("path")[:2])
    if len(communities) != 1:
        return None
    community = communities[0]
    if regions is not None and not all(r.path.startswith(community.path) for r in regions):
        return None
    return community


def _site_run(request: HttpRequest, pk: int) -> Mobilization:
    """The emergency, if the caller commands it or runs its site (a grid worker of the area): 404 when out of
    scope, 403 when visible but not its own."""
    mobilization = mobilization_get_for_user(request.user, pk)
    if not services.may_run_site(request.user, mobilization):
        raise PermissionDenied(_("只有应急指挥人员和区域内的网格员可以打开此页。"))
    return mobilization


# ---- the list ----------------------------------------------------------------------------------------


@login_required
def mobilization_list(request: HttpRequest) -> HttpResponse:
    """The emergencies over the caller's regions: those still on first, newest first, with their figures."""
    scope = scope_for(request.user)
    if not scope.paths():
        if scope.member_id is not None:
            return redirect("web:my_emergencies")
        raise Http404(_("只有社区、街道、区县的管理员和网格员可以查看应急动员。"))
    mobilizations = (
        mobilizations_visible_to(request.user)
        .prefetch_related("areas__region")
        .order_by(ACTIVE_FIRST, "-created_at", "-id")
    )
    page = paginate(request, mobilizations, LIST_PER_PAGE)
    # the figures of the page's emergencies only: counting every call of every emergency in scope first
    # would grow with the district's history
    shown = list(page.object_list)
    figures: dict[int, dict[str, Any]] = {
        row["mobilization_id"]: dict(row)
        for row in Call.objects.filter(mobilization__in=[m.pk for m in shown])
        .values("mobilization_id")
        .annotate(
            called=Count("id"),
            coming=Count("id", filter=Q(answer=Answer.YES)),
            arrived=Count("id", filter=Q(arrived_at__isnull=False)),
        )
        .order_by()
    }
    for m in shown:
        row: dict[str, Any] = figures.get(m.pk, {})
        m.called, m.coming, m.arrived = row.get("called", 0), row.get("coming", 0), row.get("arrived", 0)
    page.object_list = shown
    return render(
        request,
        "web/mobilization_list.html",
        {
            "page": page,
            "can_create": bool(scope.paths(*services.COMMAND_ROLES)),
            "community": _single_community(request),
            "tab": "emergencies",
        },
    )


# ---- 启动应急 ------------------------------------------------------------------------------------------


def _commanded_regions(request: HttpRequest) -> list[Region]:
    """The communities the caller commands, each followed by its grids, in the order of the tree."""
    paths = scope_for(request.user).paths(*services.COMMAND_ROLES)
    return list(
        Region.objects.filter(under("path", paths), level__in=[Level.COMMUNITY, Level.GRID]).order_by("path")
    )


def _region_tree(regions: list[Region], chosen: list[str]) -> list[dict[str, Any]]:
    tree: list[dict[str, Any]] = []
    for region in regions:
        item = {"region": region, "checked": region.code in chosen}
        if region.level == Level.COMMUNITY:
            tree.append({**item, "grids": []})
        elif tree and region.parent_id == tree[-1]["region"].pk:
            tree[-1]["grids"].append(item)
    return tree


@login_required
def mobilization_new(request: HttpRequest) -> HttpResponse:
    """启动应急: the form; on success the board, where the call shows going out (it runs in the
    background)."""
    if not scope_for(request.user).paths(*services.COMMAND_ROLES):
        raise PermissionDenied(_("只有社区、街道或区县的管理员可以启动应急动员。"))
    regions = _commanded_regions(request)
    communities = [r for r in regions if r.level == Level.COMMUNITY]
    posts = list(
        Post.objects.filter(kind=Kind.EMERGENCY, active=True, community__in=communities)
        .select_related("community")
        .order_by("community__path", "title", "id")
    )
    form = MobilizationForm(request.POST or None, regions=regions, posts=posts)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mobilization = services.mobilization_activate(
                    actor=request.user, request=request, **form.submission()
                )
            except Forbidden as exc:
                raise forbidden(exc) from exc
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("已启动应急动员“%(title)s”，正在呼叫党员；本页自动刷新点名情况。")
                    % {"title": mobilization.title},
                )
                return redirect("web:mobilization_board", mobilization.pk)
    chosen = [str(code) for code in (form["regions"].value() or [])]
    return render(
        request,
        "web/mobilization_new.html",
        {
            "form": form,
            "tree": _region_tree(regions, chosen),
            "many_communities": len(communities) > 1,
            "community": _single_community(request),
            "tab": "emergencies",
        },
        status=status,
    )


# ---- the roll call -----------------------------------------------------------------------------------


def _board_context(request: HttpRequest, mobilization: Mobilization) -> dict[str, Any]:
    # a commander sees everyone; a community secretary or grid worker on site, the members it looks after
    within = services.site_scope(request.user, mobilization)
    roll = rollcall(mobilization, within=within)
    no_calls = calls_of(mobilization, answer=Answer.NO, within=within).order_by("-answered_at", "-id")
    areas = list(areas_of(mobilization))
    return {
        "mobilization": mobilization,
        "roll": roll,
        #: each post with its shortfall: how many more the headcount needs than said 到岗
        "post_lines": [(p, max((p.needed or 0) - p.yes, 0)) for p in roll.posts],
        "silent_page": paginate(request, silent_calls(mobilization, within=within), SILENT_PER_PAGE),
        "partial_view": within is not None,
        "no_calls": list(no_calls[:NO_SHOWN]),
        "no_more": max(roll.totals.no - NO_SHOWN, 0),
        "calling": mobilization.is_active and mobilization.fanout_done_at is None,
        "commander": services.may_command(request.user, mobilization),
        "areas": areas,
        "active": mobilization.is_active,
        "updated_at": timezone.localtime(),
        "poll_url": f"{request.path}?{_fragment_query(request)}",
        "poll_seconds": POLL_SECONDS,
        "refresh_seconds": NOSCRIPT_REFRESH_SECONDS,
        "community": _single_community(request, [a.region for a in areas]),
        "tab": "emergencies",
    }


def _fragment_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["fragment"] = "1"
    return query.urlencode()


@never_cache
@login_required
def mobilization_board(request: HttpRequest, pk: int) -> HttpResponse:
    """点名板: the figures in all, per post needed and per grid; who has not answered (再次呼叫), who cannot
    come and why; the commander's actions. With `?fragment=1` (what poll.js fetches) only the figures and
    the lists."""
    mobilization = _site_run(request, pk)
    ctx = _board_context(request, mobilization)
    if request.GET.get("fragment") == "1":
        return render(request, "web/_mobilization_board_body.html", ctx)
    ctx.update(widen_form=WidenForm(auto_id="widen-%s"), stand_down_form=StandDownForm(auto_id="down-%s"))
    ctx["can_widen_grids"] = any(a.region.level == Level.GRID for a in ctx["areas"])
    return render(request, "web/mobilization_board.html", ctx)


# ---- the check-in code -------------------------------------------------------------------------------


@never_cache
@login_required
def mobilization_code(request: HttpRequest, pk: int) -> HttpResponse:
    """签到码 on site: the code, when it changes, and a QR code of the check-in page with the code filled in.
    The page reloads itself when the code changes."""
    mobilization = mobilization_get_for_user(request.user, pk)
    now = timezone.now()
    context: dict[str, Any] = {"mobilization": mobilization}
    try:
        code = services.checkin_code_for(actor=request.user, mobilization=mobilization, now=now)
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:  # stood down: nothing to show, nothing to refresh
        context["refusal"] = exc.detail
    else:
        seconds_left = max(math.ceil((code.expires_at - now).total_seconds()), 1)
        url = public_url(request, code.url_path)
        context.update(
            code=code.code,
            code_parts=(code.code[:3], code.code[3:]),
            expires_at=code.expires_at,
            seconds_left=seconds_left,
            refresh_seconds=min(seconds_left, REFRESH_MAX_SECONDS),
            checkin_url=url,
            qr_svg=mark_safe(qr_svg(url)),  # noqa: S308 - segno's own markup
        )
    return render(request, "web/mobilization_code.html", context)


# ---- the commander's actions -------------------------------------------------------------------------


@login_required
@require_POST
def mobilization_widen(request: HttpRequest, pk: int) -> HttpResponse:
    mobilization = mobilization_get_for_user(request.user, pk)
    form = WidenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择扩大呼叫的范围。"))
        return redirect("web:mobilization_board", mobilization.pk)
    to = form.cleaned_data["to"]
    with refusals_as_messages(request):
        services.mobilization_widen(actor=request.user, mobilization=mobilization, to=to, request=request)
        if to == Reason.ALL_REGISTERED:
            messages.success(request, _("正在呼叫动员区域内全体报到党员，已呼叫过的不会重复呼叫。"))
        else:
            messages.success(request, _("正在呼叫相邻网格的报到党员，已呼叫过的不会重复呼叫。"))
    return redirect("web:mobilization_board", mobilization.pk)


@login_required
@require_POST
def mobilization_recall(request: HttpRequest, pk: int) -> HttpResponse:
    """再次呼叫: one member (`member` in the form) or everyone who has not answered."""
    mobilization = mobilization_get_for_user(request.user, pk)
    member = request.POST.get("member", "").strip()
    if member and not member.isdigit():
        messages.error(request, _("没有找到要再次呼叫的党员。"))
        return redirect("web:mobilization_board", mobilization.pk)
    with refusals_as_messages(request):
        count = services.mobilization_recall(
            actor=request.user, mobilization=mobilization, member_ids=[int(member)] if member else None
        )
        if count:
            messages.success(request, _("已再次呼叫 %(n)d 人。") % {"n": count})
        else:
            messages.info(
                request, _("没有需要再次呼叫的党员：都已响应，或在 3 分钟内刚刚呼叫过（避免重复打扰）。")
            )
    return redirect("web:mobilization_board", mobilization.pk)


@login_required
@require_POST
def mobilization_stand_down(request: HttpRequest, pk: int) -> HttpResponse:
    """解除应急, once the box is ticked: open shifts end now and their hours are credited."""
    mobilization = mobilization_get_for_user(request.user, pk)
    form = StandDownForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请勾选确认后再解除应急。"))
        return redirect("web:mobilization_board", mobilization.pk)
    with refusals_as_messages(request):
        done = services.mobilization_stand_down(
            actor=request.user, mobilization=mobilization, request=request
        )
        messages.success(
            request,
            _("应急已解除。%(n)d 个在岗班次已结算，值守时长记入服务台账。") % {"n": done.shifts_closed},
        )
        if done.shifts_pending:
            messages.info(
                request,
                _("另有 %(n)d 个在岗班次正在后台按解除时间结算。") % {"n": done.shifts_pending},
            )
    return redirect("web:mobilization_board", mobilization.pk)
