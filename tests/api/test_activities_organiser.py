"""What the organiser does through the API: attendance recorded by hand (audited), closing an activity
(forgotten check-outs by rule, no-shows), and calling it off."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.models import Activity, Signup, SignupStatus, Status
from baodao.activities.services import activity_create, activity_signup
from baodao.audit.models import Action, AuditEvent
from baodao.ledger.models import PointEntry, Rule, ServiceRecord
from baodao.notify.models import Notice
from tests.api.activity_cases import (
    activity,
    assert_refused,
    client_for,
    code,
    ended,
    member_registered,
    members,
    run,
    signed_up,
    time_passes,
    unit_co_builds,
    url,
)

pytestmark = pytest.mark.django_db

BODIES = {
    "attendance": {"member": 0, "hours": "2", "reason": "手机没电，现场登记"},
    "close": {"forgotten_checkout": "end"},
    "call-off": {"reason": "暴雨预警"},
}


def post(user, a, action, **body):
    return client_for(user).post(url(a, action), body, format="json")


@pytest.mark.parametrize("action", list(BODIES))
def test_it_refuses_anonymous_callers(w, anon, action):
    a = activity(w)
    assert_refused(anon.post(url(a, action), BODIES[action], format="json"), 401, "unauthenticated")
    assert Activity.objects.get().status == Status.PUBLISHED


@pytest.mark.parametrize("action", list(BODIES))
def test_it_hides_an_activity_out_of_scope(w, action):
    a = ended(activity(w))
    body = {**BODIES[action], "member": w.members["member"].pk} if action == "attendance" else BODIES[action]
    r = post(w.users["other_community_admin"], a, action, **body)
    assert_refused(r, 404, "not_found")
    assert Activity.objects.get().status == Status.PUBLISHED


@pytest.mark.parametrize("action", list(BODIES))
def test_it_refuses_a_participant_who_does_not_organise(w, action):
    a = activity(w)
    signed_up(w, a)
    ended(a)
    body = {**BODIES[action], "member": w.members["member"].pk} if action == "attendance" else BODIES[action]
    assert_refused(post(w.users["member"], a, action, **body), 403, "forbidden")
    assert_refused(post(w.users["street_admin"], a, action, **body), 403, "forbidden")
    assert Activity.objects.get().status == Status.PUBLISHED
    assert not ServiceRecord.objects.exists()


# ---- POST /activities/{id}/attendance -------------------------------------------------------------------


def test_the_organiser_records_hours_by_hand_with_a_reason(w):
    a = activity(w)
    member = member_registered(w)
    ended(a)
    r = post(w.users["community_admin"], a, "attendance", member=member.pk, hours="1.5", reason="忘带手机")
    assert r.status_code == 201, r.content
    answer = r.json()
    assert (answer["attendance"], answer["attendance_label"]) == ("manual", "人工补录")
    assert (answer["status"], answer["hours"], answer["manual_reason"]) == ("confirmed", "1.50", "忘带手机")
    assert answer["member"]["id"] == member.pk
    record = ServiceRecord.objects.get()
    assert (record.member, record.hours, record.verified_by) == (
        member,
        Decimal("1.5"),
        w.users["community_admin"],
    )
    event = AuditEvent.objects.get(action=Action.ATTENDANCE_RECORDED)
    assert event.actor == w.users["community_admin"]
    assert event.detail["reason"] == "忘带手机"


def test_it_clips_the_times_given_to_the_activitys_window(w):
    a = activity(w, length_h=3)
    signed_up(w, a)
    a = ended(a)
    r = post(
        w.users["community_admin"],
        a,
        "attendance",
        member=w.members["member"].pk,
        checked_in_at=(a.starts_at - timedelta(minutes=20)).isoformat(),
        checked_out_at=(a.starts_at + timedelta(hours=2, minutes=20)).isoformat(),
        reason="签到机故障",
    )
    assert r.status_code == 201, r.content
    assert r.json()["hours"] == "2.00"


def test_it_refuses_hand_typed_times_outside_the_activity(w):
    a = activity(w, length_h=3)
    signed_up(w, a)
    a = ended(a)
    r = post(
        w.users["community_admin"],
        a,
        "attendance",
        member=w.members["member"].pk,
        checked_in_at=(a.starts_at - timedelta(days=400)).isoformat(),
        checked_out_at=(a.starts_at + timedelta(hours=2)).isoformat(),
        reason="签到机故障",
    )
    assert r.status_code == 400 and "checked_in_at" in r.json()["fields"]


def test_a_units_organiser_records_a_signed_up_member_of_another_unit(w):
    unit_co_builds(w)
    a = activity_create(
        actor=w.users["unit_admin"],
        community=w.r("C1"),
        organiser_unit=w.units["U1"],
        title="税法讲座",
        category="legal",
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=3),
        location="社区活动室",
        places=30,
    )
    other = member_registered(w, "other_member")  # U2's member, registered in C1
    activity_signup(actor=w.users["other_member"], activity=a)
    ended(a)
    r = post(w.users["unit_admin"], a, "attendance", member=other.pk, hours="2", reason="扫码失败")
    assert r.status_code == 201, r.content
    (stranger,) = members(w, 1)  # registered in C1, never signed up, of U1 (the admin sees its members)
    r = post(w.users["unit_admin"], a, "attendance", member=stranger.pk, hours="1", reason="现场帮忙")
    assert r.status_code == 201, r.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": "2"}, "reason"),
        ({"reason": "补录"}, "hours"),
        ({"hours": "0", "reason": "补录"}, "hours"),
        ({"hours": "100", "reason": "补录"}, "hours"),
        ({"hours": "two", "reason": "补录"}, "hours"),
        ({"checked_in_at": "2026-01-01T10:00:00+08:00", "reason": "补录"}, "hours"),
        ({"member": 999999, "hours": "2", "reason": "补录"}, "member"),
        ({"member": None, "hours": "2", "reason": "补录"}, "member"),
    ],
)
def test_it_answers_400_for_a_bad_attendance(w, body, field):
    a = activity(w)
    member = member_registered(w)
    ended(a)
    r = post(w.users["community_admin"], a, "attendance", **{"member": member.pk, **body})
    assert_refused(r, 400, "invalid", field)
    assert not ServiceRecord.objects.exists()


def test_it_refuses_a_member_not_registered_in_the_community(w):
    a = ended(activity(w))
    outsider = w.members["member"]  # lives in C1, registered nowhere
    r = post(w.users["community_admin"], a, "attendance", member=outsider.pk, hours="1", reason="补录")
    assert_refused(r, 400, "invalid", "member")
    far = w.members["other_member"]  # not visible to C1's admin at all
    r = post(w.users["community_admin"], a, "attendance", member=far.pk, hours="1", reason="补录")
    assert_refused(r, 400, "invalid", "member")


def test_it_refuses_attendance_before_the_start_or_twice(w):
    a = activity(w)
    member = member_registered(w)
    body = {"member": member.pk, "hours": "1", "reason": "补录"}
    assert_refused(post(w.users["community_admin"], a, "attendance", **body), 409, "not_started")
    ended(a)
    assert post(w.users["community_admin"], a, "attendance", **body).status_code == 201
    assert_refused(post(w.users["community_admin"], a, "attendance", **body), 409, "already_recorded")
    assert ServiceRecord.objects.count() == 1


# ---- POST /activities/{id}/close ------------------------------------------------------------------------


def test_closing_settles_forgotten_check_outs_and_no_shows(w):
    a = activity(w, places=3, length_h=2)
    attended, forgot, absent = members(w, 3)
    for m in (attended, forgot, absent):
        activity_signup(actor=m.user, activity=a)
    a = run(a, started_ago=timedelta(minutes=25))
    for m in (attended, forgot):
        assert client_for(m.user).post(url(a, "checkin"), {"code": code(a)}, format="json").status_code == 200
    a = time_passes(a, timedelta(hours=1))
    r = client_for(attended.user).post(url(a, "checkout"), {"code": code(a)}, format="json")
    assert r.status_code == 200 and r.json()["hours"] == "1.00"
    a = time_passes(a, timedelta(hours=1))  # the activity ended 25 minutes ago
    r = post(w.users["community_admin"], a, "close", forgotten_checkout="end")
    assert r.status_code == 200, r.content
    answer = r.json()
    assert (answer["attended"], answer["closed_by_rule"], answer["no_shows"]) == (1, 1, 1)
    assert (answer["activity"]["status"], answer["activity"]["status_label"]) == ("closed", "已结束")
    assert answer["activity"]["closed_at"] is not None
    rows = {row["member"]["id"]: row for row in answer["activity"]["signups"]}
    # counted until the end: 1 h 35 min, rounded down to the half hour
    assert (rows[forgot.pk]["attendance"], rows[forgot.pk]["hours"]) == ("closed_by_rule", "1.50")
    assert (rows[absent.pk]["attendance"], rows[absent.pk]["hours"]) == ("no_show", None)
    assert PointEntry.objects.get(member=absent, rule=Rule.NO_SHOW).points == Decimal("-5.00")
    hours = dict(ServiceRecord.objects.values_list("member", "hours"))
    assert hours == {attended.pk: Decimal("1.0"), forgot.pk: Decimal("1.5")}


def test_closing_with_no_hours_for_forgotten_check_outs(w):
    a = activity(w)
    signed_up(w, a)
    a = run(a)
    client_for(w.users["member"]).post(url(a, "checkin"), {"code": code(a)}, format="json")
    ended(a)
    r = post(w.users["community_admin"], a, "close", forgotten_checkout="none")
    assert r.status_code == 200, r.content
    (row,) = r.json()["activity"]["signups"]
    assert (row["attendance"], row["hours"]) == ("closed_by_rule", "0.00")
    assert not ServiceRecord.objects.exists()


def test_it_refuses_to_close_before_the_end_twice_or_without_a_rule(w):
    a = activity(w)
    admin = w.users["community_admin"]
    assert_refused(post(admin, a, "close", forgotten_checkout="end"), 409, "not_ended")
    ended(a)
    assert_refused(post(admin, a, "close", forgotten_checkout="maybe"), 400, "invalid", "forgotten_checkout")
    assert_refused(post(admin, a, "close"), 400, "invalid", "forgotten_checkout")
    assert post(admin, a, "close", forgotten_checkout="end").status_code == 200
    assert_refused(post(admin, a, "close", forgotten_checkout="end"), 409, "illegal_transition")


# ---- POST /activities/{id}/call-off ---------------------------------------------------------------------


def test_calling_off_tells_everyone_signed_up(w):
    a = activity(w, places=1)
    signed_up(w, a)
    (waiting,) = members(w, 1)
    activity_signup(actor=waiting.user, activity=a)
    r = post(w.users["community_admin"], a, "call-off", reason="暴雨预警")
    assert r.status_code == 200, r.content
    answer = r.json()
    assert (answer["status"], answer["cancel_reason"], answer["taken"]) == ("cancelled", "暴雨预警", 0)
    assert answer["signups"] == []
    assert set(Signup.objects.values_list("status", flat=True)) == {SignupStatus.CANCELLED}
    told = Notice.objects.filter(title="活动已取消").values_list("user", flat=True)
    assert set(told) == {w.users["member"].pk, waiting.user.pk}


def test_it_refuses_to_call_off_without_a_reason_twice_or_once_people_checked_in(w):
    admin = w.users["community_admin"]
    a = activity(w)
    assert_refused(post(admin, a, "call-off"), 400, "invalid", "reason")
    assert post(admin, a, "call-off", reason="场地冲突").status_code == 200
    assert_refused(post(admin, a, "call-off", reason="场地冲突"), 409, "illegal_transition")
    b = activity(w, hours_ahead=48)
    signed_up(w, b)
    b = run(b)
    client_for(w.users["member"]).post(url(b, "checkin"), {"code": code(b)}, format="json")
    assert_refused(post(admin, b, "call-off", reason="下雨"), 409, "illegal_transition")
    assert Activity.objects.get(pk=b.pk).status == Status.PUBLISHED
