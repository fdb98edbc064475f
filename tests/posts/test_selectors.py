"""Who sees which post, what a member holds, and who holds none (what `posts_required` asks for)."""

import pytest
from django.http import Http404

from baodao.posts.models import Kind
from baodao.posts.selectors import (
    holders_of,
    holding_of,
    holdings_of_member,
    members_without_post,
    post_get_for_user,
    posts_visible_to,
    with_pending,
)
from baodao.posts.services import post_claim, post_close, post_create, post_withdraw
from tests import factories
from tests.mobilizations.helpers import emergency_post, hold, member_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(c):
    return {
        "C1": post_create(actor=c.admin, community=c.r("C1"), kind=Kind.REGULAR, title="C1", headcount=5),
        "C1E": emergency_post(c, "C1E"),
        "C2": emergency_post(c, "C2", community="C2"),
        "C4": post_create(
            actor=c.u("far_community_admin"), community=c.r("C4"), kind=Kind.REGULAR, title="C4", headcount=2
        ),
    }


def visible(user):
    return set(posts_visible_to(user).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("district_admin", {"C1", "C1E", "C2"}),
        ("street_admin", {"C1", "C1E", "C2"}),
        ("community_admin", {"C1", "C1E"}),
        ("other_community_admin", {"C2"}),
        ("far_community_admin", {"C4"}),
        ("member", {"C1", "C1E"}),  # registered in C1
        ("other_member", set()),  # not registered anywhere
        ("unit_admin", set()),
        ("resident", set()),
    ],
)
def test_each_role_sees_its_own_posts(c, posts, who, sees):
    assert visible(c.u(who)) == sees
    for title, post in posts.items():
        if title in sees:
            assert post_get_for_user(c.u(who), post.pk) == post
        else:
            with pytest.raises(Http404):
                post_get_for_user(c.u(who), post.pk)


def test_a_member_of_another_community_sees_that_community_only(c, posts):
    elsewhere = member_in(c, "和平党员", community="C2", grid="C2G1")
    assert visible(elsewhere.user) == {"C2"}


def test_a_member_keeps_seeing_what_it_held_after_moving(c, posts):
    from baodao.registration.services import registration_transfer

    hold(c, posts["C1"], c.member)
    registration_transfer(member=c.member, community=c.r("C3"), grid=c.r("C3G1"), reason="搬家")
    assert visible(c.member.user) == {"C1"}  # no longer registered: only what it held


def test_pending_claims_are_counted(c, posts):
    post_claim(actor=c.member.user, post=posts["C1"])
    post_claim(actor=c.helper.user, post=posts["C1"])
    hold(c, posts["C1E"], c.member)
    counts = dict(with_pending(posts_visible_to(c.admin)).values_list("title", "pending"))
    assert counts == {"C1": 2, "C1E": 0}


def test_holding_and_holders(c, posts):
    post = posts["C1"]
    assert holding_of(c.member.pk, post) is None
    assert holding_of(None, post) is None
    post_claim(actor=c.member.user, post=post)
    assert holding_of(c.member.pk, post).status == "pending"
    post_withdraw(actor=c.member.user, post=post, reason="走")
    assert holding_of(c.member.pk, post) is None
    hold(c, post, c.member)
    assert holding_of(c.member.pk, post).status == "confirmed"
    assert [h.status for h in holders_of(post)] == ["confirmed", "withdrawn"]
    assert sorted(h.status for h in holdings_of_member(c.member.pk)) == ["confirmed", "withdrawn"]


def test_members_without_a_post(c, posts):
    third = member_in(c, "第三人", grid="C1G2")
    pending = member_in(c, "待确认")
    factories.member(c.w.units["U1"], community=c.r("C1"), grid=c.r("C1G1"), name="未报到")
    member_in(c, "和平党员", community="C2", grid="C2G1")
    hold(c, posts["C1E"], c.member)
    post_claim(actor=pending.user, post=posts["C1"])  # a claim not confirmed is not a post held
    hold(c, posts["C1"], third)
    post_withdraw(actor=third.user, post=posts["C1"], reason="离开")  # nor a post left
    without = list(members_without_post(c.r("C1")).values_list("user__name", flat=True))
    assert without == ["待确认", "第三人", "赵强"]  # by grid (C1G1, C1G2), then name
    post_close(actor=c.admin, post=posts["C1E"], reason="撤")  # closing releases 李明 too
    assert "李明" in set(members_without_post(c.r("C1")).values_list("user__name", flat=True))
    assert set(members_without_post(c.r("C2")).values_list("user__name", flat=True)) == {"和平党员"}
