"""Sign-up and cancel through the API: places, the waitlist and its promotion, overlaps, and who may."""

from datetime import timedelta

import pytest

from baodao.activities.models import Activity, Signup, SignupStatus
from baodao.activities.services import activity_cancel, activity_signup
from baodao.notify.models import Notice
from tests.api.activity_cases import (
    activity,
    assert_refused,
    client_for,
    member_registered,
    members,
    run,
    signed_up,
    unit_co_builds,
    url,
)

pytestmark = pytest.mark.django_db


def sign_up(user, a):
    return client_for(user).post(url(a, "signup"), format="json")


def cancel(user, a):
    return client_for(user).post(url(a, "cancel"), format="json")


@pytest.mark.parametrize("action", ["signup", "cancel"])
def test_it_refuses_anonymous_callers(w, anon, action):
    a = activity(w)
    assert_refused(anon.post(url(a, action)), 401, "unauthenticated")
    assert not Signup.objects.exists()


@pytest.mark.parametrize("action", ["signup", "cancel"])
def test_it_hides_an_activity_out_of_scope(w, action):
    a = activity(w, community="C2", admin="other_community_admin")
    member_registered(w)  # registered in C1
    r = client_for(w.users["member"]).post(url(a, action))
    assert_refused(r, 404, "not_found")
    assert not Signup.objects.exists()


def test_it_gives_a_place_while_places_are_free(w):
    a = activity(w, places=2)
    member_registered(w)
    r = sign_up(w.users["member"], a)
    assert r.status_code == 201, r.content
    answer = r.json()
    assert (answer["status"], answer["status_label"], answer["waitlist_position"]) == (
        "confirmed",
        "已报名",
        None,
    )
    assert answer["activity"] == {"id": a.pk, "title": "楼道清扫"}
    assert answer["member"]["id"] == w.members["member"].pk
    assert (answer["attendance"], answer["attendance_label"]) == ("", "未签到")
    assert answer["hours"] is None and answer["checked_in_at"] is None
    assert set(answer) == {
        "id",
        "activity",
        "member",
        "status",
        "status_label",
        "waitlist_position",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "attendance",
        "attendance_label",
        "checked_in_at",
        "checked_out_at",
        "checkin_distance_m",
        "checkout_distance_m",
        "hours",
        "manual_reason",
    }
    assert Activity.objects.get(pk=a.pk).taken == 1


def test_it_puts_the_next_ones_in_line_in_order(w):
    a = activity(w, places=1)
    people = members(w, 3)
    answers = [sign_up(m.user, a) for m in people]
    assert [r.status_code for r in answers] == [201, 201, 201]
    assert [(r.json()["status"], r.json()["waitlist_position"]) for r in answers] == [
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert Activity.objects.get(pk=a.pk).taken == 1


def test_it_refuses_a_second_sign_up(w):
    a = activity(w)
    signed_up(w, a)
    assert_refused(sign_up(w.users["member"], a), 409, "already_signed_up")
    assert Signup.objects.count() == 1


def test_it_refuses_a_sign_up_that_overlaps_another(w):
    first = activity(w, hours_ahead=24, length_h=3, title="上午")
    second = activity(w, hours_ahead=26, length_h=3, title="中午")
    signed_up(w, first)
    answer = assert_refused(sign_up(w.users["member"], second), 409, "overlap")
    assert "上午" in answer["detail"]
    after = activity(w, hours_ahead=27, length_h=1, title="下午")
    assert sign_up(w.users["member"], after).status_code == 201


def test_it_refuses_a_started_or_called_off_activity(w):
    member_registered(w)
    started = run(activity(w))
    assert_refused(sign_up(w.users["member"], started), 409, "started")
    off = activity(w, hours_ahead=48)
    activity_cancel(actor=w.users["community_admin"], activity=off, reason="下雨")
    assert_refused(sign_up(w.users["member"], off), 409, "illegal_transition")


@pytest.mark.parametrize("who", ["community_admin", "street_admin", "grid_worker"])
def test_it_refuses_someone_who_is_not_a_member(w, who):
    a = activity(w, grid=w.r("C1G1"))  # in the grid worker's grid, so that it sees the activity
    assert_refused(sign_up(w.users[who], a), 403, "forbidden")


def test_it_refuses_a_co_building_units_admin(w):
    a = activity(w)
    unit_co_builds(w)
    assert_refused(sign_up(w.users["unit_admin"], a), 403, "forbidden")


# ---- cancel ---------------------------------------------------------------------------------------------


def test_it_cancels_the_members_own_sign_up_and_promotes_the_first_in_line(w):
    a = activity(w, places=1)
    signed_up(w, a)
    first, second = members(w, 2)
    activity_signup(actor=first.user, activity=a)
    activity_signup(actor=second.user, activity=a)
    r = cancel(w.users["member"], a)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert (answer["status"], answer["status_label"]) == ("cancelled", "已取消")
    assert answer["cancelled_at"] is not None
    promoted = Signup.objects.get(activity=a, member=first)
    assert promoted.status == SignupStatus.CONFIRMED and promoted.promoted_at is not None
    assert Notice.objects.filter(user=first.user, title="候补成功，您已获得活动名额").count() == 1
    assert not Notice.objects.filter(user=second.user).exists()
    assert Activity.objects.get(pk=a.pk).taken == 1
    mine = client_for(second.user).get(url(a)).json()["my_signup"]
    assert (mine["status"], mine["waitlist_position"]) == ("waitlisted", 1)


def test_a_waitlisted_member_leaves_the_line(w):
    a = activity(w, places=1)
    (first,) = members(w, 1)
    activity_signup(actor=first.user, activity=a)
    signed_up(w, a)
    r = cancel(w.users["member"], a)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert Activity.objects.get(pk=a.pk).taken == 1
    assert Signup.objects.get(member=first).status == SignupStatus.CONFIRMED


def test_it_refuses_to_cancel_what_is_not_held(w):
    a = activity(w)
    member_registered(w)
    assert_refused(cancel(w.users["member"], a), 409, "not_signed_up")
    assert_refused(cancel(w.users["community_admin"], a), 403, "forbidden")


def test_it_refuses_to_cancel_after_the_start(w):
    a = activity(w)
    signed_up(w, a)
    run(a, started_ago=timedelta(minutes=1))
    assert_refused(cancel(w.users["member"], a), 409, "started")
    assert Signup.objects.get().status == SignupStatus.CONFIRMED


def test_a_member_can_sign_up_again_after_cancelling(w):
    a = activity(w)
    signed_up(w, a)
    assert cancel(w.users["member"], a).status_code == 200
    r = sign_up(w.users["member"], a)
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    assert Activity.objects.get(pk=a.pk).taken == 1
