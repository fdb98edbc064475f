from baodao.org.models import Region

LIST = "/api/v1/regions"


def test_it_refuses_anonymous_callers(w, anon):
    assert anon.get(LIST).status_code == 401
    assert anon.get(f"{LIST}/C1").status_code == 401
    assert (
        anon.post(LIST, {"code": "C9", "name": "新社区", "level": "community", "parent": "S1"}).status_code
        == 401
    )


def test_it_lists_the_directory_in_tree_order_with_parent_codes(w, api_as):
    r = api_as(w.users["member"]).get(LIST, {"page_size": 200})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == Region.objects.count()
    assert set(body) == {"count", "next", "previous", "results"}
    first = body["results"][0]
    assert first == {"code": "D1", "name": "东湖区", "level": "district", "level_label": "区", "parent": None}
    c1 = next(x for x in body["results"] if x["code"] == "C1")
    assert c1["parent"] == "S1"


def test_it_filters_by_parent_and_level(w, api_as):
    client = api_as(w.users["member"])
    grids = client.get(LIST, {"parent": "C1"}).json()["results"]
    assert [g["code"] for g in grids] == ["C1G1", "C1G2"]
    streets = client.get(LIST, {"level": "street"}).json()["results"]
    assert {s["code"] for s in streets} == {"S1", "S2", "S3"}
    bad = client.get(LIST, {"level": "planet"})
    assert bad.status_code == 400
    assert bad.json()["fields"]["level"] == ["“planet” 不是合法选项。"]


def test_it_shows_one_region(w, api_as):
    r = api_as(w.users["member"]).get(f"{LIST}/C1G1")
    assert r.status_code == 200
    assert r.json() == {
        "code": "C1G1",
        "name": "网格C1G1",
        "level": "grid",
        "level_label": "网格",
        "parent": "C1",
    }
    assert api_as(w.users["member"]).get(f"{LIST}/NOPE").status_code == 404


def test_it_lets_a_street_admin_add_a_community(w, api_as):
    r = api_as(w.users["street_admin"]).post(
        LIST, {"code": "C9", "name": "新村社区", "level": "community", "parent": "S1"}, format="json"
    )
    assert r.status_code == 201
    assert r.json() == {
        "code": "C9",
        "name": "新村社区",
        "level": "community",
        "level_label": "社区",
        "parent": "S1",
    }
    assert Region.objects.get(code="C9").path == "D1/S1/C9/"


def test_it_does_not_find_a_parent_outside_the_callers_subtree(w, api_as):
    r = api_as(w.users["street_admin"]).post(
        LIST, {"code": "C9", "name": "新村社区", "level": "community", "parent": "S2"}, format="json"
    )
    assert r.status_code == 404
    r = api_as(w.users["member"]).post(
        LIST, {"code": "G9", "name": "新网格", "level": "grid", "parent": "C1"}, format="json"
    )
    assert r.status_code == 404
    assert not Region.objects.filter(code__in=["C9", "G9"]).exists()


def test_it_refuses_bad_regions(w, api_as):
    client = api_as(w.users["street_admin"])
    wrong_level = client.post(
        LIST, {"code": "G9", "name": "网格", "level": "grid", "parent": "S1"}, format="json"
    )
    assert wrong_level.status_code == 400
    assert wrong_level.json()["detail"] == "街道下只能建立社区。"
    duplicate = client.post(
        LIST, {"code": "C1", "name": "重复", "level": "community", "parent": "S1"}, format="json"
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"] == "duplicate"
    bad_code = client.post(
        LIST, {"code": "空 格", "name": "x", "level": "community", "parent": "S1"}, format="json"
    )
    assert bad_code.status_code == 400
    assert bad_code.json()["fields"]["code"] == ["编码只能包含字母、数字、下划线和短横线，最长 32 位。"]
    no_parent = client.post(LIST, {"code": "D9", "name": "新区", "level": "district"}, format="json")
    assert no_parent.status_code == 400
