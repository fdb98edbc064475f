from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from baodao.accounts.models import User
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib import crypto, idnumber
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.org.models import Branch, Level, Region, Unit

from .models import Member
from .vocabulary import parse_availability, parse_skills, parse_tags

PLEDGE_MAX = 500


def _id_fields(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {"id_number_encrypted": "", "id_number_hash": None, "id_number_masked": ""}
    value = idnumber.normalise(raw)
    if not idnumber.is_valid(value):
        raise Invalid(
            _("身份证号码无效（校验位或出生日期不正确）。"), fields={"id_number": [_("身份证号码无效。")]}
        )
    digest = crypto.lookup_hash(value)
    if Member.objects.filter(id_number_hash=digest).exists():
        raise _duplicate_id_number()
    return {
        "id_number_encrypted": crypto.encrypt(value),
        "id_number_hash": digest,
        "id_number_masked": idnumber.mask(value),
    }


def _duplicate_id_number() -> Conflict:
    return Conflict(
        _("该身份证号码已登记在另一名党员名下。"),
        code="duplicate",
        fields={"id_number": [_("身份证号码已存在。")]},
    )


def residence_check(community: Region | None, grid: Region | None) -> None:
    if community is not None and community.level != Level.COMMUNITY:
        raise Invalid(_("请选择社区。"), fields={"community": [_("不是社区。")]})
    if grid is not None and (grid.level != Level.GRID or community is None or grid.parent_id != community.pk):
        raise Invalid(_("所选网格不属于该社区。"), fields={"grid": [_("网格不属于该社区。")]})


def member_create(
    *,
    user: User,
    unit: Unit,
    branch: Branch | None = None,
    id_number: str | None = None,
    community: Region | None = None,
    grid: Region | None = None,
    address: str = "",
    skills: Iterable[str] = (),
    tags: Iterable[str] = (),
    pledge: str = "",
) -> Member:
    residence_check(community, grid)
    home = grid or community
    if branch is not None and branch.unit_id != unit.pk:
        raise Invalid(_("所选支部不属于该单位。"), fields={"branch": [_("支部不属于该单位。")]})
    id_fields = _id_fields(id_number)
    try:
        with transaction.atomic():
            return Member.objects.create(
                user=user,
                unit=unit,
                branch=branch,
                community=community,
                grid=grid,
                address=address.strip(),
                residence_path=home.path if home else "",
                skills=parse_skills(skills),
                tags=parse_tags(tags),
                pledge=pledge.strip()[:PLEDGE_MAX],
                **id_fields,
            )
    except IntegrityError:
        # Someone registered the same number between the check above and this insert.
        digest = id_fields["id_number_hash"]
        if digest and Member.objects.filter(id_number_hash=digest).exists():
            raise _duplicate_id_number() from None
        raise


PROFILE_FIELDS = frozenset({"skills", "tags", "preferences", "availability", "pledge", "branch", "name"})


def member_update_profile(*, member: Member, **changes: Any) -> Member:
    """Change what the member keeps about itself. Residence changes go through registration instead."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise Invalid(_("不能在此修改：%(fields)s。") % {"fields": _("、").join(sorted(unknown))})
    if "skills" in changes:
        member.skills = parse_skills(changes["skills"])
    if "preferences" in changes:
        member.preferences = parse_skills(changes["preferences"], field="preferences")
    if "tags" in changes:
        member.tags = parse_tags(changes["tags"])
    if "availability" in changes:
        member.availability = parse_availability(changes["availability"])
    if "pledge" in changes:
        pledge = (changes["pledge"] or "").strip()
        if len(pledge) > PLEDGE_MAX:
            raise Invalid(
                ngettext("服务承诺最多 %(max)d 字。", "服务承诺最多 %(max)d 字。", PLEDGE_MAX)
                % {"max": PLEDGE_MAX},
                fields={
                    "pledge": [
                        ngettext("最多 %(max)d 字。", "最多 %(max)d 字。", PLEDGE_MAX) % {"max": PLEDGE_MAX}
                    ]
                },
            )
        member.pledge = pledge
    if "branch" in changes:
        branch = changes["branch"]
        if branch is not None and branch.unit_id != member.unit_id:
            raise Invalid(_("所选支部不属于本单位。"), fields={"branch": [_("支部不属于本单位。")]})
        member.branch = branch
    with transaction.atomic():
        if "name" in changes:
            name = (changes["name"] or "").strip()
            if not name:
                raise Invalid(_("姓名不能为空。"), fields={"name": [_("请填写姓名。")]})
            User.objects.filter(pk=member.user_id).update(name=name[:50])
            member.user.name = name[:50]
        member.save()
    return member


def member_can_unmask(actor: Any, member: Member) -> bool:
    scope = scope_for(actor)
    if scope.member_id == member.pk:
        return True
    return member.unit_id in scope.unmask_unit_ids or any(
        member.residence_path.startswith(p) or member.unit.region.path.startswith(p)
        for p in scope.unmask_paths
    )


def member_unmask(*, actor: Any, member: Member, request: Any = None) -> dict[str, str]:
    """The member's phone, ID number and address in full, for someone who must act on them. Audited."""
    if not member_can_unmask(actor, member):
        raise Forbidden(_("您没有查看完整敏感信息的权限。"))
    if scope_for(actor).member_id != member.pk:
        audit_record(
            action=Action.UNMASKED,
            actor=actor,
            target=member,
            detail={"fields": ["phone", "id_number", "address"]},
            request=request,
        )
    return {"phone": member.user.phone, "id_number": member.id_number(), "address": member.address}


def member_is_self(actor: Any, member: Member) -> bool:
    return scope_for(actor).member_id == member.pk
