"""Activities through the API: publishing, the scoped list and its filters, the detail and its contract."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baodao.activities.models import Activity
from baodao.activities.services import activity_cancel, activity_signup
from tests.api.activity_cases import (
    LIST,
    activity,
    assert_refused,
    client_for,
    member_registered,
    members,
    signed_up,
    unit_co_builds,
    url,
)

pytestmark = pytest.mark.django_db


def body(**kw):
    start = timezone.now() + timedelta(days=2)
    data = {
        "title": "敬老院陪伴",
        "category": "elderly",
        "community": "C1",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "places": 8,
        "location": "幸福敬老院",
    }
    return {**data, **kw}


def publish(client, **kw):
    return client.post(LIST, body(**kw), format="json")


# ---- POST /activities -----------------------------------------------------------------------------------


def test_it_refuses_anonymous_callers(w, anon):
    a = activity(w)
    assert_refused(anon.get(LIST), 401, "unauthenticated")
    assert_refused(publish(anon), 401, "unauthenticated")
    assert_refused(anon.get(url(a)), 401, "unauthenticated")
    assert Activity.objects.count() == 1


def test_it_lets_a_community_admin_publish_an_activity(w):
    r = publish(
        client_for(w.users["community_admin"]),
        grid="C1G2",
        description="陪老人聊天、读报",
        lat=31.2304,
        lng=121.4737,
        radius_m=200,
        skills=["health", "法律咨询"],
    )
    assert r.status_code == 201, r.content
    answer = r.json()
    assert answer["title"] == "敬老院陪伴"
    assert (answer["category"], answer["category_label"]) == ("elderly", "助老助残")
    assert answer["community"] == {"code": "C1", "name": "幸福社区"}
    assert answer["grid"] == {"code": "C1G2", "name": "网格C1G2"}
    assert answer["organiser_unit"] is None
    assert (answer["places"], answer["taken"], answer["free_places"], answer["waitlisted"]) == (8, 0, 8, 0)
    assert (answer["lat"], answer["lng"], answer["radius_m"]) == (31.2304, 121.4737, 200)
    assert answer["skills"] == ["health", "legal"]
    assert (answer["status"], answer["status_label"]) == ("published", "报名中")
    assert answer["description"] == "陪老人聊天、读报"
    assert answer["may_organise"] is True
    assert answer["my_status"] is None and answer["my_signup"] is None
    assert answer["signups"] == []
    saved = Activity.objects.get(pk=answer["id"])
    assert (saved.community, saved.created_by) == (w.r("C1"), w.users["community_admin"])


def test_it_answers_with_the_whole_contract(w):
    answer = publish(client_for(w.users["community_admin"])).json()
    assert set(answer) == {
        "id",
        "title",
        "category",
        "category_label",
        "community",
        "grid",
        "organiser_unit",
        "starts_at",
        "ends_at",
        "location",
        "lat",
        "lng",
        "radius_m",
        "places",
        "taken",
        "free_places",
        "skills",
        "status",
        "status_label",
        "my_status",
        "created_at",
        "description",
        "waitlisted",
        "cancel_reason",
        "closed_at",
        "may_organise",
        "my_signup",
        "signups",
    }
    assert "secret" not in str(answer)


def test_it_lets_a_co_building_unit_organise_in_the_community(w):
    unit_co_builds(w)
    r = publish(client_for(w.users["unit_admin"]), unit="U1")
    assert r.status_code == 201, r.content
    assert r.json()["organiser_unit"] == {"code": "U1", "name": "区税务局"}
    assert r.json()["may_organise"] is True


def test_it_refuses_a_unit_that_does_not_co_build(w):
    r = publish(client_for(w.users["unit_admin"]), unit="U1")
    assert_refused(r, 403, "forbidden")
    assert not Activity.objects.exists()


@pytest.mark.parametrize("who", ["member", "grid_worker", "resident", "other_community_admin", "unit_admin"])
def test_it_refuses_whoever_does_not_organise_in_the_community(w, who):
    assert_refused(publish(client_for(w.users[who])), 403, "forbidden")
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"community": "NOPE"}, "community"),
        ({"community": "C1G1"}, "community"),  # a grid is not a community
        ({"grid": "NOPE"}, "grid"),
        ({"grid": "C2G1"}, "grid"),  # another community's grid
        ({"unit": "NOPE"}, "unit"),
        ({"unit": "U4"}, "unit"),  # a unit the caller does not see
        ({"title": ""}, "title"),
        ({"category": "astrology"}, "category"),
        ({"places": 0}, "places"),
        ({"location": ""}, "location"),
        ({"skills": ["juggling"]}, "skills"),
        ({"radius_m": 100}, "radius_m"),  # a geofence needs a centre
        ({"lat": 31.2}, "lat"),  # a latitude needs a longitude
        ({"lat": 91, "lng": 121}, "lat"),
        ({"starts_at": "tomorrow"}, "starts_at"),
    ],
)
def test_it_answers_400_in_chinese_for_bad_input(w, change, field):
    answer = assert_refused(publish(client_for(w.users["community_admin"]), **change), 400, "invalid", field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer["detail"]), answer["detail"]
    assert not Activity.objects.exists()


def test_it_refuses_a_window_that_ends_before_it_starts_or_is_over(w):
    client = client_for(w.users["community_admin"])
    start = timezone.now() + timedelta(days=1)
    backwards = {"starts_at": start.isoformat(), "ends_at": (start - timedelta(hours=1)).isoformat()}
    assert_refused(publish(client, **backwards), 400, "invalid", "ends_at")
    past = timezone.now() - timedelta(days=1)
    over = {"starts_at": past.isoformat(), "ends_at": (past + timedelta(hours=2)).isoformat()}
    assert_refused(publish(client, **over), 400, "invalid", "ends_at")


# ---- GET /activities ------------------------------------------------------------------------------------


def ids(r):
    assert r.status_code == 200, r.content
    return [row["id"] for row in r.json()["results"]]


def test_it_lists_only_the_activities_in_scope(w):
    c1 = activity(w)
    c2 = activity(w, community="C2", admin="other_community_admin")
    c4 = activity(w, community="C4", admin="far_community_admin")
    member_registered(w)
    member_registered(w, "other_member")  # registered in C1 by the helper: sees C1's
    assert set(ids(client_for(w.users["community_admin"]).get(LIST))) == {c1.pk}
    assert set(ids(client_for(w.users["street_admin"]).get(LIST))) == {c1.pk, c2.pk}
    assert set(ids(client_for(w.users["district_admin"]).get(LIST))) == {c1.pk, c2.pk}
    assert set(ids(client_for(w.users["far_community_admin"]).get(LIST))) == {c4.pk}
    assert set(ids(client_for(w.users["member"]).get(LIST))) == {c1.pk}
    assert ids(client_for(w.users["unit_admin"]).get(LIST)) == []
    assert ids(client_for(w.users["resident"]).get(LIST)) == []


def test_a_member_not_registered_anywhere_sees_none(w):
    activity(w)
    assert ids(client_for(w.users["member"]).get(LIST)) == []


def test_a_co_building_unit_sees_the_communitys_activities(w):
    a = activity(w)
    unit_co_builds(w)
    assert ids(client_for(w.users["unit_admin"]).get(LIST)) == [a.pk]


def test_it_filters_by_community_status_upcoming_and_mine(w):
    soon = activity(w, hours_ahead=2, title="明天")
    later = activity(w, hours_ahead=48, title="后天")
    off = activity(w, hours_ahead=5, title="取消的")
    activity_cancel(actor=w.users["community_admin"], activity=off, reason="下雨")
    c2 = activity(w, community="C2", admin="other_community_admin")
    client = client_for(w.users["street_admin"])
    assert set(ids(client.get(LIST, {"community": "C1"}))) == {soon.pk, later.pk, off.pk}
    assert ids(client.get(LIST, {"status": "cancelled"})) == [off.pk]
    assert ids(client.get(LIST, {"upcoming": "true", "community": "C1"})) == [soon.pk, later.pk]
    assert ids(client.get(LIST, {"upcoming": "false"})) == [off.pk]
    assert set(ids(client.get(LIST))) == {soon.pk, later.pk, off.pk, c2.pk}

    signed_up(w, later)
    mine = client_for(w.users["member"]).get(LIST, {"mine": "true"})
    assert ids(mine) == [later.pk]
    assert mine.json()["results"][0]["my_status"] == "confirmed"
    others = client_for(w.users["member"]).get(LIST, {"mine": "false"}).json()["results"]
    assert {row["id"] for row in others} == {soon.pk, off.pk}
    assert {row["my_status"] for row in others} == {None}


def test_it_refuses_a_filter_it_does_not_know(w):
    assert_refused(
        client_for(w.users["street_admin"]).get(LIST, {"status": "maybe"}), 400, "invalid", "status"
    )


def test_it_keeps_the_number_of_queries_flat(w, django_assert_max_num_queries):
    member_registered(w)
    client = client_for(w.users["member"])

    def grow(n):
        for _ in range(n):
            a = activity(w, hours_ahead=24 * (Activity.objects.count() + 1), length_h=1)
            activity_signup(actor=w.users["member"], activity=a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(LIST)
        assert r.status_code == 200
        return len(ctx.captured_queries), r

    grow(3)
    client.get(LIST)  # the first request also stamps the token's last use
    few, _ = count()
    grow(12)
    with django_assert_max_num_queries(8):
        many, r = count()
    assert many == few
    assert len(r.json()["results"]) == 15
    assert {row["my_status"] for row in r.json()["results"]} == {"confirmed"}


# ---- GET /activities/{id} -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_community_admin", "far_community_admin", "unit_admin", "resident"])
def test_it_hides_an_activity_out_of_scope(w, who):
    r = client_for(w.users[who]).get(url(activity(w)))
    assert_refused(r, 404, "not_found")


def test_it_hides_an_activity_from_a_member_registered_elsewhere(w):
    a = activity(w)
    member = w.members["other_member"]
    from tests.factories import registered

    registered(member, w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"])
    assert_refused(client_for(w.users["other_member"]).get(url(a)), 404, "not_found")
    assert_refused(client_for(w.users["community_admin"]).get(url(999999)), 404, "not_found")


def test_a_member_sees_its_own_sign_up_and_place_in_line(w):
    a = activity(w, places=1)
    first, second = members(w, 2)
    activity_signup(actor=first.user, activity=a)
    activity_signup(actor=second.user, activity=a)
    signed_up(w, a)
    answer = client_for(w.users["member"]).get(url(a)).json()
    assert (answer["taken"], answer["free_places"], answer["waitlisted"]) == (1, 0, 2)
    assert answer["my_status"] == "waitlisted"
    mine = answer["my_signup"]
    assert (mine["status"], mine["status_label"], mine["waitlist_position"]) == ("waitlisted", "候补中", 2)
    assert mine["member"]["name"] == "李明"
    assert mine["member"]["phone"] == w.users["member"].phone  # its own number, in full
    assert answer["may_organise"] is False
    assert answer["signups"] is None  # the list is the organiser's


def test_the_organiser_sees_the_sign_ups_in_order(w, django_assert_max_num_queries):
    a = activity(w, places=2)
    people = members(w, 5)
    for m in people:
        activity_signup(actor=m.user, activity=a)
    client = client_for(w.users["community_admin"])
    client.get(url(a))
    with django_assert_max_num_queries(12):
        answer = client.get(url(a)).json()
    rows = answer["signups"]
    assert [r["member"]["id"] for r in rows] == [m.pk for m in people]
    assert [(r["status"], r["waitlist_position"]) for r in rows] == [
        ("confirmed", None),
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
        ("waitlisted", 3),
    ]
    assert "*" in rows[0]["member"]["phone"]  # others' numbers are masked
    assert answer["waitlisted"] == 3
