"""考评 pages: the community's appraisals of a period (run or refresh the run, the 优秀 quota, the table with
the five evaluations given, 一键确定 behind a confirmation); one appraisal (its indicators, the five
evaluations, the rules of its run, the proposal and the grade, the appeal and its answer, and exactly the
forms the viewer may use now); the member's own appraisals; a unit admin's members' appraisals; and, for
street and district admins, the runs they may start and the appraisals of their region.

Each action is one POST calling one service, then back to the page with a message (Post/Redirect/Get). Bad
input shows the page again with the errors on the form (400); a state that forbids the action shows the page
again with the reason (409); someone who may see but not act gets the 403 page with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.appraisals import selectors, services
from baodao.appraisals.models import Appraisal, AppraisalRun, Evaluator, RunStatus, Status
from baodao.lib.errors import DomainError, Forbidden
from baodao.lib.periods import Period, period_choices, period_parse, previous_quarter
from baodao.org.models import Level, Region
from baodao.org.selectors import regions_administered_by

from ..forms import Form
from .common import forbidden, paginate
from .unit import _unit_for_admin

TEMPLATE = "web/appraisal_detail.html"
SCORE_HELP = gettext_lazy("0–100 分")
#: the evaluations in the order the pages show them
EVALUATORS = [e.value for e in Evaluator]


# ---- forms ----------------------------------------------------------------------------------------------


class PeriodForm(Form):
    """The period a list shows (the last quarter that has ended unless chosen) and the status of the
    appraisals listed."""

    period = forms.ChoiceField(label=gettext_lazy("考评期"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=[("", gettext_lazy("全部")), *Status.choices]
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any):
        default = previous_quarter().code
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = default
        super().__init__(data, *args, **kwargs)
        self.set_choices("period", [(p.code, p.label) for p in period_choices()])
        self.fields["period"].initial = default

    def chosen_period(self) -> Period:
        code = self.cleaned_data.get("period") if self.is_valid() else ""
        return period_parse(code) if code else previous_quarter()

    def chosen_status(self) -> str:
        return (self.cleaned_data.get("status") or "") if self.is_valid() else ""


class RegionListForm(PeriodForm):
    """The street or district admin's list: the region (what a run covers, and what the list shows), the
    period, a community of the region and the status."""

    region = forms.ChoiceField(label=gettext_lazy("区域"), required=False)
    community = forms.ChoiceField(label=gettext_lazy("社区"), required=False)
    field_order = ["region", "period", "community", "status"]

    def __init__(self, *args: Any, regions: list[Region], communities: list[Region], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("region", [(r.code, r.name) for r in regions])
        self.set_choices("community", [("", _("全部")), *((c.code, c.name) for c in communities)])


class ScoreForm(Form):
    score = forms.IntegerField(label=gettext_lazy("得分"), min_value=0, max_value=100, help_text=SCORE_HELP)
    comment = forms.CharField(
        label=gettext_lazy("评语"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SelfAssessForm(ScoreForm):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, prefix="self", **kwargs)
        self.fields["score"].label = _("自评得分")
        self.fields["comment"].label = _("自评小结")


class EvaluateForm(ScoreForm):
    """The evaluation by one of the evaluators the viewer speaks for: a select when there are several."""

    evaluator = forms.ChoiceField(label=gettext_lazy("以何种身份评价"))
    field_order = ["evaluator", "score", "comment"]

    def __init__(self, *args: Any, evaluators: list[str], **kwargs: Any):
        super().__init__(*args, prefix="evaluate", **kwargs)
        labels = dict(Evaluator.choices)
        self.set_choices("evaluator", [(e, labels.get(e, e)) for e in evaluators])
        if len(evaluators) == 1:
            self.fields["evaluator"].widget = forms.HiddenInput()
            self.fields["evaluator"].initial = evaluators[0]


def _grade_choices(run: AppraisalRun) -> list[tuple[str, str]]:
    grades = run.rules.get("grades") or []
    return [(str(level), str(grade[0])) for level, grade in enumerate(grades, start=1)]


class FinaliseForm(Form):
    grade = forms.TypedChoiceField(label=gettext_lazy("确定等次"), coerce=int)

    def __init__(self, *args: Any, appraisal: Appraisal, **kwargs: Any):
        super().__init__(*args, prefix="finalise", **kwargs)
        self.set_choices("grade", _grade_choices(appraisal.run))
        if appraisal.proposed_level:
            self.fields["grade"].initial = str(appraisal.proposed_level)


class AppealForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("申诉理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, prefix="appeal", **kwargs)


class AnswerForm(Form):
    answer = forms.CharField(
        label=gettext_lazy("答复"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    grade = forms.TypedChoiceField(
        label=gettext_lazy("改定等次（可不选）"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, appraisal: Appraisal, **kwargs: Any):
        super().__init__(*args, prefix="answer", **kwargs)
        self.set_choices("grade", [("", _("维持原等次")), *_grade_choices(appraisal.run)])


class FinaliseAllForm(Form):
    period = forms.CharField(widget=forms.HiddenInput())
    confirm = forms.BooleanField(
        label=gettext_lazy("我已核对各党员的建议等次，确定全部评价中的考评"),
        error_messages={"required": gettext_lazy("请先勾选确认，再一键确定。")},
    )

    def clean_period(self) -> Period:
        try:
            return period_parse(self.cleaned_data["period"])
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from exc


# ---- lists ----------------------------------------------------------------------------------------------


def _listed(qs: QuerySet[Appraisal]) -> QuerySet[Appraisal]:
    """What a table row shows, in a fixed number of queries."""
    return qs.select_related("member__user", "unit", "community", "run").order_by(
        "community__path", "member__user__name", "id"
    )


def _short_labels() -> dict[str, str]:
    """One character per evaluator, for the ✓ column of a table (the full name is read out)."""
    return {
        Evaluator.SELF: _("自"),
        Evaluator.UNIT: _("单"),
        Evaluator.RESIDENTS: _("群"),
        Evaluator.COMMUNITY: _("社"),
        Evaluator.ORGANISATION: _("组"),
    }


def _rows(request: HttpRequest, page: Any) -> list[dict[str, Any]]:
    """Each appraisal of the page with the evaluations given: (short name, name, given) per evaluator, and
    whether the viewer sees them with the score and the proposal (not its own while open)."""
    short, labels = _short_labels(), dict(Evaluator.choices)
    return [
        {
            "a": a,
            "shown": selectors.sees_evaluations(request.user, a),
            "given": [(short[e], labels[e], getattr(a, f"score_{e}") is not None) for e in EVALUATORS],
        }
        for a in page
    ]


def _run_message(request: HttpRequest, region: Region, run: AppraisalRun, created: bool) -> None:
    if run.status == RunStatus.RUNNING:
        messages.info(request, _("考评正在计算中，请稍后刷新本页查看结果。"))
    elif run.status == RunStatus.FAILED:
        messages.error(request, _("考评计算失败：%(error)s") % {"error": run.error or _("原因不明")})
    elif created:
        messages.success(request, _("考评已完成计算，共 %(count)d 人。") % {"count": run.appraisals_count})
    elif run.region_id != region.pk:
        messages.success(
            request,
            _("已按%(run)s这一期的考评重新计算%(region)s未确定的考评，并补充新纳入的党员；已确定的考评不变。")
            % {"run": run.region.name, "region": region.name},
        )
    else:
        messages.success(
            request,
            _("考评已重新计算，共 %(count)d 人；已确定的考评不变。") % {"count": run.appraisals_count},
        )


def _run(request: HttpRequest, region: Region, period: Period) -> None:
    """Run (or refresh) the appraisal of `region` for `period`; its outcome or refusal as a message."""
    try:
        run, created = services.appraisal_run(
            actor=request.user, region=region, period=period, request=request
        )
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        _run_message(request, region, run, created)


def _community(request: HttpRequest, code: str) -> Region:
    """A community inside the caller's community, street or district subtrees, or 404."""
    try:
        return regions_administered_by(
            request.user, Role.COMMUNITY_ADMIN, Role.STREET_ADMIN, Role.DISTRICT_ADMIN
        ).get(code=code, level=Level.COMMUNITY)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该社区。")) from None


def _run_covering(request: HttpRequest, community: Region, period: Period) -> AppraisalRun | None:
    """The latest run of `period` over the community (its own, or its street's or district's)."""
    ancestors = [community.path[: i + 1] for i, ch in enumerate(community.path) if ch == "/"]
    candidates = {community.path, *ancestors}
    return (
        selectors.runs_visible_to(request.user)
        .filter(period=period.code, region__path__in=candidates)
        .select_related("region")
        .order_by("-created_at", "-id")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def community_appraisals(request: HttpRequest, code: str) -> HttpResponse:
    """The community's appraisals of a period; POST runs (or refreshes) the community's appraisal."""
    community = _community(request, code)
    if request.method == "POST":
        try:
            period = period_parse(request.POST.get("period"))
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("web:community_appraisals", community.code)
        _run(request, community, period)
        return redirect(f"{request.path}?period={period.code}")
    form = PeriodForm(request.GET or None)
    period, status = form.chosen_period(), form.chosen_status()
    qs = selectors.appraisals_visible_to(request.user).filter(community=community, period=period.code)
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, _listed(qs))
    used, allowed = selectors.excellent_quota(community, period)
    return render(
        request,
        "web/appraisal_community.html",
        {
            "community": community,
            "form": form,
            "period": period,
            "page": page,
            "rows": _rows(request, page),
            "run": _run_covering(request, community, period),
            "quota_used": used,
            "quota_allowed": allowed,
            "first_grade": _first_grade_name(community, period) or _("优秀"),
            "finalise_all": FinaliseAllForm(initial={"period": period.code})
            if scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN)
            else None,
            "tab": "appraisals",
        },
    )


@login_required
@require_POST
def community_appraisals_finalise_all(request: HttpRequest, code: str) -> HttpResponse:
    """一键确定: every open appraisal of the community and period at its proposed grade, within the cap."""
    community = _community(request, code)
    form = FinaliseAllForm(request.POST)
    if not form.is_valid():
        # the form's own error: the confirmation not ticked, or the period not understood
        messages.error(request, str(next(iter(form.errors.values()))[0]))
        period_code = request.POST.get("period", "")
        suffix = f"?period={period_code}" if period_code.isalnum() else ""
        return redirect(f"{_community_url(community)}{suffix}")
    period = form.cleaned_data["period"]
    try:
        result = services.appraisal_finalise_all(
            actor=request.user, community=community, period=period, request=request
        )
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        finalised, demoted, skipped = result.finalised, result.demoted, result.skipped
        text = _("已确定 %(finalised)d 人的考评等次。") % {"finalised": finalised}
        if demoted:
            text += _("其中 %(demoted)d 人因“%(name)s”名额所限，按第二等次确定。") % {
                "demoted": demoted,
                "name": _first_grade_name(community, period),
            }
        if skipped:
            text += _("%(skipped)d 人尚无建议等次，未确定。") % {"skipped": skipped}
        messages.success(request, text)
    return redirect(f"{_community_url(community)}?period={period.code}")


def _community_url(community: Region) -> str:
    return reverse("web:community_appraisals", args=[community.code])


def _first_grade_name(community: Region, period: Period) -> str:
    """The first grade's name as the rules of the period's first run over the community keep it (the run
    whose rules the 优秀 cap reads)."""
    run = (
        AppraisalRun.objects.filter(appraisals__community=community, period=period.code)
        .order_by("pk")
        .first()
    )
    return run.grade_name(1) if run else ""


@login_required
@require_GET
def me_appraisals(request: HttpRequest) -> HttpResponse:
    member_id = scope_for(request.user).member_id
    if member_id is None:
        raise Http404(_("您还没有党员档案，请联系本单位党组织。"))
    qs = (
        selectors.appraisals_visible_to(request.user)
        .filter(member_id=member_id)
        .select_related("run", "community", "unit")
        .order_by("-run__period_end", "-id")
    )
    page = paginate(request, qs)
    rows = [{"a": a, "label": period_parse(a.period).label} for a in page]
    return render(request, "web/appraisal_mine.html", {"page": page, "rows": rows, "tab": "appraisals"})


@login_required
@require_GET
def unit_appraisals(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_for_admin(request, code)
    form = PeriodForm(request.GET or None)
    period, status = form.chosen_period(), form.chosen_status()
    qs = selectors.appraisals_visible_to(request.user).filter(unit=unit, period=period.code)
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, _listed(qs))
    return render(
        request,
        "web/appraisal_unit.html",
        {
            "unit": unit,
            "form": form,
            "period": period,
            "page": page,
            "rows": _rows(request, page),
            "tab": "appraisals",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_list(request: HttpRequest) -> HttpResponse:
    """For street and district admins: start the run of a region they may appraise; the appraisals of that
    region (filter by community and status) for the organisation's evaluation. Nobody else finds it."""
    regions = list(selectors.regions_for_appraisal(request.user).order_by("path"))
    if not regions:
        raise Http404(_("没有找到该页面。"))
    by_code = {r.code: r for r in regions}
    if request.method == "POST":
        region = by_code.get(request.POST.get("region", ""))
        try:
            period = period_parse(request.POST.get("period"))
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("web:appraisals")
        if region is None:
            raise Http404(_("没有找到该区域。"))
        _run(request, region, period)
        return redirect(f"{request.path}?region={region.code}&period={period.code}")
    region = by_code.get(request.GET.get("region", "")) or regions[0]
    communities = list(
        regions_administered_by(request.user)
        .filter(level=Level.COMMUNITY)
        .filter(under("path", (region.path,)))
        .order_by("path")
    )
    data = request.GET.copy() if request.GET else None
    if data is not None and data.get("region") not in by_code:
        data["region"] = region.code
    form = RegionListForm(data, regions=regions, communities=communities, initial={"region": region.code})
    period, status = form.chosen_period(), form.chosen_status()
    qs = selectors.appraisals_visible_to(request.user).filter(
        period=period.code, community__path__startswith=region.path
    )
    community_code = form.cleaned_data.get("community") if form.is_valid() else ""
    if community_code:
        qs = qs.filter(community__code=community_code)
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, _listed(qs))
    run = (
        selectors.runs_visible_to(request.user)
        .filter(region=region, period=period.code)
        .select_related("region")
        .first()
    )
    return render(
        request,
        "web/appraisal_list.html",
        {
            "form": form,
            "region": region,
            "regions": regions,
            "period": period,
            "periods": period_choices(),
            "run": run,
            "page": page,
            "rows": _rows(request, page),
        },
    )


# ---- one appraisal ----------------------------------------------------------------------------------------


def _cutoffs(run: AppraisalRun) -> list[tuple[str, Any]]:
    return [(str(g[0]), g[1]) for g in run.rules.get("grades") or []]


def _evaluations(appraisal: Appraisal, shown: bool) -> list[dict[str, Any]]:
    """The five evaluations in order: score, comment, weight in the run's rules and who gave it — only the
    self-assessment unless `shown` (the member's own appraisal while open)."""
    labels = dict(Evaluator.choices)
    weights = appraisal.run.rules.get("weights") or {}
    by: dict[str, Any] = {
        Evaluator.SELF: appraisal.member.user,
        Evaluator.UNIT: appraisal.unit_by,
        Evaluator.COMMUNITY: appraisal.community_by,
        Evaluator.ORGANISATION: appraisal.organisation_by,
    }
    return [
        {
            "key": e,
            "label": labels[e],
            "hidden": not visible,
            "score": getattr(appraisal, f"score_{e}") if visible else None,
            "comment": getattr(appraisal, f"comment_{e}", "") if visible else "",
            "weight": weights.get(e),
            "by": by.get(e) if visible else None,
        }
        for e in EVALUATORS
        for visible in [shown or e == Evaluator.SELF]
    ]


def _back(request: HttpRequest, appraisal: Appraisal, own: bool) -> tuple[str, str] | None:
    """The list the viewer came from: its own appraisals, the community's, or the unit's."""
    scope = scope_for(request.user)
    if own:
        return reverse("web:me_appraisals"), _("« 我的考评")
    community = appraisal.community
    if scope.covers_region(community, Role.COMMUNITY_ADMIN, Role.STREET_ADMIN, Role.DISTRICT_ADMIN):
        url = reverse("web:community_appraisals", args=[community.code])
        return f"{url}?period={appraisal.period}", _("« %(name)s的考评") % {"name": community.name}
    if appraisal.unit_id in scope.units(Role.UNIT_ADMIN):
        url = reverse("web:unit_appraisals", args=[appraisal.unit.code])
        return f"{url}?period={appraisal.period}", _("« %(name)s的考评") % {"name": appraisal.unit.name}
    return None


def _get(request: HttpRequest, pk: int) -> Appraisal:
    return selectors.appraisal_get_for_user(request.user, pk)


def detail_page(
    request: HttpRequest, appraisal: Appraisal, *, bound: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    """The appraisal as the viewer sees it, with the forms it may use now (`bound`: a form sent back with
    its errors)."""
    user = request.user
    bound = bound or {}
    own = selectors.is_own(user, appraisal)
    shown = selectors.sees_evaluations(user, appraisal)
    evaluators = [e for e in selectors.evaluators_for(user, appraisal) if e != Evaluator.SELF]
    ctx: dict[str, Any] = {
        "appraisal": appraisal,
        "run": appraisal.run,
        "own": own,
        "back": _back(request, appraisal, own),
        "period_label": period_parse(appraisal.period).label,
        "evaluations": _evaluations(appraisal, shown),
        "cutoffs": _cutoffs(appraisal.run),
        "minimum": appraisal.run.rules.get("minimum"),
        "excellent_share_max": appraisal.run.rules.get("excellent_share_max"),
        "first_grade": appraisal.run.grade_name(1),
        "may_finalise": selectors.may_finalise(user, appraisal),
        "self_form": None,
        "evaluate_form": None,
        "finalise_form": None,
        "appeal_form": None,
        "answer_form": None,
    }
    # the score and the proposal are the reviewers' working figures: the member sees them once finalised
    ctx["show_proposal"] = shown
    if selectors.may_self_assess(user, appraisal):
        ctx["self_form"] = bound.get("self") or SelfAssessForm(
            initial={"score": appraisal.score_self, "comment": appraisal.comment_self}
        )
    if evaluators:
        ctx["evaluate_form"] = bound.get("evaluate") or EvaluateForm(evaluators=evaluators)
        ctx["evaluate_single"] = dict(Evaluator.choices)[evaluators[0]] if len(evaluators) == 1 else ""
    if ctx["may_finalise"]:
        ctx["finalise_form"] = bound.get("finalise") or FinaliseForm(appraisal=appraisal)
    if selectors.may_appeal(user, appraisal):
        ctx["appeal_form"] = bound.get("appeal") or AppealForm()
    if selectors.may_answer(user, appraisal):
        ctx["answer_form"] = bound.get("answer") or AnswerForm(appraisal=appraisal)
    for name, form in bound.items():
        if ctx.get(f"{name}_form") is not form and form.errors:
            # a refusal for a form the page no longer offers: its reason above the page
            messages.error(request, str(next(iter(form.errors.values()))[0]))
    return render(request, TEMPLATE, ctx, status=status)


@login_required
@require_GET
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return detail_page(request, _get(request, pk))


def _act(
    request: HttpRequest,
    appraisal: Appraisal,
    name: str,
    form: Form,
    action: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Validate `form`, run `action` on its data: back to the appraisal with its message; the page again with
    the errors (400) or the refusal (409); the 403 page when the caller may not act at all."""
    if not form.is_valid():
        return detail_page(request, appraisal, bound={name: form}, status=400)
    try:
        done = action(form.cleaned_data)
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        appraisal = _get(request, appraisal.pk)
        if exc.status == 400 or any(f in form.fields for f in exc.fields):
            # on the form when it names a field of it (a bad score, 优秀 beyond the cap)
            form.add_domain_error(exc)
            return detail_page(request, appraisal, bound={name: form}, status=exc.status)
        messages.error(request, exc.detail)
        return detail_page(request, appraisal, status=exc.status)
    messages.success(request, done)
    return redirect("web:appraisal_detail", appraisal.pk)


@login_required
@require_POST
def appraisal_self_assess(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _get(request, pk)

    def act(data: dict[str, Any]) -> str:
        services.appraisal_self_assess(
            actor=request.user,
            appraisal=appraisal,
            score=data["score"],
            comment=data["comment"],
            request=request,
        )
        return _("自评已提交。")

    return _act(request, appraisal, "self", SelfAssessForm(request.POST), act)


@login_required
@require_POST
def appraisal_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _get(request, pk)
    evaluators = [e for e in selectors.evaluators_for(request.user, appraisal) if e != Evaluator.SELF]
    posted = request.POST.get("evaluate-evaluator", "")
    if posted in selectors.GIVEN_BY_OTHERS and posted not in evaluators:
        # an evaluator the caller does not speak for still reaches the service, which says why (403 or 409)
        evaluators = [*evaluators, posted]
    form = EvaluateForm(request.POST, evaluators=evaluators or [posted])

    def act(data: dict[str, Any]) -> str:
        services.appraisal_evaluate(
            actor=request.user,
            appraisal=appraisal,
            evaluator=data["evaluator"],
            score=data["score"],
            comment=data["comment"],
            request=request,
        )
        return _("%(evaluator)s已提交。") % {"evaluator": dict(Evaluator.choices).get(data["evaluator"], "")}

    return _act(request, appraisal, "evaluate", form, act)


@login_required
@require_POST
def appraisal_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _get(request, pk)

    def act(data: dict[str, Any]) -> str:
        graded = services.appraisal_finalise(
            actor=request.user, appraisal=appraisal, grade=data["grade"], request=request
        )
        return _("已确定%(name)s的考评等次：%(grade)s。") % {
            "name": graded.member.user.name,
            "grade": graded.grade,
        }

    return _act(request, appraisal, "finalise", FinaliseForm(request.POST, appraisal=appraisal), act)


@login_required
@require_POST
def appraisal_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _get(request, pk)

    def act(data: dict[str, Any]) -> str:
        services.appraisal_appeal(
            actor=request.user, appraisal=appraisal, reason=data["reason"], request=request
        )
        return _("申诉已提交，社区答复后会通知您。")

    return _act(request, appraisal, "appeal", AppealForm(request.POST), act)


@login_required
@require_POST
def appraisal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _get(request, pk)

    def act(data: dict[str, Any]) -> str:
        services.appraisal_answer(
            actor=request.user,
            appraisal=appraisal,
            answer=data["answer"],
            grade=data["grade"],
            request=request,
        )
        return _("已答复申诉。")

    return _act(request, appraisal, "answer", AnswerForm(request.POST, appraisal=appraisal), act)
