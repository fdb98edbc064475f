"""报到率 for street and district admins: by unit or by community, worst first, against the threshold."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from baodao.org.models import Region
from baodao.org.selectors import units_in
from baodao.policy.selectors import coverage_thresholds
from baodao.registration.selectors import (
    coverage_by_community,
    coverage_by_unit,
    coverage_total,
    regions_for_coverage,
)

from .common import paginate


def _region_for_coverage(request: HttpRequest, code: str) -> Region:
    try:
        return regions_for_coverage(request.user).select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该区域。")) from None


@login_required
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    region = _region_for_coverage(request, code)
    by = "community" if request.GET.get("by") == "community" else "unit"
    rows = coverage_by_community(region) if by == "community" else coverage_by_unit(units_in(region))
    threshold = coverage_thresholds({region.district_code})[region.district_code]
    visible = regions_for_coverage(request.user)
    ctx = {
        "region": region,
        "by": by,
        "page": paginate(request, rows),
        "total": coverage_total(rows, code=region.code, name=region.name, threshold=threshold),
        "streets": visible.filter(parent=region).order_by("path"),
        "up": visible.filter(pk=region.parent_id).first() if region.parent_id else None,
    }
    return render(request, "web/coverage.html", ctx)
