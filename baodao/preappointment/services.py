"""任前考察: asking for a member's community performance report, the community's answer, and — for a
member who never registered — the unit's written explanation. Each step is audited and tells the next person
what is expected of them."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role, User
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.lib.inputs import text as _text
from baodao.members.models import Member
from baodao.notify.services import notify
from baodao.org.models import Region, Unit

from .models import Check, Status
from .selectors import (
    answering_community,
    check_report,
    is_self,
    may_answer,
    may_ask_about,
    may_explain,
)

REASON_MAX = 300
COMMENT_MAX = 1000
EXPLANATION_MAX = 2000


def _url(check: Check) -> str:
    return reverse("web:preappointment_detail", args=[check.pk])


def illegal(status: str) -> Conflict:
    return Conflict(
        _("该任前考察当前状态为“%(status)s”，不能办理此操作。") % {"status": Status(status).label},
        code="illegal_transition",
    )


def _community_admins(community: Region, *, but: Member) -> list[User]:
    """The community's admins, the member the check is about left out."""
    return list(
        User.objects.filter(is_active=True, grants__role=Role.COMMUNITY_ADMIN, grants__region=community)
        .exclude(pk=but.user_id)
        .distinct()
    )


def _unit_admins(unit: Unit, *, but: Member) -> list[User]:
    """The unit's admins, the member the check is about left out."""
    return list(
        User.objects.filter(is_active=True, grants__role=Role.UNIT_ADMIN, grants__unit=unit)
        .exclude(pk=but.user_id)
        .distinct()
    )


def _locked(check: Check) -> Check:
    return (
        Check.objects.select_for_update(of=("self",))
        .select_related("member__user", "unit", "community", "asked_by")
        .get(pk=check.pk)
    )


def statement_text(member: Member, unit: Unit, day: Any) -> str:
    """经查，XXX 同志（单位）截至 YYYY年M月D日 未到居住地社区报到。"""
    return _("经查，%(name)s 同志（%(unit)s）截至 %(date)s 未到居住地社区报到。") % {
        "name": member.name,
        "unit": unit.name,
        "date": _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day},
    }


def check_ask(*, actor: Any, member: Member, reason: str, request: Any = None) -> Check:
    """A unit admin of the member's unit, or a district admin over it, asks for the member's report. A member
    who ever registered is reported on by its community (pending); one who never did is stated so, and its
    unit owes an explanation (explanation_required). Nobody asks about itself (403); a member off its unit's
    roster is not asked about (400); one open check per member (409 `already_open`)."""
    if is_self(actor, member.pk):
        raise Forbidden(_("不能对本人发起任前考察。"))
    if not may_ask_about(actor, member):
        raise Forbidden(_("只有党员所在单位的党组织或区委组织部可以发起任前考察。"))
    reason = _text(reason, field="reason", label=_("考察事由"), max_length=REASON_MAX, required=True)
    already = Conflict(_("该党员已有一件尚未办结的任前考察。"), code="already_open")
    try:
        with transaction.atomic():
            member = (
                Member.objects.select_for_update(of=("self",))
                .select_related("user", "unit")
                .get(pk=member.pk)
            )
            if not member.on_roster:
                gone = _("该党员已不在本单位名册。")
                raise Invalid(gone, fields={"member": [gone]})
            if Check.objects.filter(
                member=member, status__in=[Status.PENDING, Status.EXPLANATION_REQUIRED]
            ).exists():
                raise already
            now = timezone.now()
            community = answering_community(member.pk)
            registered = community is not None
            check = Check.objects.create(
                member=member,
                unit=member.unit,
                asked_by=actor,
                reason=reason,
                asked_at=now,
                registered=registered,
                community=community,
                statement="" if registered else statement_text(member, member.unit, timezone.localdate(now)),
                status=Status.PENDING if registered else Status.EXPLANATION_REQUIRED,
            )
            if registered:
                notify(
                    users=_community_admins(community, but=member),
                    title=_("任前考察：请反馈%(name)s同志在社区的表现") % {"name": member.name},
                    body=_("%(unit)s：%(reason)s") % {"unit": member.unit.name, "reason": reason},
                    url=_url(check),
                )
            else:
                notify(
                    users=[u for u in _unit_admins(member.unit, but=member) if u.pk != actor.pk],
                    title=_("任前考察：%(name)s同志未到社区报到，请补充情况说明") % {"name": member.name},
                    body=check.statement,
                    url=_url(check),
                )
            audit_record(
                action=Action.PREAPPOINTMENT_ASKED,
                actor=actor,
                target=check,
                detail={
                    "member": member.pk,
                    "unit": member.unit.code,
                    "registered": registered,
                    "community": community.code if community else None,
                },
                request=request,
            )
    except IntegrityError:
        raise already from None
    return check


def check_answer(*, actor: Any, check: Check, comment: str, request: Any = None) -> Check:
    """The community's admin answers: the report is frozen as it stands, with the comment. The state is
    looked at before the person: a check that is not pending is 409 for whoever tries."""
    with transaction.atomic():
        check = _locked(check)
        if check.status != Status.PENDING:
            raise illegal(check.status)
        if not may_answer(actor, check):
            raise Forbidden(_("只有被考察党员报到社区的管理员可以回复任前考察。"))
        comment = _text(comment, field="comment", label=_("社区意见"), max_length=COMMENT_MAX, required=True)
        check.report = check_report(check)
        check.comment = comment
        check.status = Status.ANSWERED
        check.answered_by = actor
        check.answered_at = timezone.now()
        check.save(update_fields=["report", "comment", "status", "answered_by", "answered_at"])
        notify(
            users=[check.asked_by],
            title=_("任前考察已回复：%(name)s") % {"name": check.member.name},
            body=comment,
            url=_url(check),
        )
        audit_record(
            action=Action.PREAPPOINTMENT_ANSWERED,
            actor=actor,
            target=check,
            detail={
                "member": check.member_id,
                "community": check.community.code if check.community else None,
            },
            request=request,
        )
    return check


def check_explain(*, actor: Any, check: Check, explanation: str, request: Any = None) -> Check:
    """The unit attaches its written explanation of why the member never registered. The state is looked at
    before the person: a check that does not wait for an explanation is 409 for whoever tries."""
    with transaction.atomic():
        check = _locked(check)
        if check.status != Status.EXPLANATION_REQUIRED:
            raise illegal(check.status)
        if not may_explain(actor, check):
            raise Forbidden(_("只有被考察党员所在单位的党组织可以补充情况说明。"))
        explanation = _text(
            explanation, field="explanation", label=_("情况说明"), max_length=EXPLANATION_MAX, required=True
        )
        check.explanation = explanation
        check.status = Status.EXPLAINED
        check.explained_by = actor
        check.explained_at = timezone.now()
        check.save(update_fields=["explanation", "status", "explained_by", "explained_at"])
        if check.asked_by_id != actor.pk:
            notify(
                users=[check.asked_by],
                title=_("任前考察已补充情况说明：%(name)s") % {"name": check.member.name},
                body=explanation,
                url=_url(check),
            )
        audit_record(
            action=Action.PREAPPOINTMENT_EXPLAINED,
            actor=actor,
            target=check,
            detail={"member": check.member_id, "unit": check.unit.code},
            request=request,
        )
    return check
