"""报到率 for street and district admins: by unit or by community, worst first, against the threshold."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from baodao.org.models import Region
from baodao.org.selectors import units_in
from baodao.policy.selectors import coverage_thresholds
from baodao.registration.selectors import (
    Coverage,
    coverage_by_community,
    coverage_by_unit,
    coverage_total,
    regions_for_coverage,
)

from ..templatetags.web_extras import percent
from .common import paginate


def _region_for_coverage(request: HttpRequest, code: str) -> Region:
    try:
        return regions_for_coverage(request.user).select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise Http404(_("没有找到该区域。")) from None


def _percent(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _chart(rows: Sequence[Coverage], *, threshold: Decimal) -> dict[str, Any]:
    """What web/charts.js draws beside the table (the same rows, the same order): rates in percent, and
    the threshold as a line. The table stays the accessible source; the chart only repeats it."""
    return {
        "labels": [row.name for row in rows],
        "values": [_percent(row.rate) for row in rows],
        "below": [row.below_threshold for row in rows],
        "max": 100,
        "suffix": "%",
        "mark": {
            "value": _percent(threshold),
            "label": _("达标线 %(threshold)s") % {"threshold": percent(threshold)},
        },
        "name": _("报到率"),
    }


@login_required
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    region = _region_for_coverage(request, code)
    by = "community" if request.GET.get("by") == "community" else "unit"
    rows = coverage_by_community(region) if by == "community" else coverage_by_unit(units_in(region))
    threshold = coverage_thresholds({region.district_code})[region.district_code]
    visible = regions_for_coverage(request.user)
    page = paginate(request, rows)
    ctx = {
        "region": region,
        "by": by,
        "page": page,
        "chart": _chart(list(page.object_list), threshold=threshold),
        "total": coverage_total(rows, code=region.code, name=region.name, threshold=threshold),
        "streets": visible.filter(parent=region).order_by("path"),
        "up": visible.filter(pk=region.parent_id).first() if region.parent_id else None,
    }
    return render(request, "web/coverage.html", ctx)
