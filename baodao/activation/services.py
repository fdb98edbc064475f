"""First sign-in by activation code: the way in for people whose account has no password yet (members
created by a roster import, or by an admin without a password).

- A code is 8 random digits, valid for ACTIVATION_CODE_TTL, good once, and bound to one person; only its keyed
  hash is stored. Issuing a code revokes the person's open one.
- Two ways to get one, one mechanism: an admin issues codes to members in its scope and hands out the printed
  sheet; or the person asks for one by SMS. Requests are limited per phone number (REQUEST_LIMITS) whatever
  the number, and answer the same whether or not the number has an account.
- Only an account without a usable password can be activated: for an account with a password this would be
  a password reset, which this flow never does.
- Redeeming takes phone, code and a new password. Every refusal reads the same; after AXES_FAILURE_LIMIT
  wrong tries within AXES_COOLOFF_TIME the number is locked for activation, as sign-in is.

Limits are counted in the database (ActivationAttempt), because several app servers share nothing else. The
tries are written in autocommit (not inside a caller's transaction), so that concurrent tries see each other.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.lockout import lockout_minutes
from baodao.accounts.models import User
from baodao.accounts.services import _check_password, _check_phone, password_set, phone_normalise
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib import crypto
from baodao.lib.errors import Conflict, Invalid
from baodao.lib.idnumber import mask_phone
from baodao.members.models import Member
from baodao.notify.sms import sms_send

from .models import ActivationAttempt, ActivationCode, AttemptKind, Channel
from .selectors import awaiting_activation, members_activatable_by, open_codes

logger = logging.getLogger(__name__)

CODE_DIGITS = 8
#: SMS requests per phone number: at most this many within each window.
REQUEST_LIMITS = ((1, timedelta(minutes=1)), (5, timedelta(days=1)))
#: The most codes one admin action issues (one printed sheet).
SHEET_MAX = 500
_CODE_SEPARATORS = re.compile(r"[\s-]+")


class ActivationLocked(Exception):
    """Too many wrong codes for this phone number: activation is refused for a while."""

    def __init__(self) -> None:
        super().__init__(locked_message())


class Throttled(Exception):
    """This phone number asked for codes too often."""

    def __init__(self) -> None:
        super().__init__(throttled_message())


@dataclass(frozen=True)
class IssuedCode:
    """A code as it is shown once: to the admin on the printed sheet, or to the API caller."""

    user: User
    code: str
    expires_at: datetime


def bad_code_message() -> str:
    return _("手机号或激活码不正确，或激活码已失效。")


def locked_message() -> str:
    return _("激活码输错次数过多，该手机号已暂停激活，请 %(minutes)d 分钟后再试。") % {
        "minutes": lockout_minutes()
    }


def throttled_message() -> str:
    return _("申请过于频繁：同一手机号每分钟最多申请 1 次、每天最多 5 次，请稍后再试。")


def requested_message() -> str:
    return _(
        "如果该手机号属于一个尚未设置密码的账号，激活码已通过短信发送，%(hours)d 小时内有效。"
        "已设置过密码的账号不会收到激活码。"
    ) % {"hours": ttl_hours()}


def ttl_hours() -> int:
    return int(settings.ACTIVATION_CODE_TTL.total_seconds() // 3600)


def _code_hash(user_id: int, code: str) -> str:
    # Bound to the person: the same digits issued to two people hash differently.
    return crypto.code_hash(f"{user_id}:{code}")


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_normalise(code: str) -> str:
    return _CODE_SEPARATORS.sub("", code or "")


# ---- limits ---------------------------------------------------------------------------------------------


def _attempt(phone: str, kind: str, limits: Iterable[tuple[int, timedelta]]) -> ActivationAttempt | None:
    """Record one try of `kind` for `phone` and return it, or None when the number is over a limit (the try
    is then not counted, so waiting is enough to be let in again).

    The row is written before the count, so of two concurrent tries the later to count sees the other:
    neither can slip past a limit."""
    now = timezone.now()
    kept = max(settings.AXES_COOLOFF_TIME, *(window for _, window in REQUEST_LIMITS))
    ActivationAttempt.objects.filter(at__lt=now - kept).delete()
    attempt = ActivationAttempt.objects.create(phone=phone[:20], kind=kind, at=now)
    for limit, window in limits:
        if _counted(phone, kind, since=now - window) > limit:
            ActivationAttempt.objects.filter(pk=attempt.pk).update(counted=False)
            return None
    return attempt


def _counted(phone: str, kind: str, *, since: datetime) -> int:
    return ActivationAttempt.objects.filter(phone=phone[:20], kind=kind, counted=True, at__gt=since).count()


# ---- issuing --------------------------------------------------------------------------------------------


def _issue(users: Sequence[User], *, channel: str, issued_by: User | None) -> list[IssuedCode]:
    """A fresh code for each person, revoking its open one; all or nothing. Conflict when one of them has a
    password (or is disabled) by now."""
    now = timezone.now()
    expires_at = now + settings.ACTIVATION_CODE_TTL
    ids = sorted({u.pk for u in users})
    issued = [IssuedCode(user=u, code=_new_code(), expires_at=expires_at) for u in users]
    with transaction.atomic():
        # The people's rows are locked (in id order), so issuers and redemptions for a person queue up.
        ready = list(
            User.objects.select_for_update()
            .filter(pk__in=ids)
            .filter(awaiting_activation())
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(ready) != len(ids):
            raise Conflict(_("该账号已设置密码，无需激活；忘记密码请走重置密码流程。"), code="has_password")
        open_codes().filter(user_id__in=ids).update(revoked_at=now)
        ActivationCode.objects.bulk_create(
            [
                ActivationCode(
                    user=i.user,
                    code_hash=_code_hash(i.user.pk, i.code),
                    channel=channel,
                    issued_by=issued_by,
                    created_at=now,
                    expires_at=expires_at,
                )
                for i in issued
            ]
        )
    return issued


def activation_codes_issue(*, actor: Any, members: Iterable[Member], request: Any = None) -> list[IssuedCode]:
    """An admin issues codes to members it administers (out of its scope: 404) who have no password yet
    (otherwise: 409), at most SHEET_MAX at once. The codes are returned to be shown once; the audit log
    records who got one, never the codes."""
    wanted = {m.pk for m in members}
    if not wanted:
        raise Invalid(_("请先选择要发放激活码的党员。"), code="none_selected")
    if len(wanted) > SHEET_MAX:
        raise Invalid(_("一次最多为 %(max)d 名党员生成激活码。") % {"max": SHEET_MAX}, code="too_many")
    in_scope = list(members_activatable_by(actor).filter(pk__in=wanted).order_by("user__name", "pk"))
    if len(in_scope) != len(wanted):
        raise Http404(_("没有找到该党员。"))
    issued = _issue([m.user for m in in_scope], channel=Channel.ADMIN, issued_by=actor)
    audit_record(
        action=Action.ACTIVATION_ISSUED,
        actor=actor,
        target=in_scope[0].user if len(in_scope) == 1 else None,
        detail={"channel": Channel.ADMIN, "count": len(issued), "users": [i.user.pk for i in issued]},
        request=request,
    )
    return issued


def activation_code_request(*, phone: str, request: Any = None) -> None:
    """Someone asks for a code by SMS. If `phone` belongs to an account without a password, a fresh code is
    texted to it; otherwise nothing is sent. The answer is the same either way. Raises Invalid for a
    malformed number and Throttled when the number asked too often (for every number alike)."""
    phone = _check_phone(phone)
    if _attempt(phone, AttemptKind.REQUEST, REQUEST_LIMITS) is None:
        raise Throttled
    user = User.objects.filter(awaiting_activation(), phone=phone).first()
    if user is None:
        return
    try:
        [issued] = _issue([user], channel=Channel.SMS, issued_by=None)
    except Conflict:  # activated meanwhile
        return
    audit_record(
        action=Action.ACTIVATION_ISSUED,
        actor_label="sms",
        target=user,
        detail={"channel": Channel.SMS, "count": 1, "users": [user.pk]},
        request=request,
    )
    text = _(
        "您的报到平台激活码是 %(code)s，%(hours)d 小时内有效。请在登录页点“首次登录”，"
        "输入手机号和激活码并设置密码。如非本人操作，请忽略本短信。"
    ) % {"code": issued.code, "hours": ttl_hours()}
    try:
        sms_send(phone=phone, text=text)
    except Exception:  # a gateway's failure must not tell the asker that the number has an account
        logger.exception("The SMS backend did not accept the activation code for %s", mask_phone(phone))


# ---- redeeming ------------------------------------------------------------------------------------------


def account_activate(*, phone: str, code: str, password: str, request: Any = None) -> User:
    """Set the first password of the account of `phone` with its activation code, and return the person
    (the caller signs it in). Uses up the code and revokes any other.

    Raises Invalid for a password that breaks the rules (this costs no try) and, with one message for every
    case (wrong, expired, used or revoked code; unknown number; account with a password), for a refused code;
    ActivationLocked after too many refused codes for the number."""
    phone = phone_normalise(phone)
    code = code_normalise(code)
    _check_password(password)
    attempt = _attempt(phone, AttemptKind.REDEEM, [(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)])
    if attempt is None:
        raise ActivationLocked
    user = _redeem(phone, code, password, request)
    if user is None:
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        if _counted(phone, AttemptKind.REDEEM, since=since) >= settings.AXES_FAILURE_LIMIT:
            raise ActivationLocked
        raise Invalid(bad_code_message(), code="bad_code", fields={"code": [bad_code_message()]})
    ActivationAttempt.objects.filter(pk=attempt.pk).update(counted=False)
    # Failed sign-ins before activation must not lock the person out of its new password.
    axes_reset(username=phone)
    return user


def _redeem(phone: str, code: str, password: str, request: Any) -> User | None:
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(awaiting_activation(), phone=phone).first()
        live = open_codes().filter(user=user, expires_at__gt=now).first() if user else None
        # Hash even when there is nothing to compare with: the work done must not tell the cases apart.
        given = _code_hash(user.pk if user else 0, code)
        if user is None or live is None or not hmac.compare_digest(live.code_hash, given):
            return None
        if not open_codes().filter(pk=live.pk).update(used_at=now):
            return None
        open_codes().filter(user=user).update(revoked_at=now)
        password_set(user=user, password=password)
        audit_record(
            action=Action.ACTIVATED,
            actor=user,
            target=user,
            detail={"channel": live.channel, "issued_by": live.issued_by_id},
            request=request,
        )
    return user
