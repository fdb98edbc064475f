"""通报 pages: a district or street admin previews the ranking of its units for a period and publishes it; a
published circular is read (and printed as a PDF) by the admins of its region and above, and by the admins of
the units it ranks, who see their own row marked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from baodao.accounts.scope import scope_for
from baodao.circulars.pdf import circular_pdf_response, circular_title
from baodao.circulars.selectors import (
    circular_get_for_user,
    circular_ranking,
    circular_rows,
    circulars_visible_to,
    own_unit_ids,
    regions_for_circulars,
)
from baodao.circulars.services import circular_publish
from baodao.lib.periods import period_choices, period_parse, previous_quarter

from ..forms import Form
from .common import paginate, refusals_as_messages


class CircularForm(Form):
    region = forms.ChoiceField(label=gettext_lazy("区域"))
    period = forms.ChoiceField(label=gettext_lazy("统计期"))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("region", regions)
        self.set_choices("period", [(p.code, p.label) for p in period_choices()])
        self.fields["period"].initial = previous_quarter().code


@login_required
@require_http_methods(["GET", "POST"])
def circular_list(request: HttpRequest) -> HttpResponse:
    """The preview (region and period chosen, the ranking as it stands now, a publish button) for district
    and street admins; the published circulars for everyone who may read some. Nobody else finds the page."""
    regions = list(regions_for_circulars(request.user).order_by("path"))
    published = circulars_visible_to(request.user)
    if not regions and not scope_for(request.user).units():
        raise Http404(_("没有找到该页面。"))
    form = None
    ranking = None
    if regions:
        choices = [(r.code, r.name) for r in regions]
        data = (
            request.POST if request.method == "POST" else (request.GET if "region" in request.GET else None)
        )
        form = CircularForm(data, regions=choices, initial={"region": choices[0][0]})
        if form.is_bound and form.is_valid():
            region = next(r for r in regions if r.code == form.cleaned_data["region"])
            period = period_parse(form.cleaned_data["period"])
            if request.method == "POST":
                with refusals_as_messages(request):
                    circular = circular_publish(
                        actor=request.user, region=region, period=period, request=request
                    )
                    messages.success(request, _("通报已发布。"))
                    return redirect("web:circular_detail", circular.pk)
                return redirect(f"{request.path}?region={region.code}&period={period.code}")
            ranking = circular_ranking(region, period)
    elif request.method == "POST":
        raise Http404(_("没有找到该页面。"))
    return render(
        request,
        "web/circular_list.html",
        {
            "form": form,
            "ranking": ranking,
            "already": ranking is not None
            and published.filter(region=ranking.region, period=ranking.period.code).first(),
            "ended": ranking is not None and ranking.period.ends_at <= timezone.now(),
            "page": paginate(request, published),
        },
    )


@login_required
def circular_detail(request: HttpRequest, pk: int) -> HttpResponse:
    circular = circular_get_for_user(request.user, pk)
    return render(
        request,
        "web/circular_detail.html",
        {
            "circular": circular,
            "title": circular_title(circular),
            "rows": list(circular_rows(circular)),
            "own_units": own_unit_ids(request.user),
        },
    )


@login_required
def circular_pdf(request: HttpRequest, pk: int) -> FileResponse:
    circular = circular_get_for_user(request.user, pk)
    return circular_pdf_response(circular, circular_rows(circular))
