"""Pages of the 三单制 for the community (its classified ledger, vetting queue, own service and task items and
service records), for grid workers, for streets and districts (on-time rates and escalations), and the
community's public board. A need's actions are on its own page (`web:need_detail`); these pages find needs
and link there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.ledger import services as ledger_services
from baodao.ledger.models import ServiceRecord
from baodao.ledger.selectors import record_get_for_user, records_visible_to
from baodao.lib.errors import DomainError, Forbidden
from baodao.lib.numbers import hours_text
from baodao.needs.models import COMMUNITY_KINDS, FINAL_STATUSES, Escalation, Status
from baodao.needs.selectors import (
    NeedStats,
    counts_by_status,
    local_midnight,
    need_stats_by_community,
    needs_filter,
    needs_visible_to,
    overdue_q,
    public_board,
)
from baodao.needs.services import need_submit
from baodao.org.models import Level, Region
from baodao.org.selectors import region_get, regions_visible_to
from baodao.registration.selectors import regions_for_coverage

from ..need_admin_forms import CommunityNeedForm, NeedFilterForm, PeriodForm
from .common import PER_PAGE, forbidden, paginate, refusals_as_messages
from .community import _region_for_user
from .exports import _check_community, _export, _page_filters

#: Open needs first (they wait for someone), the finished ones after.
OPEN_FIRST = Case(
    When(status__in=FINAL_STATUSES, then=Value(1)), default=Value(0), output_field=IntegerField()
)


@dataclass(frozen=True)
class Listing:
    """A second paginated list on a page: its page and the links to the pages beside it (the first list
    uses `?page=` and the shared pager)."""

    page: Page
    previous_url: str
    next_url: str


def _listing(request: HttpRequest, items: Any, param: str) -> Listing:
    page = Paginator(items, PER_PAGE).get_page(request.GET.get(param))
    query = request.GET.copy()

    def link(number: int) -> str:
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return Listing(
        page,
        link(page.previous_page_number()) if page.has_previous() else "",
        link(page.next_page_number()) if page.has_next() else "",
    )


def _grids_of(request: HttpRequest, community: Region) -> list[Region]:
    return list(regions_visible_to(request.user).filter(parent=community, level=Level.GRID).order_by("path"))


# ---- the community: 分类台账, export, vetting, its own needs ---------------------------------------------


@login_required
def community_needs(request: HttpRequest, code: str) -> HttpResponse:
    """分类台账: the community's needs with the ledger's filters and the counts per status (the status filter
    aside, so that each figure says how many a click on it will show)."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    grids = _grids_of(request, community)
    form = NeedFilterForm(request.GET or None, grids=[(g.code, g.name) for g in grids])
    filters = form.filters()
    status = filters.pop("status", "")
    needs = needs_filter(needs_visible_to(request.user).filter(community=community), **filters)
    counts = counts_by_status(needs)
    page = paginate(
        request, (needs.filter(status=status) if status else needs).order_by("-created_at", "-id")
    )
    return render(
        request,
        "web/community_needs.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "counts": [(value, label, counts[value]) for value, label in Status.choices],
            "status": status,
            "can_create": scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN),
            "tab": "needs",
        },
    )


@login_required
def community_needs_export(request: HttpRequest, code: str) -> HttpResponseBase:
    _check_community(request, code)
    names = ("kind", "category", "status", "grid", "since", "until", "overdue")
    return _export(request, "needs", {"community": code, **_page_filters(request, *names)})


@login_required
def community_needs_vetting(request: HttpRequest, code: str) -> HttpResponse:
    """The queue: needs waiting to be vetted (oldest first, with their time to answer), and needs waiting for
    the community's decision — disputed fulfilments, and fulfilments the community itself confirms (its own
    service and task items, and residents' needs taken down for someone without an account)."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    needs = needs_filter(needs_visible_to(request.user).filter(community=community))
    submitted = needs.filter(status=Status.SUBMITTED).order_by("created_at", "id")
    awaiting = needs.filter(
        Q(status=Status.DISPUTED)
        | Q(status=Status.COMPLETED) & (Q(kind__in=COMMUNITY_KINDS) | Q(requester__isnull=True))
    ).order_by("updated_at", "id")
    return render(
        request,
        "web/community_needs_vetting.html",
        {
            "community": community,
            "page": paginate(request, submitted),
            "awaiting": _listing(request, awaiting, "apage"),
            "overdue": submitted.filter(overdue_q()).count(),
            "can_decide": scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN),
            "now": timezone.now(),
            "tab": "vetting",
        },
    )


@login_required
def community_need_new(request: HttpRequest, code: str) -> HttpResponse:
    """The community's own 服务清单 or 任务清单 item, published at once or kept for later."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    if not scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN):
        raise PermissionDenied(_("服务清单和任务清单由社区管理员发布。"))
    grids = {g.code: g for g in _grids_of(request, community)}
    form = CommunityNeedForm(request.POST or None, grids=[(g.code, g.name) for g in grids.values()])
    if request.method == "POST" and form.is_valid():
        try:
            need = need_submit(actor=request.user, community=community, **form.submission(grids))
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if need.status == Status.PUBLISHED:
                messages.success(request, _("已发布“%(title)s”，党员现在可以认领。") % {"title": need.title})
            else:
                messages.success(
                    request, _("已保存“%(title)s”，发布后党员才能认领。") % {"title": need.title}
                )
            return redirect("web:need_detail", need.pk)
    return render(
        request, "web/community_need_new.html", {"community": community, "form": form, "tab": "needs"}
    )


# ---- the community's service records (服务台账) ----------------------------------------------------------


def _record_totals(records: QuerySet[ServiceRecord]) -> dict[str, Any]:
    """Net hours (reversals cancel what they reverse), and the services and members that still count."""
    standing = Q(reverses__isnull=True, reversed_by__isnull=True)
    totals = records.order_by().aggregate(
        hours=Sum("hours"),
        services=Count("id", filter=standing),
        members=Count("member", filter=standing, distinct=True),
        units=Count("unit", filter=standing & Q(member__isnull=True), distinct=True),
    )
    return {**totals, "hours": totals["hours"] or 0}


@login_required
def community_records(request: HttpRequest, code: str) -> HttpResponse:
    """The rows of the ledger for service done in the community, with a 冲销 (reversal) form on each row for
    the community's admins. Reversed rows stay, marked; nothing is edited. The period is of the days the
    service was done, as a range of times (the index on community and service time serves it)."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    form = PeriodForm(request.GET or None)
    period = form.period()
    records = records_visible_to(request.user).filter(community=community)
    if "since" in period:
        records = records.filter(served_at__gte=local_midnight(period["since"]))
    if "until" in period:
        records = records.filter(served_at__lt=local_midnight(period["until"] + timedelta(days=1)))
    page = paginate(request, records.select_related("reversed_by").order_by("-created_at", "-id"))
    return render(
        request,
        "web/community_records.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "totals": _record_totals(records),
            "can_reverse": scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN),
            "tab": "records",
        },
    )


@login_required
@require_POST
def record_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    record = record_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        ledger_services.record_reverse(
            actor=request.user, record=record, reason=request.POST.get("reason", ""), request=request
        )
        messages.success(
            request,
            _("已冲销“%(title)s”的 %(hours)s 小时服务记录。")
            % {"title": record.title, "hours": hours_text(record.hours)},
        )
    # back to the page the form was on (the records or the attendance checks), if it is one of ours
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("web:community_records", record.community.code)


# ---- the grid worker ---------------------------------------------------------------------------------


@login_required
def grid_needs(request: HttpRequest, code: str) -> HttpResponse:
    """The grid's needs: open ones first and the overdue among them on top, then the finished ones."""
    grid = _region_for_user(request, code, Level.GRID)
    needs = needs_filter(needs_visible_to(request.user).filter(grid=grid))
    late_first = Case(When(overdue_q(), then=Value(0)), default=Value(1), output_field=IntegerField())
    page = paginate(request, needs.order_by(OPEN_FIRST, late_first, "-created_at", "-id"))
    return render(request, "web/grid_needs.html", {"grid": grid, "page": page})


# ---- street and district -------------------------------------------------------------------------------


@login_required
def need_stats(request: HttpRequest, code: str) -> HttpResponse:
    """Residents' wishes and requests per community: on-time rate, average rating, backlog and overdue, worst
    first; and the overdue needs escalated to the street that are still open."""
    visible = regions_for_coverage(request.user)
    try:
        region = visible.select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该区域。")) from None
    form = PeriodForm(request.GET or None)
    period = form.period()
    rows = need_stats_by_community(
        region,
        since=local_midnight(period["since"]) if "since" in period else None,
        until=local_midnight(period["until"] + timedelta(days=1)) if "until" in period else None,
    )
    escalated = (
        needs_filter(needs_visible_to(request.user).filter(path__startswith=region.path))
        .exclude(escalation=Escalation.NONE)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("escalated_at", "id")
    )
    return render(
        request,
        "web/need_stats.html",
        {
            "region": region,
            "form": form,
            "page": paginate(request, rows),
            "total": _stats_total(rows),
            "escalated": _listing(request, escalated, "epage"),
            "streets": visible.filter(parent=region).order_by("path"),
            "up": visible.filter(pk=region.parent_id).first() if region.parent_id else None,
        },
    )


def _stats_total(rows: list[NeedStats]) -> dict[str, Any]:
    total: dict[str, Any] = {
        key: sum(getattr(r, key) for r in rows) for key in ("total", "closed", "backlog", "overdue")
    }
    on_time = sum(r.closed_on_time for r in rows)
    total["on_time_rate"] = on_time / total["closed"] if total["closed"] else None
    return total


# ---- public --------------------------------------------------------------------------------------------

#: What the public board reads of a need: nothing that names or locates a person, and none of the residents'
#: own words (descriptions, comments) — only the title, category, grid and rating.
BOARD_FIELDS = (
    "id",
    "kind",
    "category",
    "title",
    "grid__name",
    "places",
    "taken",
    "status",
    "rating",
    "created_at",
    "closed_at",
)


def community_board(request: HttpRequest, code: str) -> HttpResponse:
    """心愿公示墙, public: the community's open wishes and the fulfilled ones with their ratings — never a
    name, phone, address, description or comment."""
    community = region_get(code, level=Level.COMMUNITY)
    open_wishes, fulfilled = public_board(community)
    return render(
        request,
        "web/community_board.html",
        {
            "community": community,
            "page": paginate(request, open_wishes.select_related("grid").only(*BOARD_FIELDS)),
            "fulfilled": _listing(request, fulfilled.select_related("grid").only(*BOARD_FIELDS), "fpage"),
        },
    )
