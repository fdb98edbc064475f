"""The member's own pages: its 报到 status and history, applying or moving, withdrawing, its profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baodao.accounts.scope import scope_for, under
from baodao.lib.errors import DomainError
from baodao.members.models import DayPart, Member, Skill
from baodao.members.selectors import member_get_for_user
from baodao.members.services import member_update_profile
from baodao.members.vocabulary import availability_labels
from baodao.org.models import Level, Region
from baodao.org.selectors import regions_visible_to
from baodao.registration.models import ACTIVE_STATUSES, Registration, Status
from baodao.registration.selectors import registrations_visible_to
from baodao.registration.services import registration_apply, registration_end, registration_transfer

from ..forms import ProfileForm, ReasonForm, ResidenceForm, TransferForm

HISTORY_LIMIT = 20


def _my_member(request: HttpRequest) -> Member:
    member_id = scope_for(request.user).member_id
    if member_id is None:
        raise Http404(_("您还没有党员档案，请联系本单位党组织。"))
    return member_get_for_user(request.user, member_id)


def _active_registration(request: HttpRequest, member: Member) -> Registration | None:
    return registrations_visible_to(request.user).filter(member=member, status__in=ACTIVE_STATUSES).first()


def _residence_choices(request: HttpRequest, member: Member) -> dict[str, list[Region]]:
    """Communities and grids of the member's district (its unit's, and where it lives now)."""
    homes = [member.unit.region, *([member.community] if member.community else [])]
    regions = regions_visible_to(request.user).filter(
        under("path", tuple({f"{r.district_code}/" for r in homes}))
    )
    return {
        "communities": list(regions.filter(level=Level.COMMUNITY).order_by("path")),
        "grids": list(regions.filter(level=Level.GRID).order_by("path")),
    }


@login_required
def me(request: HttpRequest) -> HttpResponse:
    member = _my_member(request)
    history = list(
        registrations_visible_to(request.user)
        .filter(member=member)
        .prefetch_related("events")[:HISTORY_LIMIT]
    )
    ctx: dict[str, Any] = {
        "member": member,
        "history": history,
        "latest": history[0] if history else None,
        "availability": availability_labels(member.availability),
        "preference_labels": [Skill(p).label for p in member.preferences if p in Skill.values],
        "end_form": ReasonForm(),
    }
    return render(request, "web/me.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def me_apply(request: HttpRequest) -> HttpResponse:
    """Apply to the community the member lives in; with an active registration, move (transfer) instead."""
    member = _my_member(request)
    active = _active_registration(request, member)
    initial = {"community": getattr(member.community, "code", ""), "grid": getattr(member.grid, "code", "")}
    form_class = TransferForm if active else ResidenceForm
    form = form_class(
        request.POST or None,
        initial={**initial, "address": member.address},
        **_residence_choices(request, member),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, TransferForm):
                registration_transfer(member=member, reason=form.cleaned_data["reason"], **form.residence())
            else:
                registration_apply(member=member, **form.residence())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("报到申请已提交，请等待社区确认。"))
            return redirect("web:me")
    return render(request, "web/me_apply.html", {"form": form, "active": active})


@login_required
@require_http_methods(["GET", "POST"])
def me_end(request: HttpRequest) -> HttpResponse:
    """Withdraw a pending application, or end a confirmed registration, with a reason."""
    member = _my_member(request)
    active = _active_registration(request, member)
    if active is None:
        messages.info(request, _("您目前没有进行中的报到。"))
        return redirect("web:me")
    was_pending = active.status == Status.PENDING
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration_end(
                actor=request.user, registration=active, reason=form.cleaned_data["reason"], request=request
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已撤回报到申请。") if was_pending else _("已结束在该社区的报到。"))
            return redirect("web:me")
    return render(request, "web/me_end.html", {"form": form, "active": active, "was_pending": was_pending})


@login_required
@require_http_methods(["GET", "POST"])
def me_profile(request: HttpRequest) -> HttpResponse:
    member = _my_member(request)
    initial = {
        "skills": member.skills,
        "tags": _("，").join(member.tags),
        "preferences": member.preferences,
        "availability": member.availability,
        "pledge": member.pledge,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member_update_profile(member=member, **form.changes())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("个人档案已保存。"))
            return redirect("web:me")
    return render(request, "web/me_profile.html", {"form": form, "day_parts": DayPart.labels})
