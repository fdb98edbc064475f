"""三单制 transitions: 点单 (submit), 下单 (publish, decline, merge, assign), 接单 (claim, withdraw, lapse),
办结 (complete, confirm, dispute, reopen, close).

Each transition is one function. It locks the need's row (PostgreSQL: `SELECT … FOR UPDATE`; SQLite: the
IMMEDIATE transaction already serialises writers), checks who acts and what the current state allows (403 /
409 with a reason), changes the rows, re-derives the need's status from its claims (`_settle`), and records
the step on the timeline — all in one transaction. People are told through the inbox in that same
transaction. Places are taken with a conditional `UPDATE … WHERE taken < places` backed by a CHECK
constraint, so no interleaving of claims can overbook a need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baodao.accounts.models import Role, User
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.ledger.models import Source
from baodao.ledger.services import record_write
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.members.models import Member
from baodao.members.vocabulary import parse_skills
from baodao.notify.services import notify
from baodao.org.models import Level, Region, Unit
from baodao.policy.selectors import policy_in_force
from baodao.registration.models import Status as RegistrationStatus
from baodao.registration.models import UnitRegistration

from .models import (
    COMMUNITY_KINDS,
    FINAL_STATUSES,
    HOLDING_STATUSES,
    LIVE_STATUSES,
    RESIDENT_KINDS,
    Category,
    Claim,
    ClaimStatus,
    Escalation,
    Kind,
    Need,
    NeedEvent,
    Photo,
    Status,
)
from .selectors import overdue_q

TITLE_MAX = 80
DESCRIPTION_MAX = 2000
REASON_MAX = 300
NOTE_MAX = 1000
COMMENT_MAX = 300
MAX_PLACES = 1000
#: the most hours one claim may report: a sanity bound against typing errors, not a policy
MAX_HOURS = Decimal(100)
CONTACT_PHONE_RE = re.compile(r"\+?[0-9][0-9 \-]{5,18}[0-9]")
#: the column's length (the pattern alone would let 21 characters through)
CONTACT_PHONE_MAX = 20

_EventKind = NeedEvent.Kind


# ---- small checks ------------------------------------------------------------------------------------


def _text(value: str | None, *, field: str, label: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(_("请填写%(label)s。") % {"label": label}, fields={field: [_("必填。")]})
    if len(value) > max_length:
        message = _("%(label)s最多 %(max)d 字。") % {"label": label, "max": max_length}
        raise Invalid(message, fields={field: [message]})
    return value


def _reason(reason: str | None) -> str:
    return _text(reason, field="reason", label=_("原因"), max_length=REASON_MAX, required=True)


def _places(places: Any) -> int:
    try:
        value = int(places)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_PLACES:
        message = _("名额须为 1 到 %(max)d 之间的整数。") % {"max": MAX_PLACES}
        raise Invalid(message, fields={"places": [message]})
    return value


def _hours(hours: Any) -> Decimal:
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not Decimal(0) < value <= MAX_HOURS:
        message = _("服务时长须大于 0 且不超过 %(max)s 小时（可保留一位小数）。") % {"max": MAX_HOURS}
        raise Invalid(message, fields={"hours": [message]})
    return value


def _rating(rating: Any) -> int:
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise Invalid(_("评分须为 1 到 5 星。"), fields={"rating": [_("请选择 1 到 5 星。")]})
    return value


def _contact_phone(value: str | None) -> str:
    """A mobile or landline number as people write it (digits, spaces, hyphens, a leading +)."""
    value = (value or "").strip()
    if value and (len(value) > CONTACT_PHONE_MAX or not CONTACT_PHONE_RE.fullmatch(value)):
        message = _("联系电话格式不正确，请填写手机号或带区号的固定电话。")
        raise Invalid(message, fields={"contact_phone": [message]})
    return value


def _future(when: datetime | None, *, field: str) -> datetime | None:
    if when is not None and when <= timezone.now():
        message = _("截止时间须晚于现在。")
        raise Invalid(message, fields={field: [message]})
    return when


def _category(category: str) -> str:
    if category not in Category.values:
        by_label = {str(label): code for code, label in Category.choices}
        if category in by_label:
            return by_label[category]
        message = _("无法识别的分类：%(value)s。") % {"value": category}
        raise Invalid(message, fields={"category": [message]})
    return category


def _grid_of(community: Region, grid: Region | None) -> Region | None:
    if community.level != Level.COMMUNITY:
        raise Invalid(_("请选择社区。"), fields={"community": [_("不是社区。")]})
    if grid is not None and (grid.level != Level.GRID or grid.parent_id != community.pk):
        message = _("网格“%(grid)s”不属于%(community)s。") % {"grid": grid.name, "community": community.name}
        raise Invalid(message, fields={"grid": [message]})
    return grid


def _is_community_admin(actor: Any, community: Region) -> bool:
    return scope_for(actor).covers_region(community, Role.COMMUNITY_ADMIN)


def _require_community_admin(actor: Any, need: Need) -> None:
    if not _is_community_admin(actor, need.community):
        raise Forbidden(_("只有该社区的管理员可以办理此事项。"))


#: action -> the need states it may start from
_NEED_FROM: dict[str, tuple[str, ...]] = {
    "publish": (Status.SUBMITTED,),
    "decline": (Status.SUBMITTED, Status.PUBLISHED),
    "merge": (Status.SUBMITTED, Status.PUBLISHED),
    "assign": (Status.SUBMITTED, *LIVE_STATUSES),
    "claim": LIVE_STATUSES,
    "close": (Status.PUBLISHED, Status.IN_PROGRESS, Status.DISPUTED),
}
_NEED_REFUSALS: dict[str, Any] = {
    Status.SUBMITTED: gettext_lazy("该需求尚未审核发布。"),
    Status.IN_PROGRESS: gettext_lazy("该需求名额已满，正在办理中。"),
    Status.COMPLETED: gettext_lazy("该需求已报告办结，正等待确认。"),
    Status.DISPUTED: gettext_lazy("该需求有异议，正等待社区处理。"),
    Status.CLOSED: gettext_lazy("该需求已办结。"),
    Status.TERMINATED: gettext_lazy("该需求已终止办理。"),
    Status.DECLINED: gettext_lazy("该需求未予受理。"),
    Status.MERGED: gettext_lazy("该需求已合并到其他需求。"),
    Status.PUBLISHED: gettext_lazy("该需求已发布。"),
}
#: a refusal that says more than the state's name
_SPECIAL_REFUSALS: dict[tuple[str, str], Any] = {
    ("close", Status.COMPLETED): gettext_lazy("还有待确认的办结，请先等服务对象确认或处理异议后再关闭。"),
    ("close", Status.SUBMITTED): gettext_lazy("该需求尚未发布；不办理请选择“不予受理”。"),
}


def _lock(need: Need) -> Need:
    """The need's current row, locked for the rest of the transaction (only the need's own row: PostgreSQL
    cannot lock the nullable side of the outer join to its grid)."""
    return Need.objects.select_for_update(of=("self",)).select_related("community", "grid").get(pk=need.pk)


def _check_state(need: Need, action: str) -> None:
    if need.status not in _NEED_FROM[action]:
        refusal = _SPECIAL_REFUSALS.get((action, need.status)) or _NEED_REFUSALS.get(need.status)
        raise Conflict(str(refusal or _("当前状态不允许此操作。")), code="illegal_transition")


def _event(need: Need, kind: str, actor: Any, *, claim: Claim | None = None, note: str = "") -> NeedEvent:
    return NeedEvent.objects.create(need=need, kind=kind, actor=actor, claim=claim, note=note[:1000])


def _settle(need: Need) -> Need:
    """Derive a live need's status from its claims: all places confirmed → closed; else a dispute, then a
    fulfilment awaiting confirmation, come first; else full → in progress, otherwise open for claims."""
    if need.status == Status.SUBMITTED or need.status in FINAL_STATUSES:
        return need
    counts = dict(need.claims.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    if counts.get(ClaimStatus.CONFIRMED, 0) >= need.places:
        status = Status.CLOSED
    elif counts.get(ClaimStatus.DISPUTED):
        status = Status.DISPUTED
    elif counts.get(ClaimStatus.COMPLETED):
        status = Status.COMPLETED
    elif need.taken >= need.places:
        status = Status.IN_PROGRESS
    else:
        status = Status.PUBLISHED
    changes: dict[str, Any] = {"status": status}
    if status == Status.CLOSED:
        changes["closed_at"] = timezone.now()
    Need.objects.filter(pk=need.pk).update(**changes, updated_at=timezone.now())
    for field, value in changes.items():
        setattr(need, field, value)
    if status == Status.CLOSED:
        _closed(need)
    return need


def _closed(need: Need) -> None:
    """Tell the people whose duplicate needs were merged into this one that it is done."""
    _tell_merged(
        need, _("您反映的事项已办结"), _("与您的需求合并办理的“%(title)s”已办结。") % {"title": need.title}
    )


def _tell_merged(need: Need, title: str, body: str) -> None:
    merged = Need.objects.filter(merged_into=need).select_related("requester", "submitted_by")
    notify(
        users=[u for m in merged for u in _requester_users(m)], title=title, body=body, url=_need_url(need)
    )


def _need_url(need: Need) -> str:
    return reverse("web:need_detail", args=[need.pk])


# ---- who is told ---------------------------------------------------------------------------------------


def _community_admins(need: Need) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, grants__role=Role.COMMUNITY_ADMIN, grants__region=need.community_id
        ).distinct()
    )


def _street_admins(need: Need) -> list[User]:
    street_id = need.community.parent_id
    return list(
        User.objects.filter(
            is_active=True, grants__role=Role.STREET_ADMIN, grants__region=street_id
        ).distinct()
    )


def _claimer_users(claim: Claim) -> list[User]:
    if claim.member is not None:
        return [claim.member.user]
    return list(
        User.objects.filter(
            is_active=True, grants__role=Role.UNIT_ADMIN, grants__unit=claim.unit_id
        ).distinct()
    )


def _requester_users(need: Need) -> list[User]:
    """Who hears about a resident's need: the resident, and the grid worker who submitted it on its behalf."""
    users = [need.requester] if need.requester_id else []
    if need.on_behalf and need.submitted_by_id:
        users.append(need.submitted_by)
    return [u for u in users if u is not None]


def _tell(users: Iterable[Any], need: Need, title: str, body: str = "", *, actor: Any = None) -> None:
    """Notify everyone concerned except the person who acted."""
    notify(
        users=[u for u in users if u is not None and (actor is None or u.pk != actor.pk)],
        title=title,
        body=body or need.title,
        url=_need_url(need),
    )


def _claimer_name(claim: Claim) -> str:
    if claim.member is not None:
        return str(claim.member.user.name)
    return str(claim.unit.name) if claim.unit is not None else ""


# ---- 点单: submission -----------------------------------------------------------------------------------


def _deadlines(community: Region, kind: str, due_at: datetime | None) -> dict[str, Any]:
    if kind in COMMUNITY_KINDS:
        return {"respond_by": None, "resolve_by": due_at}
    policy = policy_in_force(community.district_code)
    now = timezone.now()
    return {
        "respond_by": now + timedelta(hours=policy.need_respond_hours),
        "resolve_by": now + timedelta(days=policy.need_resolve_days),
    }


def _may_submit_for_residents(actor: Any, community: Region, grid: Region | None) -> str | None:
    """How `actor` may submit a resident's need here: "self" (a resident or a member living here), "behalf"
    (a grid worker or community admin taking it down for someone), or None."""
    scope = scope_for(actor)
    if scope.covers_region(community, Role.COMMUNITY_ADMIN):
        return "behalf"
    if grid is not None and scope.covers_region(grid, Role.GRID_WORKER):
        return "behalf"
    if scope.covers_region(community, Role.RESIDENT):
        return "self"
    if scope.member_id and Member.objects.filter(pk=scope.member_id, community=community).exists():
        return "self"
    return None


def need_submit(
    *,
    actor: Any,
    kind: str,
    title: str,
    description: str = "",
    category: str,
    community: Region,
    grid: Region | None = None,
    location: str = "",
    skills: Iterable[str] = (),
    places: Any = None,
    starts_at: datetime | None = None,
    due_at: datetime | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    on_behalf: bool = False,
    publish: bool = False,
) -> Need:
    """A resident's wish or request (点单) — or, by a grid worker or the community, one taken down for a
    resident (代办) — waits for the community's vetting. The community's own service or task may be published
    at once (`publish=True`)."""
    if kind not in Kind.values:
        raise Invalid(_("需求类型不正确。"), fields={"kind": [_("可选：service、task、wish、request。")]})
    title = _text(title, field="title", label=_("标题"), max_length=TITLE_MAX, required=True)
    description = _text(
        description, field="description", label=_("详细描述"), max_length=DESCRIPTION_MAX, required=False
    )
    category = _category(category)
    grid = _grid_of(community, grid)
    skills = parse_skills(skills)
    location = _text(location, field="location", label=_("地点"), max_length=200, required=False)
    if kind in COMMUNITY_KINDS:
        if not _is_community_admin(actor, community):
            raise Forbidden(_("服务清单和任务清单由社区管理员发布。"))
        places = _places(places if places is not None else 1)
        how = "community"
        on_behalf = False
    else:
        how = _may_submit_for_residents(actor, community, grid) or ""
        if not how:
            raise Forbidden(_("只有本社区的居民（或为居民代办的网格员、社区管理员）可以提交微心愿和诉求。"))
        on_behalf = how == "behalf"
        places = _places(places if places is not None else 1)
        if publish and not _is_community_admin(actor, community):
            raise Forbidden(_("需求须经社区审核后发布。"))
    if on_behalf:
        contact_name = _text(
            contact_name, field="contact_name", label=_("联系人"), max_length=50, required=True
        )
    contact_phone = _contact_phone(contact_phone)
    address = _text(address, field="address", label=_("详细地址"), max_length=200, required=False)
    due_at = _future(due_at, field="due_at")
    if starts_at is not None and due_at is not None and starts_at > due_at:
        raise Invalid(_("开始时间不能晚于截止时间。"), fields={"starts_at": [_("晚于截止时间。")]})
    with transaction.atomic():
        need = Need.objects.create(
            kind=kind,
            title=title,
            description=description,
            category=category,
            community=community,
            grid=grid,
            path=(grid or community).path,
            location=location,
            skills=skills,
            places=places,
            starts_at=starts_at,
            due_at=due_at,
            requester=actor if how == "self" else None,
            submitted_by=actor,
            on_behalf=on_behalf,
            contact_name=contact_name or ("" if on_behalf else actor.name),
            contact_phone=contact_phone or ("" if on_behalf else actor.phone),
            address=address,
            **_deadlines(community, kind, due_at),
        )
        if how == "community":
            _event(need, _EventKind.CREATED, actor)
        else:
            # the resident's name stays in the contact block, where it is masked for those who may not see it
            note = _("代居民提交") if on_behalf else ""
            _event(need, _EventKind.SUBMITTED, actor, note=note)
            _tell(
                _community_admins(need),
                need,
                _("有新的%(kind)s待审核") % {"kind": need.get_kind_display()},
                actor=actor,
            )
        if publish:
            need = need_publish(actor=actor, need=need)
    if kind in RESIDENT_KINDS and need.respond_by:
        _schedule_escalation(need)
    return need


# ---- 下单: vetting --------------------------------------------------------------------------------------


def need_publish(
    *,
    actor: Any,
    need: Need,
    places: Any = None,
    skills: Iterable[str] | None = None,
    due_at: datetime | None = None,
) -> Need:
    """The community vets a need and opens it for claims, with the skills, places and deadline it needs."""
    _require_community_admin(actor, need)
    changes: dict[str, Any] = {}
    if places is not None:
        changes["places"] = _places(places)
    if skills is not None:
        changes["skills"] = parse_skills(skills)
    if due_at is not None:
        changes["due_at"] = _future(due_at, field="due_at")
        if need.kind in COMMUNITY_KINDS:
            changes["resolve_by"] = changes["due_at"]
    with transaction.atomic():
        need = _lock(need)
        _check_state(need, "publish")
        now = timezone.now()
        Need.objects.filter(pk=need.pk).update(
            status=Status.PUBLISHED, responded_at=need.responded_at or now, updated_at=now, **changes
        )
        need.refresh_from_db()
        _event(need, _EventKind.PUBLISHED, actor)
        if need.kind in RESIDENT_KINDS:
            _tell(_requester_users(need), need, _("您的需求已受理并发布"), actor=actor)
    return need


def need_decline(*, actor: Any, need: Need, reason: str, request: Any = None) -> Need:
    """不予受理, with a reason the resident sees. Only while nobody holds a place."""
    _require_community_admin(actor, need)
    reason = _reason(reason)
    with transaction.atomic():
        need = _lock(need)
        _check_state(need, "decline")
        if need.taken:
            raise Conflict(_("已有人认领的需求不能不予受理；请先处理认领。"), code="illegal_transition")
        now = timezone.now()
        Need.objects.filter(pk=need.pk).update(
            status=Status.DECLINED,
            decline_reason=reason,
            responded_at=need.responded_at or now,
            closed_at=now,
            updated_at=now,
        )
        need.refresh_from_db()
        _event(need, _EventKind.DECLINED, actor, note=reason)
        audit_record(
            action=Action.NEED_DECLINED, actor=actor, target=need, detail={"reason": reason}, request=request
        )
        _tell(_requester_users(need), need, _("您的需求未予受理"), reason, actor=actor)
        _tell_merged(need, _("与您的需求合并办理的事项未予受理"), reason)
    return need


def need_merge(*, actor: Any, need: Need, into: Need) -> Need:
    """A duplicate goes into another need of the same community; its resident follows that one."""
    _require_community_admin(actor, need)
    if into.pk == need.pk or into.community_id != need.community_id:
        raise Invalid(_("只能合并到本社区的另一条需求。"), fields={"into": [_("请选择本社区的另一条需求。")]})
    if into.status in FINAL_STATUSES:  # a closed one would never tell the merged resident it is done
        raise Conflict(_("目标需求已办结、不予受理或已被合并，不能再合并进去。"), code="illegal_transition")
    with transaction.atomic():
        first, second = sorted((need, into), key=lambda n: n.pk)  # one lock order: no deadlock
        locked = {first.pk: _lock(first), second.pk: _lock(second)}
        need, into = locked[need.pk], locked[into.pk]
        _check_state(need, "merge")
        if into.status in FINAL_STATUSES:
            raise Conflict(
                _("目标需求已办结、不予受理或已被合并，不能再合并进去。"), code="illegal_transition"
            )
        if need.taken:
            raise Conflict(_("已有人认领的需求不能合并。"), code="illegal_transition")
        now = timezone.now()
        # needs merged into this one follow it to the target, so their residents are told when it is done
        Need.objects.filter(merged_into=need).update(merged_into=into, updated_at=now)
        Need.objects.filter(pk=need.pk).update(
            status=Status.MERGED,
            merged_into=into,
            responded_at=need.responded_at or now,
            closed_at=now,
            updated_at=now,
        )
        need.refresh_from_db()
        _event(need, _EventKind.MERGED, actor, note=_("合并到：%(title)s") % {"title": into.title})
        _tell(
            _requester_users(need),
            need,
            _("您的需求已与相同事项合并办理"),
            _("合并到“%(title)s”，办结时会通知您。") % {"title": into.title},
            actor=actor,
        )
    return need


def _claimant_check(need: Need, *, member: Member | None, unit: Unit | None) -> None:
    if member is not None and member.registered_community_id != need.community_id:
        raise Forbidden(_("只有已在%(community)s报到的党员可以认领。") % {"community": need.community.name})
    if member is not None and need.requester_id is not None and member.user_id == need.requester_id:
        raise Forbidden(_("不能认领自己提交的需求：服务须由他人完成、由您确认。"))
    if (
        unit is not None
        and not UnitRegistration.objects.filter(
            unit=unit, community_id=need.community_id, status=RegistrationStatus.CONFIRMED
        ).exists()
    ):
        raise Forbidden(_("只有与%(community)s共建报到的单位可以认领。") % {"community": need.community.name})


def _lapse_time(need: Need) -> datetime:
    """When a claim not yet reported done lapses: the policy's days after it is taken — or after the need
    starts, for one that starts later — and never before the need's own deadline."""
    policy = policy_in_force(need.community.district_code)
    now = timezone.now()
    start = max(now, need.starts_at) if need.starts_at else now
    lapses = start + timedelta(days=policy.claim_lapse_days)
    return max(lapses, need.due_at) if need.due_at else lapses


def _check_not_past_due(need: Need) -> None:
    if need.due_at is not None and need.due_at <= timezone.now():
        raise Conflict(_("该需求已过截止时间，不能再认领。"), code="past_due")


def _take_place(need: Need, *, member: Member | None, unit: Unit | None, actor: Any, assigned: bool) -> Claim:
    def already_claimed() -> Conflict:
        if assigned:
            who = member.user.name if member is not None else (unit.name if unit is not None else "")
        else:
            who = _("您的单位") if unit is not None else _("您")
        return Conflict(_("%(who)s已经认领了这项需求。") % {"who": who}, code="already_claimed")

    # one who already holds the (last) place is told so, not that the places are gone; the unique
    # constraints below still decide any race
    _check_not_past_due(need)
    held = need.claims.filter(status__in=HOLDING_STATUSES)
    if held.filter(member=member).exists() if member is not None else held.filter(unit=unit).exists():
        raise already_claimed()
    taken = Need.objects.filter(pk=need.pk, taken__lt=F("places")).update(taken=F("taken") + 1)
    if not taken:
        raise Conflict(_("名额已满。"), code="full")
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                need=need,
                member=member,
                unit=unit,
                assigned=assigned,
                claimed_by=actor,
                lapses_at=_lapse_time(need),
            )
    except IntegrityError:
        raise already_claimed() from None
    need.taken += 1
    transaction.on_commit(lambda: _schedule_lapse(claim))
    return claim


def need_assign(
    *, actor: Any, need: Need, member: Member | None = None, unit: Unit | None = None, request: Any = None
) -> Claim:
    """The community hands a need to a named member or a co-building unit (单位认领), taking a place."""
    _require_community_admin(actor, need)
    if (member is None) == (unit is None):
        raise Invalid(_("请指定一名党员或一个单位。"), fields={"member": [_("党员与单位二选一。")]})
    with transaction.atomic():
        need = _lock(need)
        _check_state(need, "assign")
        _claimant_check(need, member=member, unit=unit)
        now = timezone.now()
        if need.status == Status.SUBMITTED:
            Need.objects.filter(pk=need.pk).update(status=Status.PUBLISHED, updated_at=now)
            need.status = Status.PUBLISHED
        if not need.responded_at:
            Need.objects.filter(pk=need.pk).update(responded_at=now)
        claim = _take_place(need, member=member, unit=unit, actor=actor, assigned=True)
        _settle(need)
        name = _claimer_name(claim)
        _event(need, _EventKind.ASSIGNED, actor, claim=claim, note=name)
        audit_record(
            action=Action.NEED_ASSIGNED, actor=actor, target=need, detail={"to": name}, request=request
        )
        _tell(_claimer_users(claim), need, _("社区指派给您一项需求"), actor=actor)
        if need.kind in RESIDENT_KINDS:
            _tell(
                _requester_users(need),
                need,
                _("您的需求已有人承接"),
                _("由 %(name)s 承接。") % {"name": name},
                actor=actor,
            )
    return claim


# ---- 接单: claims --------------------------------------------------------------------------------


def need_claim(*, actor: Any, need: Need, unit: Unit | None = None) -> Claim:
    """A registered member — or a unit admin for a co-building unit as a whole — takes one place."""
    scope = scope_for(actor)
    member: Member | None = None
    if unit is not None:
        if unit.pk not in scope.units(Role.UNIT_ADMIN):
            raise Forbidden(_("只有单位党组织管理员可以代表单位认领。"))
    else:
        if not scope.member_id:
            raise Forbidden(_("只有在职党员可以认领需求。"))
        member = Member.objects.select_related("user").get(pk=scope.member_id)
    with transaction.atomic():
        need = _lock(need)
        _check_state(need, "claim")
        _claimant_check(need, member=member, unit=unit)
        claim = _take_place(need, member=member, unit=unit, actor=actor, assigned=False)
        _settle(need)
        _event(need, _EventKind.CLAIMED, actor, claim=claim, note=_claimer_name(claim))
        _tell(
            _community_admins(need) + (_requester_users(need) if need.kind in RESIDENT_KINDS else []),
            need,
            _("需求已被认领"),
            _("%(name)s 认领了“%(title)s”。") % {"name": _claimer_name(claim), "title": need.title},
            actor=actor,
        )
    return claim


def _claim_of(actor: Any, need: Need, statuses: tuple[str, ...]) -> Claim:
    """The caller's own claim on the need in one of `statuses` (its member's, or a unit's it administers)."""
    scope = scope_for(actor)
    claims = need.claims.select_related("member__user", "unit")
    # newest first; one that ended (withdrawn, lapsed) is a state to explain, not a stranger's question
    mine = [
        c
        for c in claims
        if (c.member_id and c.member_id == scope.member_id)
        or (c.unit_id and c.unit_id in scope.units(Role.UNIT_ADMIN))
    ]
    if not mine:
        raise Forbidden(_("您没有认领这项需求。"))
    holding = [c for c in mine if c.status in HOLDING_STATUSES]
    for claim in holding:
        if claim.status in statuses:
            return claim
    if not holding and need.status in FINAL_STATUSES:
        raise Conflict(str(_NEED_REFUSALS[need.status]), code="illegal_transition")
    current = (holding or mine)[0].status
    refusal: str = {
        str(ClaimStatus.ACTIVE): _("您的认领尚未报告办结。"),
        str(ClaimStatus.COMPLETED): _("您已报告办结，正等待确认。"),
        str(ClaimStatus.DISPUTED): _("对您的办结有异议，正等待社区处理。"),
        str(ClaimStatus.CONFIRMED): _("您的服务已确认办结。"),
        str(ClaimStatus.WITHDRAWN): _("您已退出认领。"),
        str(ClaimStatus.LAPSED): _("您的认领已超时失效，名额已重新开放。"),
    }.get(current, _("当前状态不允许此操作。"))
    raise Conflict(refusal, code="illegal_transition")


def _release(
    need: Need,
    claim: Claim,
    status: str,
    *,
    reason: str,
    actor: Any,
    event: str,
    due_by: datetime | None = None,
) -> None:
    """A claim gives its place back (withdrawn, or lapsed if still due by `due_by`): the place reopens."""
    now = timezone.now()
    still = Claim.objects.filter(pk=claim.pk, status=ClaimStatus.ACTIVE)
    if due_by is not None:  # a reopened claim got a new time meanwhile: it does not lapse on the old one
        still = still.filter(lapses_at__lte=due_by)
    moved = still.update(status=status, reason=reason, ended_at=now)
    if not moved:
        raise Conflict(_("该认领已不在进行中。"), code="illegal_transition")
    Need.objects.filter(pk=need.pk, taken__gt=0).update(taken=F("taken") - 1)
    need.taken = max(need.taken - 1, 0)
    _settle(need)
    _event(need, event, actor, claim=claim, note=reason)


def need_withdraw(*, actor: Any, need: Need, reason: str) -> Claim:
    """退出: the claimer gives the place back, with a reason, before it has reported the need done."""
    reason = _reason(reason)
    with transaction.atomic():
        need = _lock(need)
        claim = _claim_of(actor, need, (ClaimStatus.ACTIVE,))
        _release(need, claim, ClaimStatus.WITHDRAWN, reason=reason, actor=actor, event=_EventKind.WITHDRAWN)
        _tell(
            _community_admins(need) + (_requester_users(need) if need.kind in RESIDENT_KINDS else []),
            need,
            _("有人退出了认领"),
            _("%(name)s 退出“%(title)s”：%(reason)s")
            % {"name": _claimer_name(claim), "title": need.title, "reason": reason},
            actor=actor,
        )
    claim.refresh_from_db()
    return claim


def claim_lapse(*, claim_id: int, now: datetime | None = None) -> bool:
    """An active claim past its time lapses and its place reopens. False when there was nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = (
            Claim.objects.filter(pk=claim_id, status=ClaimStatus.ACTIVE, lapses_at__lte=now)
            .select_related("member__user", "unit", "need")
            .first()
        )
        if claim is None:
            return False
        need = _lock(claim.need)
        try:
            _release(
                need,
                claim,
                ClaimStatus.LAPSED,
                reason=_("超时未办结"),
                actor=None,
                event=_EventKind.LAPSED,
                due_by=now,
            )
        except Conflict:
            return False
        _tell(
            _claimer_users(claim),
            need,
            _("您的认领已超时失效"),
            _("“%(title)s”的名额已重新开放。") % {"title": need.title},
        )
        _tell(
            _community_admins(need) + (_requester_users(need) if need.kind in RESIDENT_KINDS else []),
            need,
            _("认领超时失效，名额已重新开放"),
        )
    return True


# ---- 办结: fulfilment and confirmation ------------------------------------------------------------


def need_complete(*, actor: Any, need: Need, note: str, hours: Any) -> Claim:
    """The claimer reports the need done, with what was done and how long it took. Nothing is recorded yet."""
    note = _text(note, field="note", label=_("办结说明"), max_length=NOTE_MAX, required=True)
    hours = _hours(hours)
    with transaction.atomic():
        need = _lock(need)
        claim = _claim_of(actor, need, (ClaimStatus.ACTIVE,))
        now = timezone.now()
        Claim.objects.filter(pk=claim.pk, status=ClaimStatus.ACTIVE).update(
            status=ClaimStatus.COMPLETED, note=note, hours=hours, completed_at=now, completed_by=actor
        )
        _settle(need)
        _event(need, _EventKind.COMPLETED, actor, claim=claim, note=note)
        confirmers = _requester_users(need) if need.kind in RESIDENT_KINDS else _community_admins(need)
        if need.kind in RESIDENT_KINDS and not confirmers:
            confirmers = _community_admins(need)
        _tell(
            confirmers,
            need,
            _("请确认办结并评价"),
            _("%(name)s 报告“%(title)s”已办结。") % {"name": _claimer_name(claim), "title": need.title},
            actor=actor,
        )
    claim.refresh_from_db()
    return claim


def may_confirm(actor: Any, need: Need) -> bool:
    """Who vouches for the service: the resident it was for — or, for a resident without an account, the
    grid worker or community admin acting for it; for the community's own needs, the community admin."""
    if need.kind in COMMUNITY_KINDS:
        return _is_community_admin(actor, need.community)
    if need.requester_id is not None:
        return bool(need.requester_id == getattr(actor, "pk", None))
    return _is_community_admin(actor, need.community) or (
        need.grid is not None and scope_for(actor).covers_region(need.grid, Role.GRID_WORKER)
    )


def _claim_to_decide(need: Need, claim_id: int | None) -> Claim:
    waiting = list(need.claims.filter(status=ClaimStatus.COMPLETED).select_related("member__user", "unit"))
    if claim_id is not None:
        for claim in waiting:
            if claim.pk == claim_id:
                return claim
        raise Conflict(_("该认领不在待确认状态。"), code="illegal_transition")
    if not waiting:
        refusal = _NEED_REFUSALS.get(need.status) if need.status != Status.PUBLISHED else None
        raise Conflict(str(refusal or _("还没有人报告办结，无需确认。")), code="illegal_transition")
    if len(waiting) > 1:
        raise Invalid(
            _("有多人报告办结，请指明确认哪一份（claim）。"), fields={"claim": [_("请选择要确认的认领。")]}
        )
    return waiting[0]


def need_confirm(
    *,
    actor: Any,
    need: Need,
    rating: Any,
    comment: str = "",
    claim_id: int | None = None,
    hours: Any = None,
    request: Any = None,
) -> Claim:
    """The person served confirms and rates the fulfilment; only now is the service written to the ledger."""
    if not may_confirm(actor, need):
        raise Forbidden(_("只有服务对象（或社区）可以确认办结。"))
    rating = _rating(rating)
    comment = _text(comment, field="comment", label=_("评价"), max_length=COMMENT_MAX, required=False)
    with transaction.atomic():
        need = _lock(need)
        claim = _claim_to_decide(need, claim_id)
        if actor.pk in {u.pk for u in _claimer_users(claim)}:  # nobody verifies its own service
            raise Forbidden(_("不能确认自己的服务，须由服务对象或社区确认。"))
        confirmed_hours = (
            _hours(hours) if hours is not None and _is_community_admin(actor, need.community) else claim.hours
        )
        now = timezone.now()
        moved = Claim.objects.filter(pk=claim.pk, status=ClaimStatus.COMPLETED).update(
            status=ClaimStatus.CONFIRMED,
            rating=rating,
            comment=comment,
            hours=confirmed_hours,
            confirmed_at=now,
            confirmed_by=actor,
        )
        if not moved:
            raise Conflict(_("该办结已处理。"), code="illegal_transition")
        Need.objects.filter(pk=need.pk).update(rating=rating)
        record_write(
            source=Source.NEED,
            member=claim.member,
            unit=claim.unit if claim.member_id is None else None,
            community=need.community,
            path=need.path,
            title=need.title,
            category=need.category,
            hours=confirmed_hours or Decimal(0),
            served_at=claim.completed_at or now,
            verified_by=actor,
            need=need,
            claim=claim,
            rating=rating,
        )
        _settle(need)
        on_behalf = need.kind in RESIDENT_KINDS and need.requester_id != actor.pk
        note = (
            _("%(stars)d 星：%(comment)s") % {"stars": rating, "comment": comment}
            if comment
            else _("%(stars)d 星") % {"stars": rating}
        )
        if on_behalf:
            note = _("代居民确认，") + note
        _event(need, _EventKind.CONFIRMED, actor, claim=claim, note=note)
        audit_record(
            action=Action.SERVICE_VERIFIED,
            actor=actor,
            target=claim,
            detail={"need": need.pk, "hours": str(confirmed_hours), "rating": rating},
            request=request,
        )
        _tell(_claimer_users(claim), need, _("您的服务已确认，记入服务台账"), note, actor=actor)
    claim.refresh_from_db()
    return claim


def need_dispute(*, actor: Any, need: Need, reason: str, claim_id: int | None = None) -> Claim:
    """The person served says it is not done: the fulfilment goes back to the community."""
    if not may_confirm(actor, need):
        raise Forbidden(_("只有服务对象（或社区）可以对办结提出异议。"))
    reason = _reason(reason)
    with transaction.atomic():
        need = _lock(need)
        claim = _claim_to_decide(need, claim_id)
        Claim.objects.filter(pk=claim.pk, status=ClaimStatus.COMPLETED).update(
            status=ClaimStatus.DISPUTED, reason=reason
        )
        _settle(need)
        _event(need, _EventKind.DISPUTED, actor, claim=claim, note=reason)
        _tell(_community_admins(need) + _claimer_users(claim), need, _("办结有异议"), reason, actor=actor)
    claim.refresh_from_db()
    return claim


def need_reopen(*, actor: Any, need: Need, note: str = "") -> Claim:
    """退回重办: the community sends a disputed fulfilment back to its claimer to finish the work."""
    _require_community_admin(actor, need)
    note = _text(note, field="note", label=_("说明"), max_length=REASON_MAX, required=False)
    with transaction.atomic():
        need = _lock(need)
        claim = need.claims.filter(status=ClaimStatus.DISPUTED).select_related("member__user", "unit").first()
        if claim is None:
            raise Conflict(_("该需求没有待处理的异议。"), code="illegal_transition")
        Claim.objects.filter(pk=claim.pk).update(
            status=ClaimStatus.ACTIVE,
            lapses_at=_lapse_time(need),
            completed_at=None,
        )
        claim.refresh_from_db()
        transaction.on_commit(lambda: _schedule_lapse(claim))
        _settle(need)
        _event(need, _EventKind.REOPENED, actor, claim=claim, note=note)
        _tell(_claimer_users(claim), need, _("办结被退回重办"), note or claim.reason, actor=actor)
    return claim


def need_close(*, actor: Any, need: Need, reason: str = "") -> Need:
    """The community ends an open need. Its own task or service is closed (a task whose day has passed); a
    resident's wish or request is terminated (终止办理) with a reason the resident sees — never "done", which
    only the resident's confirmation makes it. Places held but not confirmed are released and nothing more is
    credited. Fulfilments awaiting confirmation must be decided first."""
    _require_community_admin(actor, need)
    for_resident = need.kind in RESIDENT_KINDS
    reason = _text(reason, field="reason", label=_("原因"), max_length=REASON_MAX, required=for_resident)
    with transaction.atomic():
        need = _lock(need)
        _check_state(need, "close")
        if need.claims.filter(status=ClaimStatus.COMPLETED).exists():  # a dispute elsewhere hides it
            raise Conflict(str(_SPECIAL_REFUSALS[("close", Status.COMPLETED)]), code="illegal_transition")
        now = timezone.now()
        released = list(
            need.claims.filter(status__in=(ClaimStatus.ACTIVE, ClaimStatus.DISPUTED)).select_related(
                "member__user", "unit"
            )
        )
        for claim in released:
            Claim.objects.filter(pk=claim.pk).update(
                status=ClaimStatus.RELEASED, reason=reason or _("需求已关闭"), ended_at=now
            )
            _tell(_claimer_users(claim), need, _("社区已关闭您认领的需求"), reason, actor=actor)
        Need.objects.filter(pk=need.pk).update(
            status=Status.TERMINATED if for_resident else Status.CLOSED,
            taken=F("taken") - len(released),
            closed_at=now,
            updated_at=now,
        )
        need.refresh_from_db()
        if for_resident:
            _event(need, _EventKind.TERMINATED, actor, note=reason)
            _tell(_requester_users(need), need, _("社区终止办理了您的需求"), reason, actor=actor)
            _tell_merged(need, _("与您的需求合并办理的事项已终止办理"), reason)
        else:
            _event(need, _EventKind.CLOSED, actor, note=reason)
            _closed(need)
    return need


def need_actions_for(user: Any, need: Need) -> frozenset[str]:
    """The actions `user` may take on `need` right now — what the pages offer. The services still decide (a
    race may have changed things since); this only keeps the pages from offering what would be refused."""
    scope = scope_for(user)
    statuses = dict(need.claims.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    actions: set[str] = set()
    if _is_community_admin(user, need.community):
        for action in ("publish", "decline", "merge", "close"):
            if need.status in _NEED_FROM[action]:
                actions.add(action)
        if need.taken:
            actions -= {"decline", "merge"}
        if statuses.get(ClaimStatus.COMPLETED):
            actions.discard("close")
        if statuses.get(ClaimStatus.DISPUTED):
            actions.add("reopen")
    open_for_claims = (
        need.status in _NEED_FROM["claim"]
        and need.taken < need.places
        and not (need.due_at is not None and need.due_at <= timezone.now())
    )
    if (
        _is_community_admin(user, need.community)
        and need.status in _NEED_FROM["assign"]
        and need.taken < need.places
        and not (need.due_at is not None and need.due_at <= timezone.now())
    ):
        actions.add("assign")
    mine = Q(unit_id__in=scope.units(Role.UNIT_ADMIN))
    if scope.member_id:
        mine |= Q(member_id=scope.member_id)
    held = set(need.claims.filter(mine, status__in=HOLDING_STATUSES).values_list("status", flat=True))
    if ClaimStatus.ACTIVE in held:
        actions |= {"withdraw", "complete"}
    if open_for_claims and scope.user_id != need.requester_id:
        member_may = bool(
            scope.member_id
            and Member.objects.filter(pk=scope.member_id, registered_community=need.community_id).exists()
            and not need.claims.filter(member_id=scope.member_id, status__in=HOLDING_STATUSES).exists()
        )
        # not for a unit that already holds a place (members' claims have no unit: keep NULL out of NOT IN)
        units_holding = need.claims.filter(status__in=HOLDING_STATUSES, unit__isnull=False).values("unit_id")
        unit_may = (
            UnitRegistration.objects.filter(
                unit_id__in=scope.units(Role.UNIT_ADMIN),
                community_id=need.community_id,
                status=RegistrationStatus.CONFIRMED,
            )
            .exclude(unit_id__in=units_holding)
            .exists()
        )
        if member_may or unit_may:
            actions.add("claim")
    if statuses.get(ClaimStatus.COMPLETED) and may_confirm(user, need) and not held & {ClaimStatus.COMPLETED}:
        actions |= {"confirm", "dispute"}
    return frozenset(actions)


# ---- photos --------------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_PER_STAGE = 3


def _photo_type(content: bytes) -> str:
    """The picture's type from its first bytes (never from the file name or the client's word)."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    message = _("只能上传 JPEG、PNG 或 WebP 格式的照片。")
    raise Invalid(message, fields={"file": [message]})


def _photo_stage(actor: Any, need: Need) -> str:
    """A claimer with its claim in hand adds photos of the work done; the resident (or whoever submitted the
    need) adds photos of the problem until the need is reported done."""
    scope = scope_for(actor)
    mine = Q(unit_id__in=scope.units(Role.UNIT_ADMIN))
    if scope.member_id:
        mine |= Q(member_id=scope.member_id)
    held = set(need.claims.filter(mine, status__in=HOLDING_STATUSES).values_list("status", flat=True))
    if held & {ClaimStatus.ACTIVE, ClaimStatus.COMPLETED}:
        return str(Photo.Stage.COMPLETED)
    if scope.user_id is not None and scope.user_id in (need.requester_id, need.submitted_by_id):
        if need.status in (Status.SUBMITTED, Status.PUBLISHED, Status.IN_PROGRESS):
            return str(Photo.Stage.SUBMITTED)
        raise Conflict(_("该需求已报告办结或已结束，不能再添加照片。"), code="illegal_transition")
    if held:
        raise Conflict(_("您的服务已确认或有异议，不能再添加照片。"), code="illegal_transition")
    raise Forbidden(_("只有需求的提交人或认领人可以上传照片。"))


def need_photo_add(*, actor: Any, need: Need, content: bytes) -> Photo:
    """A photo attached to a need: by its submitter (stage `submitted`) before it is reported done, or by a
    claimer (stage `completed`) while its claim is in hand. At most three per stage, each at most 5 MB, JPEG,
    PNG or WebP by content. A photo is something to look at, never proof of service."""
    if not content:
        message = _("请选择要上传的照片。")
        raise Invalid(message, fields={"file": [message]})
    if len(content) > PHOTO_MAX_BYTES:
        message = _("照片不能超过 %(max)d MB。") % {"max": PHOTO_MAX_BYTES // (1024 * 1024)}
        raise Invalid(message, fields={"file": [message]})
    content_type = _photo_type(content)
    with transaction.atomic():
        need = _lock(need)
        stage = _photo_stage(actor, need)
        if Photo.objects.filter(need=need, stage=stage).count() >= PHOTOS_PER_STAGE:
            message = _("每个阶段最多上传 %(max)d 张照片。") % {"max": PHOTOS_PER_STAGE}
            raise Invalid(message, fields={"file": [message]})
        return Photo.objects.create(
            need=need, stage=stage, content_type=content_type, data=content, uploaded_by=actor
        )


# ---- time limits ----------------------------------------------------------------------------------------


def _escalation_due(need: Need, now: datetime) -> str:
    """The escalation stage a need has reached: a late answer, then a late resolution — except while the work
    is reported done and only the resident's confirmation is awaited (then the resident is reminded)."""
    if need.status in FINAL_STATUSES:
        return Escalation.NONE
    if need.resolve_by is not None and need.resolve_by <= now and need.status != Status.COMPLETED:
        return Escalation.RESOLUTION
    if need.status == Status.SUBMITTED and need.respond_by is not None and need.respond_by <= now:
        return Escalation.RESPONSE
    return Escalation.NONE


_ESCALATION_ORDER = {Escalation.NONE: 0, Escalation.RESPONSE: 1, Escalation.RESOLUTION: 2}


def need_escalate(*, need_id: int, now: datetime | None = None) -> bool:
    """超时上报: an overdue resident need is reported to the street — once for a late answer, once more for a
    late resolution. A need past its time that waits only for the resident's confirmation reminds the
    resident instead (once). False when there was nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        need = (
            Need.objects.select_related("community", "requester", "submitted_by").filter(pk=need_id).first()
        )
        if need is None:
            return False
        if need.status == Status.COMPLETED and need.resolve_by is not None and need.resolve_by <= now:
            if not Need.objects.filter(pk=need.pk, reminded_at__isnull=True).update(reminded_at=now):
                return False
            _tell(
                _requester_users(need), need, _("请确认办结并评价"), _("认领人已报告办结，请确认或提出异议。")
            )
            return True
        stage = _escalation_due(need, now)
        if _ESCALATION_ORDER[Escalation(stage)] <= _ESCALATION_ORDER[Escalation(need.escalation)]:
            return False
        if not Need.objects.filter(pk=need.pk, escalation=need.escalation).update(
            escalation=stage, escalated_at=now
        ):
            return False
        note = _("超过响应时限未处理") if stage == Escalation.RESPONSE else _("超过办结时限未办结")
        _event(need, _EventKind.ESCALATED, None, note=note)
        _tell(
            _street_admins(need) + _community_admins(need),
            need,
            _("需求超时，已上报街道"),
            _("%(community)s“%(title)s”%(why)s。")
            % {"community": need.community.name, "title": need.title, "why": note},
        )
    return True


def needs_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Catch-all for the scheduled checks: lapse every claim past its time, escalate every overdue need."""
    now = now or timezone.now()
    lapsed = sum(
        claim_lapse(claim_id=pk, now=now)
        for pk in Claim.objects.filter(status=ClaimStatus.ACTIVE, lapses_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    escalated = sum(
        need_escalate(need_id=pk, now=now)
        for pk in Need.objects.filter(overdue_q(now), kind__in=RESIDENT_KINDS)
        .exclude(escalation=Escalation.RESOLUTION)
        .values_list("pk", flat=True)
    )
    return {"lapsed": lapsed, "escalated": escalated}


def _schedule_lapse(claim: Claim) -> None:
    from .tasks import claim_lapse_task

    if claim.lapses_at is not None:
        claim_lapse_task.using(run_after=claim.lapses_at).enqueue(claim.pk)


def _schedule_escalation(need: Need) -> None:
    from .tasks import need_escalate_task

    def enqueue() -> None:
        for when in (need.respond_by, need.resolve_by):
            if when is not None:
                need_escalate_task.using(run_after=when).enqueue(need.pk)

    transaction.on_commit(enqueue)
