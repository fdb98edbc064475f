"""What the page views share: pagination and turning a service's refusal into an answer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from baodao.lib.errors import DomainError, Forbidden

PER_PAGE = 50


def paginate(request: HttpRequest, items: QuerySet[Any] | Sequence[Any], per_page: int = PER_PAGE) -> Page:
    """The requested page of `items` (a queryset or a list); a bad page number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def forbidden(exc: Forbidden) -> PermissionDenied:
    """The person may see the object but not do this to it: a 403 page with the service's reason."""
    return PermissionDenied(exc.detail)


@contextmanager
def refusals_as_messages(request: HttpRequest) -> Iterator[None]:
    """Run an action; a refusal becomes an error message on the next page, or the 403 page if the
    person is not allowed to act at all."""
    try:
        yield
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
