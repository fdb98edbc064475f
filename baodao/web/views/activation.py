"""First sign-in: the activation page (anyone), asking for a code by SMS, and the admins' pages that issue
codes to members without a password and print them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from baodao.activation.selectors import members_awaiting_activation
from baodao.activation.services import (
    SHEET_MAX,
    ActivationLocked,
    IssuedCode,
    Throttled,
    account_activate,
    activation_code_request,
    activation_codes_issue,
    requested_message,
    ttl_hours,
)
from baodao.lib.errors import DomainError, Invalid
from baodao.lib.idnumber import mask_phone
from baodao.lib.urls import public_url
from baodao.members.models import Member
from baodao.org.models import Level

from ..activation_forms import ActivateForm, CodeRequestForm
from .common import paginate
from .community import _region_for_user
from .unit import _unit_for_admin

# ---- the person ----------------------------------------------------------------------------------------


def _activate_page(
    request: HttpRequest,
    *,
    form: ActivateForm,
    request_form: CodeRequestForm,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    ctx = {"form": form, "request_form": request_form, "ttl_hours": ttl_hours(), **extra}
    return render(request, "web/activate.html", ctx, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """Phone, code and a new password: the account gets its first password and the person is signed in."""
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_activate(
                request=request, phone=data["phone"], code=data["code"], password=data["password"]
            )
        except ActivationLocked as exc:
            return _activate_page(
                request, form=form, request_form=CodeRequestForm(), status=429, error=str(exc), locked=True
            )
        except Invalid as exc:
            if exc.code == "bad_code":
                return _activate_page(request, form=form, request_form=CodeRequestForm(), error=exc.detail)
            form.add_domain_error(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("密码已设置，欢迎使用。以后请用手机号和新密码登录。"))
            return redirect("web:home")
    return _activate_page(request, form=form, request_form=CodeRequestForm())


@never_cache
@require_POST
def activation_request(request: HttpRequest) -> HttpResponse:
    """Ask for a code by SMS. The page answers the same whether or not the number has an account."""
    request_form = CodeRequestForm(request.POST)
    form = ActivateForm(initial={"phone": request.POST.get(request_form.add_prefix("phone"), "")})
    if request_form.is_valid():
        try:
            activation_code_request(phone=request_form.cleaned_data["phone"], request=request)
        except Throttled as exc:
            return _activate_page(
                request, form=form, request_form=request_form, status=429, notice_wait=str(exc)
            )
        except Invalid as exc:
            request_form.add_domain_error(exc)
        else:
            return _activate_page(request, form=form, request_form=request_form, notice=requested_message())
    return _activate_page(request, form=form, request_form=request_form)


# ---- admins: issuing codes ------------------------------------------------------------------------------


def _without_live_code(members: QuerySet[Member]) -> QuerySet[Member]:
    return members.filter(Q(code_expires_at__isnull=True) | Q(code_expires_at__lte=timezone.now()))


def _issue_page(request: HttpRequest, members: QuerySet[Member], place: dict[str, Any]) -> HttpResponse:
    """The list of members without a password, and on POST the printed sheet of fresh codes for the chosen
    ones (shown once, never stored: the response must not be cached)."""
    members = members.order_by("user__name", "pk")
    if request.method == "POST":
        if request.POST.get("scope") == "all":
            chosen = list(_without_live_code(members)[:SHEET_MAX])
        else:
            ids = [int(v) for v in request.POST.getlist("member") if v.isdigit()]
            chosen = list(members.filter(pk__in=ids))
        try:
            issued = activation_codes_issue(actor=request.user, members=chosen, request=request)
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect(request.path)
        return _sheet(request, issued, place)
    ctx = {
        **place,
        "page": paginate(request, members),
        "waiting": _without_live_code(members).count(),
        "sheet_max": SHEET_MAX,
        "ttl_hours": ttl_hours(),
        "now": timezone.now(),
    }
    return render(request, "web/activation_codes.html", ctx)


def _sheet(request: HttpRequest, issued: list[IssuedCode], place: dict[str, Any]) -> HttpResponse:
    rows = [
        {"name": i.user.name, "phone": mask_phone(i.user.phone), "code": i.code, "expires_at": i.expires_at}
        for i in issued
    ]
    ctx = {**place, "rows": rows, "activate_url": public_url(request, reverse("web:activate"))}
    return render(request, "web/activation_sheet.html", ctx)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def unit_activation_codes(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_for_admin(request, code)
    members = members_awaiting_activation(request.user).filter(unit=unit, on_roster=True)
    place = {"unit": unit, "place_name": unit.name, "tab": "activation"}
    return _issue_page(request, members, place)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def community_activation_codes(request: HttpRequest, code: str) -> HttpResponse:
    community = _region_for_user(request, code, Level.COMMUNITY)
    members = members_awaiting_activation(request.user).filter(
        Q(community=community) | Q(registered_community=community)
    )
    place = {"community": community, "place_name": community.name, "tab": "activation"}
    return _issue_page(request, members, place)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def grid_activation_codes(request: HttpRequest, code: str) -> HttpResponse:
    grid = _region_for_user(request, code, Level.GRID)
    members = members_awaiting_activation(request.user).filter(grid=grid)
    return _issue_page(request, members, {"grid": grid, "place_name": grid.name})
