"""报到率 for street and district admins: by unit and by community, worst first, flagged below threshold."""

import re

import pytest

from tests import factories


@pytest.fixture
def registered_some(w):
    """U1: 2 of 2 registered (100%); U2: 0 of 2 (0%). C1 holds U1's two, C2 has U2's two living there."""
    admin = w.users["community_admin"]
    factories.registered(w.members["member"], w.r("C1"), by=admin)
    factories.registered(
        factories.member(w.units["U1"], community=w.r("C1"), name="周涛"), w.r("C1"), by=admin
    )
    factories.member(w.units["U2"], community=w.r("C2"), name="黄丽")


def rows(html):
    """(name, rate) of each table row, in order."""
    return re.findall(
        r'<a href="/(?:unit|community)/\w+/members/">([^<]+)</a>.*?<span>([\d.]+%|—)</span>', html, re.S
    )


def test_it_sends_anonymous_visitors_to_login(client):
    assert client.get("/coverage/S1/").url.startswith("/login/")


def test_it_hides_regions_out_of_scope(as_user, w):
    assert as_user(w.users["street_admin"]).get("/coverage/S2/").status_code == 404
    assert as_user(w.users["street_admin"]).get("/coverage/D1/").status_code == 404
    assert as_user(w.users["district_admin"]).get("/coverage/D2/").status_code == 404
    for role in ("community_admin", "grid_worker", "unit_admin", "member", "resident"):
        assert as_user(w.users[role]).get("/coverage/S1/").status_code == 404


def test_it_ranks_units_worst_first_and_flags_them(as_user, w, registered_some):
    r = as_user(w.users["street_admin"]).get("/coverage/S1/")
    assert r.status_code == 200
    assert rows(r.text) == [("区人民医院", "0%"), ("区税务局", "100%")]
    assert r.text.count('<tr class="below">') == 1
    assert "未达标" in r.text and 'class="w-100"' in r.text and 'class="w-0"' in r.text
    assert "达标线：90%" in r.text


def test_it_ranks_communities_worst_first(as_user, w, registered_some):
    html = as_user(w.users["street_admin"]).get("/coverage/S1/?by=community").text
    assert rows(html) == [("和平社区", "0%"), ("幸福社区", "100%")]


def test_it_links_a_district_down_to_its_streets(as_user, w, registered_some):
    client = as_user(w.users["district_admin"])
    html = client.get("/coverage/D1/").text
    assert 'href="/coverage/S1/?by=unit"' in html and 'href="/coverage/S2/?by=unit"' in html
    street = client.get("/coverage/S1/?by=community").text
    assert 'href="/coverage/D1/?by=community"' in street  # and back up
    assert "/coverage/D1/" not in as_user(w.users["street_admin"]).get("/coverage/S1/").text


def test_it_paginates(as_user, w):
    for i in range(55):
        factories.unit(f"X{i:02d}", w.r("S1"))
    client = as_user(w.users["street_admin"])
    assert "第 1 / 2 页" in client.get("/coverage/S1/").text
    assert len(rows(client.get("/coverage/S1/?page=2").text)) == 7
