"""任前考察 pages: the checks the caller sees and, for unit and district admins, a form to ask about a
member (found by name or by the last four digits of its phone number); one check with its report, the
community's answer form, the unit's explanation form and the PDF once closed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.lib.errors import DomainError, Forbidden
from baodao.members.selectors import member_get_for_user
from baodao.preappointment import services
from baodao.preappointment.models import Check, Status
from baodao.preappointment.pdf import check_pdf_response
from baodao.preappointment.selectors import (
    askable_members,
    check_get_for_user,
    check_report_for,
    checks_filter,
    checks_visible_to,
    may_answer,
    may_ask,
    may_explain,
)

from ..forms import Form
from .common import forbidden, paginate

#: members offered for one search
CANDIDATES_LIMIT = 20


class SearchForm(Form):
    q = forms.CharField(
        label=gettext_lazy("姓名或手机尾号"),
        max_length=20,
        help_text=gettext_lazy("输入姓名中的字，或手机号后四位。"),
    )


class AskForm(Form):
    q = forms.CharField(widget=forms.HiddenInput, required=False)
    member = forms.ChoiceField(label=gettext_lazy("被考察党员"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("考察事由"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("如：拟任××科科长职务任前考察。"),
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices(
            "member",
            [(str(m.pk), f"{m.name} · {m.unit.name} · {m.phone_masked}") for m in candidates],
        )


class AnswerForm(Form):
    comment = forms.CharField(
        label=gettext_lazy("社区意见"),
        max_length=services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("对该党员在社区报到、服务和表现情况的意见，最多 1000 字。"),
    )


class ExplainForm(Form):
    explanation = forms.CharField(
        label=gettext_lazy("情况说明"),
        max_length=services.EXPLANATION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("说明该党员未到居住地社区报到的原因，最多 2000 字。"),
    )


def _status_choices() -> list[tuple[str, str]]:
    return [("", _("全部状态")), *((value, str(label)) for value, label in Status.choices)]


@login_required
@require_http_methods(["GET", "POST"])
def check_list(request: HttpRequest) -> HttpResponse:
    """The checks the caller sees (filtered by status); for those who may ask, the form to ask."""
    asker = may_ask(request.user)
    visible = checks_visible_to(request.user)
    if not asker and not scope_for(request.user).paths(Role.COMMUNITY_ADMIN) and not visible.exists():
        raise Http404(_("没有找到该页面。"))
    if request.method == "POST" and not asker:
        raise Http404(_("没有找到该页面。"))
    ctx: dict[str, Any] = {"asker": asker, "status": request.GET.get("status", "")}
    status = 200
    if asker:
        source = request.POST if request.method == "POST" else request.GET
        search = SearchForm(source if "q" in source else None)
        found = search.cleaned_data["q"] if search.is_bound and search.is_valid() else ""
        candidates = askable_members(request.user, found, CANDIDATES_LIMIT)
        ask = AskForm(
            request.POST if request.method == "POST" else None, candidates=candidates, initial={"q": found}
        )
        if request.method == "POST":
            if ask.is_valid():
                member = member_get_for_user(request.user, int(ask.cleaned_data["member"]))
                try:
                    check = services.check_ask(
                        actor=request.user, member=member, reason=ask.cleaned_data["reason"], request=request
                    )
                except Forbidden as exc:
                    raise forbidden(exc) from exc
                except DomainError as exc:
                    ask.add_domain_error(exc)
                else:
                    messages.success(request, _("已发起任前考察。"))
                    return redirect("web:preappointment_detail", check.pk)
            status = 400
        ctx.update(search=search, searched=bool(found), candidates=candidates, ask=ask)
    ctx.update(
        page=paginate(request, checks_filter(visible, status=ctx["status"] or None)),
        status_choices=_status_choices(),
    )
    return render(request, "web/preappointment_list.html", ctx, status=status)


def _detail_page(
    request: HttpRequest,
    check: Check,
    *,
    status: int = 200,
    answer: AnswerForm | None = None,
    explain: ExplainForm | None = None,
) -> HttpResponse:
    answerable = check.status == Status.PENDING and may_answer(request.user, check)
    explainable = check.status == Status.EXPLANATION_REQUIRED and may_explain(request.user, check)
    return render(
        request,
        "web/preappointment_detail.html",
        {
            "check": check,
            "report": check_report_for(request.user, check),
            "answer_form": (answer or AnswerForm()) if answerable else None,
            "explain_form": (explain or ExplainForm()) if explainable else None,
        },
        status=status,
    )


def _wrong_state(request: HttpRequest, check: Check) -> HttpResponse:
    """The check is no longer (or not yet) at the step the form was for: the page as it stands, 409."""
    messages.error(request, services.illegal(check.status).detail)
    return _detail_page(request, check, status=409)


@login_required
@require_GET
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, check_get_for_user(request.user, pk))


@login_required
@require_POST
def check_answer(request: HttpRequest, pk: int) -> HttpResponse:
    check = check_get_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.check_answer(
                actor=request.user, check=check, comment=form.cleaned_data["comment"], request=request
            )
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
            messages.error(request, exc.detail)
            return _detail_page(request, check_get_for_user(request.user, pk), status=exc.status, answer=form)
        messages.success(request, _("已回复任前考察，报告已存档。"))
        return redirect("web:preappointment_detail", pk)
    # the same order as the service: the state (409), then the person (403), then the input (400)
    if check.status != Status.PENDING:
        return _wrong_state(request, check)
    if not may_answer(request.user, check):
        raise forbidden(Forbidden(_("只有被考察党员报到社区的管理员可以回复任前考察。")))
    return _detail_page(request, check, status=400, answer=form)


@login_required
@require_POST
def check_explain(request: HttpRequest, pk: int) -> HttpResponse:
    check = check_get_for_user(request.user, pk)
    form = ExplainForm(request.POST)
    if form.is_valid():
        try:
            services.check_explain(
                actor=request.user, check=check, explanation=form.cleaned_data["explanation"], request=request
            )
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
            messages.error(request, exc.detail)
            return _detail_page(
                request, check_get_for_user(request.user, pk), status=exc.status, explain=form
            )
        messages.success(request, _("已补充情况说明。"))
        return redirect("web:preappointment_detail", pk)
    if check.status != Status.EXPLANATION_REQUIRED:
        return _wrong_state(request, check)
    if not may_explain(request.user, check):
        raise forbidden(Forbidden(_("只有被考察党员所在单位的党组织可以补充情况说明。")))
    return _detail_page(request, check, status=400, explain=form)


@login_required
@require_GET
def check_pdf(request: HttpRequest, pk: int) -> FileResponse:
    check = check_get_for_user(request.user, pk)
    if not check.is_closed:
        raise Http404(_("任前考察办结后才能下载 PDF。"))
    return check_pdf_response(check)
