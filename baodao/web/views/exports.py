"""导出 Excel / 导出 CSV from the list pages: each route exports exactly what its page shows — the same
access check (404 where the page is 404), the same subject and the page's current filters — through the
export service that the API uses. A large workbook runs in the background: the person then follows its
progress on a page of its own and downloads the file from there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baodao.accounts.scope import scope_for
from baodao.exports.datasets import DATASETS
from baodao.exports.responses import export_response, stored_file_response
from baodao.exports.selectors import export_file_get_for_user
from baodao.exports.services import EXPORT_KEEP_DAYS, FORMATS, JOB_KIND, export_start
from baodao.jobs.models import Job
from baodao.jobs.selectors import job_get_for_user
from baodao.org.models import Level
from baodao.org.selectors import regions_administered_by, unit_get_for_user

#: Seconds between two reloads of the progress page while the export runs.
REFRESH_SECONDS = 2


def _page_filters(request: HttpRequest, *names: str) -> dict[str, str]:
    """The page's filters that are set (its form sends empty fields too)."""
    return {name: request.GET[name] for name in names if request.GET.get(name)}


def _export(request: HttpRequest, dataset: str, params: dict[str, Any]) -> HttpResponseBase:
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in FORMATS:
        raise BadRequest(_("导出格式只能是 xlsx 或 csv。"))
    filters = DATASETS[dataset].filters(data=params)
    if not filters.is_valid():
        raise BadRequest(_("筛选条件不正确。"))
    result = export_start(
        actor=request.user, dataset=dataset, fmt=fmt, params=dict(filters.validated_data), request=request
    )
    if isinstance(result, Job):
        return redirect("web:export_job", result.pk)
    return export_response(result)


def _check_community(request: HttpRequest, code: str) -> None:
    """The community pages' own check: a community inside the caller's administered subtrees."""
    if not regions_administered_by(request.user).filter(code=code, level=Level.COMMUNITY).exists():
        raise Http404(_("没有找到该社区或网格。"))


@login_required
def community_members_export(request: HttpRequest, code: str) -> HttpResponseBase:
    _check_community(request, code)
    return _export(
        request, "members", {"registered_in": code, **_page_filters(request, "grid", "unit", "skill")}
    )


@login_required
def community_registrations_export(request: HttpRequest, code: str) -> HttpResponseBase:
    _check_community(request, code)
    return _export(request, "registrations", {"community": code, **_page_filters(request, "status")})


@login_required
def unit_members_export(request: HttpRequest, code: str) -> HttpResponseBase:
    unit = unit_get_for_user(request.user, code)
    if not scope_for(request.user).administers_unit(unit):
        raise Http404(_("没有找到该单位。"))
    return _export(request, "members", {"unit": code, "on_roster": True, **_page_filters(request, "status")})


@login_required
def coverage_export(request: HttpRequest, code: str) -> HttpResponseBase:
    by = "community" if request.GET.get("by") == "community" else "unit"
    return _export(request, "coverage", {"region": code, "by": by})


@login_required
def export_job(request: HttpRequest, job_id: Any) -> HttpResponse:
    """The progress of a background export, reloading itself until the file is ready."""
    job = job_get_for_user(request.user, job_id)
    if job.kind != JOB_KIND:
        raise Http404(_("没有找到该后台任务。"))
    response = render(request, "web/export_job.html", {"job": job, "keep_days": EXPORT_KEEP_DAYS})
    if not job.finished:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@login_required
def export_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    return stored_file_response(export_file_get_for_user(request.user, pk))
