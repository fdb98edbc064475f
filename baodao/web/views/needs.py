"""Pages of the 三单制: a need's detail with its timeline and the actions open to the viewer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baodao.needs.selectors import need_get_for_user


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get_for_user(request.user, pk)
    return render(
        request, "web/need_detail.html", {"need": need, "events": need.events.select_related("actor")}
    )
