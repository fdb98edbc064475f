from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.lib.errors import Conflict, Invalid

from .models import CHILD_LEVEL, Branch, Level, Region, Unit, code_validator


def _check_code(code: str) -> None:
    """Codes become materialised paths ("D/S/C/"): a slash, a space or a newline in one would corrupt them."""
    if not isinstance(code, str) or not re.fullmatch(code_validator.regex, code):
        raise Invalid(str(code_validator.message), fields={"code": [_("编码格式不正确。")]})


def region_create(*, actor: Any | None, code: str, name: str, level: str, parent: Region | None) -> Region:
    """Add a region under `parent`. `actor` None is the bootstrap (a new district)."""
    _check_code(code)
    if level not in Level.values:
        raise Invalid(
            _("层级无效。"), fields={"level": [_("层级只能是 district、street、community 或 grid。")]}
        )
    if parent is None:
        if level != Level.DISTRICT:
            raise Invalid(_("只有区可以没有上级区域。"), fields={"parent": [_("请填写上级区域编码。")]})
        if actor is not None and not getattr(actor, "is_superuser", False):
            raise Invalid(
                _("新建区请使用 bootstrap_district 命令。"), fields={"parent": [_("请填写上级区域编码。")]}
            )
        path = f"{code}/"
    else:
        if CHILD_LEVEL.get(Level(parent.level)) != level:
            raise Invalid(
                _("%(parent)s下只能建立%(child)s。")
                % {
                    "parent": parent.get_level_display(),
                    "child": Level(CHILD_LEVEL[Level(parent.level)]).label,
                }
                if parent.level in CHILD_LEVEL
                else _("网格下不能再建立区域。"),
                fields={"level": [_("层级与上级区域不匹配。")]},
            )
        if actor is not None and not scope_for(actor).covers_region(
            parent, Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN
        ):
            raise Http404(_("没有找到上级区域。"))
        path = f"{parent.path}{code}/"
    if Region.objects.filter(code__iexact=code).exists():
        raise Conflict(
            _("编码 %(code)s 已被使用（编码不区分大小写）。") % {"code": code},
            code="duplicate",
            fields={"code": [_("编码已存在。")]},
        )
    try:
        with transaction.atomic():
            return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)
    except IntegrityError:
        raise Conflict(
            _("编码 %(code)s 已被使用。") % {"code": code},
            code="duplicate",
            fields={"code": [_("编码已存在。")]},
        ) from None


def unit_create(*, actor: Any | None, code: str, name: str, region: Region) -> Unit:
    _check_code(code)
    if region.level not in (Level.DISTRICT, Level.STREET):
        raise Invalid(_("单位只能隶属于区或街道。"), fields={"region": [_("请选择区或街道。")]})
    if actor is not None and not scope_for(actor).covers_region(
        region, Role.DISTRICT_ADMIN, Role.STREET_ADMIN
    ):
        raise Http404(_("没有找到该区域。"))
    try:
        with transaction.atomic():
            return Unit.objects.create(code=code, name=name, region=region)
    except IntegrityError:
        raise Conflict(
            _("单位编码 %(code)s 已被使用。") % {"code": code},
            code="duplicate",
            fields={"code": [_("编码已存在。")]},
        ) from None


def branch_get_or_create(*, unit: Unit, name: str) -> Branch:
    branch, _created = Branch.objects.get_or_create(unit=unit, name=name.strip())
    return branch
