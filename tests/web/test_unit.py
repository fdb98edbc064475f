"""The unit admin's pages: members on record with their status and coverage; 单位报到."""

import pytest

from baodao.policy.models import Policy
from baodao.registration.models import UnitRegistration
from tests import factories

UNIT_PAGES = ["/unit/U1/members/", "/unit/U1/unit-registrations/"]


@pytest.mark.parametrize("url", UNIT_PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("url", UNIT_PAGES)
def test_it_hides_another_unit(as_user, w, url):
    assert as_user(w.users["other_unit_admin"]).get(url).status_code == 404
    assert as_user(w.users["member"]).get(url).status_code == 404  # a member of the unit is not its admin


def test_it_shows_each_member_with_status_and_the_coverage_mark(as_user, w, pending):
    admin = w.users["community_admin"]
    done = factories.member(w.units["U1"], community=w.r("C1"), name="周涛")
    factories.registered(done, w.r("C1"), by=admin)
    factories.member(w.units["U1"], name="吴霞")
    html = as_user(w.users["unit_admin"]).get("/unit/U1/members/").text
    for shown in ("李明", "周涛", "吴霞", "已报到", "待确认", "未报到"):
        assert shown in html
    assert "33.3%" in html and "未达标" in html and "本区达标线：90%" in html
    assert 'class="w-33"' in html


def test_it_marks_a_unit_that_meets_its_districts_threshold(as_user, w):
    Policy.objects.create(district=w.r("D1"), effective_from="2020-01-01", coverage_threshold="0.5")
    factories.registered(w.members["member"], w.r("C1"), by=w.users["community_admin"])
    html = as_user(w.users["unit_admin"]).get("/unit/U1/members/").text
    assert "100%" in html and "达标" in html and "未达标" not in html and "本区达标线：50%" in html


def test_it_filters_members_by_status(as_user, w, pending):
    factories.member(w.units["U1"], name="吴霞")
    client = as_user(w.users["unit_admin"])
    html = client.get("/unit/U1/members/?status=pending").text
    assert "李明" in html and "吴霞" not in html
    html = client.get("/unit/U1/members/?status=unregistered").text
    assert "李明" not in html and "吴霞" in html


def test_it_lets_the_street_admin_read_a_unit_of_its_street(as_user, w):
    assert as_user(w.users["street_admin"]).get("/unit/U1/members/").status_code == 200
    assert as_user(w.users["street_admin"]).get("/unit/U3/members/").status_code == 404


def test_it_registers_the_unit_with_a_community(as_user, w):
    client = as_user(w.users["unit_admin"])
    form = client.get("/unit/U1/unit-registrations/").text
    assert (
        '<label for="id_community">共建社区</label>' in form
        and '<label for="id_commitments">共建承诺</label>' in form
    )
    assert "山前社区" not in form  # communities of its own district only
    r = client.post(
        "/unit/U1/unit-registrations/", {"community": "C1", "commitments": "每季度法律咨询进社区"}
    )
    assert r.status_code == 302
    ur = UnitRegistration.objects.get()
    assert (ur.unit.code, ur.community.code, ur.status) == ("U1", "C1", "pending")
    assert "每季度法律咨询进社区" in client.get("/unit/U1/unit-registrations/").text


def test_it_explains_a_duplicate_unit_registration(as_user, w):
    client = as_user(w.users["unit_admin"])
    data = {"community": "C1", "commitments": "共建"}
    client.post("/unit/U1/unit-registrations/", data)
    r = client.post("/unit/U1/unit-registrations/", data)
    assert r.status_code == 200 and "已有进行中的共建报到" in r.text
    assert UnitRegistration.objects.count() == 1
