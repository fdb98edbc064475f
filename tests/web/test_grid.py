"""The grid worker's list of members living in its grid, registered or not."""

from tests import factories


def test_it_sends_anonymous_visitors_to_login(client):
    r = client.get("/grid/C1G1/members/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_it_hides_another_grid(as_user, w):
    client = as_user(w.users["grid_worker"])
    assert client.get("/grid/C1G2/members/").status_code == 404
    assert client.get("/grid/C2G1/members/").status_code == 404
    assert client.get("/grid/C1/members/").status_code == 404  # a community is not a grid


def test_it_lists_the_members_living_in_the_grid_with_their_status(as_user, w, pending):
    factories.member(w.units["U2"], community=w.r("C1"), grid=w.r("C1G1"), name="吴霞")
    factories.member(w.units["U2"], community=w.r("C1"), grid=w.r("C1G2"), name="隔壁网格")
    r = as_user(w.users["grid_worker"]).get("/grid/C1G1/members/")
    html = r.text
    assert r.status_code == 200
    assert "李明" in html and "吴霞" in html and "隔壁网格" not in html
    assert "待确认" in html and "未报到" in html


def test_it_filters_by_status(as_user, w, pending):
    factories.member(w.units["U2"], community=w.r("C1"), grid=w.r("C1G1"), name="吴霞")
    client = as_user(w.users["grid_worker"])
    assert "吴霞" not in client.get("/grid/C1G1/members/?status=pending").text
    html = client.get("/grid/C1G1/members/?status=unregistered").text
    assert "吴霞" in html and "李明" not in html


def test_it_lets_the_community_admin_open_its_grids(as_user, w):
    assert as_user(w.users["community_admin"]).get("/grid/C1G2/members/").status_code == 200
