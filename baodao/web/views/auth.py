"""Signing in and out, and the landing page that leads each person to its workspaces."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baodao.accounts.lockout import lockout_message
from baodao.accounts.services import LockedOut, sign_in
from baodao.lib.errors import Invalid

from ..forms import LoginForm
from ..workspaces import workspaces_for


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("web:home")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    ctx = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request=request, **form.cleaned_data)
        except LockedOut:
            return render(
                request, "web/login.html", {**ctx, "error": lockout_message(), "locked": True}, status=429
            )
        except Invalid as exc:
            ctx["error"] = exc.detail
        else:
            login(request, user)
            return redirect(_next_url(request))
    return render(request, "web/login.html", ctx)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("您已安全退出。"))
    return redirect("web:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The workspace list, or straight to the only workspace."""
    spaces = workspaces_for(request.user)
    if len(spaces) == 1:
        return redirect(spaces[0].url)
    return render(request, "web/home.html", {"spaces": spaces})
