from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import OuterRef, Q, QuerySet, Subquery

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.members.models import Member
from baodao.members.selectors import members_visible_to

from .models import ActivationCode

#: Grants that put an account out of reach of admin-issued codes (everything but member and resident).
_ISSUER_EXCLUDED_ROLES = [r for r in Role.values if r not in (Role.MEMBER, Role.RESIDENT)]


def awaiting_activation(prefix: str = "") -> Q:
    """Active accounts without a usable password: Django's unusable marker, or no password at all (a bulk
    insert that never set one). Neither can sign in; only these may be activated. `prefix` reaches the user
    through a relation, e.g. "user__"."""
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}password": ""}) | Q(**{f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX})
    )


def open_codes() -> QuerySet[ActivationCode]:
    """Codes neither used nor revoked (an open code may still have expired)."""
    return ActivationCode.objects.filter(used_at__isnull=True, revoked_at__isnull=True)


def members_activatable_by(user: Any) -> QuerySet[Member]:
    """Members an admin may issue activation codes to: the members it administers (its unit's, those living
    or registered in its regions, those of units in its street or district) — never itself. Nobody else
    issues codes."""
    scope = scope_for(user)
    if not scope.is_admin:
        return Member.objects.none()
    # An account that also holds an admin grant is not the issuer's to hand out: a code would let the
    # issuer set its password and act with grants beyond its own scope. Such a person asks by SMS.
    qs = members_visible_to(user).exclude(user__grants__role__in=_ISSUER_EXCLUDED_ROLES)
    return qs.exclude(pk=scope.member_id) if scope.member_id else qs


def members_awaiting_activation(user: Any) -> QuerySet[Member]:
    """The members of `members_activatable_by` who have no password yet, each with `code_expires_at`: the
    expiry of its open code, or None when it has none."""
    expiry = open_codes().filter(user_id=OuterRef("user_id")).values("expires_at")[:1]
    return (
        members_activatable_by(user)
        .filter(awaiting_activation("user__"))
        .annotate(code_expires_at=Subquery(expiry))
    )
