"""A member's actions on an activity through the pages: sign up (a place or the waitlist), cancel (the next
in line moves up), 签到 and 签退 with the code — each legal step and a refused one, answered with a message on
the activity's page (the code pad for a wrong code); someone not allowed at all gets the 403 page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.models import Attendance, Signup, SignupStatus
from baodao.activities.services import activity_signup
from baodao.ledger.models import ServiceRecord
from tests.web import activities_member_data as d

ACTIONS = ["signup", "cancel", "checkin", "checkout"]


def post(client, act, action, data=None):
    return client.post(f"/activities/{act.pk}/{action}/", data or {}, follow=True)


def signup_of(member, act):
    return Signup.objects.filter(member=member, activity=act).order_by("-id").first()


@pytest.mark.parametrize("action", ACTIONS)
def test_it_sends_anonymous_visitors_to_login(client, w, action):
    act = d.activity(w)
    r = client.post(f"/activities/{act.pk}/{action}/", {"code": "123456"})
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("action", ["signup", "cancel", "checkout"])
def test_it_only_answers_posts(as_user, w, action):
    d.with_member(w)
    act = d.activity(w)
    assert as_user(w.users["member"]).get(f"/activities/{act.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("action", ACTIONS)
def test_it_does_not_find_an_activity_out_of_scope(as_user, w, action):
    d.with_other_member(w)
    act = d.activity(w)
    r = as_user(w.users["other_member"]).post(f"/activities/{act.pk}/{action}/", {"code": "123456"})
    assert r.status_code == 404
    assert not Signup.objects.exists()


# ---- sign up and cancel ------------------------------------------------------------------------------


def test_it_signs_up_and_refuses_a_second_sign_up(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    client = as_user(member.user)
    r = post(client, act, "signup")
    assert r.redirect_chain[-1][0] == f"/activities/{act.pk}/"
    assert "报名成功：“楼道清扫”" in r.text
    assert signup_of(member, act).status == SignupStatus.CONFIRMED
    r = post(client, act, "signup")
    assert "您已经报名了这个活动。" in r.text
    assert Signup.objects.filter(activity=act).count() == 1


def test_it_puts_a_member_on_the_waitlist_when_the_places_are_gone(as_user, w):
    member = d.with_member(w)
    act = d.activity(w, places=1)
    activity_signup(actor=d.helper(w).user, activity=act)
    r = post(as_user(member.user), act, "signup")
    assert "名额已满，您已进入候补，排第 1 位" in r.text
    assert signup_of(member, act).status == SignupStatus.WAITLISTED
    assert "候补第 1 位" in r.text


def test_it_refuses_an_overlapping_sign_up(as_user, w):
    member = d.with_member(w)
    first = d.activity(w, "上午的活动")
    activity_signup(actor=member.user, activity=first)
    clash = d.activity(w, "同时的活动", starts_in=timedelta(days=1, hours=1))
    r = post(as_user(member.user), clash, "signup")
    assert "与您已报名的“上午的活动”时间冲突。" in r.text
    assert signup_of(member, clash) is None


def test_it_refuses_a_sign_up_once_the_activity_has_started(as_user, w):
    member = d.with_member(w)
    act = d.under_way(d.activity(w))
    r = post(as_user(member.user), act, "signup")
    assert "活动已经开始，不能再报名。" in r.text
    assert signup_of(member, act) is None


def test_it_answers_403_to_an_admin_who_is_no_member(as_user, w):
    act = d.activity(w)
    r = as_user(w.users["community_admin"]).post(f"/activities/{act.pk}/signup/")
    assert r.status_code == 403 and "只有在职党员可以报名参加活动。" in r.text
    assert not Signup.objects.exists()


def test_it_cancels_and_the_next_in_line_moves_up(as_user, w):
    member = d.with_member(w)
    act = d.activity(w, places=1)
    activity_signup(actor=member.user, activity=act)
    following = d.helper(w)
    activity_signup(actor=following.user, activity=act)
    r = post(as_user(member.user), act, "cancel")
    assert "已取消报名“楼道清扫”。" in r.text and "已取消报名" in r.text
    assert signup_of(member, act).status == SignupStatus.CANCELLED
    assert signup_of(following, act).status == SignupStatus.CONFIRMED


def test_it_refuses_to_cancel_after_the_start_or_without_a_sign_up(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    client = as_user(member.user)
    assert "您没有报名这个活动。" in post(client, act, "cancel").text
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    assert "活动已经开始，不能取消报名。" in post(client, act, "cancel").text
    assert signup_of(member, act).status == SignupStatus.CONFIRMED


# ---- 签到 and 签退 -------------------------------------------------------------------------------------


@pytest.fixture
def attending(w):
    """The member has a place at an activity under way for an hour."""
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    return member, d.under_way(act, since=timedelta(hours=1))


def test_it_checks_in_with_the_current_code(as_user, attending):
    member, act = attending
    r = post(as_user(member.user), act, "checkin", {"code": d.code(act)})
    assert r.redirect_chain[-1][0] == f"/activities/{act.pk}/"
    assert "签到成功" in r.text and "离开时请用现场的签到码签退" in r.text
    assert signup_of(member, act).attendance == Attendance.CHECKED_IN
    assert 'id="checkout-code"' in r.text


def test_it_checks_in_only_once(as_user, attending):
    member, act = attending
    client = as_user(member.user)
    post(client, act, "checkin", {"code": d.code(act)})
    first = signup_of(member, act).checked_in_at
    r = post(client, act, "checkin", {"code": d.code(act)})
    assert "您已在" in r.text and "签到过了" in r.text
    assert signup_of(member, act).checked_in_at == first


@pytest.mark.parametrize(
    "code,message",
    [
        ("", "签到码：请输入现场屏幕上的 6 位数字。"),
        ("12ab56", "签到码：须为 6 位数字。"),
        ("12345", "签到码：须为 6 位数字。"),
        ("1234567", "签到码：须为 6 位数字。"),
    ],
)
def test_it_refuses_a_code_that_is_not_six_digits(as_user, attending, code, message):
    member, act = attending
    r = post(as_user(member.user), act, "checkin", {"code": code})
    assert r.redirect_chain[-1][0] == f"/activities/{act.pk}/checkin/"
    assert message in r.text
    assert signup_of(member, act).checked_in_at is None


def test_it_refuses_a_wrong_or_expired_code_and_returns_to_the_code_pad(as_user, attending):
    member, act = attending
    client = as_user(member.user)
    wrong = f"{(int(d.code(act)) + 1) % 1_000_000:06d}"
    r = post(client, act, "checkin", {"code": wrong})
    assert r.redirect_chain[-1][0] == f"/activities/{act.pk}/checkin/"
    assert "签到码不正确或已过期" in r.text and 'id="checkin-code"' in r.text
    expired = d.code(act, timezone.now() - timedelta(minutes=5))
    assert "签到码不正确或已过期" in post(client, act, "checkin", {"code": expired}).text
    assert signup_of(member, act).checked_in_at is None


def test_it_refuses_check_in_to_one_on_the_waitlist(as_user, w):
    member = d.with_member(w)
    act = d.activity(w, places=1)
    activity_signup(actor=d.helper(w).user, activity=act)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    r = post(as_user(member.user), act, "checkin", {"code": d.code(act)})
    assert "您还在候补名单中，没有名额，不能签到。" in r.text


def test_it_refuses_check_in_outside_the_window(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    r = post(as_user(member.user), act, "checkin", {"code": d.code(act)})
    assert "不在签到时间内" in r.text


def test_it_accepts_a_check_in_without_a_position_and_says_it_will_be_checked(as_user, w):
    member = d.with_member(w)
    act = d.geofenced(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    r = post(as_user(member.user), act, "checkin", {"code": d.code(act), "lat": "", "lng": ""})
    assert "签到成功" in r.text and "这次签到没有获取到您的位置，社区会核对。" in r.text
    signup = signup_of(member, act)
    assert signup.checked_in_at is not None and signup.checkin_distance_m is None


def test_it_takes_the_position_the_phone_gives(as_user, w):
    member = d.with_member(w)
    act = d.geofenced(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    lat, lng = d.CENTRE
    r = post(as_user(member.user), act, "checkin", {"code": d.code(act), "lat": str(lat), "lng": str(lng)})
    assert "签到成功" in r.text and "没有获取到您的位置" not in r.text
    assert signup_of(member, act).checkin_distance_m == 0


def test_it_refuses_a_check_in_far_outside_the_geofence(as_user, w):
    member = d.with_member(w)
    act = d.geofenced(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    r = post(as_user(member.user), act, "checkin", {"code": d.code(act), "lat": "30.600000", "lng": "114.3"})
    assert "您不在活动地点附近" in r.text
    assert signup_of(member, act).checked_in_at is None


def test_it_checks_out_and_credits_the_hours(as_user, attending):
    member, act = attending
    d.checked_in(member, act, act.starts_at)  # an hour ago, at the start
    r = post(as_user(member.user), act, "checkout", {"code": d.code(act)})
    assert r.redirect_chain[-1][0] == f"/activities/{act.pk}/"
    assert "签退成功" in r.text and "记入服务时长 1 小时。" in r.text
    assert '<dd class="hours-credited">1 小时</dd>' in r.text
    record = ServiceRecord.objects.get(member=member)
    assert (record.activity, record.hours) == (act, Decimal("1.0"))


def test_it_says_when_a_check_out_earns_no_hours(as_user, attending):
    member, act = attending
    d.checked_in(member, act, timezone.now() - timedelta(minutes=10))
    r = post(as_user(member.user), act, "checkout", {"code": d.code(act)})
    assert "这次没有记入服务时长" in r.text
    assert not ServiceRecord.objects.exists()


def test_it_refuses_check_out_before_check_in_or_with_a_wrong_code(as_user, attending):
    member, act = attending
    client = as_user(member.user)
    assert "您还没有签到，不能签退。" in post(client, act, "checkout", {"code": d.code(act)}).text
    d.checked_in(member, act, act.starts_at)
    wrong = f"{(int(d.code(act)) + 1) % 1_000_000:06d}"
    r = post(client, act, "checkout", {"code": wrong})
    assert r.redirect_chain[-1][0] == f"/activities/{act.pk}/checkin/"
    assert "签到码不正确或已过期" in r.text and "<h1>签退</h1>" in r.text
    assert not ServiceRecord.objects.exists()
