"""亮身份: the public page of a community — names, units and pledges, nothing private."""

import re

from tests import factories
from tests.factories import ID_NUMBERS


def test_it_needs_no_sign_in_and_shows_registered_members(client, w):
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    factories.member(w.units["U2"], community=w.r("C1"), name="未报到者", pledge="不该出现")
    r = client.get("/c/C1/")
    html = r.text
    assert r.status_code == 200
    assert "幸福社区" in html and "李明" in html and "区税务局" in html and "每月参加一次法律咨询" in html
    assert "未报到者" not in html and "不该出现" not in html


def test_it_never_shows_a_phone_an_id_or_an_address(client, w):
    m = w.members["member"]
    factories.registered(m, w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    html = client.get("/c/C1/").text
    assert m.user.phone not in html and m.phone_masked not in html
    assert ID_NUMBERS[0] not in html and "002X" not in html
    assert "1栋1单元101" not in html and "网格C1G1" not in html
    assert not re.search(r"1[3-9]\d[\d*]{4}\d{4}", html)


def test_it_is_not_found_for_an_unknown_community_or_another_level(client, w):
    assert client.get("/c/NOPE/").status_code == 404
    assert client.get("/c/S1/").status_code == 404
    assert client.get("/c/C1G1/").status_code == 404


def test_it_is_the_same_for_a_signed_in_outsider(as_user, w):
    assert as_user(w.users["far_community_admin"]).get("/c/C1/").status_code == 200
