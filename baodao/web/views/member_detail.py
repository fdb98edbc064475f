"""One member's record as an admin sees it: masked by default, unmasked once on request, audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from baodao.lib.errors import Forbidden
from baodao.members.models import Member
from baodao.members.selectors import member_get_for_user
from baodao.members.services import member_can_unmask, member_unmask
from baodao.members.vocabulary import availability_labels

from .common import forbidden


def _render(request: HttpRequest, member: Member, full: dict[str, str] | None = None) -> HttpResponse:
    ctx: dict[str, Any] = {
        "member": member,
        "full": full,
        "can_unmask": member_can_unmask(request.user, member),
        "availability": availability_labels(member.availability),
    }
    response = render(request, "web/member_detail.html", ctx)
    if full is not None:
        response["Cache-Control"] = "no-store"
    return response


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, member_get_for_user(request.user, pk))


@login_required
@require_POST
def member_unmask_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The full phone, ID number and address, shown in this one answer and recorded in the audit log."""
    member = member_get_for_user(request.user, pk)
    try:
        full = member_unmask(actor=request.user, member=member, request=request)
    except Forbidden as exc:
        raise forbidden(exc) from exc
    return _render(request, member, full)
