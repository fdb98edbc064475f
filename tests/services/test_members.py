import pytest

from baodao.accounts.models import Role
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Forbidden, Invalid
from baodao.members.models import Member, Skill
from baodao.members.selectors import member_public_list, members_filter, members_visible_to
from baodao.members.services import member_can_unmask, member_create, member_unmask, member_update_profile
from baodao.org.services import branch_get_or_create
from baodao.registration.services import registration_transfer
from tests import factories


@pytest.fixture
def m(w):
    return w.members["member"]


def _fresh(m):
    return Member.objects.select_related("user").get(pk=m.pk)


# ---- profile ----------------------------------------------------------------------------------------------


def test_it_takes_skills_as_labels_or_codes_in_order_without_repeats(m):
    member_update_profile(member=m, skills=["信息技术", "legal", " 法律咨询 ", ""], preferences=["助困扶残"])
    m = _fresh(m)
    assert m.skills == ["it", "legal"]
    assert m.preferences == ["assistance"]
    assert m.skill_labels() == ["信息技术", "法律咨询"]


def test_it_refuses_an_unknown_skill_and_lists_the_allowed_ones(m):
    with pytest.raises(Invalid) as exc:
        member_update_profile(member=m, skills=["法律咨询", "唱歌", "跳舞"])
    assert "唱歌、跳舞" in exc.value.detail
    for label in Skill.labels:
        assert str(label) in exc.value.detail
    assert exc.value.fields == {"skills": ["无法识别：唱歌、跳舞"]}
    assert _fresh(m).skills == ["legal"]


def test_it_checks_preferences_against_the_same_vocabulary(m):
    with pytest.raises(Invalid) as exc:
        member_update_profile(member=m, preferences=["钓鱼"])
    assert "preferences" in exc.value.fields


def test_it_keeps_free_tags_within_limits(m):
    member_update_profile(member=m, tags=["会开车", " 会开车 ", "懂粤语", ""])
    assert _fresh(m).tags == ["会开车", "懂粤语"]
    member_update_profile(member=m, tags=[f"标签{i}" for i in range(10)])
    with pytest.raises(Invalid) as exc:
        member_update_profile(member=m, tags=[f"标签{i}" for i in range(11)])
    assert "最多 10 个" in exc.value.detail
    with pytest.raises(Invalid):
        member_update_profile(member=m, tags=["长" * 21])
    member_update_profile(member=m, tags=["长" * 20])
    assert _fresh(m).tags == ["长" * 20]


def test_it_takes_weekly_availability_as_day_and_part(m):
    member_update_profile(member=m, availability=["sat-morning", "sun-evening", "sat-morning"])
    assert _fresh(m).availability == ["sat-morning", "sun-evening"]


@pytest.mark.parametrize(
    "slot", ["saturday", "sat", "sat-night", "周六-上午", "sat-morning-x", "", "SAT-MORNING"]
)
def test_it_refuses_a_malformed_availability(m, slot):
    with pytest.raises(Invalid) as exc:
        member_update_profile(member=m, availability=[slot])
    assert "availability" in exc.value.fields


def test_it_limits_the_pledge_to_500_characters(m):
    member_update_profile(member=m, pledge="  " + "诺" * 500 + "  ")
    assert _fresh(m).pledge == "诺" * 500
    with pytest.raises(Invalid) as exc:
        member_update_profile(member=m, pledge="诺" * 501)
    assert "500" in exc.value.detail
    assert _fresh(m).pledge == "诺" * 500


def test_it_moves_a_member_between_branches_of_its_own_unit_only(w, m):
    own = branch_get_or_create(unit=w.units["U1"], name="第一党支部")
    other = branch_get_or_create(unit=w.units["U2"], name="第一党支部")
    member_update_profile(member=m, branch=own)
    assert _fresh(m).branch == own
    with pytest.raises(Invalid) as exc:
        member_update_profile(member=m, branch=other)
    assert "branch" in exc.value.fields
    assert _fresh(m).branch == own
    member_update_profile(member=m, branch=None)
    assert _fresh(m).branch is None


def test_it_renames_the_member(m):
    member_update_profile(member=m, name="  李明明 ")
    assert _fresh(m).user.name == "李明明"
    with pytest.raises(Invalid):
        member_update_profile(member=m, name=" ")
    assert _fresh(m).user.name == "李明明"


@pytest.mark.parametrize("field", ["community", "grid", "unit", "registered_community", "id_number", "phone"])
def test_it_refuses_to_change_what_the_profile_does_not_own(w, m, field):
    with pytest.raises(Invalid):
        member_update_profile(member=m, **{field: None})
    assert _fresh(m).unit == w.units["U1"]


def test_a_refused_change_saves_nothing_of_the_same_request(m):
    with pytest.raises(Invalid):
        member_update_profile(member=m, skills=["信息技术"], tags=["会开车"], pledge="诺" * 501)
    fresh = _fresh(m)
    assert (fresh.skills, fresh.tags, fresh.pledge) == (["legal"], [], "每月参加一次法律咨询")


def test_it_refuses_a_branch_of_another_unit_on_creation(w):
    other = branch_get_or_create(unit=w.units["U2"], name="机关支部")
    user = factories.user(Role.MEMBER, unit_=w.units["U1"])
    with pytest.raises(Invalid):
        member_create(user=user, unit=w.units["U1"], branch=other)
    assert not Member.objects.filter(user=user).exists()


# ---- unmasking --------------------------------------------------------------------------------------------


def test_an_admin_with_the_permission_unmasks_and_is_audited(w, m, rf_request):
    admin = w.users["community_admin"]
    assert member_unmask(actor=admin, member=m, request=rf_request("10.2.3.4")) == {
        "phone": m.user.phone,
        "id_number": "11010519491231002X",
        "address": "1栋1单元101",
    }
    event = AuditEvent.objects.get(action=Action.UNMASKED)
    assert (event.actor, event.target_type, event.target_id, event.ip) == (
        admin,
        "member",
        str(m.pk),
        "10.2.3.4",
    )
    assert event.detail == {"fields": ["phone", "id_number", "address"]}


def test_the_district_admin_with_the_permission_unmasks_across_its_district(w):
    values = member_unmask(actor=w.users["district_admin"], member=w.members["other_member"])
    assert values["id_number"] == "440524188001010014"
    assert AuditEvent.objects.filter(action=Action.UNMASKED).count() == 1


def test_a_member_sees_its_own_details_without_an_audit_entry(m):
    assert member_unmask(actor=m.user, member=m)["id_number"] == "11010519491231002X"
    assert not AuditEvent.objects.filter(action=Action.UNMASKED).exists()


@pytest.mark.parametrize(
    ("persona", "member"),
    [
        ("street_admin", "member"),  # in scope, but without the permission
        ("grid_worker", "member"),
        ("unit_admin", "member"),
        ("resident", "member"),
        ("other_member", "member"),
        ("community_admin", "other_member"),  # the permission covers C1 only
        ("district_admin", None),  # the other district's member
    ],
)
def test_anyone_else_is_forbidden(w, persona, member):
    target = w.members[member] if member else factories.member(w.units["U4"], community=w.r("C4"))
    with pytest.raises(Forbidden):
        member_unmask(actor=w.users[persona], member=target)
    assert not AuditEvent.objects.filter(action=Action.UNMASKED).exists()


def test_a_unit_admin_with_the_permission_unmasks_its_own_members_only(w, m):
    unit_admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U1"], can_unmask=True)
    assert member_unmask(actor=unit_admin, member=m)["phone"] == m.user.phone
    with pytest.raises(Forbidden):
        member_unmask(actor=unit_admin, member=w.members["other_member"])


def test_the_permission_follows_the_member_when_it_moves(w, m):
    admin = w.users["community_admin"]
    factories.registered(m, w.r("C1"), by=admin)
    registration_transfer(member=m, community=w.r("C3"), reason="搬家")
    m.refresh_from_db()
    assert not member_can_unmask(admin, m)


def test_a_deactivated_admin_unmasks_nothing(w, m):
    admin = w.users["community_admin"]
    admin.is_active = False
    with pytest.raises(Forbidden):
        member_unmask(actor=admin, member=m)


# ---- selectors used by the pages and the API --------------------------------------------------------------


def test_it_filters_members_by_skill_on_every_database(w, m):
    factories.member(w.units["U1"], community=w.r("C1"), skills=("legal", "it"))
    factories.member(w.units["U1"], community=w.r("C1"), skills=("organisation",))
    # "legal" must not match a skill whose code merely contains it.
    qs = members_visible_to(w.users["community_admin"])
    assert {x.skills[0] for x in members_filter(qs, skill="legal")} == {"legal"}
    assert members_filter(qs, skill="legal").count() == 2
    assert members_filter(qs, skill="it").count() == 1
    assert members_filter(qs, skill="gal").count() == 0


def test_it_filters_members_by_registration_and_place(w, m):
    admin = w.users["community_admin"]
    factories.registered(m, w.r("C1"), w.r("C1G1"), by=admin)
    other = factories.member(w.units["U2"], community=w.r("C1"), grid=w.r("C1G2"), name="周六")
    qs = members_visible_to(w.users["street_admin"])
    assert set(members_filter(qs, registered=True)) == {m}
    assert set(members_filter(qs, registered=False)) == {other, w.members["other_member"]}
    assert set(members_filter(qs, community="C1")) == {m, other}
    assert set(members_filter(qs, grid="C1G2")) == {other}
    assert set(members_filter(qs, unit="U2")) == {other, w.members["other_member"]}
    assert set(members_filter(qs, q="周")) == {other}
    # The search never looks at addresses: a masked address must not be recoverable by guessing.
    assert other.address and members_filter(qs, q=other.address[:3]).count() == 0


def test_the_public_list_shows_registered_members_only_and_nothing_sensitive(w, m):
    factories.registered(m, w.r("C1"), by=w.users["community_admin"])
    factories.member(w.units["U2"], community=w.r("C1"), name="未报到")
    rows = list(member_public_list("C1"))
    assert rows == [m]
    assert rows[0].user.name == "李明"
    assert rows[0].pledge == "每月参加一次法律咨询"
    assert list(member_public_list("C2")) == []
