"""Reads of roster imports, through the caller's scope: who administers a unit may import into it and see
its imports; anyone else is told the unit or the import does not exist (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.scope import scope_for
from baodao.org.models import Unit
from baodao.org.selectors import unit_get_for_user

from . import columns as col
from .models import RosterImport
from .workbooks import _descriptions


def unit_get_for_roster(user: Any, code: str) -> Unit:
    """The unit, when the caller administers it (its unit admin, or a district or street admin above it)."""
    unit = unit_get_for_user(user, code)
    if not scope_for(user).administers_unit(unit):
        raise Http404(_("没有找到该单位。"))
    return unit


def roster_imports_for_unit(user: Any, unit: Unit) -> QuerySet[RosterImport]:
    """The unit's imports, newest first, with who uploaded each; without the stored files and the lists
    of errors (a list of imports shows their counts)."""
    if not scope_for(user).administers_unit(unit):
        return RosterImport.objects.none()
    return (
        RosterImport.objects.filter(unit=unit)
        .select_related("unit__region", "job", "uploaded_by")
        .defer("content", "error_workbook", "errors")
    )


def roster_import_get_for_user(user: Any, pk: Any, *, with_error_workbook: bool = False) -> RosterImport:
    qs = RosterImport.objects.select_related("unit__region", "job").defer("content")
    if not with_error_workbook:
        qs = qs.defer("content", "error_workbook")
    try:
        roster_import = qs.get(pk=pk)
    except (RosterImport.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该名册导入记录。")) from None
    if not scope_for(user).administers_unit(roster_import.unit):
        raise Http404(_("没有找到该名册导入记录。"))
    return roster_import


def roster_columns() -> list[tuple[str, str, str]]:
    """(column name, required or optional, what to write) for each column of the template, in its order:
    what the template's notes sheet says, for a page to show."""
    descriptions = _descriptions()
    return [(col.label(key), *descriptions[key]) for key in col.ORDER]
