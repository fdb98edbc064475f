"""Pages of the 三单制: a need's detail with its timeline and the actions open to the viewer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from baodao.needs.selectors import need_get_for_user


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get_for_user(request.user, pk)
    return render(
        request, "web/need_detail.html", {"need": need, "events": need.events.select_related("actor")}
    )


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


needs_near = need_new = need_photo = need_action = my_claims = my_needs = my_records = _todo
inbox = inbox_read = _todo
