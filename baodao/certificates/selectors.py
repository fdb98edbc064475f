"""Reads of certificates: a member's own, and one certificate for whoever may download it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from baodao.accounts.scope import scope_for

from .models import Certificate


def certificates_of_member(member_id: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(member_id=member_id).select_related("issuing_community")


def certificate_get_for_user(user: Any, number: str) -> Certificate:
    """The certificate for the member it certifies, and for the region admins over its issuing community;
    not found for anyone else. (Anyone may check a number's facts on the public verification page.)"""
    scope = scope_for(user)
    cert = (
        Certificate.objects.select_related("issuing_community", "member")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if cert is None or not (cert.member_id == scope.member_id or scope.covers_region(cert.issuing_community)):
        raise Http404(gettext("没有找到该证明。"))
    return cert
