import pytest

from baodao.accounts.lockout import lockout_message
from baodao.audit.models import Action, AuditEvent
from tests.factories import PASSWORD

URL = "/api/v1/auth/token"
BAD_CREDENTIALS = "手机号或密码不正确。"


def post(client, phone, password, ip="10.0.0.1"):
    return client.post(URL, {"phone": phone, "password": password}, format="json", REMOTE_ADDR=ip)


def test_it_issues_a_token_that_signs_in(w, anon):
    r = post(anon, w.users["member"].phone, PASSWORD)
    assert r.status_code == 200
    token = r.json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = anon.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["id"] == w.users["member"].pk
    assert AuditEvent.objects.filter(action=Action.TOKEN_ISSUED, actor=w.users["member"]).exists()


def test_it_refuses_a_wrong_password_without_saying_whether_the_number_exists(w, anon):
    wrong = post(anon, w.users["member"].phone, "not-the-password")
    unknown = post(anon, "13999999999", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": "bad_credentials", "detail": BAD_CREDENTIALS, "fields": {}}
    )
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 2


def test_it_asks_for_both_fields_in_chinese(db, anon):
    r = anon.post(URL, {"phone": "13800000001"}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid"
    assert body["fields"]["password"] == ["该字段是必填项。"]
    assert "该字段是必填项" in body["detail"]


def test_it_locks_the_number_after_five_failures_even_for_the_right_password(w, anon):
    phone = w.users["member"].phone
    answers = [post(anon, phone, f"wrong-{i}") for i in range(5)]
    assert [a.status_code for a in answers[:4]] == [401] * 4
    assert answers[4].status_code == 429
    locked = post(anon, phone, PASSWORD)
    assert locked.status_code == 429
    assert locked.json() == {"error": "locked", "detail": lockout_message(), "fields": {}}
    assert "token" not in locked.json()
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT).exists()


def test_it_locks_unknown_numbers_with_the_same_message(w, anon):
    for i in range(5):
        post(anon, "13999999999", f"wrong-{i}")
    unknown = post(anon, "13999999999", PASSWORD)
    for i in range(5):
        post(anon, w.users["member"].phone, f"wrong-{i}")
    known = post(anon, w.users["member"].phone, PASSWORD)
    assert unknown.status_code == known.status_code == 429
    assert unknown.json() == known.json()


def test_it_does_not_lock_another_number_from_the_same_address(w, anon):
    for i in range(5):
        post(anon, w.users["member"].phone, f"wrong-{i}", ip="10.9.9.9")
    other = post(anon, w.users["community_admin"].phone, PASSWORD, ip="10.9.9.9")
    assert other.status_code == 200
    assert other.json()["token"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer", "Bearer a b"])
def test_it_refuses_bad_tokens_with_401(db, anon, header):
    anon.credentials(HTTP_AUTHORIZATION=header)
    r = anon.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated"
    assert r["WWW-Authenticate"] == "Bearer"
