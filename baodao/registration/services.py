"""The 报到 handshake. Each transition is one function that checks the current state with a conditional
UPDATE (so two admins acting at once cannot both succeed), records an event, and keeps the member's
`registered_community` in step."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.members.models import Member
from baodao.members.services import residence_check
from baodao.org.models import Region, Unit

from .models import ACTIVE_STATUSES, Registration, RegistrationEvent, Status, UnitRegistration

REASON_MAX = 300

#: action -> (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "confirm": ((Status.PENDING,), Status.CONFIRMED),
    "reject": ((Status.PENDING,), Status.REJECTED),
    "end": ((Status.PENDING, Status.CONFIRMED), Status.ENDED),
}
_REFUSALS = {
    ("confirm", Status.CONFIRMED): gettext_lazy("该报到已确认，无需重复确认。"),
    ("confirm", Status.REJECTED): gettext_lazy("该报到已被驳回，不能再确认；请党员重新申请。"),
    ("confirm", Status.ENDED): gettext_lazy("该报到已结束，不能再确认。"),
    ("reject", Status.CONFIRMED): gettext_lazy("该报到已确认，不能驳回；如需解除请使用“结束报到”。"),
    ("reject", Status.REJECTED): gettext_lazy("该报到已被驳回。"),
    ("reject", Status.ENDED): gettext_lazy("该报到已结束，不能驳回。"),
    ("end", Status.REJECTED): gettext_lazy("该报到已被驳回，无需结束。"),
    ("end", Status.ENDED): gettext_lazy("该报到已经结束。"),
}


def _reason(reason: str | None, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise Invalid(_("请填写原因。"), fields={"reason": [_("请填写原因。")]})
    if len(reason) > REASON_MAX:
        raise Invalid(
            ngettext("原因最多 %(max)d 字。", "原因最多 %(max)d 字。", REASON_MAX) % {"max": REASON_MAX},
            fields={
                "reason": [
                    ngettext("最多 %(max)d 字。", "最多 %(max)d 字。", REASON_MAX) % {"max": REASON_MAX}
                ]
            },
        )
    return reason


def _move(model: type[Any], obj: Any, action: str, **changes: Any) -> None:
    """Apply a transition only if the row is still in a state it may start from."""
    allowed, target = TRANSITIONS[action]
    updated = model.objects.filter(pk=obj.pk, status__in=allowed).update(status=target, **changes)
    if not updated:
        current = model.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        refusal = _REFUSALS.get((action, current))
        raise Conflict(str(refusal) if refusal else _("当前状态不允许此操作。"), code="illegal_transition")
    obj.refresh_from_db()


def _receipt_no(prefix: str, community: Region, pk: int) -> str:
    return f"{prefix}{community.code}-{timezone.localdate():%Y}-{pk:06d}"


def _check_active_free(member: Member) -> None:
    active = member.registrations.filter(status__in=ACTIVE_STATUSES).first()
    if active is not None:
        what = _("待确认的报到申请") if active.status == Status.PENDING else _("已确认的报到")
        raise Conflict(
            _("您在%(community)s已有%(what)s，不能重复申请；搬家请办理转移。")
            % {"community": active.community.name, "what": what},
            code="already_registered",
        )


def _residence(member: Member, community: Region, grid: Region | None, address: str) -> None:
    residence_check(community, grid)
    Member.objects.filter(pk=member.pk).update(
        community=community, grid=grid, address=address, residence_path=(grid or community).path
    )


def registration_apply(
    *, member: Member, community: Region, grid: Region | None = None, address: str = ""
) -> Registration:
    """A member applies to the community it lives in. At most one pending or confirmed at a time."""
    address = (address or "").strip()[:200]
    with transaction.atomic():
        _check_active_free(member)
        _residence(member, community, grid, address)
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    member=member, community=community, grid=grid, address=address
                )
        except IntegrityError:
            raise Conflict(_("您已有进行中的报到，不能重复申请。"), code="already_registered") from None
        RegistrationEvent.objects.create(
            registration=registration, kind=RegistrationEvent.Kind.APPLIED, actor=member.user
        )
    member.refresh_from_db()
    return registration


def registration_transfer(
    *, member: Member, community: Region, grid: Region | None = None, address: str = "", reason: str
) -> Registration:
    """Moving home: the active registration ends with the reason, a new one starts pending — atomically."""
    reason = _reason(reason, required=True)
    with transaction.atomic():
        current = member.registrations.filter(status__in=ACTIVE_STATUSES).first()
        if current is None:
            raise Conflict(_("您还没有进行中的报到，请直接申请报到。"), code="not_registered")
        registration_end(actor=member.user, registration=current, reason=reason)
        return registration_apply(member=member, community=community, grid=grid, address=address)


def _check_community_admin(actor: Any, community: Region) -> None:
    if not scope_for(actor).covers_region(community, Role.COMMUNITY_ADMIN):
        raise Forbidden(_("只有该社区的管理员可以处理报到。"))


def registration_confirm(*, actor: Any, registration: Registration, request: Any = None) -> Registration:
    _check_community_admin(actor, registration.community)
    now = timezone.now()
    with transaction.atomic():
        _move(
            Registration,
            registration,
            "confirm",
            decided_at=now,
            decided_by=actor,
            receipt_no=_receipt_no("BD", registration.community, registration.pk),
        )
        Member.objects.filter(pk=registration.member_id).update(
            registered_community=registration.community_id
        )
        RegistrationEvent.objects.create(
            registration=registration, kind=RegistrationEvent.Kind.CONFIRMED, actor=actor
        )
        audit_record(
            action=Action.REGISTRATION_CONFIRMED,
            actor=actor,
            target=registration,
            detail={"receipt_no": registration.receipt_no},
            request=request,
        )
    return registration


def registration_reject(
    *, actor: Any, registration: Registration, reason: str, request: Any = None
) -> Registration:
    _check_community_admin(actor, registration.community)
    reason = _reason(reason, required=True)
    with transaction.atomic():
        _move(
            Registration, registration, "reject", decided_at=timezone.now(), decided_by=actor, reason=reason
        )
        RegistrationEvent.objects.create(
            registration=registration, kind=RegistrationEvent.Kind.REJECTED, actor=actor, reason=reason
        )
        audit_record(
            action=Action.REGISTRATION_REJECTED,
            actor=actor,
            target=registration,
            detail={"reason": reason},
            request=request,
        )
    return registration


def registration_end(
    *, actor: Any, registration: Registration, reason: str, request: Any = None
) -> Registration:
    """Ended by the member itself (withdrawal, moving) or by its community (left, deceased, transferred)."""
    scope = scope_for(actor)
    if scope.member_id != registration.member_id:
        _check_community_admin(actor, registration.community)
    reason = _reason(reason, required=True)
    with transaction.atomic():
        _move(Registration, registration, "end", ended_at=timezone.now(), reason=reason)
        Member.objects.filter(
            pk=registration.member_id, registered_community=registration.community_id
        ).update(registered_community=None)
        RegistrationEvent.objects.create(
            registration=registration, kind=RegistrationEvent.Kind.ENDED, actor=actor, reason=reason
        )
        audit_record(
            action=Action.REGISTRATION_ENDED,
            actor=actor,
            target=registration,
            detail={"reason": reason},
            request=request,
        )
    return registration


# ---- 单位报到 ---------------------------------------------------------------------------------------


def unit_registration_apply(
    *, actor: Any, unit: Unit, community: Region, commitments: str
) -> UnitRegistration:
    if not scope_for(actor).administers_unit(unit):
        raise Forbidden(_("只有本单位党组织可以提交单位报到。"))
    if community.level != "community":
        raise Invalid(_("请选择社区。"), fields={"community": [_("不是社区。")]})
    commitments = (commitments or "").strip()
    if not commitments:
        raise Invalid(_("请填写共建承诺。"), fields={"commitments": [_("请填写共建承诺。")]})
    try:
        with transaction.atomic():
            return UnitRegistration.objects.create(
                unit=unit, community=community, commitments=commitments[:2000], applied_by=actor
            )
    except IntegrityError:
        raise Conflict(
            _("本单位与%(community)s已有进行中的共建报到。") % {"community": community.name},
            code="already_registered",
        ) from None


def unit_registration_confirm(
    *, actor: Any, unit_registration: UnitRegistration, request: Any = None
) -> UnitRegistration:
    _check_community_admin(actor, unit_registration.community)
    with transaction.atomic():
        _move(
            UnitRegistration,
            unit_registration,
            "confirm",
            decided_at=timezone.now(),
            decided_by=actor,
            receipt_no=_receipt_no("DW", unit_registration.community, unit_registration.pk),
        )
        audit_record(
            action=Action.UNIT_REGISTRATION_CONFIRMED,
            actor=actor,
            target=unit_registration,
            detail={"receipt_no": unit_registration.receipt_no},
            request=request,
        )
    return unit_registration


def unit_registration_reject(
    *, actor: Any, unit_registration: UnitRegistration, reason: str, request: Any = None
) -> UnitRegistration:
    _check_community_admin(actor, unit_registration.community)
    reason = _reason(reason, required=True)
    with transaction.atomic():
        _move(
            UnitRegistration,
            unit_registration,
            "reject",
            decided_at=timezone.now(),
            decided_by=actor,
            reason=reason,
        )
        audit_record(
            action=Action.UNIT_REGISTRATION_REJECTED,
            actor=actor,
            target=unit_registration,
            detail={"reason": reason},
            request=request,
        )
    return unit_registration


def unit_registration_end(
    *, actor: Any, unit_registration: UnitRegistration, reason: str
) -> UnitRegistration:
    scope = scope_for(actor)
    if not (
        scope.administers_unit(unit_registration.unit)
        or scope.covers_region(unit_registration.community, Role.COMMUNITY_ADMIN)
    ):
        raise Forbidden(_("只有该单位或该社区可以结束共建报到。"))
    reason = _reason(reason, required=True)
    _move(UnitRegistration, unit_registration, "end", ended_at=timezone.now(), reason=reason)
    return unit_registration
