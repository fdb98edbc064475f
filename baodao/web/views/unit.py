"""The unit's pages: its members on record and their 报到 status against the threshold; 单位报到."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baodao.accounts.scope import scope_for
from baodao.lib.errors import DomainError
from baodao.members.selectors import members_visible_to
from baodao.org.models import Level, Unit
from baodao.org.selectors import regions_visible_to, unit_get_for_user
from baodao.registration.selectors import members_with_status, unit_coverage, unit_registrations_visible_to
from baodao.registration.services import unit_registration_apply

from ..forms import MemberStatusFilterForm, UnitRegistrationForm
from .common import paginate


def _unit_for_admin(request: HttpRequest, code: str) -> Unit:
    """A unit the caller administers (its unit admin, or a street/district admin over it), or 404."""
    unit = unit_get_for_user(request.user, code)
    if not scope_for(request.user).administers_unit(unit):
        raise Http404(_("没有找到该单位。"))
    return unit


@login_required
def unit_members(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_for_admin(request, code)
    form = MemberStatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    qs = members_visible_to(request.user).filter(unit=unit, on_roster=True)
    page = paginate(request, members_with_status(qs, status=status or None).order_by("user__name", "pk"))
    return render(
        request,
        "web/unit_members.html",
        {"unit": unit, "page": page, "form": form, "coverage": unit_coverage(unit), "tab": "members"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_registrations_apply(request: HttpRequest, code: str) -> HttpResponse:
    """单位报到: the unit registers with a community of its district it co-builds with."""
    unit = _unit_for_admin(request, code)
    communities = regions_visible_to(request.user).filter(
        level=Level.COMMUNITY, path__startswith=f"{unit.region.district_code}/"
    )
    form = UnitRegistrationForm(request.POST or None, communities=list(communities.order_by("path")))
    if request.method == "POST" and form.is_valid():
        try:
            unit_registration_apply(
                actor=request.user,
                unit=unit,
                community=form.community_region(),
                commitments=form.cleaned_data["commitments"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("单位报到已提交，请等待社区确认。"))
            return redirect("web:unit_registrations_apply", unit.code)
    history = paginate(request, unit_registrations_visible_to(request.user).filter(unit=unit))
    return render(
        request,
        "web/unit_registrations.html",
        {"unit": unit, "form": form, "page": history, "tab": "unit_registrations"},
    )
