"""Sending the feedback letters (发送反馈函) of a region's units, and the one-click reminders (一键提醒)
of the members who have not registered or not served."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.lib.periods import Period
from baodao.members.models import Member
from baodao.notify.services import SmsChannel, notify_many
from baodao.org.models import Level, Region, Unit

from .models import FeedbackLetter, Reminder, Who
from .selectors import (
    feedback_letter,
    last_reminder,
    region_units,
    unit_admin_ids,
    unit_counts,
    units_not_sent,
)

#: a unit reminds the same list for the same period at most once in this time
REMIND_INTERVAL = timedelta(hours=24)


def letter_url(unit: Unit, period: Period) -> str:
    """The letter's page, as a notice links to it."""
    return f"{reverse('web:unit_feedback', args=[unit.code])}?period={period.code}"


def _already_sent() -> Conflict:
    return Conflict(_("这一期各单位的反馈函都已经发送过了。"), code="already_sent")


@dataclass(frozen=True)
class SendResult:
    #: letters sent now
    sent: int
    #: units left unsent because nobody administers them: they get theirs once a unit admin is appointed
    no_admin: int


def feedback_send(*, actor: Any, region: Region, period: Period, request: Any = None) -> SendResult:
    """A district or street admin over `region` sends the period's letter to every unit of the region that
    has not had it yet and has a unit admin to receive it: one `FeedbackLetter` per unit with the counts as
    sent, and a notice to each of the unit's admins linking to the letter. A unit without an admin is not
    marked as sent, so that a later send reaches it. Returns how many were sent and how many had nobody to
    receive it; none left to send is a Conflict (`already_sent`, or `no_admin` when those left have no
    admin), as is a period that has not ended (`period_not_ended`).

    The region's units are locked for the length of the send: a street's and its district's sends at the
    same moment take turns, and the second sends only what the first left."""
    if region.level not in (Level.DISTRICT, Level.STREET) or not scope_for(actor).covers_region(
        region, Role.DISTRICT_ADMIN, Role.STREET_ADMIN
    ):
        raise Forbidden(_("只有区或街道的管理员可以发送本区域各单位的反馈函。"))
    now = timezone.now()
    if period.ends_at > now:
        raise Conflict(
            _("%(period)s 还没有结束，期满后才能发送反馈函。") % {"period": period.label},
            code="period_not_ended",
        )
    title = _("反馈函：%(period)s在职党员进社区情况") % {"period": period.label}
    with transaction.atomic():
        list(region_units(region).select_for_update().order_by("pk").values_list("pk", flat=True))
        pending = list(units_not_sent(region, period).order_by("code"))
        if not pending:
            raise _already_sent()
        admins = unit_admin_ids([u.pk for u in pending])
        units = [u for u in pending if admins.get(u.pk)]
        no_admin = len(pending) - len(units)
        if not units:
            raise Conflict(
                _("尚未发送的 %(count)d 个单位都还没有单位管理员，无人接收反馈函；请先为这些单位设置管理员。")
                % {"count": no_admin},
                code="no_admin",
            )
        counts = unit_counts(Unit.objects.filter(pk__in=[u.pk for u in units]), period)
        FeedbackLetter.objects.bulk_create(
            FeedbackLetter(
                unit=unit,
                period=period.code,
                region=region,
                sent_at=now,
                sent_by=actor,
                members=counts[unit.pk].members,
                registered=counts[unit.pk].registered,
                served=counts[unit.pk].served,
            )
            for unit in units
        )
        for unit in units:
            c = counts[unit.pk]
            body = _(
                "%(issuer)s向贵单位发来%(period)s在职党员进社区情况反馈函：在册 %(members)d 人，"
                "期末已报到 %(registered)d 人，本期参加服务 %(served)d 人。请查看名单，督促未报到、"
                "未服务的党员。"
            ) % {
                "issuer": region.name,
                "period": period.label,
                "members": c.members,
                "registered": c.registered,
                "served": c.served,
            }
            notify_many(user_ids=admins[unit.pk], title=title, body=body, url=letter_url(unit, period))
        audit_record(
            action=Action.FEEDBACK_SENT,
            actor=actor,
            target=region,
            detail={"region": region.code, "period": period.code, "units": len(units), "no_admin": no_admin},
            request=request,
        )
    return SendResult(sent=len(units), no_admin=no_admin)


def sms_on() -> bool:
    """Whether notices also go out as text messages (a channel of `settings.NOTIFY_CHANNELS` sends them)."""
    return any(issubclass(import_string(path), SmsChannel) for path in settings.NOTIFY_CHANNELS)


def _texts(who: str, unit: Unit, period: Period) -> tuple[str, str, str]:
    """The reminder's title, body and link."""
    if who == Who.UNREGISTERED:
        return (
            _("请到居住地社区报到"),
            _(
                "%(unit)s提醒您：您还没有到居住地社区报到。请登录“报到”平台，选择您居住的社区提交报到申请，"
                "社区确认后即可参加服务。首次登录的，可在登录页“首次登录”处输入本人手机号获取激活码，设置密码。"
            )
            % {"unit": unit.name},
            reverse("web:me_apply"),
        )
    return (
        _("%(period)s您还没有参加社区服务") % {"period": period.label},
        _("%(unit)s提醒您：%(period)s您还没有经社区核实的服务记录。请查看社区的需求和活动，认领或报名参加。")
        % {"unit": unit.name, "period": period.label},
        reverse("web:needs_near"),
    )


def members_remind(*, actor: Any, unit: Unit, period: Period, who: str, request: Any = None) -> int:
    """The unit's admin (or a district or street admin over it) reminds, by inbox (and text message when
    that channel is on, see `sms_on`), every member of the letter's list `who` ("unregistered": not
    registered at the period's end and not since; "unserved": registered but without standing service in
    the period). Once per unit and list in `REMIND_INTERVAL`, whatever the period (Conflict
    `reminded_recently`): switching from a quarter to the year does not remind the same people twice in a
    day. An empty list is a Conflict (`nobody_to_remind`). Returns how many were reminded."""
    if who not in Who.values:
        message = _("提醒对象只能是未报到（unregistered）或本期未服务（unserved）。")
        raise Invalid(message, fields={"who": [message]})
    if not scope_for(actor).administers_unit(unit):
        raise Forbidden(_("只有本单位或上级区、街道的管理员可以提醒本单位党员。"))
    now = timezone.now()
    if period.starts_at > now:
        raise Conflict(
            _("%(period)s 还没有开始，不能提醒。") % {"period": period.label}, code="period_not_started"
        )
    with transaction.atomic():
        # one reminder at a time per unit: the second of two simultaneous clicks sees the first
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        recent = last_reminder(unit, who, since=now - REMIND_INTERVAL)
        if recent is not None:
            at = formats.date_format(timezone.localtime(recent.at), "DATETIME_FORMAT")
            raise Conflict(
                _("%(at)s 已经提醒过这些党员，24 小时内不能重复提醒。") % {"at": at},
                code="reminded_recently",
                fields={"at": [recent.at.isoformat()]},
            )
        rows = feedback_letter(unit, period).rows_for(who)
        user_ids = [r.user_id for r in rows]
        if who == Who.UNREGISTERED and user_ids:
            # registered since the period ended: nothing left to ask of them
            since = set(
                Member.objects.filter(
                    pk__in=[r.member_id for r in rows], registered_community__isnull=False
                ).values_list("user_id", flat=True)
            )
            user_ids = [uid for uid in user_ids if uid not in since]
        if not user_ids:
            raise Conflict(_("名单上没有需要提醒的党员。"), code="nobody_to_remind")
        title, body, url = _texts(who, unit, period)
        count = notify_many(user_ids=user_ids, title=title, body=body, url=url)
        Reminder.objects.create(unit=unit, who=who, period=period.code, count=count, by=actor, at=now)
        audit_record(
            action=Action.MEMBERS_REMINDED,
            actor=actor,
            target=unit,
            detail={"unit": unit.code, "period": period.code, "who": who, "count": count},
            request=request,
        )
    return count
