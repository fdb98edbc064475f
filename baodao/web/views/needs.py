"""Pages of the 三单制 for members, residents, grid workers and unit admins: the needs one can take, 点单 (a
resident's wish or request, or one taken down for a resident), a need's detail with its timeline and only the
actions open to the viewer, my claims, my service records, my needs, and the inbox.

Every action on a need is one POST to `need_action`, which calls the matching service and returns to the
need's page: a refusal (400/409) comes back as a message, a 403 as the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import BooleanField, Case, F, Q, Sum, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.ledger.selectors import records_of_member
from baodao.lib.errors import DomainError, Invalid
from baodao.members.models import Member, Skill
from baodao.members.selectors import members_visible_to
from baodao.needs import services
from baodao.needs.models import (
    COMMUNITY_KINDS,
    FINAL_STATUSES,
    HOLDING_STATUSES,
    LIVE_STATUSES,
    OPEN_CLAIM_STATUSES,
    RESIDENT_KINDS,
    Claim,
    ClaimStatus,
    Need,
    NeedEvent,
)
from baodao.needs.responses import photo_response
from baodao.needs.selectors import (
    NEAR_LIMIT,
    claims_of,
    need_contact_visible,
    need_get_for_user,
    need_timeline,
    needs_near_member,
    needs_visible_to,
    photo_get_for_user,
    photos_visible,
)
from baodao.notify.selectors import notices_of
from baodao.notify.services import notice_read
from baodao.org.models import Level, Region, Unit
from baodao.org.selectors import communities_administered_by, regions_administered_by, units_visible_to
from baodao.registration.models import Status as RegistrationStatus
from baodao.registration.selectors import unit_registrations_visible_to

from ..need_forms import (
    CompleteForm,
    ConfirmForm,
    NeedForm,
    NeedKindFilterForm,
    PublishForm,
    first_error,
)
from .common import paginate, refusals_as_messages

#: choices offered in the 合并 and 指派 selects (the most recent first; a community has a few hundred at most)
CHOICES_LIMIT = 300
SKILL_LABELS = dict(Skill.choices)


# ---- who is looking -------------------------------------------------------------------------------------


def _member(request: HttpRequest) -> Member | None:
    member_id = scope_for(request.user).member_id
    return members_visible_to(request.user).filter(pk=member_id).first() if member_id else None


def _admin_units(request: HttpRequest) -> list[Unit]:
    """The units the caller administers as their party organisation (unit admin)."""
    ids = scope_for(request.user).units(Role.UNIT_ADMIN)
    return list(units_visible_to(request.user).filter(pk__in=ids).order_by("name")) if ids else []


def _co_building(request: HttpRequest, units: list[Unit]) -> dict[int, list[Unit]]:
    """community id -> the caller's units with a confirmed 单位报到 there."""
    by_pk = {u.pk: u for u in units}
    rows = unit_registrations_visible_to(request.user).filter(
        unit__in=units, status=RegistrationStatus.CONFIRMED
    )
    result: dict[int, list[Unit]] = {}
    for community_id, unit_id in rows.values_list("community_id", "unit_id").distinct():
        result.setdefault(community_id, []).append(by_pk[unit_id])
    return result


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _pk(value: Any) -> int:
    """A primary key from the form; 0 (which matches nothing) when it is not a number."""
    return _int(value) or 0


# ---- how a need reads -------------------------------------------------------------------------------


def _skills(codes: list[str], mine: Collection[str]) -> list[dict[str, Any]]:
    return [{"label": SKILL_LABELS.get(code, code), "match": code in mine} for code in codes or []]


@dataclass(frozen=True)
class NeedCard:
    """A need as a list shows it."""

    need: Need
    overdue: bool
    skill_tags: list[dict[str, Any]]
    in_my_grid: bool = False
    #: the caller's units that may still take it on (a unit admin's list)
    claim_units: list[Unit] = field(default_factory=list)


def _cards(
    needs: Iterable[Need],
    *,
    skills: Collection[str] = (),
    grid_id: int | None = None,
    units: Callable[[Need], list[Unit]] | None = None,
) -> list[NeedCard]:
    now = timezone.now()
    return [
        NeedCard(
            need=need,
            overdue=need.is_overdue(now),
            skill_tags=_skills(need.skills, skills),
            in_my_grid=grid_id is not None and need.grid_id == grid_id,
            claim_units=units(need) if units else [],
        )
        for need in needs
    ]


# ---- 身边需求 / 共建需求 --------------------------------------------------------------------------------


@login_required
def needs_near(request: HttpRequest) -> HttpResponse:
    """A member: what it can take on in the community it is registered in (its grid and its skills first).
    A unit admin: the open needs of the communities its units co-build with, to take on as a unit."""
    member = _member(request)
    units = _admin_units(request)
    if member is None and not units:
        raise Http404(_("只有在职党员和单位党组织可以认领需求。"))
    form = NeedKindFilterForm(request.GET or None, both=member is not None and bool(units))
    kind = role = ""
    if form.is_valid():
        kind, role = form.cleaned_data["kind"], form.cleaned_data.get("role", "")
    as_unit = bool(units) and (member is None or role == "unit")
    ctx: dict[str, Any] = {"form": form, "member": member, "units": units, "as_unit": as_unit, "tab": "needs"}
    if as_unit:
        ctx["unit"] = units[0] if len(units) == 1 else None
        co_built = _co_building(request, units)
        qs = needs_visible_to(request.user).filter(
            community_id__in=list(co_built), status__in=LIVE_STATUSES, taken__lt=F("places")
        )
        if kind:
            qs = qs.filter(kind=kind)
        page = paginate(request, qs.order_by(F("resolve_by").asc(nulls_last=True), "-created_at", "-id"))
        held = set(
            claims_of(request.user)
            .filter(need__in=[n.pk for n in page], status__in=HOLDING_STATUSES, unit__isnull=False)
            .values_list("need_id", "unit_id")
        )
        ctx["cards"] = _cards(
            page,
            units=lambda n: [u for u in co_built.get(n.community_id, []) if (n.pk, u.pk) not in held],
        )
        ctx.update(page=page, co_built=bool(co_built))
    elif member is not None and member.registered_community_id:
        needs = needs_near_member(member)
        # the list ranks at most NEAR_LIMIT needs: say so when there may be more
        ctx["ranked_limit"] = NEAR_LIMIT if len(needs) >= NEAR_LIMIT else None
        if kind:
            needs = [n for n in needs if n.kind == kind]
        page = paginate(request, needs)
        ctx["page"] = page
        ctx["cards"] = _cards(page, skills=member.skills or [], grid_id=member.grid_id)
    return render(request, "web/needs_near.html", ctx)


# ---- 点单 --------------------------------------------------------------------------------------------


def _submission_setup(request: HttpRequest) -> dict[str, Any]:
    """Where and how the caller submits: for a resident of its own (its community, or the one it lives in as
    a member), or on a resident's behalf — a grid worker for its grid (`?grid=`), a community admin for its
    community (`?community=`). Anything else is not found."""
    user = request.user
    grid_code, community_code = request.GET.get("grid"), request.GET.get("community")
    if grid_code:
        grid = (
            regions_administered_by(user, Role.GRID_WORKER, Role.COMMUNITY_ADMIN)
            .select_related("parent")
            .filter(code=grid_code, level=Level.GRID)
            .first()
        )
        if grid is None or grid.parent is None:
            raise Http404(_("没有找到该网格。"))
        return {"communities": [grid.parent], "grids": [], "fixed_grid": grid, "on_behalf": True}
    if community_code:
        community = communities_administered_by(user).filter(code=community_code).first()
        if community is None:
            raise Http404(_("没有找到该社区。"))
        return {"communities": [community], "grids": _grids(community), "on_behalf": True}
    own = list(regions_administered_by(user, Role.RESIDENT).filter(level=Level.COMMUNITY).order_by("path"))
    member = _member(request)
    if member is not None and member.community is not None and member.community not in own:
        own.append(member.community)
    if own:
        grids = [g for c in own for g in _grids(c)]
        return {"communities": own, "grids": grids, "on_behalf": False}
    # a grid worker or community admin opening the page without saying where: its first grid or community
    grid = regions_administered_by(user, Role.GRID_WORKER).filter(level=Level.GRID).order_by("path").first()
    if grid is not None and grid.parent is not None:
        return {"communities": [grid.parent], "grids": [], "fixed_grid": grid, "on_behalf": True}
    community = communities_administered_by(user).order_by("path").first()
    if community is not None:
        return {"communities": [community], "grids": _grids(community), "on_behalf": True}
    raise Http404(_("只有社区居民（或为居民代办的网格员、社区管理员）可以提交微心愿和诉求。"))


def _grids(community: Region) -> list[Region]:
    return list(Region.objects.filter(parent=community, level=Level.GRID).order_by("path"))


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest) -> HttpResponse:
    setup = _submission_setup(request)
    # a resident's own need: the phone it signed in with, unless it gives another
    initial = {} if setup["on_behalf"] else {"contact_phone": getattr(request.user, "phone", "")}
    form = NeedForm(request.POST or None, request.FILES or None, initial=initial, **setup)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                need = services.need_submit(actor=request.user, **form.submission())
                for content in form.photo_contents():
                    services.need_photo_add(actor=request.user, need=need, content=content)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("已提交“%(title)s”，社区审核后会发布，进展会在消息中告诉您。") % {"title": need.title},
            )
            return redirect("web:need_detail", need.pk)
    return render(request, "web/need_new.html", {"form": form, **setup})


# ---- a need, and what the viewer may do with it ----------------------------------------------------------


def _viewer_claims(request: HttpRequest, claims: list[Claim]) -> list[Claim]:
    """The viewer's own claims holding a place: its member's, and its units'."""
    scope = scope_for(request.user)
    units = scope.units(Role.UNIT_ADMIN)
    return [
        c
        for c in claims
        if c.status in HOLDING_STATUSES
        and ((c.member_id and c.member_id == scope.member_id) or (c.unit_id and c.unit_id in units))
    ]


def _claim_choices(request: HttpRequest, need: Need, mine: list[Claim]) -> dict[str, Any]:
    """Whom the viewer may claim for, once the need takes its claim: itself, and the units it runs that
    co-build with the community and hold no place yet."""
    member = _member(request)
    units = _admin_units(request)
    held_units = {c.unit_id for c in mine}
    return {
        "member": member,
        "can_claim": member is not None
        and member.registered_community_id == need.community_id
        and not any(c.member_id == member.pk for c in mine),
        "claim_units": [
            u for u in _co_building(request, units).get(need.community_id, []) if u.pk not in held_units
        ]
        if units
        else [],
    }


def _merge_choices(request: HttpRequest, need: Need) -> list[Need]:
    """The community's other needs a duplicate may go into: not yet ended."""
    return list(
        needs_visible_to(request.user)
        .filter(community=need.community_id)
        .exclude(pk=need.pk)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("-created_at", "-id")[:CHOICES_LIMIT]
    )


def _assign_choices(request: HttpRequest, need: Need, claims: list[Claim]) -> dict[str, Any]:
    """The registered members and co-building units the community may hand the need to (none holding a
    place on it already)."""
    holding = [c for c in claims if c.status in HOLDING_STATUSES]
    return {
        "assign_members": list(
            members_visible_to(request.user)
            .filter(registered_community=need.community_id)
            .exclude(pk__in=[c.member_id for c in holding if c.member_id])
            .order_by("user__name", "pk")[:CHOICES_LIMIT]
        ),
        "assign_units": list(
            units_visible_to(request.user)
            .filter(
                pk__in=unit_registrations_visible_to(request.user)
                .filter(community=need.community_id, status=RegistrationStatus.CONFIRMED)
                .values("unit_id")
            )
            .exclude(pk__in=[c.unit_id for c in holding if c.unit_id])
            .order_by("name")
        ),
    }


def _detail_context(request: HttpRequest, need: Need) -> dict[str, Any]:
    """The need as the viewer may see it, and the forms of exactly the actions `need_actions_for` allows it
    (with the choices they offer)."""
    actions = services.need_actions_for(request.user, need)
    claims = list(need.claims.select_related("member__user", "unit").order_by("claimed_at", "id"))
    mine = _viewer_claims(request, claims)
    contact_visible = need_contact_visible(request.user, need)
    timeline = need_timeline(request.user, need, contact_visible=contact_visible)
    terminated = next((e for e in reversed(timeline) if e.kind == NeedEvent.Kind.TERMINATED), None)
    see_photos = photos_visible(request.user, need, contact_visible=contact_visible)
    now = timezone.now()
    overdue = need.is_overdue(now)
    ctx: dict[str, Any] = {
        "need": need,
        "actions": actions,
        "claims": claims,
        "timeline": timeline,
        "termination": terminated,
        "photos_visible": see_photos,
        "photos": list(need.photos.defer("data")) if see_photos else [],
        "is_overdue": overdue,
        "respond_late": overdue and need.respond_by is not None and need.respond_by <= now,
        "resolve_late": overdue and need.resolve_by is not None and need.resolve_by <= now,
        "contact_visible": contact_visible,
        "for_resident": need.kind in RESIDENT_KINDS,
    }
    member: Member | None = None
    if "claim" in actions:
        ctx.update(_claim_choices(request, need, mine))
        member = ctx["member"]
    ctx["skill_tags"] = _skills(need.skills, set(member.skills or []) if member else set())
    if "complete" in actions:
        ctx["active_claim"] = next((c for c in mine if c.status == ClaimStatus.ACTIVE), None)
        ctx["complete_form"] = CompleteForm(auto_id="complete-%s")
    if "confirm" in actions:
        # the community confirming its own service or task may set the hours it vouches for
        with_hours = need.kind in COMMUNITY_KINDS
        ctx["confirm_forms"] = [
            (
                c,
                ConfirmForm(
                    initial={"claim": c.pk, "hours": c.hours},
                    with_hours=with_hours,
                    auto_id=f"confirm-{c.pk}-%s",
                ),
            )
            for c in claims
            if c.status == ClaimStatus.COMPLETED
        ]
    if "publish" in actions:
        ctx["publish_form"] = PublishForm(
            initial={"places": need.places, "skills": need.skills, "due_at": need.due_at},
            auto_id="publish-%s",
        )
    if "merge" in actions:
        ctx["merge_choices"] = _merge_choices(request, need)
    if "assign" in actions:
        ctx.update(_assign_choices(request, need, claims))
    return ctx


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get_for_user(request.user, pk)
    return render(request, "web/need_detail.html", _detail_context(request, need))


@login_required
@require_GET
def need_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    """A photo's bytes, for whoever may see the need's photos. Kept out of shared caches."""
    return photo_response(photo_get_for_user(request.user, pk, photo_pk))


# ---- the actions ---------------------------------------------------------------------------------------


def _claim(request: HttpRequest, need: Need) -> str:
    unit_id = request.POST.get("unit")
    unit = None
    if unit_id:
        units = scope_for(request.user).units(Role.UNIT_ADMIN)
        unit = units_visible_to(request.user).filter(pk__in=units).filter(pk=_pk(unit_id)).first()
        if unit is None:
            raise Http404(_("没有找到该单位。"))
    claim = services.need_claim(actor=request.user, need=need, unit=unit)
    when = timezone.localtime(claim.lapses_at).strftime("%Y-%m-%d") if claim.lapses_at else ""
    who = unit.name if unit is not None else _("您")
    message = _("%(who)s已认领“%(title)s”。") % {"who": who, "title": need.title}
    if when:
        message += _("请在 %(when)s 前办结并报告，逾期名额将重新开放。") % {"when": when}
    return message


def _withdraw(request: HttpRequest, need: Need) -> str:
    services.need_withdraw(actor=request.user, need=need, reason=request.POST.get("reason", ""))
    return _("已退出认领，名额已重新开放。")


def _complete(request: HttpRequest, need: Need) -> str:
    form = CompleteForm(request.POST, request.FILES)
    if not form.is_valid():
        raise Invalid(first_error(form))
    with transaction.atomic():
        services.need_complete(
            actor=request.user, need=need, note=form.cleaned_data["note"], hours=form.cleaned_data["hours"]
        )
        for content in form.photo_contents():
            services.need_photo_add(actor=request.user, need=need, content=content)
    return _("已报告办结，等待服务对象确认。确认后记入服务台账。")


def _confirm(request: HttpRequest, need: Need) -> str:
    form = ConfirmForm(request.POST, with_hours=need.kind in COMMUNITY_KINDS)
    if not form.is_valid():
        raise Invalid(first_error(form))
    services.need_confirm(
        actor=request.user,
        need=need,
        rating=form.cleaned_data["rating"],
        comment=form.cleaned_data["comment"],
        claim_id=form.cleaned_data["claim"],
        hours=form.cleaned_data.get("hours"),
        request=request,
    )
    return _("已确认办结并评价，谢谢您！服务已记入服务台账。")


def _dispute(request: HttpRequest, need: Need) -> str:
    services.need_dispute(
        actor=request.user,
        need=need,
        reason=request.POST.get("reason", ""),
        claim_id=_int(request.POST.get("claim")),
    )
    return _("已提出异议，社区会跟进处理。")


def _publish(request: HttpRequest, need: Need) -> str:
    form = PublishForm(request.POST)
    if not form.is_valid():
        raise Invalid(first_error(form))
    services.need_publish(
        actor=request.user,
        need=need,
        places=form.cleaned_data["places"],
        skills=form.cleaned_data["skills"],
        due_at=form.cleaned_data["due_at"],
    )
    return _("已审核通过并发布，党员和共建单位现在可以认领。")


def _decline(request: HttpRequest, need: Need) -> str:
    services.need_decline(
        actor=request.user, need=need, reason=request.POST.get("reason", ""), request=request
    )
    return _("已不予受理，提交人将看到原因。")


def _merge(request: HttpRequest, need: Need) -> str:
    into = needs_visible_to(request.user).filter(pk=_pk(request.POST.get("into"))).first()
    if into is None:
        raise Invalid(_("请选择要合并到的需求。"))
    services.need_merge(actor=request.user, need=need, into=into)
    return _("已合并到“%(title)s”。") % {"title": into.title}


def _assign(request: HttpRequest, need: Need) -> str:
    kind, _sep, pk = (request.POST.get("assignee") or "").partition(":")
    member = members_visible_to(request.user).filter(pk=_pk(pk)).first() if kind == "member" else None
    unit = units_visible_to(request.user).filter(pk=_pk(pk)).first() if kind == "unit" else None
    if member is None and unit is None:
        raise Invalid(_("请选择要指派的党员或单位。"))
    claim = services.need_assign(actor=request.user, need=need, member=member, unit=unit, request=request)
    name = claim.member.name if claim.member is not None else claim.unit.name if claim.unit else ""
    return _("已指派给 %(name)s。") % {"name": name}


def _reopen(request: HttpRequest, need: Need) -> str:
    services.need_reopen(actor=request.user, need=need, note=request.POST.get("note", ""))
    return _("已退回重办，认领人会收到通知。")


def _close(request: HttpRequest, need: Need) -> str:
    """The community's own need is closed; a resident's is terminated (终止办理), with a reason it sees."""
    need = services.need_close(actor=request.user, need=need, reason=request.POST.get("reason", ""))
    if need.kind in RESIDENT_KINDS:
        return _("已终止办理，服务对象会看到原因。")
    return _("需求已关闭。")


ACTIONS: dict[str, Callable[[HttpRequest, Need], str]] = {
    "claim": _claim,
    "withdraw": _withdraw,
    "complete": _complete,
    "confirm": _confirm,
    "dispute": _dispute,
    "publish": _publish,
    "decline": _decline,
    "merge": _merge,
    "assign": _assign,
    "reopen": _reopen,
    "close": _close,
}


@login_required
@require_POST
def need_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step on a need (the `action` names the service); back to the need's page with the outcome."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404(_("没有这项操作。"))
    need = need_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        messages.success(request, handler(request, need))
    return redirect("web:need_detail", need.pk)


# ---- mine -------------------------------------------------------------------------------------------


@login_required
def my_claims(request: HttpRequest) -> HttpResponse:
    """The member's claims, and those of the units the caller administers: open ones first, then the rest."""
    scope = scope_for(request.user)
    units = _admin_units(request)
    if scope.member_id is None and not units:
        raise Http404(_("只有在职党员和单位党组织有认领记录。"))
    is_open = Case(
        When(status__in=OPEN_CLAIM_STATUSES, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    qs = claims_of(request.user).annotate(is_open=is_open).order_by("-is_open", "-claimed_at", "-id")
    page = paginate(request, qs)
    claims = list(page)
    return render(
        request,
        "web/my_claims.html",
        {
            "page": page,
            "open_claims": [c for c in claims if c.is_open],
            "finished_claims": [c for c in claims if not c.is_open],
            "is_member": scope.member_id is not None,
            "unit": units[0] if len(units) == 1 else None,
            "tab": "claims",
        },
    )


def _period_starts(now: datetime) -> tuple[datetime, datetime]:
    """The start of this quarter and of this year, in the site's time zone."""
    local = timezone.localtime(now)
    year = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    quarter = year.replace(month=(local.month - 1) // 3 * 3 + 1)
    return quarter, year


@login_required
def my_records(request: HttpRequest) -> HttpResponse:
    """服务记录: the ledger rows about the member, with its hours this quarter and this year (reversals
    netted: a reversing row carries the negated hours and the date of the service it cancels)."""
    member_id = scope_for(request.user).member_id
    if member_id is None:
        raise Http404(_("您还没有党员档案。"))
    rows = records_of_member(member_id)
    quarter, year = _period_starts(timezone.now())
    totals = rows.aggregate(
        quarter=Sum("hours", filter=Q(served_at__gte=quarter)),
        year=Sum("hours", filter=Q(served_at__gte=year)),
        all=Sum("hours"),
    )
    page = paginate(
        request, rows.select_related("reverses", "reversed_by").order_by("-served_at", "-created_at", "-id")
    )
    zero = Decimal("0.0")
    return render(
        request,
        "web/my_records.html",
        {
            "page": page,
            "quarter_hours": totals["quarter"] or zero,
            "year_hours": totals["year"] or zero,
            "all_hours": totals["all"] or zero,
            "quarter_start": quarter,
            "year_start": year,
            "tab": "records",
        },
    )


def _home_communities(request: HttpRequest) -> list[Region]:
    """The communities the caller submits for as a resident: its resident grants, and where it lives."""
    own = list(regions_administered_by(request.user, Role.RESIDENT).filter(level=Level.COMMUNITY))
    member = _member(request)
    if member is not None and member.community is not None and member.community not in own:
        own.append(member.community)
    return own


@login_required
def my_needs(request: HttpRequest) -> HttpResponse:
    """The wishes and requests the caller submitted (for itself, or on a resident's behalf)."""
    user = request.user
    qs = needs_visible_to(user).filter(
        Q(requester=user.pk) | Q(submitted_by=user.pk), kind__in=RESIDENT_KINDS
    )
    page = paginate(request, qs.order_by("-created_at", "-id"))
    return render(
        request,
        "web/my_needs.html",
        {"page": page, "cards": _cards(page), "communities": _home_communities(request)},
    )


# ---- inbox ----------------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """站内消息: the person's notices, newest first."""
    notices = notices_of(request.user).order_by("-created_at", "-id")
    page = paginate(request, notices)
    return render(request, "web/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one notice read (`notice` in the form), or all of them."""
    notice = request.POST.get("notice")
    if notice:
        notice_id = _int(notice)
        if notice_id is None:
            raise Http404
        notice_read(user=request.user, notice_id=notice_id)
    else:
        count = notice_read(user=request.user)
        messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return redirect("web:inbox")
