"""The activation page (/activate/) and asking for a code by SMS (/activate/sms/)."""

import re
from datetime import timedelta

from django.db.models import F

from baodao.activation.models import ActivationAttempt
from baodao.activation.services import activation_codes_issue
from baodao.audit.models import Action, AuditEvent
from baodao.notify.models import Outbox

from .conftest import BAD_CODE, NEW_PASSWORD, texted_code

SENT = "如果该手机号属于一个尚未设置密码的账号，激活码已通过短信发送"


def alert(response) -> str:
    return re.search(r'role="alert">(.*?)</', response.text, re.S).group(1)


def post(client, phone, code, password=NEW_PASSWORD, confirm=None):
    data = {"phone": phone, "code": code, "password": password, "password_confirm": confirm or password}
    return client.post("/activate/", data)


def code_for(w, member):
    [issued] = activation_codes_issue(actor=w.users["unit_admin"], members=[member])
    return issued.code


def test_it_is_linked_from_the_login_page(client):
    html = client.get("/login/").text
    assert '<a href="/activate/">首次登录？使用激活码设置密码</a>' in html


def test_it_shows_the_form_in_chinese(client):
    r = client.get("/activate/")
    assert r.status_code == 200
    html = r.text
    for label in ("手机号", "激活码", "新密码", "确认新密码"):
        assert f">{label}</label>" in html
    assert 'type="tel"' in html and 'autocomplete="one-time-code"' in html
    assert ">设置密码并登录</button>" in html and ">发送激活码</button>" in html
    assert "不能用激活码重置密码" in html
    assert "no-store" in r["Cache-Control"]


def test_it_sets_the_password_and_signs_in(client, w, newcomer):
    r = post(client, newcomer.user.phone, code_for(w, newcomer))
    assert r.status_code == 302 and r.url == "/"
    assert client.session["_auth_user_id"] == str(newcomer.user_id)
    page = client.get("/", follow=True)
    assert "密码已设置" in page.text
    assert AuditEvent.objects.filter(action=Action.ACTIVATED, actor=newcomer.user).exists()
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=newcomer.user).exists()
    client.logout()
    signed = client.post("/login/", {"phone": newcomer.user.phone, "password": NEW_PASSWORD})
    assert signed.status_code == 302


def test_every_refusal_reads_the_same(client, w, newcomer):
    code = code_for(w, newcomer)
    answers = [
        post(client, newcomer.user.phone, "00000000" if code != "00000000" else "11111111"),
        post(client, "13999999999", code),
        post(client, w.users["member"].phone, code),
    ]
    assert {r.status_code for r in answers} == {200}
    assert {alert(r) for r in answers} == {BAD_CODE}
    assert "_auth_user_id" not in client.session


def test_it_explains_password_rules_and_a_mismatch_in_chinese(client, w, newcomer):
    code = code_for(w, newcomer)
    html = post(client, newcomer.user.phone, code, "12345678").text
    assert "这个密码太常见了" in html or "这个密码全部是数字" in html
    html = post(client, newcomer.user.phone, code, NEW_PASSWORD, "Different#2026").text
    assert "两次输入的密码不一致。" in html
    assert post(client, newcomer.user.phone, code).status_code == 302  # the code still works


def test_it_locks_the_number_after_five_wrong_codes(client, w, newcomer):
    code = code_for(w, newcomer)
    other = "00000000" if code != "00000000" else "11111111"
    for _ in range(4):
        assert post(client, newcomer.user.phone, other).status_code == 200
    fifth = post(client, newcomer.user.phone, other)
    right = post(client, newcomer.user.phone, code)
    for r in (fifth, right):
        assert r.status_code == 429 and "激活码输错次数过多" in alert(r)
    assert "_auth_user_id" not in client.session


def test_it_texts_a_code_and_answers_the_same_for_any_number(client, w, newcomer):
    answers = [
        client.post("/activate/sms/", {"sms-phone": phone})
        for phone in (newcomer.user.phone, "13999999999", w.users["member"].phone)
    ]
    assert {r.status_code for r in answers} == {200}
    notices = {re.search(r'role="status">(.*?)</', r.text, re.S).group(1) for r in answers}
    assert len(notices) == 1 and SENT in notices.pop()
    assert list(Outbox.objects.values_list("phone", flat=True)) == [newcomer.user.phone]
    assert f'value="{newcomer.user.phone}"' in answers[0].text  # carried over to the activation form
    r = post(client, newcomer.user.phone, texted_code(newcomer.user.phone))
    assert r.status_code == 302


def test_it_limits_requests_for_a_number(client, newcomer):
    phone = newcomer.user.phone
    assert client.post("/activate/sms/", {"sms-phone": phone}).status_code == 200
    again = client.post("/activate/sms/", {"sms-phone": phone})
    assert again.status_code == 429 and "申请过于频繁" in alert(again)
    ActivationAttempt.objects.update(at=F("at") - timedelta(minutes=2))
    assert client.post("/activate/sms/", {"sms-phone": phone}).status_code == 200
    assert Outbox.objects.count() == 2


def test_it_asks_for_a_proper_number(client, db):
    r = client.post("/activate/sms/", {"sms-phone": "12345"})
    assert r.status_code == 200 and "手机号格式不正确" in r.text
    assert not ActivationAttempt.objects.exists()


def test_it_takes_posts_only_for_sms(client):
    assert client.get("/activate/sms/").status_code == 405
