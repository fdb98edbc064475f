from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings

from baodao.accounts.lockout import lockout_message
from baodao.accounts.models import User
from baodao.accounts.services import LockedOut, sign_in
from baodao.audit.models import Action, AuditEvent
from baodao.audit.services import audit_verify
from baodao.lib.errors import Invalid
from tests.factories import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def phone(w):
    return w.users["member"].phone


def _fail(rf_request, phone, n, *, first_ip=1):
    """`n` wrong passwords, each from another address."""
    for i in range(n):
        with pytest.raises(Invalid):
            sign_in(request=rf_request(f"10.0.0.{first_ip + i}"), phone=phone, password="wrong-password")


def _lock(rf_request, phone):
    _fail(rf_request, phone, LIMIT - 1)
    with pytest.raises(LockedOut):
        sign_in(request=rf_request("10.9.9.9"), phone=phone, password="wrong-password")


def test_it_signs_in_with_phone_and_password(w, rf_request, phone):
    assert sign_in(request=rf_request(), phone=phone, password=PASSWORD) == w.users["member"]
    spaced = f"{phone[:3]} {phone[3:7]}-{phone[7:]}"
    assert sign_in(request=rf_request(), phone=spaced, password=PASSWORD) == w.users["member"]


def test_it_gives_the_same_answer_for_a_wrong_password_and_an_unknown_phone(w, rf_request, phone):
    with pytest.raises(Invalid) as wrong:
        sign_in(request=rf_request(), phone=phone, password="wrong-password")
    with pytest.raises(Invalid) as unknown:
        sign_in(request=rf_request(), phone="13999999999", password=PASSWORD)
    assert not User.objects.filter(phone="13999999999").exists()
    assert (wrong.value.code, wrong.value.detail, wrong.value.fields) == (
        unknown.value.code,
        unknown.value.detail,
        unknown.value.fields,
    )
    assert wrong.value.detail == "手机号或密码不正确。"
    labels = list(AuditEvent.objects.filter(action=Action.LOGIN_FAILED).values_list("actor_label", "ip"))
    assert labels == [(phone, "10.0.0.1"), ("13999999999", "10.0.0.1")]


def test_it_refuses_a_deactivated_account_with_the_same_answer(w, rf_request, phone):
    User.objects.filter(phone=phone).update(is_active=False)
    with pytest.raises(Invalid) as exc:
        sign_in(request=rf_request(), phone=phone, password=PASSWORD)
    assert exc.value.detail == "手机号或密码不正确。"


def test_it_locks_a_phone_after_the_failure_limit_from_any_address(w, rf_request, phone):
    _fail(rf_request, phone, LIMIT - 1)
    # The attempt that reaches the limit locks the number.
    with pytest.raises(LockedOut):
        sign_in(request=rf_request("10.9.9.9"), phone=phone, password="wrong-password")
    # Now even the right password, from yet another address, is refused.
    with pytest.raises(LockedOut):
        sign_in(request=rf_request("172.16.0.1"), phone=phone, password=PASSWORD)
    # However the number is written.
    with pytest.raises(LockedOut):
        sign_in(request=rf_request("172.16.0.2"), phone=f" {phone[:3]}-{phone[3:]}", password=PASSWORD)


def test_it_leaves_other_phones_alone(w, rf_request, phone):
    _lock(rf_request, phone)
    other = w.users["other_member"]
    # From the very address the attack came from.
    assert sign_in(request=rf_request("10.0.0.1"), phone=other.phone, password=PASSWORD) == other


def test_it_locks_an_unknown_phone_just_like_a_known_one(w, rf_request):
    _fail(rf_request, "13999999999", LIMIT - 1)
    with pytest.raises(LockedOut):
        sign_in(request=rf_request(), phone="13999999999", password="wrong-password")


def test_it_audits_failures_and_the_lockout(w, rf_request, phone):
    _fail(rf_request, phone, LIMIT - 1)
    with pytest.raises(LockedOut):
        sign_in(request=rf_request("10.9.9.9"), phone=phone, password="wrong-password")
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor_label=phone)
    assert failed.count() == LIMIT - 1
    locked = AuditEvent.objects.get(action=Action.LOCKED_OUT)
    assert (locked.actor_label, locked.ip) == (phone, "10.9.9.9")
    assert audit_verify()[0]


def test_it_unlocks_after_the_cool_off(w, rf_request, phone):
    _lock(rf_request, phone)
    with pytest.raises(LockedOut):
        sign_in(request=rf_request(), phone=phone, password=PASSWORD)
    for attempt in AccessAttempt.objects.filter(username=phone):
        attempt.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
        attempt.save()
    assert sign_in(request=rf_request(), phone=phone, password=PASSWORD) == w.users["member"]


def test_it_stays_locked_just_before_the_cool_off_ends(w, rf_request, phone):
    _lock(rf_request, phone)
    for attempt in AccessAttempt.objects.filter(username=phone):
        attempt.attempt_time -= settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
        attempt.save()
    with pytest.raises(LockedOut):
        sign_in(request=rf_request(), phone=phone, password=PASSWORD)


def test_an_administrator_can_lift_a_lockout(w, rf_request, phone):
    _lock(rf_request, phone)
    reset(username=phone)
    assert sign_in(request=rf_request(), phone=phone, password=PASSWORD) == w.users["member"]


def test_a_successful_sign_in_clears_earlier_failures(w, rf_request, phone):
    # Not only through the web login (which fires user_logged_in): a token sign-in succeeds here too.
    _fail(rf_request, phone, LIMIT - 1)
    sign_in(request=rf_request(), phone=phone, password=PASSWORD)
    _fail(rf_request, phone, LIMIT - 1)
    assert sign_in(request=rf_request(), phone=phone, password=PASSWORD) == w.users["member"]


def test_the_lockout_message_names_the_wait():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert lockout_message() == f"登录失败次数过多，该账号已被临时锁定，请 {minutes} 分钟后再试。"
