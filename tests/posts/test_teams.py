"""Functional party branches and volunteer teams of registered members, their secretaries and leaders; lead
members (带头人) of a grid, named by its grid worker."""

import pytest

from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.notify.models import Notice
from baodao.posts.models import GridLead, Team, TeamKind, TeamMember
from baodao.posts.selectors import grid_leads, leads_visible_to, team_members, teams_visible_to
from baodao.posts.services import (
    grid_lead_designate,
    grid_lead_revoke,
    team_add_member,
    team_create,
    team_remove_member,
    team_set_leader,
)
from tests import factories
from tests.mobilizations.helpers import member_in

pytestmark = pytest.mark.django_db


def branch(c, name="退役军人功能型党支部", *, actor=None, community="C1", kind=TeamKind.BRANCH):
    return team_create(actor=actor or c.admin, community=c.r(community), kind=kind, name=name)


def members_of(team):
    return set(TeamMember.objects.filter(team=team).values_list("member__user__name", flat=True))


# ---- teams ------------------------------------------------------------------------------------------------


def test_a_branch_and_a_team_are_created(c):
    b = branch(c)
    t = team_create(
        actor=c.u("street_admin"),
        community=c.r("C1"),
        kind=TeamKind.TEAM,
        name=" 红色义工队 ",
        description="周末义务服务",
    )
    assert (b.kind, b.name, b.community, b.leader) == ("branch", "退役军人功能型党支部", c.r("C1"), None)
    assert (t.kind, t.name, t.description, t.created_by) == (
        "team",
        "红色义工队",
        "周末义务服务",
        c.u("street_admin"),
    )


def test_a_team_name_is_once_per_community(c):
    branch(c, "红色义工队", kind=TeamKind.TEAM)
    with pytest.raises(Invalid) as e:
        branch(c, "红色义工队")  # even as the other kind
    assert "name" in e.value.fields
    branch(c, "红色义工队", actor=c.u("other_community_admin"), community="C2")
    assert Team.objects.filter(name="红色义工队").count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "club"}, "kind"),
        ({"name": " "}, "name"),
        ({"name": "名" * 61}, "name"),
        ({"community": "C1G1"}, "community"),
    ],
)
def test_what_a_team_must_say(c, changes, field):
    fields = {"kind": "team", "name": "义工队", "community": "C1", **changes}
    with pytest.raises(Invalid) as e:
        team_create(actor=c.admin, community=c.r(fields.pop("community")), **fields)
    assert field in e.value.fields
    assert not Team.objects.exists()


@pytest.mark.parametrize("who", ["other_community_admin", "grid_worker", "member", "unit_admin"])
def test_only_the_community_and_above_create_teams(c, who):
    with pytest.raises(Forbidden):
        branch(c, actor=c.u(who))
    assert not Team.objects.exists()


def test_members_registered_here_are_added_once_and_told_once(c):
    team = branch(c)
    first = team_add_member(actor=c.admin, team=team, member=c.member)
    again = team_add_member(actor=c.admin, team=team, member=c.member)  # harmless
    assert first.pk == again.pk
    assert members_of(team) == {"李明"}
    assert (
        Notice.objects.filter(user=c.member.user, title="您已加入功能型党支部：退役军人功能型党支部").count()
        == 1
    )


def test_only_members_registered_in_the_community_are_added(c):
    team = branch(c)
    unregistered = factories.member(c.w.units["U1"], community=c.r("C1"), grid=c.r("C1G1"), name="未报到")
    elsewhere = member_in(c, "和平党员", community="C2", grid="C2G1")
    for m in (unregistered, elsewhere, c.w.members["other_member"]):
        with pytest.raises(Invalid) as e:
            team_add_member(actor=c.admin, team=team, member=m)
        assert "member" in e.value.fields
    assert members_of(team) == set()


def test_another_community_adds_nobody_to_the_team(c):
    team = branch(c)
    with pytest.raises(Forbidden):
        team_add_member(actor=c.u("other_community_admin"), team=team, member=c.member)
    with pytest.raises(Forbidden):
        team_add_member(actor=c.member.user, team=team, member=c.member)
    assert members_of(team) == set()


def test_removing_a_member_and_removing_it_twice(c):
    team = branch(c)
    team_add_member(actor=c.admin, team=team, member=c.member)
    team_add_member(actor=c.admin, team=team, member=c.helper)
    team_remove_member(actor=c.admin, team=team, member=c.helper)
    assert members_of(team) == {"李明"}
    with pytest.raises(Conflict) as e:
        team_remove_member(actor=c.admin, team=team, member=c.helper)
    assert e.value.code == "not_member"
    with pytest.raises(Forbidden):
        team_remove_member(actor=c.u("other_community_admin"), team=team, member=c.member)
    assert members_of(team) == {"李明"}


def test_the_leader_is_one_of_the_members(c):
    team = branch(c)
    with pytest.raises(Invalid) as e:
        team_set_leader(actor=c.admin, team=team, member=c.member)
    assert "member" in e.value.fields
    team_add_member(actor=c.admin, team=team, member=c.member)
    team = team_set_leader(actor=c.admin, team=team, member=c.member)
    assert Team.objects.get(pk=team.pk).leader == c.member
    assert (
        Notice.objects.filter(user=c.member.user, title="您被指定为退役军人功能型党支部的书记").count() == 1
    )
    with pytest.raises(Forbidden):
        team_set_leader(actor=c.u("other_community_admin"), team=team, member=None)
    assert team_set_leader(actor=c.admin, team=team, member=None).leader is None


def test_a_team_has_a_leader_a_branch_a_secretary(c):
    team = branch(c, "红色义工队", kind=TeamKind.TEAM)
    team_add_member(actor=c.admin, team=team, member=c.helper)
    team_set_leader(actor=c.admin, team=team, member=c.helper)
    assert Notice.objects.filter(user=c.helper.user, title="您被指定为红色义工队的队长").count() == 1


def test_removing_the_leader_clears_it(c):
    team = branch(c)
    team_add_member(actor=c.admin, team=team, member=c.member)
    team_add_member(actor=c.admin, team=team, member=c.helper)
    page = Team.objects.get(pk=team.pk)  # as a page would have read it before the leader was named
    team_set_leader(actor=c.admin, team=team, member=c.member)
    team_remove_member(actor=c.admin, team=page, member=c.member)
    assert Team.objects.get(pk=team.pk).leader is None
    # removing another member keeps the leader
    team_add_member(actor=c.admin, team=team, member=c.member)
    team_set_leader(actor=c.admin, team=team, member=c.member)
    team_remove_member(actor=c.admin, team=team, member=c.helper)
    assert Team.objects.get(pk=team.pk).leader == c.member


def test_who_sees_which_team(c):
    mine = branch(c, "幸福支部")
    theirs = branch(c, "和平支部", actor=c.u("other_community_admin"), community="C2")
    far = branch(c, "山前支部", actor=c.u("far_community_admin"), community="C4")
    team_add_member(actor=c.admin, team=mine, member=c.member)
    team_add_member(actor=c.admin, team=mine, member=c.helper)

    def names(who):
        return set(teams_visible_to(who).values_list("name", flat=True))

    assert names(c.u("community_admin")) == {"幸福支部"}
    assert names(c.u("street_admin")) == {"幸福支部", "和平支部"}
    assert names(c.u("district_admin")) == {"幸福支部", "和平支部"}
    assert names(c.u("far_community_admin")) == {"山前支部"}
    assert names(c.member.user) == {"幸福支部"}  # its own community's teams
    assert names(c.u("other_member")) == set()  # 王芳 is not registered anywhere
    assert names(c.u("resident")) == set()
    assert teams_visible_to(c.admin).get(pk=mine.pk).size == 2
    assert {m.member for m in team_members(mine)} == {c.member, c.helper}
    assert theirs.pk != far.pk


# ---- lead members of a grid -------------------------------------------------------------------------------


def test_the_grid_worker_names_a_lead_member_of_its_grid(c):
    lead = grid_lead_designate(actor=c.u("grid_worker"), grid=c.r("C1G1"), member=c.member, note="楼栋长")
    assert (lead.grid, lead.member, lead.note, lead.designated_by) == (
        c.r("C1G1"),
        c.member,
        "楼栋长",
        c.u("grid_worker"),
    )
    assert Notice.objects.filter(user=c.member.user, title="您被指定为网格C1G1的带头人").count() == 1
    # naming it again only changes the note, and tells nobody again
    again = grid_lead_designate(actor=c.admin, grid=c.r("C1G1"), member=c.member, note="巡逻组长")
    assert (again.pk, again.note, again.designated_by) == (lead.pk, "巡逻组长", c.u("grid_worker"))
    assert Notice.objects.filter(user=c.member.user, title__endswith="的带头人").count() == 1
    assert [gl.member for gl in grid_leads(c.r("C1G1"))] == [c.member]


def test_the_community_admin_names_a_lead_member_of_any_of_its_grids(c):
    assert grid_lead_designate(actor=c.admin, grid=c.r("C1G2"), member=c.helper).member == c.helper


@pytest.mark.parametrize("who", ["other_community_admin", "member", "unit_admin", "resident"])
def test_others_name_no_lead_member(c, who):
    with pytest.raises(Forbidden):
        grid_lead_designate(actor=c.u(who), grid=c.r("C1G1"), member=c.member)
    assert not GridLead.objects.exists()


def test_a_grid_worker_of_another_grid_names_no_lead_member_here(c):
    with pytest.raises(Forbidden):  # the grid worker holds C1G1, 赵强 lives in C1G2
        grid_lead_designate(actor=c.u("grid_worker"), grid=c.r("C1G2"), member=c.helper)
    assert not GridLead.objects.exists()


def test_the_lead_member_lives_in_the_grid_and_is_registered(c):
    gw = c.u("grid_worker")
    unregistered = factories.member(c.w.units["U1"], community=c.r("C1"), grid=c.r("C1G1"), name="未报到")
    for m in (c.helper, unregistered):  # 赵强 lives in C1G2
        with pytest.raises(Invalid) as e:
            grid_lead_designate(actor=gw, grid=c.r("C1G1"), member=m)
        assert "member" in e.value.fields
    with pytest.raises(Invalid) as e:
        grid_lead_designate(actor=c.admin, grid=c.r("C1"), member=c.member)
    assert "grid" in e.value.fields
    assert not GridLead.objects.exists()


def test_revoking_a_lead_member(c):
    grid_lead_designate(actor=c.u("grid_worker"), grid=c.r("C1G1"), member=c.member)
    with pytest.raises(Forbidden):
        grid_lead_revoke(actor=c.u("other_community_admin"), grid=c.r("C1G1"), member=c.member)
    grid_lead_revoke(actor=c.u("grid_worker"), grid=c.r("C1G1"), member=c.member)
    assert not GridLead.objects.exists()
    with pytest.raises(Conflict) as e:
        grid_lead_revoke(actor=c.admin, grid=c.r("C1G1"), member=c.member)
    assert e.value.code == "not_lead"


def test_who_sees_which_lead_member(c):
    grid_lead_designate(actor=c.u("grid_worker"), grid=c.r("C1G1"), member=c.member)
    grid_lead_designate(actor=c.admin, grid=c.r("C1G2"), member=c.helper)

    def names(who):
        return set(leads_visible_to(c.u(who)).values_list("member__user__name", flat=True))

    assert names("grid_worker") == {"李明"}
    assert names("community_admin") == {"李明", "赵强"}
    assert names("street_admin") == {"李明", "赵强"}
    assert names("other_community_admin") == set()
    assert names("far_community_admin") == set()
