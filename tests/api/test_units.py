from baodao.org.models import Unit
from baodao.registration.services import unit_registration_apply, unit_registration_confirm

LIST = "/api/v1/units"


def test_it_refuses_anonymous_callers(w, anon):
    assert anon.get(LIST).status_code == 401
    assert anon.get(f"{LIST}/U1").status_code == 401
    assert anon.post(LIST, {"code": "U9", "name": "新单位", "region": "S1"}).status_code == 401


def test_it_lists_the_units_in_the_callers_scope(w, api_as):
    def codes(user, **params):
        r = api_as(user).get(LIST, params)
        assert r.status_code == 200
        return [u["code"] for u in r.json()["results"]]

    assert codes(w.users["district_admin"]) == ["U1", "U2", "U3"]
    assert codes(w.users["street_admin"]) == ["U1", "U2"]
    assert codes(w.users["unit_admin"]) == ["U1"]
    assert codes(w.users["member"]) == ["U1"]
    assert codes(w.users["community_admin"]) == []
    assert codes(w.users["district_admin"], region="S2") == ["U3"]
    assert codes(w.users["district_admin"], region="NOPE") == []


def test_it_shows_a_community_the_units_that_co_build_with_it(w, api_as):
    ur = unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="共建"
    )
    unit_registration_confirm(actor=w.users["community_admin"], unit_registration=ur)
    r = api_as(w.users["community_admin"]).get(f"{LIST}/U1")
    assert r.status_code == 200
    assert r.json() == {"code": "U1", "name": "区税务局", "region": "S1", "region_name": "大塘街道"}


def test_it_does_not_find_a_unit_out_of_scope(w, api_as):
    assert api_as(w.users["unit_admin"]).get(f"{LIST}/U2").status_code == 404
    assert api_as(w.users["street_admin"]).get(f"{LIST}/U3").status_code == 404
    assert api_as(w.users["district_admin"]).get(f"{LIST}/U4").status_code == 404


def test_it_lets_a_street_admin_add_a_unit(w, api_as):
    r = api_as(w.users["street_admin"]).post(
        LIST, {"code": "U9", "name": "区图书馆", "region": "S1"}, format="json"
    )
    assert r.status_code == 201
    assert r.json() == {"code": "U9", "name": "区图书馆", "region": "S1", "region_name": "大塘街道"}
    assert Unit.objects.filter(code="U9", region=w.r("S1")).exists()


def test_it_does_not_find_a_region_outside_the_callers_subtree_for_a_new_unit(w, api_as):
    r = api_as(w.users["street_admin"]).post(LIST, {"code": "U9", "name": "x", "region": "S2"}, format="json")
    assert r.status_code == 404
    r = api_as(w.users["unit_admin"]).post(LIST, {"code": "U9", "name": "x", "region": "S1"}, format="json")
    assert r.status_code == 404
    assert not Unit.objects.filter(code="U9").exists()


def test_it_refuses_bad_units(w, api_as):
    client = api_as(w.users["street_admin"])
    community = client.post(LIST, {"code": "U9", "name": "x", "region": "C1"}, format="json")
    assert community.status_code == 400
    assert community.json()["detail"] == "单位只能隶属于区或街道。"
    duplicate = client.post(LIST, {"code": "U1", "name": "x", "region": "S1"}, format="json")
    assert duplicate.status_code == 409
    missing = client.post(LIST, {"code": "U9"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"name": ["该字段是必填项。"], "region": ["该字段是必填项。"]}
