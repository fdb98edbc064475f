"""The community's pages: 报到 to confirm or reject, its registered members, its co-building units; and the
grid worker's list of the members living in its grid."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.members.selectors import members_filter, members_visible_to
from baodao.org.models import Level, Region
from baodao.org.selectors import regions_administered_by, regions_visible_to
from baodao.registration import services
from baodao.registration.models import Status
from baodao.registration.selectors import (
    members_with_status,
    registration_get_for_user,
    registrations_visible_to,
    unit_registration_get_for_user,
    unit_registrations_visible_to,
)

from ..forms import Form, MemberFilterForm, MemberStatusFilterForm, RegistrationFilterForm
from .common import paginate, refusals_as_messages

#: Pending first (they wait for someone), then the newest.
PENDING_FIRST = (
    Case(When(status=Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()),
    "-applied_at",
    "-id",
)


def _region_for_user(request: HttpRequest, code: str, level: str) -> Region:
    """A community or grid inside the caller's administered subtrees, or 404."""
    try:
        return regions_administered_by(request.user).select_related("parent").get(code=code, level=level)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该社区或网格。")) from None


def _status_filter(request: HttpRequest, form_class: type[Form]) -> tuple[Form, str]:
    form = form_class(request.GET or None)
    return form, form.cleaned_data["status"] if form.is_valid() else ""


@login_required
def community_registrations(request: HttpRequest, code: str) -> HttpResponse:
    community = _region_for_user(request, code, Level.COMMUNITY)
    form, status = _status_filter(request, RegistrationFilterForm)
    qs = registrations_visible_to(request.user).filter(community=community).order_by(*PENDING_FIRST)
    page = paginate(request, qs.filter(status=status) if status else qs)
    can_decide = scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN)
    return render(
        request,
        "web/community_registrations.html",
        {
            "community": community,
            "page": page,
            "form": form,
            "can_decide": can_decide,
            "tab": "registrations",
        },
    )


@login_required
@require_POST
def registration_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        services.registration_confirm(actor=request.user, registration=registration, request=request)
        messages.success(
            request,
            _("已确认%(name)s的报到，回执编号 %(receipt_no)s。")
            % {"name": registration.member.name, "receipt_no": registration.receipt_no},
        )
    return redirect("web:community_registrations", registration.community.code)


@login_required
@require_POST
def registration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        services.registration_reject(
            actor=request.user,
            registration=registration,
            reason=request.POST.get("reason", ""),
            request=request,
        )
        messages.success(
            request, _("已驳回%(name)s的报到申请，党员将看到驳回原因。") % {"name": registration.member.name}
        )
    return redirect("web:community_registrations", registration.community.code)


@login_required
def community_members(request: HttpRequest, code: str) -> HttpResponse:
    """Members registered in the community, filtered by grid, unit and skill."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    qs = members_visible_to(request.user).filter(registered_community=community)
    units = qs.order_by("unit__name").values_list("unit__code", "unit__name").distinct()
    grids = regions_visible_to(request.user).filter(parent=community).values_list("code", "name")
    form = MemberFilterForm(request.GET or None, grids=list(grids), units=list(units))
    if form.is_valid():
        qs = members_filter(qs, **{k: v for k, v in form.cleaned_data.items() if v})
    page = paginate(request, qs.order_by("user__name", "pk"))
    return render(
        request,
        "web/community_members.html",
        {"community": community, "page": page, "form": form, "tab": "members"},
    )


@login_required
def community_unit_registrations(request: HttpRequest, code: str) -> HttpResponse:
    community = _region_for_user(request, code, Level.COMMUNITY)
    form, status = _status_filter(request, RegistrationFilterForm)
    qs = unit_registrations_visible_to(request.user).filter(community=community).order_by(*PENDING_FIRST)
    page = paginate(request, qs.filter(status=status) if status else qs)
    can_decide = scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN)
    return render(
        request,
        "web/community_unit_registrations.html",
        {"community": community, "page": page, "form": form, "can_decide": can_decide, "tab": "units"},
    )


@login_required
@require_POST
def unit_registration_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    unit_registration = unit_registration_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        services.unit_registration_confirm(
            actor=request.user, unit_registration=unit_registration, request=request
        )
        messages.success(
            request,
            _("已确认%(unit)s的单位报到，回执编号 %(receipt_no)s。")
            % {"unit": unit_registration.unit.name, "receipt_no": unit_registration.receipt_no},
        )
    return redirect("web:community_unit_registrations", unit_registration.community.code)


@login_required
@require_POST
def unit_registration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    unit_registration = unit_registration_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        services.unit_registration_reject(
            actor=request.user,
            unit_registration=unit_registration,
            reason=request.POST.get("reason", ""),
            request=request,
        )
        messages.success(request, _("已驳回%(unit)s的单位报到。") % {"unit": unit_registration.unit.name})
    return redirect("web:community_unit_registrations", unit_registration.community.code)


@login_required
def grid_members(request: HttpRequest, code: str) -> HttpResponse:
    """Members living in the grid, registered or not."""
    grid = _region_for_user(request, code, Level.GRID)
    form, status = _status_filter(request, MemberStatusFilterForm)
    qs = members_with_status(members_visible_to(request.user).filter(grid=grid), status=status or None)
    page = paginate(request, qs.order_by("user__name", "pk"))
    return render(request, "web/grid_members.html", {"grid": grid, "page": page, "form": form})
