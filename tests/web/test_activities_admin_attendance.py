"""The organiser's attendance sheet: sign-ups and the waitlist in order, attendance by hand (audited), closing
an activity by the rule the organiser picks for forgotten check-outs, and calling an activity off."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.models import Activity, Attendance, Signup, SignupStatus, Status
from baodao.activities.services import activity_cancel_signup
from baodao.audit.models import Action, AuditEvent
from baodao.ledger.models import PointEntry, Rule, ServiceRecord
from baodao.notify.models import Notice
from tests.web.activities_admin_data import activity, check_in, check_out, ended, members, move, signed_up

pytestmark = pytest.mark.django_db


def sheet(act):
    return f"/activities/{act.pk}/attendance/"


def close_url(act):
    return f"/activities/{act.pk}/close/"


def call_off_url(act):
    return f"/activities/{act.pk}/call-off/"


def row_of(html, name):
    return next(r.split("</tr>")[0] for r in html.split("<tr")[1:] if name in r)


@pytest.fixture
def people(w):
    return members(w, 4)


@pytest.fixture
def past(w, people):
    """Ended yesterday, four signed up: 党员00 came and left, 党员01 forgot to check out, 党员02 and 党员03
    never came."""
    act = ended(w, people)
    start = act.starts_at
    check_in(act, people[0], start + timedelta(minutes=5))
    check_out(act, people[0], start + timedelta(hours=2, minutes=40))
    check_in(act, people[1], start + timedelta(minutes=20))
    return act


# ---- who may see it ----------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client, past):
    for r in (
        client.get(sheet(past)),
        client.post(sheet(past), {"reason": "x"}),
        client.post(close_url(past), {"forgotten_checkout": "end"}),
        client.post(call_off_url(past), {"reason": "x"}),
    ):
        assert r.status_code == 302 and r.url.startswith("/login/")
    assert Activity.objects.get().status == Status.PUBLISHED


@pytest.mark.parametrize(
    "role", ["far_community_admin", "other_community_admin", "other_unit_admin", "resident"]
)
def test_it_is_not_found_outside_the_community(as_user, w, past, role):
    client = as_user(w.users[role])
    assert client.get(sheet(past)).status_code == 404
    assert client.post(close_url(past), {"forgotten_checkout": "end"}).status_code == 404
    assert client.post(call_off_url(past), {"reason": "x"}).status_code == 404
    assert Activity.objects.get().status == Status.PUBLISHED


@pytest.mark.parametrize("role", ["street_admin", "district_admin"])
def test_those_who_see_but_do_not_organise_are_refused(as_user, w, past, people, role, client):
    for user in (w.users[role], people[0].user):
        client.logout()
        c = as_user(user)
        assert c.get(sheet(past)).status_code == 403
        assert c.post(close_url(past), {"forgotten_checkout": "end"}).status_code == 403
    assert Activity.objects.get().status == Status.PUBLISHED


# ---- the sheet -------------------------------------------------------------------------------------------


def test_it_lists_places_then_the_line_in_order_then_the_cancelled(as_user, w, people):
    act = activity(w, places=2)
    signed_up(act, *people)  # 00, 01 have places; 02, 03 wait in that order
    activity_cancel_signup(actor=people[0].user, activity=act)  # 02 moves up; 03 first in line

    html = as_user(w.users["community_admin"]).get(sheet(act)).text

    names = re.findall(r"<td data-label=\"党员\">(党员\d\d)", html)
    assert names == ["党员01", "党员02", "党员03", "党员00"]
    assert "候补递补" in row_of(html, "党员02")
    assert "候补第 1 位" in row_of(html, "党员03")
    assert "已取消" in row_of(html, "党员00")
    assert '已报名<br><span class="figure">2</span> / 2 人' in html
    assert f'href="/activities/{act.pk}/code/"' in html and f'action="/activities/{act.pk}/call-off/"' in html
    assert "补录出勤" not in html  # not started: nothing to record yet
    assert "结束活动" not in html


def test_it_shows_check_ins_distances_and_hours(as_user, w, people):
    act = ended(w, people[:2], lat="30.5728", lng="114.2793", radius_m=100)
    start = act.starts_at
    check_in(act, people[0], start, lat="30.5729", lng="114.2793")
    check_out(act, people[0], start + timedelta(hours=3), lat="30.5728", lng="114.2794")

    html = as_user(w.users["community_admin"]).get(sheet(act)).text

    row = row_of(html, "党员00")
    assert "已签退" in row and timezone.localtime(start).strftime("%H:%M") in row
    assert ">11 / 10<" in row and ">3.00<" in row
    assert "未签到" in row_of(html, "党员01")
    assert '已签到未签退<br><span class="figure">0</span> 人' in html
    assert '报名未签到<br><span class="figure">1</span> 人' in html


# ---- attendance by hand ------------------------------------------------------------------------------


def test_the_organiser_records_hours_by_hand_with_a_reason(as_user, w, past, people):
    client = as_user(w.users["community_admin"])
    page = client.get(sheet(past)).text
    assert "补录出勤" in page and f'<option value="{people[2].pk}">党员02（区税务局）</option>' in page

    r = client.post(sheet(past), {"member": people[2].pk, "hours": "2", "reason": "手机没电，现场登记"})

    assert r.status_code == 302 and r.url == sheet(past)
    signup = Signup.objects.get(activity=past, member=people[2])
    assert (signup.attendance, signup.hours, signup.manual_reason) == (
        Attendance.MANUAL,
        Decimal("2.00"),
        "手机没电，现场登记",
    )
    assert ServiceRecord.objects.get(signup=signup).verified_by == w.users["community_admin"]
    assert AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).exists()
    html = client.get(sheet(past)).text
    assert "已为党员02补录出勤，计 2 小时。" in html
    assert "社区书记补录：手机没电，现场登记" in row_of(html, "党员02")


def test_the_organiser_records_arrival_and_departure_by_hand(as_user, w, past, people):
    start = timezone.localtime(past.starts_at)
    r = as_user(w.users["community_admin"]).post(
        sheet(past),
        {
            "member": people[3].pk,
            "checked_in_at": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "checked_out_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "签到码看不清",
        },
    )
    assert r.status_code == 302
    signup = Signup.objects.get(activity=past, member=people[3])
    assert signup.hours == Decimal("1.50") and signup.attendance == Attendance.MANUAL


def test_a_registered_member_who_did_not_sign_up_can_be_recorded(as_user, w, past):
    (walk_in,) = members(w, 1, start=10)
    r = as_user(w.users["community_admin"]).post(
        sheet(past), {"member": walk_in.pk, "hours": "1", "reason": "现场临时参加"}
    )
    assert r.status_code == 302
    assert Signup.objects.get(member=walk_in).status == SignupStatus.CONFIRMED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hours": "2"}, "该字段是必填项"),  # no reason
        ({"reason": "补录"}, "请填写时长，或签到和签退时间。"),
        ({"hours": "80", "reason": "补录"}, "时长须大于 0 且不超过 72 小时。"),
        ({"hours": "0", "reason": "补录"}, "时长须大于 0 且不超过 72 小时。"),
    ],
)
def test_attendance_by_hand_needs_a_reason_and_sensible_hours(as_user, w, past, people, data, message):
    r = as_user(w.users["community_admin"]).post(sheet(past), {"member": people[2].pk, **data})
    assert r.status_code == 200 and message in r.text
    assert not ServiceRecord.objects.filter(signup__member=people[2]).exists()


def test_a_member_registered_elsewhere_is_not_on_the_list(as_user, w, past):
    other = w.members["other_member"]  # lives and registers in C2
    members(w, 0)
    r = as_user(w.users["community_admin"]).post(
        sheet(past), {"member": other.pk, "hours": "1", "reason": "补录"}
    )
    assert r.status_code == 200 and "选择一个有效的选项" in r.text
    assert not Signup.objects.filter(member=other).exists()


def test_attendance_already_on_the_ledger_is_not_recorded_twice(as_user, w, past, people):
    r = as_user(w.users["community_admin"]).post(
        sheet(past), {"member": people[0].pk, "hours": "1", "reason": "补录"}
    )
    assert r.status_code == 200 and "已经记入台账" in r.text
    assert ServiceRecord.objects.filter(signup__member=people[0]).count() == 1


def test_attendance_cannot_be_recorded_before_the_start(as_user, w, people):
    act = activity(w)
    signed_up(act, people[0])
    r = as_user(w.users["community_admin"]).post(
        sheet(act), {"member": people[0].pk, "hours": "1", "reason": "补录"}
    )
    assert r.status_code == 200 and "活动还没有开始" in r.text
    assert not ServiceRecord.objects.exists()


def test_a_non_organiser_cannot_record_by_hand(as_user, w, past, people):
    r = as_user(w.users["street_admin"]).post(
        sheet(past), {"member": people[2].pk, "hours": "1", "reason": "补录"}
    )
    assert r.status_code == 403
    assert not ServiceRecord.objects.filter(signup__member=people[2]).exists()


# ---- closing ----------------------------------------------------------------------------------------


def test_the_close_form_says_who_forgot_to_check_out_and_who_did_not_come(as_user, w, past):
    html = as_user(w.users["community_admin"]).get(sheet(past)).text
    assert f'action="/activities/{past.pk}/close/"' in html
    assert "有 1 人签到后没有签退" in html and "有 2 人报名后没有签到" in html
    assert 'value="end"' in html and "按活动结束时间结算" in html
    assert 'value="none"' in html and "不计时长" in html
    assert "call-off" not in html  # over: it can be closed, not called off


def test_the_close_form_counts_nothing_for_a_forgotten_check_out_unless_told(as_user, w, past):
    html = as_user(w.users["community_admin"]).get(sheet(past)).text
    checked = re.findall(r'<input type="radio" name="forgotten_checkout" value="(\w+)"[^>]*\bchecked>', html)
    assert checked == ["none"]
    # and says how to credit one who really stayed
    assert "默认不计时长" in html and "结束活动后可以在本页“补录出勤”中逐一补录实际时长" in html


def test_closing_counts_forgotten_check_outs_until_the_end(as_user, w, past, people):
    client = as_user(w.users["community_admin"])
    r = client.post(close_url(past), {"forgotten_checkout": "end"})
    assert r.status_code == 302 and r.url == sheet(past)

    past.refresh_from_db()
    assert (past.status, past.closed_by) == (Status.CLOSED, w.users["community_admin"])
    forgot = Signup.objects.get(activity=past, member=people[1])
    assert (forgot.attendance, forgot.hours) == (Attendance.CLOSED_BY_RULE, Decimal("2.50"))
    assert ServiceRecord.objects.filter(signup=forgot).exists()
    for absent in people[2:]:
        signup = Signup.objects.get(activity=past, member=absent)
        assert signup.attendance == Attendance.NO_SHOW
    html = client.get(sheet(past)).text
    assert (
        "活动已结束：1 人已签到签退或补录；1 人未签退，按活动结束时间结算；2 人报名未到，记为缺席。" in html
    )
    assert "确认结束活动" not in html and "补录出勤" in html


def test_closing_can_count_nothing_for_forgotten_check_outs(as_user, w, past, people):
    client = as_user(w.users["community_admin"])
    client.post(close_url(past), {"forgotten_checkout": "none"})

    forgot = Signup.objects.get(activity=past, member=people[1])
    assert (forgot.attendance, forgot.hours) == (Attendance.CLOSED_BY_RULE, Decimal(0))
    assert not ServiceRecord.objects.filter(signup=forgot).exists()
    assert "1 人未签退，不计时长" in client.get(sheet(past)).text


def test_no_shows_lose_points_by_the_policy(as_user, w, past, people):
    as_user(w.users["community_admin"]).post(close_url(past), {"forgotten_checkout": "end"})
    no_show = PointEntry.objects.filter(rule=Rule.NO_SHOW)
    assert set(no_show.values_list("member", flat=True)) == {people[2].pk, people[3].pk}


def test_closing_needs_a_rule_and_happens_once(as_user, w, past):
    client = as_user(w.users["community_admin"])
    r = client.post(close_url(past), {}, follow=True)
    assert "请选择未签退人员的结算方式。" in r.text
    assert Activity.objects.get().status == Status.PUBLISHED
    client.post(close_url(past), {"forgotten_checkout": "end"})
    r = client.post(close_url(past), {"forgotten_checkout": "end"}, follow=True)
    assert "活动已经结束或已取消。" in r.text
    assert PointEntry.objects.filter(rule=Rule.NO_SHOW).count() == 2


def test_an_activity_still_running_cannot_be_closed(as_user, w, people):
    act = activity(w)
    signed_up(act, people[0])
    act = move(act, starts_at=timezone.now() - timedelta(hours=1))
    client = as_user(w.users["community_admin"])
    assert "确认结束活动" not in client.get(sheet(act)).text
    r = client.post(close_url(act), {"forgotten_checkout": "end"}, follow=True)
    assert "活动还没有结束。" in r.text
    assert Activity.objects.get().status == Status.PUBLISHED


def test_closing_answers_get_with_405(as_user, w, past):
    assert as_user(w.users["community_admin"]).get(close_url(past)).status_code == 405


# ---- calling off ----------------------------------------------------------------------------------------


def test_the_organiser_calls_an_activity_off_and_everyone_is_told(as_user, w, people):
    act = activity(w, places=1)
    signed_up(act, *people[:2])
    client = as_user(w.users["community_admin"])

    r = client.post(call_off_url(act), {"reason": "暴雨预警，改期举行"})

    assert r.status_code == 302 and r.url == sheet(act)
    act.refresh_from_db()
    assert (act.status, act.cancel_reason, act.taken) == (Status.CANCELLED, "暴雨预警，改期举行", 0)
    assert Notice.objects.filter(title="活动已取消", user__in=[p.user for p in people[:2]]).count() == 2
    html = client.get(sheet(act)).text
    assert "已取消“楼道清扫”" in html and "活动已取消，原因：暴雨预警，改期举行" in html
    assert "call-off" not in html and "/code/" not in html


def test_calling_off_needs_a_reason(as_user, w):
    act = activity(w)
    r = as_user(w.users["community_admin"]).post(call_off_url(act), {"reason": " "}, follow=True)
    assert "请填写原因。" in r.text
    assert Activity.objects.get().status == Status.PUBLISHED


def test_an_activity_with_check_ins_cannot_be_called_off(as_user, w, people):
    act = activity(w)
    signed_up(act, people[0])
    act = move(act, starts_at=timezone.now() - timedelta(minutes=30))
    check_in(act, people[0], timezone.now())
    r = as_user(w.users["community_admin"]).post(call_off_url(act), {"reason": "人太少"}, follow=True)
    assert "已有人签到的活动不能取消" in r.text
    assert Activity.objects.get().status == Status.PUBLISHED


def test_a_non_organiser_cannot_call_off(as_user, w):
    act = activity(w)
    assert as_user(w.users["street_admin"]).post(call_off_url(act), {"reason": "x"}).status_code == 403
    assert Activity.objects.get().status == Status.PUBLISHED
