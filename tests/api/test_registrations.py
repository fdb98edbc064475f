"""The 报到 handshake through the API: apply, confirm, reject, end, transfer, and every illegal move."""

import pytest

from baodao.audit.models import Action, AuditEvent
from baodao.members.models import Member
from baodao.registration.models import Registration
from baodao.registration.services import registration_end, registration_reject

LIST = "/api/v1/registrations"


def url(registration, action=""):
    return f"{LIST}/{registration.pk}" + (f"/{action}" if action else "")


def apply(client, **body):
    return client.post(
        LIST, {"community": "C1", "grid": "C1G1", "address": "3栋2单元502", **body}, format="json"
    )


def test_it_refuses_anonymous_callers(w, anon, pending):
    assert anon.get(LIST).status_code == 401
    assert apply(anon).status_code == 401
    assert anon.get(url(pending)).status_code == 401
    for action in ("confirm", "reject", "end"):
        assert anon.post(url(pending, action), {"reason": "x"}, format="json").status_code == 401
    assert Registration.objects.get(pk=pending.pk).status == "pending"


def test_it_lets_a_member_apply(w, api_as):
    r = apply(api_as(w.users["member"]))
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "pending"
    assert body["status_label"] == "待确认"
    assert body["receipt_no"] is None
    assert body["community"] == {"code": "C1", "name": "幸福社区"}
    assert body["grid"] == {"code": "C1G1", "name": "网格C1G1"}
    assert body["address"] == "3栋2单元502"
    member = w.members["member"]
    assert body["member"] == {
        "id": member.pk,
        "name": "李明",
        "phone": member.user.phone,
        "unit": {"code": "U1", "name": "区税务局"},
    }
    assert [e["kind"] for e in body["events"]] == ["applied"]
    assert Registration.objects.get(pk=body["id"]).member == member


def test_it_refuses_a_second_application(w, api_as, pending):
    r = apply(api_as(w.users["member"]))
    assert r.status_code == 409
    assert r.json()["error"] == "already_registered"
    assert "不能重复申请" in r.json()["detail"]
    assert Registration.objects.filter(member=w.members["member"]).count() == 1


def test_it_refuses_an_application_from_someone_who_is_not_a_member(w, api_as):
    r = apply(api_as(w.users["community_admin"]))
    assert r.status_code == 403
    assert r.json()["detail"] == "只有在职党员可以申请报到。"


def test_it_refuses_a_community_or_grid_that_does_not_fit(w, api_as):
    client = api_as(w.users["member"])
    assert apply(client, community="S1").status_code == 404
    assert apply(client, community="NOPE").status_code == 404
    mismatched = apply(client, grid="C2G1")
    assert mismatched.status_code == 400
    assert mismatched.json()["detail"] == "所选网格不属于该社区。"
    missing = client.post(LIST, {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"community": ["该字段是必填项。"]}
    assert not Registration.objects.exists()


def test_it_confirms_with_a_receipt_number(w, api_as, pending):
    admin = w.users["community_admin"]
    r = api_as(admin).post(url(pending, "confirm"))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "confirmed"
    assert body["receipt_no"].startswith("BDC1-")
    assert [e["kind"] for e in body["events"]] == ["applied", "confirmed"]
    assert body["events"][1]["actor"] == "社区书记"
    assert Member.objects.get(pk=w.members["member"].pk).registered_community == w.r("C1")
    assert AuditEvent.objects.filter(action=Action.REGISTRATION_CONFIRMED, actor=admin).exists()


def test_it_rejects_with_a_reason_the_member_sees(w, api_as, pending):
    r = api_as(w.users["community_admin"]).post(
        url(pending, "reject"), {"reason": "地址不在本社区"}, format="json"
    )
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    seen = api_as(w.users["member"]).get(url(pending)).json()
    assert seen["status"] == "rejected"
    assert seen["status_label"] == "已驳回"
    assert seen["reason"] == "地址不在本社区"
    assert seen["events"][-1]["reason"] == "地址不在本社区"
    listed = api_as(w.users["member"]).get(LIST).json()["results"]
    assert listed[0]["reason"] == "地址不在本社区"


def test_it_asks_for_a_reason_to_reject_or_end(w, api_as, pending):
    client = api_as(w.users["community_admin"])
    for action in ("reject", "end"):
        r = client.post(url(pending, action), {}, format="json")
        assert r.status_code == 400
        assert r.json()["fields"] == {"reason": ["该字段是必填项。"]}
        blank = client.post(url(pending, action), {"reason": "  "}, format="json")
        assert blank.status_code == 400
    assert Registration.objects.get(pk=pending.pk).status == "pending"


def test_it_lets_the_member_end_its_registration(w, api_as, pending):
    r = api_as(w.users["member"]).post(url(pending, "end"), {"reason": "工作调动"}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "ended"
    assert r.json()["ended_at"] is not None


def test_it_lets_the_community_end_a_confirmed_registration(w, api_as, pending):
    client = api_as(w.users["community_admin"])
    client.post(url(pending, "confirm"))
    r = client.post(url(pending, "end"), {"reason": "已搬离本社区"}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "ended"
    assert Member.objects.get(pk=w.members["member"].pk).registered_community is None


def test_it_transfers_when_the_member_moves(w, api_as, pending):
    client = api_as(w.users["community_admin"])
    client.post(url(pending, "confirm"))
    r = apply(api_as(w.users["member"]), community="C2", grid="C2G1", transfer_reason="搬家到和平社区")
    assert r.status_code == 201
    new = r.json()
    assert new["status"] == "pending"
    assert new["community"]["code"] == "C2"
    old = Registration.objects.get(pk=pending.pk)
    assert (old.status, old.reason) == ("ended", "搬家到和平社区")
    history = api_as(w.users["member"]).get(LIST).json()["results"]
    assert [(x["community"]["code"], x["status"]) for x in history] == [("C2", "pending"), ("C1", "ended")]
    member = Member.objects.get(pk=w.members["member"].pk)
    assert member.registered_community is None
    assert member.community == w.r("C2")


def test_it_applies_normally_when_there_is_nothing_to_transfer(w, api_as):
    r = apply(api_as(w.users["member"]), transfer_reason="搬家")
    assert r.status_code == 201
    assert r.json()["status"] == "pending"


ILLEGAL = [
    # (state to reach, action, body, message)
    ("confirmed", "confirm", {}, "该报到已确认，无需重复确认。"),
    ("confirmed", "reject", {"reason": "x"}, "该报到已确认，不能驳回；如需解除请使用“结束报到”。"),
    ("rejected", "confirm", {}, "该报到已被驳回，不能再确认；请党员重新申请。"),
    ("rejected", "reject", {"reason": "x"}, "该报到已被驳回。"),
    ("rejected", "end", {"reason": "x"}, "该报到已被驳回，无需结束。"),
    ("ended", "confirm", {}, "该报到已结束，不能再确认。"),
    ("ended", "reject", {"reason": "x"}, "该报到已结束，不能驳回。"),
    ("ended", "end", {"reason": "x"}, "该报到已经结束。"),
]


@pytest.mark.parametrize(("state", "action", "body", "message"), ILLEGAL)
def test_it_refuses_every_illegal_transition(w, api_as, pending, state, action, body, message):
    admin = w.users["community_admin"]
    if state == "confirmed":
        api_as(admin).post(url(pending, "confirm"))
    elif state == "rejected":
        registration_reject(actor=admin, registration=pending, reason="不符合")
    else:
        registration_end(actor=admin, registration=pending, reason="撤回")
    r = api_as(admin).post(url(pending, action), body, format="json")
    assert r.status_code == 409
    assert r.json() == {"error": "illegal_transition", "detail": message, "fields": {}}
    assert Registration.objects.get(pk=pending.pk).status == state


def test_it_does_not_find_the_registration_for_another_community(w, api_as, pending):
    for role in ("other_community_admin", "far_community_admin", "other_unit_admin"):
        client = api_as(w.users[role])
        assert client.get(url(pending)).status_code == 404, role
        for action in ("confirm", "reject", "end"):
            r = client.post(url(pending, action), {"reason": "x"}, format="json")
            assert r.status_code == 404, (role, action)
            assert r.json()["detail"] == "没有找到该报到记录。"
    assert Registration.objects.get(pk=pending.pk).status == "pending"


@pytest.mark.parametrize("role", ["grid_worker", "street_admin", "district_admin", "unit_admin"])
def test_it_lets_others_who_see_it_read_but_not_decide(w, api_as, pending, role):
    client = api_as(w.users[role])
    assert client.get(url(pending)).status_code == 200
    for action in ("confirm", "reject", "end"):
        r = client.post(url(pending, action), {"reason": "x"}, format="json")
        assert r.status_code == 403, action
        assert r.json()["detail"] == "只有该社区的管理员可以处理报到。"
    assert Registration.objects.get(pk=pending.pk).status == "pending"


def test_it_does_not_let_a_member_confirm_its_own_application(w, api_as, pending):
    r = api_as(w.users["member"]).post(url(pending, "confirm"))
    assert r.status_code == 403


def test_it_masks_the_member_for_everyone_else(w, api_as, pending):
    m = w.members["member"]
    for role in ("community_admin", "grid_worker", "street_admin", "unit_admin"):
        client = api_as(w.users[role])
        for r in (client.get(LIST), client.get(url(pending))):
            text = r.content.decode()
            assert m.user.phone not in text
            assert "110105194912310" not in text
            assert "3栋2单元502" not in text
        shown = client.get(url(pending)).json()
        assert shown["member"]["phone"] == m.phone_masked
        assert shown["address"] == "3栋2单****"
    confirmed = api_as(w.users["community_admin"]).post(url(pending, "confirm"))
    assert m.user.phone not in confirmed.content.decode()


def test_it_lists_and_filters_registrations_in_scope(w, api_as, pending, tenants):
    client = api_as(w.users["street_admin"])

    def ids(**params):
        r = client.get(LIST, params)
        assert r.status_code == 200
        return {x["id"] for x in r.json()["results"]}

    neighbour = tenants["neighbour"]["registration"]
    assert ids() == {pending.pk, neighbour.pk}
    assert ids(status="pending") == {pending.pk}
    assert ids(status="confirmed") == {neighbour.pk}
    assert ids(community="C2") == {neighbour.pk}
    bad = client.get(LIST, {"status": "lost"})
    assert bad.status_code == 400
    assert bad.json()["fields"]["status"] == ["“lost” 不是合法选项。"]
