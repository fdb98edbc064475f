"""Who sees which emergency (out of scope: not found): admins whose regions meet the area, above it or inside
it; grid workers of the area; the members called — and nobody else."""

import pytest
from django.http import Http404

from baodao.accounts.models import Role
from baodao.mobilizations.selectors import (
    active_calls_of,
    mobilization_get_for_user,
    mobilizations_visible_to,
)
from baodao.mobilizations.services import may_command, may_run_site, mobilization_stand_down
from tests import factories
from tests.mobilizations.helpers import activate, emergency_post, hold, member_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def mobs(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    quiet = member_in(c, "未被呼叫", grid="C1G2")
    return {
        "C1": activate(c, posts=[(post, 1)], title="C1"),
        "C1G2": activate(c, posts=[(post, 1)], regions=["C1G2"], title="C1G2"),
        "C2": activate(c, posts=[], regions=["C2"], actor=c.u("other_community_admin"), title="C2"),
        "S1": activate(c, posts=[], regions=["C1G1", "C2G1"], actor=c.u("street_admin"), title="S1"),
        "C3": activate(c, posts=[], regions=["C3"], actor=c.u("district_admin"), title="C3"),
        "C4": activate(c, posts=[], regions=["C4"], actor=c.u("far_community_admin"), title="C4"),
        "quiet": quiet,
    }


def visible(user):
    return set(mobilizations_visible_to(user).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("district_admin", {"C1", "C1G2", "C2", "S1", "C3"}),
        ("street_admin", {"C1", "C1G2", "C2", "S1"}),
        ("community_admin", {"C1", "C1G2", "S1"}),  # S1 reaches into its grid C1G1
        ("grid_worker", {"C1", "S1"}),  # areas over or at its grid C1G1; not C1G2
        ("other_community_admin", {"C2", "S1"}),
        ("far_community_admin", {"C4"}),
        ("member", {"C1", "S1"}),  # called there (it holds the post / lives in C1G1)
        ("other_member", set()),
        ("unit_admin", set()),
        ("resident", set()),
    ],
)
def test_each_role_sees_its_own(c, mobs, who, sees):
    assert visible(c.u(who)) == sees
    for title, mob in mobs.items():
        if title == "quiet":
            continue
        if title in sees:
            assert mobilization_get_for_user(c.u(who), mob.pk) == mob
        else:
            with pytest.raises(Http404):
                mobilization_get_for_user(c.u(who), mob.pk)


def test_a_member_not_called_sees_nothing_of_its_community(c, mobs):
    assert visible(mobs["quiet"].user) == set()


def test_admins_of_another_street_or_district_see_nothing_here(c, mobs):
    s2 = factories.user(Role.STREET_ADMIN, region_=c.r("S2"), name="江边街道")
    d2 = factories.user(Role.DISTRICT_ADMIN, region_=c.r("D2"), name="西山区")
    assert visible(s2) == {"C3"}
    assert visible(d2) == {"C4"}


def test_who_commands_and_who_runs_the_site(c, mobs):
    s1 = mobs["S1"]
    assert may_command(c.u("street_admin"), s1) and may_command(c.u("district_admin"), s1)
    assert not may_command(c.admin, s1)  # holds C1G1 but not C2G1
    assert not may_command(c.u("grid_worker"), s1)
    assert may_run_site(c.u("grid_worker"), s1) and may_run_site(c.u("grid_worker"), mobs["C1"])
    assert not may_run_site(c.u("grid_worker"), mobs["C1G2"])
    assert not may_run_site(c.member.user, mobs["C1"])
    assert not may_run_site(c.u("far_community_admin"), mobs["C1"])


def test_the_active_calls_of_a_member(c, mobs):
    assert {call.mobilization.title for call in active_calls_of(c.member.pk)} == {"C1", "S1"}
    mobilization_stand_down(actor=c.admin, mobilization=mobs["C1"])
    assert {call.mobilization.title for call in active_calls_of(c.member.pk)} == {"S1"}
    assert not active_calls_of(None).exists()
