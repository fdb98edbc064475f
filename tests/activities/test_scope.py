"""Who sees which activity (out of scope: not found) and who organises it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from baodao.activities.selectors import activities_visible_to, activity_get_for_user, upcoming_for_member
from baodao.activities.services import activity_cancel, activity_create, may_organise
from baodao.lib.errors import Forbidden, Invalid
from baodao.registration.models import Registration
from baodao.registration.services import registration_end
from tests import factories
from tests.activities.helpers import activity, co_building, member_in, move, signed_up, tomorrow

pytestmark = pytest.mark.django_db


@pytest.fixture
def acts(c):
    """C1's own activity, one of its grid C1G1, one organised by unit U1 in C1, one of C2, one of C4."""
    co_building(c)
    return {
        "C1": activity(c, title="C1"),
        "C1G1": activity(c, title="C1G1", grid=c.r("C1G1"), starts_at=tomorrow(14)),
        "U1": activity(c, title="U1", actor=c.u("unit_admin"), organiser_unit=c.w.units["U1"]),
        "C2": activity(c, title="C2", community=c.r("C2"), actor=c.u("other_community_admin")),
        "C4": activity(c, title="C4", community=c.r("C4"), actor=c.u("far_community_admin")),
    }


def visible(user):
    return set(activities_visible_to(user).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("district_admin", {"C1", "C1G1", "U1", "C2"}),
        ("street_admin", {"C1", "C1G1", "U1", "C2"}),
        ("community_admin", {"C1", "C1G1", "U1"}),
        ("grid_worker", {"C1G1"}),
        ("other_community_admin", {"C2"}),
        ("far_community_admin", {"C4"}),
        ("unit_admin", {"C1", "C1G1", "U1"}),  # co-builds C1 and organises U1
        ("other_unit_admin", set()),  # co-builds nothing
        ("member", {"C1", "C1G1", "U1"}),  # registered in C1
        ("resident", set()),
    ],
)
def test_each_role_sees_its_own(c, acts, who, sees):
    assert visible(c.u(who)) == sees
    for title, act in acts.items():
        if title in sees:
            assert activity_get_for_user(c.u(who), act.pk) == act
        else:
            with pytest.raises(Http404):
                activity_get_for_user(c.u(who), act.pk)


def test_a_unit_that_co_builds_another_community_sees_its_activities(c, acts):
    co_building(c, "U2", "C2")
    assert visible(c.u("other_unit_admin")) == {"C2"}


def test_a_member_not_registered_or_registered_elsewhere(c, acts):
    assert visible(factories.member(c.w.units["U1"], name="未报到").user) == set()
    assert visible(member_in(c, "和平", community="C2", grid="C2G1").user) == {"C2"}


def test_a_member_keeps_seeing_what_it_signed_up_to(c, acts):
    signed_up(acts["C1"], c.helper)
    registration = Registration.objects.get(member=c.helper, status="confirmed")
    registration_end(actor=c.helper.user, registration=registration, reason="搬家")
    assert visible(c.helper.user) == {"C1"}


def test_outsiders_and_strangers_see_nothing(c, acts):
    assert visible(AnonymousUser()) == set()
    assert visible(factories.user(name="路人")) == set()
    with pytest.raises(Http404):
        activity_get_for_user(AnonymousUser(), acts["C1"].pk)
    for garbage in ("abc", None, 10**12):
        with pytest.raises(Http404):
            activity_get_for_user(c.u("district_admin"), garbage)


def test_upcoming_for_a_member_is_its_communitys_open_ones(c, acts):
    activity_cancel(actor=c.admin, activity=acts["C1G1"], reason="下雨")
    later = activity(c, title="后天", starts_at=tomorrow() + timedelta(days=1))
    started = move(activity(c, title="已开始", starts_at=tomorrow(20)), timezone.now() - timedelta(minutes=1))
    upcoming = list(upcoming_for_member(c.member))
    assert upcoming[-1] == later
    assert {a.title for a in upcoming} == {"C1", "U1", "后天"}
    assert started not in upcoming
    assert list(upcoming_for_member(factories.member(c.w.units["U1"], name="未报到"))) == []


# ---- who organises -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "organises"),
    [
        ("community_admin", {"C1", "C1G1", "U1"}),
        ("unit_admin", {"U1"}),
        ("other_community_admin", {"C2"}),
        ("far_community_admin", {"C4"}),
        ("district_admin", set()),
        ("street_admin", set()),
        ("grid_worker", set()),
        ("other_unit_admin", set()),
        ("member", set()),
        ("resident", set()),
    ],
)
def test_may_organise(c, acts, who, organises):
    assert {title for title, act in acts.items() if may_organise(c.u(who), act)} == organises


def test_a_unit_organises_only_where_it_co_builds(c):
    with pytest.raises(Forbidden):
        activity(c, actor=c.u("other_unit_admin"), organiser_unit=c.w.units["U2"])  # U2 has not co-built C1
    with pytest.raises(Forbidden):
        activity(c, actor=c.u("other_unit_admin"), organiser_unit=c.w.units["U1"])  # not its unit


@pytest.mark.parametrize(
    "who", ["other_community_admin", "street_admin", "district_admin", "grid_worker", "member"]
)
def test_only_the_communitys_admin_organises_for_the_community(c, who):
    with pytest.raises(Forbidden):
        activity(c, actor=c.u(who))


def test_the_grid_must_be_of_the_community_and_the_community_a_community(c):
    with pytest.raises(Invalid) as caught:
        activity(c, grid=c.r("C2G1"))
    assert list(caught.value.fields) == ["grid"]
    with pytest.raises(Invalid) as caught:
        activity_create(
            actor=c.u("street_admin"),
            community=c.r("S1"),
            title="街道活动",
            category="environment",
            starts_at=tomorrow(),
            ends_at=tomorrow(12),
            location="街道",
            places=3,
        )
    assert list(caught.value.fields) == ["community"]
