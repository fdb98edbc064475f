from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.lib.errors import Conflict, Invalid

from .models import CHILD_LEVEL, Branch, Level, Region, Unit, code_validator


def _check_code(code: str) -> None:
    """Codes become materialised paths ("D/S/C/"): a slash, a space or a newline in one would corrupt them."""
    if not isinstance(code, str) or not re.fullmatch(code_validator.regex, code):
        raise Invalid(str(code_validator.message), fields={"code": ["编码格式不正确。"]})


def region_create(*, actor: Any | None, code: str, name: str, level: str, parent: Region | None) -> Region:
    """Add a region under `parent`. `actor` None is the bootstrap (a new district)."""
    _check_code(code)
    if level not in Level.values:
        raise Invalid("层级无效。", fields={"level": ["层级只能是 district、street、community 或 grid。"]})
    if parent is None:
        if level != Level.DISTRICT:
            raise Invalid("只有区可以没有上级区域。", fields={"parent": ["请填写上级区域编码。"]})
        if actor is not None and not getattr(actor, "is_superuser", False):
            raise Invalid(
                "新建区请使用 bootstrap_district 命令。", fields={"parent": ["请填写上级区域编码。"]}
            )
        path = f"{code}/"
    else:
        if CHILD_LEVEL.get(Level(parent.level)) != level:
            raise Invalid(
                f"{parent.get_level_display()}下只能建立{Level(CHILD_LEVEL[Level(parent.level)]).label}。"
                if parent.level in CHILD_LEVEL
                else "网格下不能再建立区域。",
                fields={"level": ["层级与上级区域不匹配。"]},
            )
        if actor is not None and not scope_for(actor).covers_region(
            parent, Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN
        ):
            raise Http404("没有找到上级区域。")
        path = f"{parent.path}{code}/"
    if Region.objects.filter(code=code).exists():
        raise Conflict(f"编码 {code} 已被使用。", code="duplicate", fields={"code": ["编码已存在。"]})
    try:
        with transaction.atomic():
            return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)
    except IntegrityError:
        raise Conflict(
            f"编码 {code} 已被使用。", code="duplicate", fields={"code": ["编码已存在。"]}
        ) from None


def unit_create(*, actor: Any | None, code: str, name: str, region: Region) -> Unit:
    _check_code(code)
    if region.level not in (Level.DISTRICT, Level.STREET):
        raise Invalid("单位只能隶属于区或街道。", fields={"region": ["请选择区或街道。"]})
    if actor is not None and not scope_for(actor).covers_region(
        region, Role.DISTRICT_ADMIN, Role.STREET_ADMIN
    ):
        raise Http404("没有找到该区域。")
    try:
        with transaction.atomic():
            return Unit.objects.create(code=code, name=name, region=region)
    except IntegrityError:
        raise Conflict(
            f"单位编码 {code} 已被使用。", code="duplicate", fields={"code": ["编码已存在。"]}
        ) from None


def branch_get_or_create(*, unit: Unit, name: str) -> Branch:
    branch, _ = Branch.objects.get_or_create(unit=unit, name=name.strip())
    return branch
