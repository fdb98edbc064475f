from baodao.audit.models import Action, AuditEvent
from baodao.registration.models import UnitRegistration
from baodao.registration.services import unit_registration_apply

LIST = "/api/v1/unit-registrations"


def url(ur, action=""):
    return f"{LIST}/{ur.pk}" + (f"/{action}" if action else "")


def make(w):
    return unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="每季度组织一次义诊"
    )


def test_it_refuses_anonymous_callers(w, anon):
    ur = make(w)
    assert anon.get(LIST).status_code == 401
    assert (
        anon.post(LIST, {"unit": "U1", "community": "C2", "commitments": "x"}, format="json").status_code
        == 401
    )
    assert anon.get(url(ur)).status_code == 401
    for action in ("confirm", "reject", "end"):
        assert anon.post(url(ur, action), {"reason": "x"}, format="json").status_code == 401


def test_it_lets_a_unit_register_with_a_community(w, api_as):
    r = api_as(w.users["unit_admin"]).post(
        LIST, {"unit": "U1", "community": "C1", "commitments": "每月一次环境整治"}, format="json"
    )
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "pending"
    assert body["unit"] == {"code": "U1", "name": "区税务局"}
    assert body["community"] == {"code": "C1", "name": "幸福社区"}
    assert body["commitments"] == "每月一次环境整治"
    assert body["applied_by"] == "税务局党办"
    again = api_as(w.users["unit_admin"]).post(
        LIST, {"unit": "U1", "community": "C1", "commitments": "再来一次"}, format="json"
    )
    assert again.status_code == 409


def test_it_does_not_find_another_units_code(w, api_as):
    r = api_as(w.users["unit_admin"]).post(
        LIST, {"unit": "U2", "community": "C1", "commitments": "x"}, format="json"
    )
    assert r.status_code == 404
    assert not UnitRegistration.objects.exists()


def test_it_refuses_a_unit_registration_from_someone_who_does_not_administer_the_unit(w, api_as):
    # A member sees its own unit but cannot speak for it.
    r = api_as(w.users["member"]).post(
        LIST, {"unit": "U1", "community": "C1", "commitments": "x"}, format="json"
    )
    assert r.status_code == 403


def test_it_confirms_rejects_and_ends(w, api_as):
    ur = make(w)
    admin = api_as(w.users["community_admin"])
    confirmed = admin.post(url(ur, "confirm"))
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["receipt_no"].startswith("DWC1-")
    assert AuditEvent.objects.filter(action=Action.UNIT_REGISTRATION_CONFIRMED).exists()
    again = admin.post(url(ur, "confirm"))
    assert again.status_code == 409
    assert again.json()["detail"] == "该报到已确认，无需重复确认。"
    ended = api_as(w.users["unit_admin"]).post(url(ur, "end"), {"reason": "共建期满"}, format="json")
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended"
    assert ended.json()["reason"] == "共建期满"
    second = make(w)
    rejected = api_as(w.users["community_admin"]).post(
        url(second, "reject"), {"reason": "承诺不具体"}, format="json"
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert api_as(w.users["unit_admin"]).get(url(second)).json()["reason"] == "承诺不具体"


def test_it_does_not_find_the_unit_registration_for_another_community(w, api_as):
    ur = make(w)
    for role in ("other_community_admin", "far_community_admin", "other_unit_admin", "member", "resident"):
        client = api_as(w.users[role])
        assert client.get(url(ur)).status_code == 404, role
        for action in ("confirm", "reject", "end"):
            assert client.post(url(ur, action), {"reason": "x"}, format="json").status_code == 404, (
                role,
                action,
            )
    assert UnitRegistration.objects.get(pk=ur.pk).status == "pending"


def test_it_lets_the_unit_see_but_not_confirm(w, api_as):
    ur = make(w)
    client = api_as(w.users["unit_admin"])
    assert client.get(url(ur)).status_code == 200
    r = client.post(url(ur, "confirm"))
    assert r.status_code == 403
    assert r.json()["detail"] == "只有该社区的管理员可以处理报到。"


def test_it_lists_and_filters_in_scope(w, api_as, tenants):
    ur = make(w)
    client = api_as(w.users["street_admin"])

    def ids(**params):
        r = client.get(LIST, params)
        assert r.status_code == 200
        return {x["id"] for x in r.json()["results"]}

    neighbour = tenants["neighbour"]["unit_registration"]
    assert ids() == {ur.pk, neighbour.pk}
    assert ids(community="C2") == {neighbour.pk}
    assert ids(unit="U1") == {ur.pk}
    assert ids(status="confirmed") == set()
    assert {x["id"] for x in api_as(w.users["community_admin"]).get(LIST).json()["results"]} == {ur.pk}
