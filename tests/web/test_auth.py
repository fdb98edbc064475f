"""Sign-in, sign-out and the landing page."""

import re

from baodao.accounts.models import Grant, Role
from baodao.audit.models import Action, AuditEvent
from tests import factories

LOCKED = "登录失败次数过多"


def alert(response) -> str:
    return re.search(r'role="alert">(.*?)</', response.text, re.S).group(1)


def sign_in(client, phone, password=factories.PASSWORD, **extra):
    return client.post("/login/", {"phone": phone, "password": password, **extra})


def test_it_shows_the_login_form(client):
    r = client.get("/login/")
    assert r.status_code == 200
    html = r.text
    assert '<label for="id_phone">手机号</label>' in html
    assert '<label for="id_password">密码</label>' in html
    assert 'name="phone"' in html and 'name="password"' in html
    assert ">登录</button>" in html


def test_it_signs_in_and_leads_to_the_only_workspace(client, w):
    r = sign_in(client, w.users["member"].phone)
    assert r.status_code == 302 and r.url == "/"
    assert client.get("/").url == "/me/"
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=w.users["member"]).exists()


def test_it_follows_a_local_next_but_not_a_foreign_one(client, w):
    assert sign_in(client, w.users["member"].phone, next="/me/profile/").url == "/me/profile/"
    client.logout()
    assert sign_in(client, w.users["member"].phone, next="https://evil.example/").url == "/"


def test_it_refuses_wrong_credentials_without_saying_which(client, w):
    wrong_password = sign_in(client, w.users["member"].phone, "not-the-password")
    unknown_phone = sign_in(client, "13999999999")
    for r in (wrong_password, unknown_phone):
        assert r.status_code == 200
        assert "手机号或密码不正确。" in r.text
    assert "_auth_user_id" not in client.session


def test_it_locks_a_phone_after_five_failures_even_for_the_right_password(client, w):
    phone = w.users["member"].phone
    for _ in range(5):
        r = sign_in(client, phone, "wrong-password")
    assert r.status_code == 429 and LOCKED in r.text
    r = sign_in(client, phone)
    assert r.status_code == 429
    assert LOCKED in r.text
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor_label=phone).exists()


def test_it_locks_an_unknown_phone_with_the_same_message(client, w):
    known, unknown = w.users["member"].phone, "13999999999"
    answers = {}
    for phone in (known, unknown):
        for _ in range(5):
            sign_in(client, phone, "wrong-password")
        answers[phone] = sign_in(client, phone, "wrong-password")
    assert {r.status_code for r in answers.values()} == {429}
    assert alert(answers[known]) == alert(answers[unknown])
    assert LOCKED in alert(answers[unknown])
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor_label=unknown).exists()


def test_it_signs_out_by_post_only(as_user, w):
    client = as_user(w.users["member"])
    assert client.get("/logout/").status_code == 405
    r = client.post("/logout/")
    assert r.status_code == 302 and r.url == "/login/"
    assert client.get("/me/").status_code == 302


def test_it_sends_anonymous_visitors_from_home_to_login(client):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_it_lists_several_workspaces(as_user, w):
    member = w.users["member"]
    Grant.objects.create(user=member, role=Role.GRID_WORKER, region=w.r("C1G1"))
    r = as_user(member).get("/")
    assert r.status_code == 200
    assert 'href="/me/"' in r.text and 'href="/grid/C1G1/members/"' in r.text


def test_it_tells_a_person_without_grants_what_to_do(as_user, db):
    r = as_user(factories.user(name="新用户")).get("/")
    assert r.status_code == 200 and "还没有分配角色" in r.text
