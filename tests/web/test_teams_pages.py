"""The community's branches and volunteer teams through the pages: the list and a new one, a team's page
(for the community's admins and its registered members), finding a member by name or phone tail and adding
it, taking one out, naming and clearing the secretary or leader."""

import pytest

from baodao.posts.models import Team, TeamMember
from baodao.posts.services import team_add_member, team_create, team_set_leader
from tests.web.posts_data import cast_of, member_in


@pytest.fixture(name="c")
def _cast(w):
    return cast_of(w)


def team(c, name="应急志愿服务队", kind="team"):
    return team_create(actor=c.admin, community=c.r("C1"), kind=kind, name=name)


def members_of(t):
    return set(TeamMember.objects.filter(team=t).values_list("member__user__name", flat=True))


def test_its_pages_send_anonymous_visitors_to_login(client, c):
    t = team(c)
    for url in ("/community/C1/teams/", f"/teams/{t.pk}/"):
        r = client.get(url)
        assert r.status_code == 302 and r.url.startswith("/login/")
    for url in (f"/teams/{t.pk}/members/", f"/teams/{t.pk}/leader/", f"/teams/{t.pk}/members/1/remove/"):
        r = client.post(url, {"member": c.member.pk})
        assert r.status_code == 302 and r.url.startswith("/login/")
    assert not members_of(t)


@pytest.mark.parametrize("who", ["other_community_admin", "grid_worker", "member"])
def test_the_list_is_not_found_out_of_scope(as_user, c, who):
    assert as_user(c.u(who)).get("/community/C1/teams/").status_code == 404


def test_it_lists_teams_and_creates_one(as_user, c):
    t = team(c)
    team_add_member(actor=c.admin, team=t, member=c.member)
    team_set_leader(actor=c.admin, team=t, member=c.member)
    client = as_user(c.admin)
    r = client.get("/community/C1/teams/")
    assert r.status_code == 200 and "应急志愿服务队" in r.text and "李明" in r.text
    r = client.post(
        "/community/C1/teams/", {"kind": "branch", "name": "在职党员功能型党支部", "description": "法律服务"}
    )
    branch = Team.objects.get(name="在职党员功能型党支部")
    assert r.status_code == 302 and r.url == f"/teams/{branch.pk}/"
    assert (branch.kind, branch.community.code, branch.description) == ("branch", "C1", "法律服务")


def test_it_refuses_a_bad_or_duplicate_team_with_400(as_user, c):
    team(c)
    client = as_user(c.admin)
    r = client.post("/community/C1/teams/", {"kind": "team", "name": "应急志愿服务队"})
    assert r.status_code == 400 and "本社区已有同名的队伍。" in r.text
    assert client.post("/community/C1/teams/", {"kind": "club", "name": "俱乐部"}).status_code == 400
    assert Team.objects.count() == 1


def test_a_grid_worker_of_the_community_cannot_create_a_team(as_user, c):
    # the grid worker sees only its grid: the community's page is not found, let alone its form
    r = as_user(c.u("grid_worker")).post("/community/C1/teams/", {"kind": "team", "name": "网格队"})
    assert r.status_code == 404 and not Team.objects.exists()


def test_the_team_page_is_for_the_communitys_admins_and_registered_members(as_user, c):
    t = team(c)
    team_add_member(actor=c.admin, team=t, member=c.helper)
    r = as_user(c.member.user).get(f"/teams/{t.pk}/")
    assert r.status_code == 200 and "赵强" in r.text and "添加成员" not in r.text
    assert "移出" not in r.text
    admin_page = as_user(c.admin).get(f"/teams/{t.pk}/").text
    assert "添加成员" in admin_page and "设为队长" in admin_page
    for who in ("other_member", "other_community_admin", "grid_worker", "unit_admin"):
        assert as_user(c.u(who)).get(f"/teams/{t.pk}/").status_code == 404, who


def test_it_finds_members_by_name_or_phone_tail_and_adds_one(as_user, c):
    t = team(c)
    other = member_in(c, "王五", community="C2", grid="C2G1")
    client = as_user(c.admin)
    r = client.get(f"/teams/{t.pk}/", {"q": "李"})
    assert "李明" in r.text and "赵强" not in r.text
    tail = c.helper.user.phone[-4:]
    r = client.get(f"/teams/{t.pk}/", {"q": tail})
    assert "赵强" in r.text and "李明" not in r.text
    r = client.get(f"/teams/{t.pk}/", {"q": "王五"})  # registered elsewhere
    assert "没有找到符合条件、尚未加入的报到党员。" in r.text
    r = client.post(f"/teams/{t.pk}/members/", {"member": c.member.pk}, follow=True)
    assert "已将李明加入“应急志愿服务队”。" in r.text
    assert members_of(t) == {"李明"}
    assert "李明" not in client.get(f"/teams/{t.pk}/", {"q": "李"}).text.split("添加成员")[1]
    # a member registered in another community: the street admin can see it, the service refuses it
    r = as_user(c.u("street_admin")).post(f"/teams/{t.pk}/members/", {"member": other.pk})
    assert r.status_code == 400 and "该党员没有在本社区报到。" in r.text
    assert client.post(f"/teams/{t.pk}/members/", {"member": ""}).status_code == 400
    assert members_of(t) == {"李明"}


def test_a_member_may_not_manage_the_team(as_user, c):
    t = team(c)
    team_add_member(actor=c.admin, team=t, member=c.member)
    client = as_user(c.member.user)
    for url, data in (
        (f"/teams/{t.pk}/members/", {"member": c.member.pk}),
        (f"/teams/{t.pk}/leader/", {"member": c.member.pk}),
        (f"/teams/{t.pk}/members/{c.member.pk}/remove/", {}),
    ):
        r = client.post(url, data)
        assert r.status_code == 403 and "只有社区的管理员可以办理此事项。" in r.text
    t.refresh_from_db()
    assert members_of(t) == {"李明"} and t.leader is None


def test_it_names_and_clears_the_leader_and_removes_members(as_user, c):
    t = team(c, "在职党员功能型党支部", kind="branch")
    team_add_member(actor=c.admin, team=t, member=c.member)
    client = as_user(c.admin)
    r = client.post(f"/teams/{t.pk}/leader/", {"member": c.helper.pk})
    assert r.status_code == 400 and "书记或队长须是队伍的成员。" in r.text
    r = client.post(f"/teams/{t.pk}/leader/", {"member": c.member.pk}, follow=True)
    assert "已指定李明为“在职党员功能型党支部”的书记。" in r.text and "取消书记" in r.text
    t.refresh_from_db()
    assert t.leader == c.member
    r = client.post(f"/teams/{t.pk}/leader/", {}, follow=True)
    assert "已取消“在职党员功能型党支部”的书记。" in r.text
    t.refresh_from_db()
    assert t.leader is None
    team_set_leader(actor=c.admin, team=t, member=c.member)
    r = client.post(f"/teams/{t.pk}/members/{c.member.pk}/remove/", follow=True)
    assert "已将李明移出“在职党员功能型党支部”。" in r.text
    t.refresh_from_db()
    assert not members_of(t) and t.leader is None
    r = client.post(f"/teams/{t.pk}/members/{c.member.pk}/remove/")
    assert r.status_code == 409 and "该党员不在这支队伍中。" in r.text
