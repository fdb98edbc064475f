"""Members' pages of 战时应急: the emergencies one is called to (应急响应), an emergency with the answer
form (到岗 with when one expects to arrive, or 无法到岗 with the reason — changeable until the stand-down),
签到上岗 with the code on site (the page the QR code opens) and 签退下岗. Phone first; no script needed.

A refused answer re-renders the page with the reason and the refusal's status (400 bad input, 409 a state
that forbids it, 429 too many wrong codes); a 403 is the 403 page. The commanders' pages are in
`mobilizations_admin.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baodao.accounts.scope import scope_for
from baodao.lib.errors import DomainError, Forbidden
from baodao.lib.numbers import hours_text
from baodao.mobilizations import services
from baodao.mobilizations.models import Answer, Call, Mobilization, Shift, Status
from baodao.mobilizations.selectors import (
    areas_of,
    call_of,
    mobilization_get_for_checkin,
    mobilization_get_for_user,
    open_shift_of,
    post_needs_of,
)

from ..mobilization_forms import RespondForm, SiteCodeForm
from .common import forbidden, paginate

TEMPLATE = "web/mobilization_detail.html"


def _local_time(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%H:%M") if when else ""


def _refusal_unless_shown(ctx: dict[str, Any], name: str, form: Any) -> None:
    """A refusal for a form the page does not show now (not called, no longer on duty, stood down): its
    reason goes above the page."""
    if ctx.get(name) is None and form.errors:
        ctx["refusal"] = next(iter(form.errors.values()))[0]


def _respond_initial(call: Call) -> dict[str, Any]:
    initial: dict[str, Any] = {"answer": call.answer or None, "reason": call.no_reason}
    return initial


def _detail_context(
    request: HttpRequest,
    mobilization: Mobilization,
    *,
    respond_form: RespondForm | None = None,
    checkout_form: SiteCodeForm | None = None,
) -> dict[str, Any]:
    """The emergency as the viewer sees it, with exactly the forms open to it now."""
    call = call_of(scope_for(request.user).member_id, mobilization)
    shift = open_shift_of(call)
    active = mobilization.is_active
    if call is not None and active and respond_form is None:
        respond_form = RespondForm(initial=_respond_initial(call), auto_id="respond-%s")
    if shift is not None and active and checkout_form is None:
        checkout_form = SiteCodeForm(auto_id="checkout-%s")
    shifts = list(Shift.objects.filter(call=call).order_by("started_at", "id")) if call is not None else []
    return {
        "mobilization": mobilization,
        "active": active,
        "call": call,
        "shift": shift,
        "shifts": shifts,
        "hours_total": hours_text(sum((s.hours or 0 for s in shifts), 0)),
        "respond_form": respond_form if call is not None and active else None,
        "checkout_form": checkout_form if shift is not None and active else None,
        "areas": list(areas_of(mobilization)),
        "needs": list(post_needs_of(mobilization)),
        "commander": services.may_command(request.user, mobilization),
        "site": services.may_run_site(request.user, mobilization),
    }


# ---- 应急响应: the member's calls ---------------------------------------------------------------------


@login_required
def my_emergencies(request: HttpRequest) -> HttpResponse:
    """The emergencies the member is called to: those still on first (newest first), then the past ones."""
    member_id = scope_for(request.user).member_id
    if member_id is None:
        raise Http404(_("您还没有党员档案，请联系本单位党组织。"))
    calls = (
        Call.objects.filter(member_id=member_id)
        .select_related("mobilization", "post")
        .order_by(
            Case(
                When(mobilization__status=Status.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "-called_at",
            "-id",
        )
    )
    return render(
        request, "web/my_emergencies.html", {"page": paginate(request, calls), "tab": "emergencies"}
    )


@login_required
def mobilization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mobilization = mobilization_get_for_user(request.user, pk)
    return render(request, TEMPLATE, _detail_context(request, mobilization))


# ---- the answer --------------------------------------------------------------------------------------


@login_required
@require_POST
def mobilization_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """到岗 / 无法到岗: back to the emergency's page with a message; a refusal re-renders the page with
    the reason."""
    mobilization = mobilization_get_for_user(request.user, pk)
    form = RespondForm(request.POST, auto_id="respond-%s")
    status = 400
    if form.is_valid():
        try:
            call = services.call_respond(
                actor=request.user, mobilization=mobilization, **form.submission(timezone.now())
            )
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            if call.answer == Answer.YES:
                messages.success(
                    request,
                    _("已响应：到岗，预计 %(time)s 到达。到达现场后请用签到码签到上岗。")
                    % {"time": _local_time(call.eta)},
                )
            else:
                messages.success(request, _("已响应：无法到岗。情况有变可以随时改为到岗。"))
            return redirect("web:mobilization_detail", mobilization.pk)
    ctx = _detail_context(request, mobilization, respond_form=form)
    _refusal_unless_shown(ctx, "respond_form", form)
    return render(request, TEMPLATE, ctx, status=status)


# ---- on site -----------------------------------------------------------------------------------------


def _code_initial(code: str) -> dict[str, str]:
    return {"code": code} if code.isdigit() and len(code) <= 6 else {}


@login_required
@require_http_methods(["GET", "POST"])
def mobilization_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page the QR code on site opens — the 签到 form with the code filled in (or, on duty, the
    签退 form, the code filled in too). POST: 签到上岗. A registered member of the area who was not called
    may check in too (自行到岗)."""
    mobilization = mobilization_get_for_checkin(request.user, pk)
    status = 200
    checkout_form: SiteCodeForm | None = None
    if request.method == "GET":
        initial = _code_initial(request.GET.get("code", "").strip())
        form = SiteCodeForm(initial=initial, auto_id="checkin-%s")
        checkout_form = SiteCodeForm(initial=initial, auto_id="checkout-%s")
    else:
        form = SiteCodeForm(request.POST, auto_id="checkin-%s")
        status = 400
        started_at = timezone.now()
        if form.is_valid():
            try:
                shift = services.call_checkin(
                    actor=request.user, mobilization=mobilization, code=form.cleaned_data["code"]
                )
            except Forbidden as exc:
                raise forbidden(exc) from exc
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                if shift.started_at < started_at:
                    messages.info(
                        request, _("您已在 %(time)s 签到上岗。") % {"time": _local_time(shift.started_at)}
                    )
                else:
                    messages.success(
                        request,
                        _("签到成功（%(time)s），已上岗。离开时请用现场签到码签退，值守时长记入服务台账。")
                        % {"time": _local_time(shift.started_at)},
                    )
                return redirect("web:mobilization_detail", mobilization.pk)
    ctx = _detail_context(request, mobilization, checkout_form=checkout_form)
    ctx["walk_in"] = ctx["call"] is None and services.may_walk_in(request.user, mobilization)
    may_check_in = ctx["call"] is not None or ctx["walk_in"]
    ctx["checkin_form"] = form if ctx["shift"] is None and may_check_in and ctx["active"] else None
    _refusal_unless_shown(ctx, "checkin_form", form)
    return render(request, "web/mobilization_checkin.html", ctx, status=status)


@login_required
@require_POST
def mobilization_checkout(request: HttpRequest, pk: int) -> HttpResponse:
    """签退下岗 with the code on site now: the shift's hours go into the ledger."""
    mobilization = mobilization_get_for_user(request.user, pk)
    form = SiteCodeForm(request.POST, auto_id="checkout-%s")
    status = 400
    if form.is_valid():
        try:
            shift = services.call_checkout(
                actor=request.user, mobilization=mobilization, code=form.cleaned_data["code"]
            )
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            messages.success(
                request,
                _("签退成功（%(time)s），本班值守 %(hours)s 小时，已记入服务台账。")
                % {"time": _local_time(shift.ended_at), "hours": hours_text(shift.hours or 0)},
            )
            return redirect("web:mobilization_detail", mobilization.pk)
    ctx = _detail_context(request, mobilization, checkout_form=form)
    _refusal_unless_shown(ctx, "checkout_form", form)
    return render(request, TEMPLATE, ctx, status=status)
