"""带头人 through the pages: the grid's lead members for its grid worker (and the community above it), naming
a registered member living in the grid with a note, naming it again, revoking; refused to others."""

import pytest

from baodao.posts.models import GridLead
from baodao.posts.services import grid_lead_designate
from tests.web.posts_data import cast_of, member_in


@pytest.fixture(name="c")
def _cast(w):
    return cast_of(w)


def leads(grid_code="C1G1"):
    return dict(GridLead.objects.filter(grid__code=grid_code).values_list("member__user__name", "note"))


def test_it_sends_anonymous_visitors_to_login(client, c):
    r = client.get("/grid/C1G1/leads/")
    assert r.status_code == 302 and r.url.startswith("/login/")
    r = client.post("/grid/C1G1/leads/", {"member": c.member.pk})
    assert r.status_code == 302 and r.url.startswith("/login/")
    r = client.post(f"/grid/C1G1/leads/{c.member.pk}/revoke/")
    assert r.status_code == 302 and r.url.startswith("/login/")
    assert not leads()


@pytest.mark.parametrize("who", ["other_community_admin", "member", "unit_admin"])
def test_it_is_not_found_out_of_scope(as_user, c, who):
    assert as_user(c.u(who)).get("/grid/C1G1/leads/").status_code == 404
    assert as_user(c.u(who)).post("/grid/C1G1/leads/", {"member": c.member.pk}).status_code == 404


def test_a_grid_worker_of_another_grid_does_not_find_it(as_user, c):
    client = as_user(c.u("grid_worker"))  # works in C1G1
    assert client.get("/grid/C1G2/leads/").status_code == 404
    assert client.post("/grid/C1G2/leads/", {"member": c.helper.pk}).status_code == 404
    assert not leads("C1G2")


def test_the_grid_worker_names_revokes_and_the_link_is_on_its_grid_page(as_user, c):
    client = as_user(c.u("grid_worker"))
    assert 'href="/grid/C1G1/leads/"' in client.get("/grid/C1G1/members/").text
    page = client.get("/grid/C1G1/leads/")
    assert page.status_code == 200 and "李明" in page.text
    assert "赵强" not in page.text  # lives in C1G2: not a choice
    r = client.post("/grid/C1G1/leads/", {"member": c.member.pk, "note": "3栋至5栋"}, follow=True)
    assert "已指定李明为本网格的带头人。" in r.text and "3栋至5栋" in r.text
    assert leads() == {"李明": "3栋至5栋"}
    client.post("/grid/C1G1/leads/", {"member": c.member.pk, "note": "防汛巡查"})
    assert leads() == {"李明": "防汛巡查"}
    r = client.post(f"/grid/C1G1/leads/{c.member.pk}/revoke/", follow=True)
    assert "已撤销李明的带头人。" in r.text
    assert not leads()
    r = client.post(f"/grid/C1G1/leads/{c.member.pk}/revoke/")
    assert r.status_code == 409 and "该党员不是本网格的带头人。" in r.text


def test_it_refuses_a_member_not_living_in_the_grid_with_400(as_user, c):
    r = as_user(c.u("grid_worker")).post("/grid/C1G1/leads/", {"member": c.helper.pk})
    assert r.status_code == 400 and not leads()
    assert as_user(c.u("grid_worker")).post("/grid/C1G1/leads/", {"member": ""}).status_code == 400


def test_a_street_admin_sees_the_leads_but_may_not_name_or_revoke(as_user, c):
    grid_lead_designate(actor=c.u("grid_worker"), grid=c.r("C1G1"), member=c.member)
    client = as_user(c.u("street_admin"))
    page = client.get("/grid/C1G1/leads/")
    assert page.status_code == 200 and "李明" in page.text and 'id="designate-title"' not in page.text
    helper = member_in(c, "钱七")
    r = client.post("/grid/C1G1/leads/", {"member": helper.pk})
    assert r.status_code == 403 and "只有本网格的网格员或社区管理员可以指定带头人。" in r.text
    r = client.post(f"/grid/C1G1/leads/{c.member.pk}/revoke/")
    assert r.status_code == 403
    assert leads() == {"李明": ""}


def test_the_community_admin_may_name_a_lead(as_user, c):
    r = as_user(c.admin).post("/grid/C1G2/leads/", {"member": c.helper.pk, "note": "物资"})
    assert r.status_code == 302 and leads("C1G2") == {"赵强": "物资"}
