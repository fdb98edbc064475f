"""Signing up: a place while there are places, then the waitlist; one sign-up per person and activity, none
overlapping in time; only members registered in the activity's community; nothing once it has started."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.activities.models import Activity, Signup, SignupStatus
from baodao.activities.selectors import signup_of, waitlist_position
from baodao.activities.services import activity_cancel, activity_cancel_signup, activity_signup
from baodao.lib.errors import Conflict, Forbidden
from tests import factories
from tests.activities.helpers import activity, checkin, into_the_past, member_in, move, signed_up, tomorrow

pytestmark = pytest.mark.django_db


def test_it_gives_places_then_a_place_in_line(c):
    act = activity(c, places=2)
    crowd = [c.member, c.helper, member_in(c, "甲"), member_in(c, "乙")]
    signups = signed_up(act, *crowd)
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    act.refresh_from_db()
    assert act.taken == 2
    assert [waitlist_position(s) for s in signups] == [None, None, 1, 2]
    assert signup_of(crowd[2].pk, act) == signups[2]


def test_it_refuses_a_second_sign_up_of_the_same_person(c):
    act = activity(c)
    activity_signup(actor=c.member.user, activity=act)
    with pytest.raises(Conflict) as caught:
        activity_signup(actor=c.member.user, activity=act)
    assert caught.value.code == "already_signed_up"
    act.refresh_from_db()
    assert (act.taken, Signup.objects.filter(activity=act).count()) == (1, 1)


@pytest.mark.parametrize(
    ("offset_h", "hours", "clash"),
    [(0, 3, True), (2, 3, True), (-2, 3, True), (1, 1, True), (-1, 6, True), (3, 2, False), (-2, 2, False)],
    ids=[
        "same",
        "later-overlapping",
        "earlier-overlapping",
        "inside",
        "around",
        "right-after",
        "right-before",
    ],
)
def test_it_refuses_a_sign_up_overlapping_another(c, offset_h, hours, clash):
    first = activity(c, title="第一场")  # tomorrow 9:00–12:00
    second = activity(c, title="第二场", starts_at=tomorrow() + timedelta(hours=offset_h), hours=hours)
    activity_signup(actor=c.member.user, activity=first)
    if clash:
        with pytest.raises(Conflict) as caught:
            activity_signup(actor=c.member.user, activity=second)
        assert caught.value.code == "overlap"
        assert "第一场" in caught.value.detail
        assert not Signup.objects.filter(activity=second).exists()
    else:
        assert activity_signup(actor=c.member.user, activity=second).status == SignupStatus.CONFIRMED


def test_a_waitlisted_sign_up_also_blocks_an_overlapping_one(c):
    first = activity(c, places=1, title="第一场")
    activity_signup(actor=c.helper.user, activity=first)
    assert activity_signup(actor=c.member.user, activity=first).status == SignupStatus.WAITLISTED
    with pytest.raises(Conflict) as caught:
        activity_signup(actor=c.member.user, activity=activity(c, title="第二场"))
    assert caught.value.code == "overlap"


def test_a_cancelled_sign_up_or_activity_does_not_block(c):
    first, second = activity(c, title="第一场"), activity(c, title="第二场")
    activity_signup(actor=c.member.user, activity=first)
    activity_cancel_signup(actor=c.member.user, activity=first)
    assert activity_signup(actor=c.member.user, activity=second).status == SignupStatus.CONFIRMED
    activity_cancel(actor=c.admin, activity=second, reason="下雨")
    assert activity_signup(actor=c.member.user, activity=activity(c, title="第三场")).status == "confirmed"


@pytest.mark.parametrize("who", ["other_member", "unregistered", "community_admin", "resident", "unit_admin"])
def test_only_members_registered_in_the_community_sign_up(c, who):
    act = activity(c)
    if who == "unregistered":
        user = factories.member(c.w.units["U1"], community=c.r("C1"), grid=c.r("C1G1"), name="未报到").user
    else:
        user = c.u(who)
    with pytest.raises(Forbidden) as caught:
        activity_signup(actor=user, activity=act)
    assert caught.value.detail
    assert not Signup.objects.filter(activity=act).exists()


def test_a_member_registered_elsewhere_cannot_sign_up(c):
    act = activity(c)
    with pytest.raises(Forbidden):
        activity_signup(actor=member_in(c, "和平", community="C2", grid="C2G1").user, activity=act)


def test_no_sign_up_once_it_started_or_was_cancelled(c):
    started = move(activity(c), timezone.now() - timedelta(minutes=5))
    with pytest.raises(Conflict) as caught:
        activity_signup(actor=c.member.user, activity=started)
    assert caught.value.code == "started"
    called_off = activity(c)
    activity_cancel(actor=c.admin, activity=called_off, reason="下雨")
    with pytest.raises(Conflict) as caught:
        activity_signup(actor=c.member.user, activity=called_off)
    assert caught.value.code == "illegal_transition"


def test_a_cancel_frees_the_place_for_the_first_in_line_who_is_told(c):
    act = activity(c, places=1)
    first, second, third = c.helper, member_in(c, "甲"), member_in(c, "乙")
    signed_up(act, c.member, first, second, third)
    activity_cancel_signup(actor=c.member.user, activity=act)
    statuses = dict(Signup.objects.filter(activity=act).values_list("member", "status"))
    assert statuses == {
        c.member.pk: "cancelled",
        first.pk: "confirmed",
        second.pk: "waitlisted",
        third.pk: "waitlisted",
    }
    promoted = Signup.objects.get(activity=act, member=first)
    assert promoted.promoted_at is not None
    notice = first.user.notices.get()
    assert (notice.title, notice.body) == ("候补成功，您已获得活动名额", act.title)
    assert notice.url.endswith(f"/{act.pk}/")
    assert not second.user.notices.exists()
    assert waitlist_position(Signup.objects.get(activity=act, member=second)) == 1
    act.refresh_from_db()
    assert act.taken == 1

    activity_cancel_signup(actor=first.user, activity=act)  # and again: the next one
    assert Signup.objects.get(activity=act, status="confirmed").member == second
    assert second.user.notices.count() == 1


def test_leaving_the_line_moves_nobody_up(c):
    act = activity(c, places=1)
    signed_up(act, c.member, c.helper)
    activity_cancel_signup(actor=c.helper.user, activity=act)
    act.refresh_from_db()
    assert act.taken == 1
    assert Signup.objects.get(activity=act, member=c.member).status == "confirmed"
    assert not c.member.user.notices.exists()


def test_one_who_comes_back_joins_the_end_of_the_line(c):
    act = activity(c, places=1)
    late = member_in(c, "甲")
    signed_up(act, c.member, c.helper)
    activity_cancel_signup(actor=c.helper.user, activity=act)
    signed_up(act, late)
    again = activity_signup(actor=c.helper.user, activity=act)
    assert (again.status, waitlist_position(again)) == ("waitlisted", 2)
    assert Signup.objects.filter(activity=act, member=c.helper).count() == 2


def test_no_cancel_without_a_sign_up_nor_once_started(c):
    act = activity(c)
    with pytest.raises(Conflict) as caught:
        activity_cancel_signup(actor=c.member.user, activity=act)
    assert caught.value.code == "not_signed_up"
    activity_signup(actor=c.member.user, activity=act)
    move(act, timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict) as caught:
        activity_cancel_signup(actor=c.member.user, activity=act)
    assert caught.value.code == "started"
    assert Signup.objects.get(activity=act).status == "confirmed"


def test_calling_off_an_activity_tells_everyone_signed_up(c):
    act = activity(c, places=1)
    signed_up(act, c.member, c.helper)
    act = activity_cancel(actor=c.admin, activity=act, reason="台风预警")
    assert (act.status, act.cancel_reason, act.taken) == ("cancelled", "台风预警", 0)
    assert set(Signup.objects.filter(activity=act).values_list("status", flat=True)) == {"cancelled"}
    for m in (c.member, c.helper):
        assert m.user.notices.get().body == "“楼道清扫”已取消：台风预警"
    with pytest.raises(Conflict) as again:
        activity_cancel(actor=c.admin, activity=act, reason="再取消")
    assert again.value.code == "illegal_transition"


def test_an_activity_someone_checked_in_to_cannot_be_called_off(c):
    act = activity(c, starts_at=timezone.now() + timedelta(minutes=20))
    activity_signup(actor=c.member.user, activity=act)
    checkin(c.member, act, timezone.now())
    with pytest.raises(Conflict) as caught:
        activity_cancel(actor=c.admin, activity=act, reason="下雨")
    assert caught.value.code == "illegal_transition"
    assert Activity.objects.get(pk=act.pk).status == "published"


def test_an_ended_activity_cannot_be_called_off(c):
    act = into_the_past(activity(c))
    with pytest.raises(Conflict):
        activity_cancel(actor=c.admin, activity=act, reason="补取消")


@pytest.mark.parametrize("who", ["other_community_admin", "street_admin", "member", "unit_admin"])
def test_only_the_organiser_calls_it_off(c, who):
    act = activity(c)
    with pytest.raises(Forbidden):
        activity_cancel(actor=c.u(who), activity=act, reason="下雨")
    assert Activity.objects.get(pk=act.pk).status == "published"
