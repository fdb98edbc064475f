from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib.errors import Conflict, Invalid
from baodao.org.models import Region, Unit

from .models import PHONE_RE, ROLE_REGION_LEVEL, UNIT_ROLES, ApiToken, Grant, Role, User
from .scope import UNMASK_ROLES, Scope, scope_for, scope_forget

#: Which roles an admin role may hand out (always inside its own subtree or unit).
GRANTABLE: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(Role.values),
    Role.STREET_ADMIN: frozenset(
        {
            Role.STREET_ADMIN,
            Role.COMMUNITY_ADMIN,
            Role.GRID_WORKER,
            Role.UNIT_ADMIN,
            Role.MEMBER,
            Role.RESIDENT,
        }
    ),
    Role.COMMUNITY_ADMIN: frozenset({Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.RESIDENT}),
    Role.GRID_WORKER: frozenset({Role.RESIDENT}),
    Role.UNIT_ADMIN: frozenset({Role.UNIT_ADMIN, Role.MEMBER}),
}


class LockedOut(Exception):
    """Too many failed sign-ins for this phone number."""


def phone_normalise(phone: str) -> str:
    return (phone or "").strip().replace(" ", "").replace("-", "")


def _check_phone(phone: str) -> str:
    phone = phone_normalise(phone)
    if not re.match(PHONE_RE, phone):
        raise Invalid(
            _("手机号格式不正确，应为 11 位中国大陆手机号码。"), fields={"phone": [_("手机号格式不正确。")]}
        )
    return phone


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(
            _("密码不符合要求：%(problems)s") % {"problems": "".join(exc.messages)},
            fields={"password": list(exc.messages)},
        ) from None


def grant_check(
    actor: Any, *, role: str, region: Region | None, unit: Unit | None, can_unmask: bool = False
) -> None:
    """Raise unless `actor` may grant `role` on `region`/`unit`. Out-of-scope targets are not found.
    Unmasking is given only with an admin role, and only by someone who may unmask there already."""
    if role not in Role.values:
        raise Invalid(
            _("角色无效。"), fields={"role": [_("可选：%(roles)s") % {"roles": _("、").join(Role.values)}]}
        )
    if role in UNIT_ROLES:
        if unit is None:
            raise Invalid(_("该角色需要指定单位。"), fields={"unit": [_("请填写单位编码。")]})
    else:
        if region is None:
            raise Invalid(_("该角色需要指定区域。"), fields={"region": [_("请填写区域编码。")]})
        if region.level != ROLE_REGION_LEVEL[role]:
            raise Invalid(_("区域层级与角色不匹配。"), fields={"region": [_("区域层级与角色不匹配。")]})
    if can_unmask and role not in UNMASK_ROLES:
        raise Invalid(
            _("该角色不能查看完整敏感信息。"), fields={"can_unmask": [_("该角色不能查看完整敏感信息。")]}
        )
    if actor is None:  # bootstrap and demo
        return
    scope = scope_for(actor)
    if unit is not None:
        allowed = [r for r in GRANTABLE if unit.pk in scope.units(r) or scope.covers_region(unit.region, r)]
    else:
        assert region is not None
        allowed = [r for r in GRANTABLE if any(region.path.startswith(p) for p in scope.paths(r))]
    if not allowed:
        raise Http404(_("没有找到该区域或单位。"))
    if not any(role in GRANTABLE[r] for r in allowed):
        raise Invalid(
            _("您不能授予该角色。"), code="forbidden_role", fields={"role": [_("无权授予该角色。")]}
        )
    if can_unmask and not _may_unmask_in(scope, region, unit):
        raise Invalid(
            _("您自己没有查看完整敏感信息的权限，不能授予他人。"),
            code="forbidden_unmask",
            fields={"can_unmask": [_("无权授予查看完整敏感信息的权限。")]},
        )


def _may_unmask_in(scope: Scope, region: Region | None, unit: Unit | None) -> bool:
    if unit is not None:
        return unit.pk in scope.unmask_unit_ids or any(
            unit.region.path.startswith(p) for p in scope.unmask_paths
        )
    return region is not None and any(region.path.startswith(p) for p in scope.unmask_paths)


def grant_add(
    *,
    actor: Any,
    user: User,
    role: str,
    region: Region | None = None,
    unit: Unit | None = None,
    can_unmask: bool = False,
    request: Any = None,
) -> Grant:
    grant_check(actor, role=role, region=region, unit=unit, can_unmask=can_unmask)
    try:
        with transaction.atomic():
            grant = Grant.objects.create(
                user=user,
                role=role,
                region=region if role not in UNIT_ROLES else None,
                unit=unit if role in UNIT_ROLES else None,
                can_unmask=can_unmask,
            )
    except IntegrityError:
        raise Conflict(_("该用户已拥有此授权。"), code="duplicate") from None
    audit_record(
        action=Action.GRANT_ADDED,
        actor=actor,
        actor_label="system" if actor is None else "",
        target=user,
        detail={"role": role, "region": region.code if region else None, "unit": unit.code if unit else None},
        request=request,
    )
    scope_forget(user)
    return grant


def user_create(
    *,
    actor: Any,
    phone: str,
    name: str,
    password: str | None,
    role: str,
    region: Region | None = None,
    unit: Unit | None = None,
    id_number: str | None = None,
    skills: Iterable[str] = (),
    can_unmask: bool = False,
    request: Any = None,
) -> User:
    """Create a person with its first grant (and, for a member, its profile), all or nothing."""
    from baodao.members.services import member_create

    phone = _check_phone(phone)
    name = (name or "").strip()
    if not name:
        raise Invalid(_("请填写姓名。"), fields={"name": [_("请填写姓名。")]})
    grant_check(actor, role=role, region=region, unit=unit, can_unmask=can_unmask)
    if password:
        _check_password(password)
    if User.objects.filter(phone=phone).exists():
        raise Conflict(_("该手机号已注册。"), code="duplicate", fields={"phone": [_("手机号已注册。")]})
    try:
        with transaction.atomic():
            user = User.objects.create_user(phone=phone, password=password or None, name=name[:50])
            grant_add(
                actor=actor,
                user=user,
                role=role,
                region=region,
                unit=unit,
                can_unmask=can_unmask,
                request=request,
            )
            if role == Role.MEMBER:
                assert unit is not None
                # `region` is where the member lives: its community or its grid (anything else is refused).
                grid = region if region is not None and region.level == "grid" else None
                community = grid.parent if grid is not None else region
                member_create(
                    user=user, unit=unit, id_number=id_number, community=community, grid=grid, skills=skills
                )
            audit_record(
                action=Action.USER_CREATED,
                actor=actor,
                actor_label="system" if actor is None else "",
                target=user,
                detail={"role": role},
                request=request,
            )
    except IntegrityError:
        raise Conflict(
            _("该手机号已注册。"), code="duplicate", fields={"phone": [_("手机号已注册。")]}
        ) from None
    return user


def sign_in(*, request: Any, phone: str, password: str) -> User:
    """Check a phone number and password through the lockout guard. Raises LockedOut or Invalid, with
    messages that never reveal whether the number exists."""
    phone = phone_normalise(phone)
    user = authenticate(request, phone=phone, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut
    if user is None or not user.is_active:
        audit_record(action=Action.LOGIN_FAILED, actor_label=phone[:64], request=request)
        raise Invalid(_("手机号或密码不正确。"), code="bad_credentials")
    if settings.AXES_RESET_ON_SUCCESS:
        # django-axes resets only on `user_logged_in`, which a token sign-in (no session) never sends.
        axes_reset(username=phone)
    return user


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: User, request: Any = None) -> str:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, key_hash=_token_hash(key), expires_at=timezone.now() + settings.API_TOKEN_TTL
    )
    audit_record(action=Action.TOKEN_ISSUED, actor=user, request=request)
    return key


def token_user(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(key), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def password_set(*, user: User, password: str) -> None:
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
