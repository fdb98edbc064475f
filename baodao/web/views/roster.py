"""党员名册导入: the unit's import page (the columns, the template, the upload, its recent imports) and each
import's page — the dry run's preview, 确认导入, the progress of a run on the task queue (the page reloads
itself while it lasts: no scripts), and the result, kept for later. Every step is a roster service; these
views only choose which one to call and show what it left on the import."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from baodao.lib.errors import DomainError, Forbidden
from baodao.members.models import Skill
from baodao.org.models import Unit
from baodao.roster import columns as col
from baodao.roster.models import BUSY, Mode, RosterImport, Status
from baodao.roster.selectors import (
    roster_columns,
    roster_import_get_for_user,
    roster_imports_for_unit,
    unit_get_for_roster,
)
from baodao.roster.services import roster_import_start, roster_mode, roster_start
from baodao.roster.workbooks import XLSX_CONTENT_TYPE, roster_template_xlsx

from ..roster_forms import RosterUploadForm
from .common import paginate

#: Seconds between two reloads of an import's page while it runs on the task queue.
REFRESH_SECONDS = 2
IMPORTS_PER_PAGE = 20
ERRORS_PER_PAGE = 50


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _unit_roster_page(
    request: HttpRequest, unit: Unit, form: RosterUploadForm, *, status: int = 200
) -> HttpResponse:
    imports = roster_imports_for_unit(request.user, unit)
    columns = roster_columns()
    ctx = {
        "unit": unit,
        "form": form,
        "columns": columns,
        "column_names": _("、").join(name for name, _required, _text in columns),
        "required_names": _("、").join(col.label(key) for key in col.REQUIRED),
        "skills": [label for _code, label in Skill.choices],
        "page": paginate(request, imports, per_page=IMPORTS_PER_PAGE),
        "max_mb": f"{settings.ROSTER_MAX_BYTES / 1048576:g}",
        "max_rows": f"{settings.ROSTER_MAX_ROWS:,}",
        "sync_rows": f"{settings.ROSTER_SYNC_MAX_ROWS:,}",
        "tab": "roster",
    }
    return render(request, "web/unit_roster.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def unit_roster(request: HttpRequest, code: str) -> HttpResponse:
    """The upload stores the file and runs its dry run (now, or on the task queue for a large file), then
    shows the import's page. A file refused as a whole answers 400 with the reason on the form."""
    unit = unit_get_for_roster(request.user, code)
    if request.method != "POST":
        return _unit_roster_page(request, unit, RosterUploadForm())
    form = RosterUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            roster_import = roster_import_start(
                actor=request.user,
                unit=unit,
                filename=upload.name or "",
                content=upload.read(),
                dry_run=True,
                mode=form.cleaned_data["mode"],
                request=request,
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            form.add_error("file", exc.detail)
        else:
            return redirect("web:roster_import", roster_import.pk)
    return _unit_roster_page(request, unit, form, status=400)


@never_cache
@login_required
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: progress while it runs (reloading every REFRESH_SECONDS), then its preview or result."""
    item = roster_import_get_for_user(request.user, pk)
    busy = item.status in BUSY
    all_or_nothing = item.mode == Mode.ALL_OR_NOTHING
    ctx = {
        "unit": item.unit,
        "item": item,
        "job": item.job,
        "busy": busy,
        "refresh_seconds": REFRESH_SECONDS,
        "errors_page": paginate(request, item.errors, per_page=ERRORS_PER_PAGE),
        "errors_left_out": item.errors_total - len(item.errors),
        # A commit of the checked file: all-or-nothing refuses a file with invalid rows, so say it first.
        "can_commit": item.status == Status.CHECKED and not (all_or_nothing and item.invalid),
        "offer_valid_only": item.status in (Status.CHECKED, Status.REFUSED)
        and all_or_nothing
        and item.invalid
        and item.invalid < item.rows,
        "has_error_workbook": item.status == Status.COMMITTED and item.invalid > 0,
        "tab": "roster",
    }
    return render(request, "web/roster_import.html", ctx)


@login_required
@require_POST
def roster_import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    """确认导入: the import of the checked file, in the mode of its upload unless the form names another."""
    item = roster_import_get_for_user(request.user, pk)
    try:
        mode = roster_mode(request.POST["mode"]) if request.POST.get("mode") else None
        roster_start(actor=request.user, roster_import=item, dry_run=False, mode=mode, request=request)
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        if item.status != Status.FAILED:  # a failed run shows its reason on the import's page
            messages.error(request, exc.detail)
    return redirect("web:roster_import", item.pk)


@login_required
def roster_import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows a valid-only import left out, with the reason for each (ID numbers masked)."""
    item: RosterImport = roster_import_get_for_user(request.user, pk, with_error_workbook=True)
    if not item.error_workbook:
        raise Http404(_("该次导入没有错误清单。"))
    return _xlsx(bytes(item.error_workbook), _("名册导入错误清单-%(id)s.xlsx") % {"id": item.pk})


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    """The empty roster template with its notes: no data of anyone's, so any signed-in person may have it."""
    return _xlsx(roster_template_xlsx(), _("党员名册模板.xlsx"))
