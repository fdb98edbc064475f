"""Functional party branches and volunteer teams, and lead members of a grid, through the API."""

import pytest

from baodao.posts.models import GridLead, Team, TeamMember
from baodao.posts.services import grid_lead_designate, team_add_member, team_create, team_set_leader
from tests.api.activity_cases import assert_refused, client_for
from tests.mobilizations.helpers import cast_of, member_in

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams"


@pytest.fixture
def c(w):
    return cast_of(w)


def team(c, name="应急先锋队", kind="team", community="C1"):
    admin = c.admin if community == "C1" else c.u("other_community_admin")
    return team_create(actor=admin, community=c.r(community), kind=kind, name=name)


def url(t, action=""):
    return f"{TEAMS}/{t.pk}" + (f"/{action}" if action else "")


# ---- /teams ---------------------------------------------------------------------------------------------


def test_it_refuses_anonymous_callers(c, anon):
    t = team(c)
    assert_refused(anon.get(TEAMS), 401, "unauthenticated")
    assert_refused(anon.post(TEAMS, {"community": "C1", "kind": "team", "name": "x"}, format="json"), 401)
    assert_refused(anon.get(url(t)), 401, "unauthenticated")
    assert_refused(anon.post(url(t, "members"), {"member": c.member.pk}, format="json"), 401)
    assert_refused(anon.delete(url(t, f"members/{c.member.pk}")), 401, "unauthenticated")
    assert_refused(anon.post(url(t, "leader"), {"member": None}, format="json"), 401)
    assert_refused(anon.get("/api/v1/grids/C1G1/leads"), 401, "unauthenticated")


def test_the_community_forms_a_branch(c):
    body = {
        "community": "C1",
        "kind": "branch",
        "name": "退役军人功能型党支部",
        "description": "退役军人党员",
    }
    r = client_for(c.admin).post(TEAMS, body, format="json")
    assert r.status_code == 201, r.content
    t = r.json()
    assert (t["kind"], t["kind_label"], t["name"], t["description"]) == (
        "branch",
        "功能型党支部",
        "退役军人功能型党支部",
        "退役军人党员",
    )
    assert t["community"] == {"code": "C1", "name": "幸福社区"}
    assert (t["leader"], t["size"], t["members"], t["may_manage"]) == (None, 0, [], True)
    assert Team.objects.get().created_by == c.admin


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"community": "NOPE", "kind": "team", "name": "队"}, "community"),
        ({"community": "C1G1", "kind": "team", "name": "队"}, "community"),
        ({"community": "C1", "kind": "club", "name": "队"}, "kind"),
        ({"community": "C1", "kind": "team", "name": ""}, "name"),
    ],
)
def test_it_refuses_bad_input_on_its_field(c, body, field):
    assert_refused(client_for(c.admin).post(TEAMS, body, format="json"), 400, "invalid", field)
    assert not Team.objects.exists()


def test_a_second_team_of_the_same_name_is_refused(c):
    team(c)
    body = {"community": "C1", "kind": "team", "name": "应急先锋队"}
    assert_refused(client_for(c.admin).post(TEAMS, body, format="json"), 400, "invalid", "name")


def test_only_the_communitys_admins_form_teams(c):
    body = {"community": "C1", "kind": "team", "name": "志愿队"}
    for role in ("other_community_admin", "grid_worker", "member"):
        assert_refused(client_for(c.u(role)).post(TEAMS, body, format="json"), 403, "forbidden")
    assert not Team.objects.exists()


def test_the_list_and_detail_follow_scope(c):
    mine = team(c)
    branch = team(c, "流动党员支部", kind="branch")
    elsewhere = team(c, "和平志愿队", community="C2")
    team_add_member(actor=c.admin, team=mine, member=c.member)
    team_set_leader(actor=c.admin, team=mine, member=c.member)

    rows = client_for(c.member.user).get(TEAMS).json()["results"]
    assert {t["id"] for t in rows} == {mine.pk, branch.pk}
    assert client_for(c.admin).get(TEAMS, {"kind": "branch"}).json()["results"][0]["id"] == branch.pk
    street = client_for(c.u("street_admin")).get(TEAMS, {"community": "C2"}).json()["results"]
    assert [t["id"] for t in street] == [elsewhere.pk]

    detail = client_for(c.helper.user).get(url(mine)).json()
    assert detail["leader"]["id"] == c.member.pk and detail["size"] == 1
    assert [m["member"]["id"] for m in detail["members"]] == [c.member.pk]
    assert "*" in detail["members"][0]["member"]["phone"]
    assert detail["may_manage"] is False

    assert_refused(client_for(c.u("far_community_admin")).get(url(mine)), 404, "not_found")
    assert_refused(client_for(c.member.user).get(url(elsewhere)), 404, "not_found")


# ---- members and leader ---------------------------------------------------------------------------------


def test_the_community_adds_and_removes_members(c):
    t = team(c)
    admin = client_for(c.admin)
    r = admin.post(url(t, "members"), {"member": c.member.pk}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["member"]["id"] == c.member.pk and r.json()["joined_at"]
    assert admin.post(url(t, "members"), {"member": c.member.pk}, format="json").status_code == 201
    assert TeamMember.objects.filter(team=t).count() == 1
    team_set_leader(actor=c.admin, team=t, member=c.member)

    r = admin.delete(url(t, f"members/{c.member.pk}"))
    assert r.status_code == 204
    assert not TeamMember.objects.exists()
    t.refresh_from_db()
    assert t.leader is None
    assert_refused(admin.delete(url(t, f"members/{c.member.pk}")), 409, "not_member")


def test_adding_a_member_refuses_bad_and_unknown_members(c):
    t = team(c)
    admin = client_for(c.admin)
    far = c.u("other_member").member
    assert_refused(admin.post(url(t, "members"), {"member": far.pk}, format="json"), 400, "invalid", "member")
    assert_refused(admin.post(url(t, "members"), {}, format="json"), 400, "invalid", "member")
    # visible to the street admin, but registered in another community than the team's
    elsewhere = member_in(c, "钱七", community="C2", grid="C2G1")
    r = client_for(c.u("street_admin")).post(url(t, "members"), {"member": elsewhere.pk}, format="json")
    assert_refused(r, 400, "invalid", "member")
    assert not TeamMember.objects.exists()


def test_only_managers_change_members_and_leader(c):
    t = team(c)
    team_add_member(actor=c.admin, team=t, member=c.helper)
    helper = client_for(c.helper.user)
    assert_refused(helper.post(url(t, "members"), {"member": c.helper.pk}, format="json"), 403, "forbidden")
    assert_refused(helper.delete(url(t, f"members/{c.helper.pk}")), 403, "forbidden")
    assert_refused(helper.post(url(t, "leader"), {"member": c.helper.pk}, format="json"), 403, "forbidden")
    assert TeamMember.objects.filter(team=t).count() == 1


def test_changes_to_a_team_out_of_scope_are_not_found(c):
    t = team(c)
    team_add_member(actor=c.admin, team=t, member=c.member)
    far = client_for(c.u("far_community_admin"))
    assert_refused(far.post(url(t, "members"), {"member": c.member.pk}, format="json"), 404, "not_found")
    assert_refused(far.delete(url(t, f"members/{c.member.pk}")), 404, "not_found")
    assert_refused(far.post(url(t, "leader"), {"member": None}, format="json"), 404, "not_found")
    # a member id in the path that the caller cannot see
    other = c.u("other_member").member
    assert_refused(client_for(c.admin).delete(url(t, f"members/{other.pk}")), 404, "not_found")
    assert TeamMember.objects.count() == 1


def test_the_community_names_and_clears_the_leader(c):
    t = team(c, "流动党员支部", kind="branch")
    team_add_member(actor=c.admin, team=t, member=c.member)
    admin = client_for(c.admin)
    r = admin.post(url(t, "leader"), {"member": c.member.pk}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["leader"]["id"] == c.member.pk
    assert_refused(
        admin.post(url(t, "leader"), {"member": c.helper.pk}, format="json"), 400, "invalid", "member"
    )
    assert_refused(admin.post(url(t, "leader"), {}, format="json"), 400, "invalid", "member")
    r = admin.post(url(t, "leader"), {"member": None}, format="json")
    assert r.status_code == 200 and r.json()["leader"] is None


# ---- grid leads -----------------------------------------------------------------------------------------


def leads(code):
    return f"/api/v1/grids/{code}/leads"


def test_the_grid_worker_names_a_lead_member(c):
    worker = client_for(c.u("grid_worker"))
    r = worker.post(leads("C1G1"), {"member": c.member.pk, "note": "负责3栋"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["grid"] == {"code": "C1G1", "name": "网格C1G1"}
    assert (body["member"]["id"], body["note"]) == (c.member.pk, "负责3栋")
    r = worker.post(leads("C1G1"), {"member": c.member.pk, "note": "负责4栋"}, format="json")
    assert r.status_code == 201 and r.json()["note"] == "负责4栋"
    assert GridLead.objects.get().designated_by == c.u("grid_worker")

    rows = client_for(c.helper.user).get(leads("C1G1")).json()["results"]
    assert [(x["member"]["id"], x["note"]) for x in rows] == [(c.member.pk, "负责4栋")]


def test_a_lead_must_live_in_the_grid(c):
    r = client_for(c.admin).post(leads("C1G1"), {"member": c.helper.pk}, format="json")
    assert_refused(r, 400, "invalid", "member")
    r = client_for(c.admin).post(leads("C1G1"), {"member": 999999}, format="json")
    assert_refused(r, 400, "invalid", "member")
    assert not GridLead.objects.exists()


def test_only_the_grids_worker_or_community_names_leads(c):
    r = client_for(c.member.user).post(leads("C1G1"), {"member": c.member.pk}, format="json")
    assert_refused(r, 403, "forbidden")
    # the grid worker of C1G1 does not see C1G2 at all
    r = client_for(c.u("grid_worker")).post(leads("C1G2"), {"member": c.helper.pk}, format="json")
    assert_refused(r, 404, "not_found")
    assert not GridLead.objects.exists()


def test_a_grid_out_of_scope_is_not_found(c):
    grid_lead_designate(actor=c.admin, grid=c.r("C1G1"), member=c.member)
    far = client_for(c.u("far_community_admin"))
    assert_refused(far.get(leads("C1G1")), 404, "not_found")
    assert_refused(far.post(leads("C1G1"), {"member": c.member.pk}, format="json"), 404, "not_found")
    assert_refused(far.delete(f"{leads('C1G1')}/{c.member.pk}"), 404, "not_found")
    assert_refused(client_for(c.u("other_member")).get(leads("C1G1")), 404, "not_found")
    assert_refused(client_for(c.admin).get(leads("NOPE")), 404, "not_found")
    assert_refused(client_for(c.admin).get(leads("C1")), 404, "not_found")  # a community is not a grid
    assert GridLead.objects.count() == 1


def test_the_grid_worker_revokes_a_lead_member(c):
    grid_lead_designate(actor=c.admin, grid=c.r("C1G1"), member=c.member)
    assert_refused(client_for(c.member.user).delete(f"{leads('C1G1')}/{c.member.pk}"), 403, "forbidden")
    worker = client_for(c.u("grid_worker"))
    assert worker.delete(f"{leads('C1G1')}/{c.member.pk}").status_code == 204
    assert not GridLead.objects.exists()
    assert_refused(worker.delete(f"{leads('C1G1')}/{c.member.pk}"), 409, "not_lead")
