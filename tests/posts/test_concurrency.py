"""Claims and confirmations at the same moment, each in its own thread with its own database connection (run
on SQLite and on PostgreSQL): a post is never over-filled, and a member holds a post once."""

import pytest

from baodao.posts.models import HolderStatus, Kind, Post, PostHolder
from baodao.posts.services import post_claim, post_close, post_confirm, post_create, post_withdraw
from tests.mobilizations.helpers import hold, member_in
from tests.services.concurrency import race, split

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(post):
    return Post.objects.get(pk=post.pk)


def a_post(c, headcount):
    return post_create(
        actor=c.admin, community=c.r("C1"), kind=Kind.EMERGENCY, title="物资配送", headcount=headcount
    )


def confirmed(post):
    return PostHolder.objects.filter(post=post, status=HolderStatus.CONFIRMED)


def test_ten_confirmations_at_once_fill_three_places(c):
    post = a_post(c, 3)
    crowd = [member_in(c, f"党员{i:02d}") for i in range(10)]
    for m in crowd:
        post_claim(actor=m.user, post=post)
    won, lost = split(
        race(*(lambda m=m: post_confirm(actor=c.admin, post=fresh(post), member=m) for m in crowd))
    )
    assert (len(won), len(lost)) == (3, 7)
    assert {e.code for e in lost} == {"full"}
    assert confirmed(post).count() == 3
    assert fresh(post).taken == 3
    assert PostHolder.objects.filter(post=post, status=HolderStatus.PENDING).count() == 7


def test_the_same_member_claiming_twice_at_once_holds_once(c):
    post = a_post(c, 5)
    won, lost = split(race(*(lambda: post_claim(actor=c.member.user, post=fresh(post)) for _ in range(3))))
    assert (len(won), len(lost)) == (1, 2)
    assert {e.code for e in lost} == {"already_claimed"}
    assert PostHolder.objects.filter(post=post, member=c.member).count() == 1


def test_confirmations_racing_withdrawals_keep_the_counter_true(c):
    post = a_post(c, 3)
    holders = [member_in(c, f"在岗{i}") for i in range(3)]
    waiting = [member_in(c, f"待确认{i}") for i in range(4)]
    for m in waiting:
        post_claim(actor=m.user, post=post)  # claimed while places were free
    for m in holders:
        hold(c, post, m)
    race(
        *(lambda m=m: post_withdraw(actor=m.user, post=fresh(post), reason="离开") for m in holders[:2]),
        *(lambda m=m: post_confirm(actor=c.admin, post=fresh(post), member=m) for m in waiting),
    )
    post = fresh(post)
    assert post.taken == confirmed(post).count() <= 3
    assert confirmed(post).filter(member__in=waiting).count() == post.taken - 1
    assert confirmed(post).filter(member__in=holders[:2]).count() == 0


def test_closing_racing_confirmations_leaves_nobody_holding(c):
    post = a_post(c, 3)
    crowd = [member_in(c, f"党员{i}") for i in range(4)]
    for m in crowd:
        post_claim(actor=m.user, post=post)
    results = race(
        lambda: post_close(actor=c.admin, post=fresh(post), reason="撤岗"),
        *(lambda m=m: post_confirm(actor=c.admin, post=fresh(post), member=m) for m in crowd),
    )
    for conflict in split(results)[1]:
        assert conflict.code in {"illegal_transition", "not_pending", "full"}
    post = fresh(post)
    assert (post.active, post.taken) == (False, 0)
    assert not PostHolder.objects.filter(post=post, status__in=["pending", "confirmed"]).exists()
