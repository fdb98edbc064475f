"""What each persona of world() sees through the scoping layer: exact sets, in both trees of a member."""

import pytest
from django.http import Http404

from baodao.accounts.models import Grant, Role
from baodao.accounts.scope import scope_for
from baodao.members.selectors import member_get_for_user, members_visible_to
from baodao.org.selectors import unit_get_for_user, units_visible_to
from baodao.registration.selectors import (
    registration_get_for_user,
    registrations_visible_to,
    unit_registration_get_for_user,
    unit_registrations_visible_to,
)
from baodao.registration.services import (
    registration_apply,
    unit_registration_apply,
    unit_registration_confirm,
)
from tests import factories


@pytest.fixture
def s(w):
    """world() plus people in both trees: m3 works for U1 (street S1) but lives in C3 (street S2); m4 works
    for U3 (S2) but lives in C1 grid C1G2; m5 lives and works in the other district. Registrations and unit
    registrations (共建) link them across streets."""
    c3_admin = factories.user(Role.COMMUNITY_ADMIN, region_=w.r("C3"), name="江景社区书记")
    w.users["c3_admin"] = c3_admin
    w.members["m3"] = factories.member(w.units["U1"], community=w.r("C3"), grid=w.r("C3G1"), name="赵三")
    w.members["m4"] = factories.member(w.units["U3"], community=w.r("C1"), grid=w.r("C1G2"), name="钱四")
    w.members["m5"] = factories.member(w.units["U4"], community=w.r("C4"), grid=w.r("C4G1"), name="孙五")
    w.regs = {
        "r1": factories.registered(
            w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"]
        ),
        "r2": registration_apply(member=w.members["other_member"], community=w.r("C2"), grid=w.r("C2G1")),
        "r3": factories.registered(w.members["m3"], w.r("C3"), w.r("C3G1"), by=c3_admin),
        "r4": registration_apply(member=w.members["m4"], community=w.r("C1"), grid=w.r("C1G2")),
        "r5": registration_apply(member=w.members["m5"], community=w.r("C4"), grid=w.r("C4G1")),
    }
    u3_admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U3"])
    u4_admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U4"])
    ur1 = unit_registration_apply(actor=u3_admin, unit=w.units["U3"], community=w.r("C1"), commitments="共建")
    unit_registration_confirm(actor=w.users["community_admin"], unit_registration=ur1)
    w.uregs = {
        "ur1": ur1,
        "ur2": unit_registration_apply(
            actor=u4_admin, unit=w.units["U4"], community=w.r("C4"), commitments="共建"
        ),
        "ur3": unit_registration_apply(
            actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C3"), commitments="共建"
        ),
    }
    inactive = factories.user(Role.DISTRICT_ADMIN, region_=w.r("D1"), name="已停用")
    inactive.is_active = False
    inactive.save()
    w.users["inactive"] = inactive
    return w


MEMBERS = {
    "district_admin": {"member", "other_member", "m3", "m4"},
    "street_admin": {"member", "other_member", "m3", "m4"},
    "community_admin": {"member", "m4"},
    "grid_worker": {"member"},
    "unit_admin": {"member", "m3"},
    "member": {"member"},
    "resident": set(),
    "other_community_admin": {"other_member"},
    "far_community_admin": {"m5"},
    "other_unit_admin": {"other_member"},
    "other_member": {"other_member"},
    "c3_admin": {"m3"},
    "inactive": set(),
}
REGISTRATIONS = {
    "district_admin": {"r1", "r2", "r3", "r4"},
    # r3 is in another street, but m3 works for U1 in S1: the street sees its units' members' status.
    "street_admin": {"r1", "r2", "r3", "r4"},
    "community_admin": {"r1", "r4"},
    "grid_worker": {"r1"},
    "unit_admin": {"r1", "r3"},
    "member": {"r1"},
    "resident": set(),
    "other_community_admin": {"r2"},
    "far_community_admin": {"r5"},
    "other_unit_admin": {"r2"},
    "other_member": {"r2"},
    "c3_admin": {"r3"},
    "inactive": set(),
}
UNITS = {
    "district_admin": {"U1", "U2", "U3"},
    "street_admin": {"U1", "U2", "U3"},  # U3 co-builds with C1
    "community_admin": {"U3"},
    "grid_worker": set(),
    "unit_admin": {"U1"},
    "member": {"U1"},
    "resident": set(),
    "other_community_admin": set(),
    "far_community_admin": {"U4"},
    "other_unit_admin": {"U2"},
    "other_member": {"U2"},
    "c3_admin": {"U1"},  # U1 applied to co-build with C3
    "inactive": set(),
}
UNIT_REGISTRATIONS = {
    "district_admin": {"ur1", "ur3"},
    "street_admin": {"ur1", "ur3"},
    "community_admin": {"ur1"},
    "grid_worker": set(),
    "unit_admin": {"ur3"},
    "member": set(),
    "resident": set(),
    "other_community_admin": set(),
    "far_community_admin": {"ur2"},
    "other_unit_admin": set(),
    "other_member": set(),
    "c3_admin": {"ur3"},
    "inactive": set(),
}


def _names(objs, index):
    by_pk = {v.pk: k for k, v in index.items()}
    return {by_pk[o.pk] for o in objs}


@pytest.mark.parametrize("persona", sorted(MEMBERS))
def test_it_scopes_members(s, persona):
    assert _names(members_visible_to(s.users[persona]), s.members) == MEMBERS[persona]


@pytest.mark.parametrize("persona", sorted(REGISTRATIONS))
def test_it_scopes_registrations(s, persona):
    assert _names(registrations_visible_to(s.users[persona]), s.regs) == REGISTRATIONS[persona]


@pytest.mark.parametrize("persona", sorted(UNITS))
def test_it_scopes_units(s, persona):
    assert {u.code for u in units_visible_to(s.users[persona])} == UNITS[persona]


@pytest.mark.parametrize("persona", sorted(UNIT_REGISTRATIONS))
def test_it_scopes_unit_registrations(s, persona):
    assert _names(unit_registrations_visible_to(s.users[persona]), s.uregs) == UNIT_REGISTRATIONS[persona]


def test_it_lists_each_object_once(s):
    for persona in MEMBERS:
        user = s.users[persona]
        for qs in (
            members_visible_to(user),
            registrations_visible_to(user),
            units_visible_to(user),
            unit_registrations_visible_to(user),
        ):
            pks = list(qs.values_list("pk", flat=True))
            assert len(pks) == len(set(pks)), (persona, qs.model)


def test_it_sees_nothing_for_an_anonymous_user(s):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert scope_for(anonymous).roles == frozenset()
    assert not members_visible_to(anonymous).exists()
    assert not registrations_visible_to(anonymous).exists()
    assert not units_visible_to(anonymous).exists()
    assert not unit_registrations_visible_to(anonymous).exists()


def test_it_adds_up_several_grants(s):
    """A member who is also the grid worker of C1G2 sees itself and the people of its grid."""
    user = s.users["member"]
    Grant.objects.create(user=user, role=Role.GRID_WORKER, region=s.r("C1G2"))
    scope = scope_for(user)
    assert scope.roles == {Role.MEMBER, Role.GRID_WORKER}
    assert scope.member_id == s.members["member"].pk
    assert _names(members_visible_to(user), s.members) == {"member", "m4"}
    assert _names(registrations_visible_to(user), s.regs) == {"r1", "r4"}
    assert {u.code for u in units_visible_to(user)} == {"U1"}


def test_it_forgets_a_cached_scope_when_a_grant_is_added(s):
    from baodao.accounts.services import grant_add

    user = s.users["grid_worker"]
    assert _names(members_visible_to(user), s.members) == {"member"}
    grant_add(actor=s.users["community_admin"], user=user, role=Role.GRID_WORKER, region=s.r("C1G2"))
    assert _names(members_visible_to(user), s.members) == {"member", "m4"}


def test_it_drops_the_scope_of_a_deactivated_user(s):
    user = s.users["street_admin"]
    assert members_visible_to(user).exists()
    user.is_active = False
    assert scope_for(user).roles == frozenset()
    assert not members_visible_to(user).exists()


def test_a_prefix_of_a_code_is_not_a_subtree(s):
    """C1 must not cover a community whose code merely starts with "C1"."""
    c10 = factories.region("C10", "十号社区", s.r("S1"))
    m = factories.member(s.units["U2"], community=c10)
    assert m not in members_visible_to(s.users["community_admin"])
    assert m in members_visible_to(s.users["street_admin"])


@pytest.mark.parametrize(
    ("persona", "other"),
    [
        ("community_admin", "other_member"),
        ("grid_worker", "m4"),
        ("unit_admin", "other_member"),
        ("member", "other_member"),
        ("resident", "member"),
        ("far_community_admin", "member"),
        ("inactive", "member"),
    ],
)
def test_it_does_not_find_a_member_out_of_scope(s, persona, other):
    with pytest.raises(Http404):
        member_get_for_user(s.users[persona], s.members[other].pk)


def test_it_finds_a_member_in_scope(s):
    assert member_get_for_user(s.users["unit_admin"], s.members["m3"].pk) == s.members["m3"]
    with pytest.raises(Http404):
        member_get_for_user(s.users["unit_admin"], "not-a-number")


@pytest.mark.parametrize(
    ("persona", "other"),
    [
        ("community_admin", "r2"),
        ("grid_worker", "r4"),
        ("unit_admin", "r2"),
        ("member", "r4"),
        ("c3_admin", "r1"),
    ],
)
def test_it_does_not_find_a_registration_out_of_scope(s, persona, other):
    with pytest.raises(Http404):
        registration_get_for_user(s.users[persona], s.regs[other].pk)
    assert registration_get_for_user(s.users["district_admin"], s.regs[other].pk) == s.regs[other]


def test_it_does_not_find_a_unit_or_unit_registration_out_of_scope(s):
    with pytest.raises(Http404):
        unit_get_for_user(s.users["unit_admin"], "U2")
    with pytest.raises(Http404):
        unit_get_for_user(s.users["street_admin"], "U4")
    with pytest.raises(Http404):
        unit_get_for_user(s.users["street_admin"], "NO-SUCH-UNIT")
    assert unit_get_for_user(s.users["community_admin"], "U3") == s.units["U3"]
    with pytest.raises(Http404):
        unit_registration_get_for_user(s.users["community_admin"], s.uregs["ur2"].pk)
    with pytest.raises(Http404):
        unit_registration_get_for_user(s.users["other_unit_admin"], s.uregs["ur3"].pk)
    with pytest.raises(Http404):
        unit_registration_get_for_user(s.users["other_unit_admin"], "x")
    assert unit_registration_get_for_user(s.users["unit_admin"], s.uregs["ur3"].pk) == s.uregs["ur3"]
