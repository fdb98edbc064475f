"""The API of first sign-in: /api/v1/auth/activate, /api/v1/auth/activation-code and
/api/v1/members/{id}/activation-code."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils.dateparse import parse_datetime

from baodao.activation.models import ActivationAttempt, ActivationCode
from baodao.notify.models import Outbox

from .conftest import BAD_CODE, NEW_PASSWORD, texted_code

ACTIVATE = "/api/v1/auth/activate"
REQUEST = "/api/v1/auth/activation-code"


def issue_url(member) -> str:
    return f"/api/v1/members/{member.pk}/activation-code"


def activate(client, phone, code, password=NEW_PASSWORD):
    return client.post(ACTIVATE, {"phone": phone, "code": code, "password": password}, format="json")


def test_an_admin_gets_a_code_once(api_as, w, newcomer):
    r = api_as(w.users["unit_admin"]).post(issue_url(newcomer))
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"code", "expires_at"}
    assert len(body["code"]) == 8 and body["code"].isdigit()
    assert parse_datetime(body["expires_at"]) == ActivationCode.objects.get().expires_at


def test_issuing_needs_a_signed_in_admin_in_scope(anon, api_as, w, newcomer, stranger):
    r = anon.post(issue_url(newcomer))
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    for who, member in (("other_unit_admin", newcomer), ("unit_admin", stranger), ("member", newcomer)):
        r = api_as(w.users[who]).post(issue_url(member))
        assert r.status_code == 404 and r.json()["error"] == "not_found", who
    assert api_as(w.users["unit_admin"]).post("/api/v1/members/999999/activation-code").status_code == 404
    assert not ActivationCode.objects.exists()


def test_issuing_for_an_account_with_a_password_is_a_conflict(api_as, w):
    r = api_as(w.users["unit_admin"]).post(issue_url(w.members["member"]))
    assert r.status_code == 409
    assert r.json()["error"] == "has_password" and "重置密码" in r.json()["detail"]


def test_activating_returns_a_token_that_signs_in(anon, api_as, w, newcomer):
    code = api_as(w.users["unit_admin"]).post(issue_url(newcomer)).json()["code"]
    r = activate(anon, newcomer.user.phone, code)
    assert r.status_code == 200 and set(r.json()) == {"token"}
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}")
    assert anon.get("/api/v1/me").json()["id"] == newcomer.user_id
    anon.credentials()
    again = activate(anon, newcomer.user.phone, code, "Another#2026")
    assert again.status_code == 400 and again.json()["error"] == "bad_code"
    token = anon.post(
        "/api/v1/auth/token", {"phone": newcomer.user.phone, "password": NEW_PASSWORD}, format="json"
    )
    assert token.status_code == 200


def test_every_refused_code_reads_the_same(anon, api_as, w, newcomer):
    code = api_as(w.users["unit_admin"]).post(issue_url(newcomer)).json()["code"]
    answers = [
        activate(anon, newcomer.user.phone, "00000000" if code != "00000000" else "11111111"),
        activate(anon, "13999999999", code),
        activate(anon, w.users["member"].phone, code),
    ]
    expected = {"error": "bad_code", "detail": BAD_CODE, "fields": {"code": [BAD_CODE]}}
    assert all(r.status_code == 400 and r.json() == expected for r in answers)


def test_it_explains_a_weak_password_and_missing_fields(anon, api_as, w, newcomer):
    code = api_as(w.users["unit_admin"]).post(issue_url(newcomer)).json()["code"]
    weak = activate(anon, newcomer.user.phone, code, "short")
    assert weak.status_code == 400 and weak.json()["error"] == "invalid"
    assert "密码长度太短" in weak.json()["fields"]["password"][0]
    missing = anon.post(ACTIVATE, {"phone": newcomer.user.phone}, format="json")
    assert missing.status_code == 400 and missing.json()["fields"]["code"] == ["该字段是必填项。"]


def test_it_locks_after_five_wrong_codes(anon, api_as, w, newcomer):
    code = api_as(w.users["unit_admin"]).post(issue_url(newcomer)).json()["code"]
    other = "00000000" if code != "00000000" else "11111111"
    statuses = [activate(anon, newcomer.user.phone, other).status_code for _ in range(5)]
    assert statuses == [400] * 4 + [429]
    locked = activate(anon, newcomer.user.phone, code)
    assert locked.status_code == 429 and locked.json()["error"] == "locked"
    assert "token" not in locked.json()


def test_asking_by_sms_answers_the_same_for_any_number(anon, w, newcomer):
    answers = [
        anon.post(REQUEST, {"phone": phone}, format="json")
        for phone in (newcomer.user.phone, "13999999999", w.users["member"].phone)
    ]
    assert {r.status_code for r in answers} == {202}
    assert len({r.content for r in answers}) == 1
    assert Outbox.objects.count() == 1
    assert activate(anon, newcomer.user.phone, texted_code(newcomer.user.phone)).status_code == 200


def test_asking_by_sms_is_limited_per_number(anon, newcomer):
    assert anon.post(REQUEST, {"phone": newcomer.user.phone}, format="json").status_code == 202
    r = anon.post(REQUEST, {"phone": newcomer.user.phone}, format="json")
    assert r.status_code == 429 and r.json()["error"] == "throttled"
    ActivationAttempt.objects.update(at=F("at") - timedelta(minutes=2))
    assert anon.post(REQUEST, {"phone": newcomer.user.phone}, format="json").status_code == 202


@pytest.mark.parametrize("phone", ["12345", ""])
def test_asking_by_sms_needs_a_proper_number(anon, db, phone):
    r = anon.post(REQUEST, {"phone": phone}, format="json")
    assert r.status_code == 400 and r.json()["fields"]["phone"]


def test_the_schema_documents_the_endpoints(anon, db):
    paths = anon.get("/api/schema/?format=json").json()["paths"]
    assert {"201", "401", "404", "409"} <= set(
        paths["/api/v1/members/{id}/activation-code"]["post"]["responses"]
    )
    assert {"200", "400", "429"} <= set(paths[ACTIVATE]["post"]["responses"])
    assert {"202", "429"} <= set(paths[REQUEST]["post"]["responses"])
