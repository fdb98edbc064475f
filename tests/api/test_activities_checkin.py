"""The rotating code, check-in and check-out through the API: the organiser's code and QR, wrong, expired and
replayed codes, the window, the geofence, idempotence, and the hours that reach the ledger."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import segno
from django.utils import timezone

from baodao.activities.codes import CODE_PERIOD
from baodao.activities.models import Attendance, Signup
from baodao.activities.services import activity_cancel, activity_signup
from baodao.ledger.models import PointEntry, ServiceRecord
from tests.api.activity_cases import (
    CENTRE,
    activity,
    assert_refused,
    client_for,
    code,
    ended,
    geofenced,
    members,
    run,
    signed_up,
    unit_co_builds,
    url,
)

pytestmark = pytest.mark.django_db

#: about 50 m and 250 m north of the centre (1° of latitude ≈ 111 km)
NEAR = (CENTRE[0] + 0.00045, CENTRE[1])
DRIFTED = (CENTRE[0] + 0.00225, CENTRE[1])
FAR = (CENTRE[0] + 0.01, CENTRE[1])


def qr_path(address: str) -> str:
    """The dark modules of the QR code of `address`, as SVG path data."""
    svg = segno.make(address, error="m").svg_inline(scale=1, lineclass=None, omitsize=True)
    return re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)


def check(user, a, action="checkin", **body):
    return client_for(user).post(url(a, action), body, format="json")


# ---- GET /activities/{id}/checkin-code --------------------------------------------------------------------


def test_it_refuses_anonymous_callers(w, anon):
    a = activity(w)
    assert_refused(anon.get(url(a, "checkin-code")), 401, "unauthenticated")
    for action in ("checkin", "checkout"):
        assert_refused(anon.post(url(a, action), {"code": "123456"}, format="json"), 401, "unauthenticated")


def test_it_shows_the_organiser_the_code_and_its_qr(w):
    a = run(activity(w))
    r = client_for(w.users["community_admin"]).get(url(a, "checkin-code"))
    assert r.status_code == 200, r.content
    answer = r.json()
    assert set(answer) == {"code", "expires_at", "period", "url", "qr_svg"}
    assert answer["code"] == code(a) and len(answer["code"]) == 6
    assert answer["period"] == CODE_PERIOD
    expires = timezone.datetime.fromisoformat(answer["expires_at"])
    assert timezone.now() < expires <= timezone.now() + timedelta(seconds=CODE_PERIOD)
    assert answer["url"] == f"http://testserver/activities/{a.pk}/checkin/?code={answer['code']}"
    svg = answer["qr_svg"]
    assert svg.startswith("<svg ") and 'xmlns="http://www.w3.org/2000/svg"' in svg and "viewBox" in svg
    assert svg.rstrip().endswith("</svg>") and "<?xml" not in svg
    assert qr_path(answer["url"]) in svg  # the QR code of the address given


def test_it_gives_the_public_address_in_the_code_and_its_qr(w, settings):
    settings.PUBLIC_BASE_URL = "https://baodao.example.gov.cn"
    a = run(activity(w))
    answer = client_for(w.users["community_admin"]).get(url(a, "checkin-code")).json()
    public = f"https://baodao.example.gov.cn/activities/{a.pk}/checkin/?code={answer['code']}"
    assert answer["url"] == public
    assert qr_path(public) in answer["qr_svg"]


def test_a_co_building_units_organiser_sees_the_code_of_its_activity(w):
    unit_co_builds(w)
    from baodao.activities.services import activity_create

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
    assert client_for(w.users["unit_admin"]).get(url(a, "checkin-code")).status_code == 200


def test_it_refuses_the_code_to_whoever_does_not_organise(w):
    a = activity(w)
    signed_up(w, a)
    assert_refused(client_for(w.users["member"]).get(url(a, "checkin-code")), 403, "forbidden")
    assert_refused(client_for(w.users["street_admin"]).get(url(a, "checkin-code")), 403, "forbidden")
    r = client_for(w.users["other_community_admin"]).get(url(a, "checkin-code"))
    assert_refused(r, 404, "not_found")


def test_it_shows_no_code_for_an_activity_called_off(w):
    a = activity(w)
    activity_cancel(actor=w.users["community_admin"], activity=a, reason="下雨")
    r = client_for(w.users["community_admin"]).get(url(a, "checkin-code"))
    assert_refused(r, 409, "illegal_transition")


# ---- POST /activities/{id}/checkin ------------------------------------------------------------------------


def test_a_member_checks_in_with_the_code_on_the_organisers_screen(w):
    a = activity(w)
    signed_up(w, a)
    run(a)
    shown = client_for(w.users["community_admin"]).get(url(a, "checkin-code")).json()["code"]
    r = check(w.users["member"], a, code=shown)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert (answer["attendance"], answer["attendance_label"]) == ("checked_in", "已签到")
    assert answer["checked_in_at"] is not None and answer["checked_out_at"] is None
    assert answer["checkin_distance_m"] is None
    assert answer["hours"] is None


def test_checking_in_twice_changes_nothing(w):
    a = activity(w)
    signed_up(w, a)
    run(a)
    first = check(w.users["member"], a, code=code(a)).json()
    again = check(w.users["member"], a, code="000000")  # even without a valid code: already in
    assert again.status_code == 200
    assert again.json()["checked_in_at"] == first["checked_in_at"]


@pytest.mark.parametrize("when", ["wrong", "expired", "other_activity", "blank"])
def test_it_refuses_a_wrong_expired_or_replayed_code(w, when):
    a = activity(w)
    signed_up(w, a)
    run(a)
    other = run(activity(w, hours_ahead=0.5, title="另一个活动"))
    given = {
        "wrong": str((int(code(a)) + 1) % 10**6).zfill(6),
        "expired": code(a, at=timezone.now() - timedelta(seconds=2 * CODE_PERIOD + 1)),
        "other_activity": code(other),
        "blank": "",
    }[when]
    r = check(w.users["member"], a, code=given)
    assert_refused(r, 400, "invalid", "code")
    assert Signup.objects.get(activity=a).attendance == Attendance.NONE


def test_it_accepts_the_code_of_the_window_before(w):
    a = activity(w)
    signed_up(w, a)
    run(a)
    previous = code(a, at=timezone.now() - timedelta(seconds=CODE_PERIOD))
    assert check(w.users["member"], a, code=previous).status_code == 200


def test_it_refuses_a_check_in_outside_the_window(w):
    early = activity(w, hours_ahead=2)
    signed_up(w, early)
    assert_refused(check(w.users["member"], early, code=code(early)), 409, "outside_window")
    late = activity(w, hours_ahead=30)
    activity_signup(actor=w.users["member"], activity=late)
    ended(late)
    assert_refused(check(w.users["member"], late, code=code(late)), 409, "outside_window")


def test_it_refuses_a_member_without_a_place(w):
    a = activity(w, places=1)
    (first,) = members(w, 1)
    activity_signup(actor=first.user, activity=a)
    signed_up(w, a)  # waitlisted
    run(a)
    assert_refused(check(w.users["member"], a, code=code(a)), 409, "waitlisted")
    b = run(activity(w, hours_ahead=1, title="未报名的"))
    assert_refused(check(w.users["member"], b, code=code(b)), 409, "not_signed_up")
    assert_refused(check(w.users["community_admin"], b, code=code(b)), 403, "forbidden")


def test_it_hides_an_activity_out_of_scope(w):
    a = run(activity(w, community="C2", admin="other_community_admin"))
    signed_up(w, activity(w))  # the member is registered in C1
    for action in ("checkin", "checkout"):
        assert_refused(check(w.users["member"], a, action, code=code(a)), 404, "not_found")


def test_it_refuses_a_bad_body(w):
    a = activity(w)
    signed_up(w, a)
    run(a)
    assert_refused(check(w.users["member"], a), 400, "invalid", "code")
    assert_refused(check(w.users["member"], a, code=code(a), lat="north"), 400, "invalid", "lat")


# ---- the geofence -------------------------------------------------------------------------------------


def test_it_measures_a_check_in_inside_the_geofence(w):
    a = geofenced(w)
    signed_up(w, a)
    run(a)
    r = check(w.users["member"], a, code=code(a), lat=NEAR[0], lng=NEAR[1])
    assert r.status_code == 200, r.content
    assert 40 <= r.json()["checkin_distance_m"] <= 60


def test_it_accepts_a_drifted_position_and_refuses_a_far_one(w):
    a = geofenced(w)
    signed_up(w, a)
    run(a)
    far = check(w.users["member"], a, code=code(a), lat=FAR[0], lng=FAR[1])
    assert_refused(far, 400, "invalid", "lat")
    assert Signup.objects.get().checked_in_at is None
    drifted = check(w.users["member"], a, code=code(a), lat=DRIFTED[0], lng=DRIFTED[1])
    assert drifted.status_code == 200  # within three radii: let in, and flagged for the community
    assert 240 <= drifted.json()["checkin_distance_m"] <= 260


def test_it_lets_a_phone_without_a_position_check_in(w):
    a = geofenced(w)
    signed_up(w, a)
    run(a)
    r = check(w.users["member"], a, code=code(a))
    assert r.status_code == 200 and r.json()["checkin_distance_m"] is None


# ---- POST /activities/{id}/checkout -----------------------------------------------------------------------


def test_a_check_out_right_after_the_check_in_credits_nothing(w):
    a = activity(w, length_h=3)
    signed_up(w, a)
    run(a, started_ago=timedelta(minutes=100))
    check(w.users["member"], a, code=code(a))
    r = check(w.users["member"], a, "checkout", code=code(a))
    assert r.status_code == 200, r.content
    answer = r.json()
    assert (answer["attendance"], answer["attendance_label"]) == ("attended", "已签退")
    assert answer["hours"] == "0.00"
    assert answer["checked_out_at"] is not None
    assert not ServiceRecord.objects.exists()  # no hours, no record


def test_checking_out_writes_the_ledger_and_the_points(w):
    a = activity(w, length_h=3)
    signed_up(w, a)
    a = run(a, started_ago=timedelta(hours=2, minutes=10))
    Signup.objects.filter(activity=a).update(
        checked_in_at=a.starts_at + timedelta(minutes=5), attendance=Attendance.CHECKED_IN
    )
    r = check(w.users["member"], a, "checkout", code=code(a))
    assert r.status_code == 200, r.content
    assert r.json()["hours"] == "2.00"  # 2 h 5 min, rounded down to the half hour
    record = ServiceRecord.objects.get()
    assert (record.activity, record.member, record.hours) == (a, w.members["member"], Decimal("2.0"))
    assert PointEntry.objects.get().points == Decimal("20.00")
    again = check(w.users["member"], a, "checkout", code="000000")
    assert again.status_code == 200 and again.json()["hours"] == "2.00"
    assert ServiceRecord.objects.count() == 1


def test_it_refuses_a_check_out_before_the_check_in(w):
    a = activity(w)
    signed_up(w, a)
    run(a)
    assert_refused(check(w.users["member"], a, "checkout", code=code(a)), 409, "not_checked_in")


def test_it_refuses_a_check_out_with_a_wrong_code(w):
    a = activity(w)
    signed_up(w, a)
    run(a)
    check(w.users["member"], a, code=code(a))
    r = check(w.users["member"], a, "checkout", code="abcdef")
    assert_refused(r, 400, "invalid", "code")
    assert Signup.objects.get().checked_out_at is None


def test_it_refuses_a_check_out_long_after_the_end(w):
    a = activity(w)
    signed_up(w, a)
    run(a)
    check(w.users["member"], a, code=code(a))
    ended(a, ago=timedelta(hours=3))
    assert_refused(check(w.users["member"], a, "checkout", code=code(a)), 409, "outside_window")
