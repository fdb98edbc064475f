"""The community's 出勤核查 (flagged attendance, reversed with a reason) and 积分排行 (its registered members
by points in a year); and for every organiser and community page: a bounded number of queries, only local
assets, no inline code, every input labelled."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baodao.activities.models import Activity
from baodao.activities.services import activity_close, attendance_record
from baodao.ledger.models import PointEntry, Rule, ServiceRecord
from tests.web.activities_admin_data import (
    LAT,
    LNG,
    activity,
    check_in,
    check_out,
    ended,
    members,
    move,
    signed_up,
)
from tests.web.test_queries import MAX_QUERIES

pytestmark = pytest.mark.django_db

FLAGS = "/community/C1/flags/"
POINTS = "/community/C1/points/"
#: about 200 m north of the centre: outside a 100 m geofence, inside its tolerance
NEAR_LAT = "30.574600"


def rows(html):
    return [r.split("</tr>")[0] for r in html.split("<tr")[2:]]


def row_of(html, *texts):
    return next(r for r in rows(html) if all(t in r for t in texts))


@pytest.fixture
def flagged(w):
    """In C1: 党员00 checked in 200 m away from a 100 m geofence, 党员01 gave no position, 党员02 was at two
    activities at once, 党员03 was given five hours by hand for a three-hour activity; 党员04 attended
    cleanly."""
    people = members(w, 5)
    fenced = ended(w, [people[0], people[1], people[4]], title="广场义诊", lat=LAT, lng=LNG, radius_m=100)
    start = fenced.starts_at
    check_in(fenced, people[0], start, lat=NEAR_LAT, lng=LNG)
    check_in(fenced, people[1], start)
    check_in(fenced, people[4], start, lat=LAT, lng=LNG)
    for p in (people[0], people[1], people[4]):
        check_out(fenced, p, start + timedelta(hours=2))
    # two activities signed up to at different times, then moved to overlap
    first = ended(w, [people[2]], title="楼道清扫", days_ago=3)
    second = ended(w, [people[2]], title="敬老院探访", days_ago=5)
    second = move(second, starts_at=first.starts_at + timedelta(hours=1))
    check_in(first, people[2], first.starts_at)
    check_out(first, people[2], first.ends_at)
    check_in(second, people[2], second.starts_at)
    check_out(second, people[2], second.ends_at)
    manual = ended(w, [], title="河道巡查", days_ago=7)
    attendance_record(
        actor=w.users["community_admin"], activity=manual, member=people[3], hours="5", reason="全程参加"
    )
    return people


# ---- 出勤核查 --------------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client):
    for url in (FLAGS, POINTS):
        r = client.get(url)
        assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize(
    "role",
    ["other_community_admin", "far_community_admin", "grid_worker", "member", "unit_admin", "resident"],
)
def test_the_pages_are_not_found_outside_the_community(as_user, w, role):
    client = as_user(w.users[role])
    assert client.get(FLAGS).status_code == 404
    assert client.get(POINTS).status_code == 404


def test_it_lists_the_flagged_attendance_with_what_is_wrong(as_user, w, flagged):
    html = as_user(w.users["community_admin"]).get(FLAGS).text

    assert "签到或签退位置在范围外" in row_of(
        html, "党员00"
    ) and "距活动地点 200 米（范围 100 米）" in row_of(html, "党员00")
    assert "签到未提供位置" in row_of(html, "党员01")
    assert "同一时间在两处签到" in row_of(html, "党员02", "楼道清扫")
    assert "同一时间在两处签到" in row_of(html, "党员02", "敬老院探访")
    assert "时长超过活动时段" in row_of(html, "党员03", "河道巡查")
    assert "党员04" not in html  # clean attendance is not listed
    assert len(rows(html)) == 5
    record = ServiceRecord.objects.get(signup__member=flagged[0])
    assert f'action="/records/{record.pk}/reverse/"' in row_of(html, "党员00")


@pytest.mark.parametrize("role", ["street_admin", "district_admin"])
def test_street_and_district_see_the_flags_but_do_not_reverse(as_user, w, flagged, role):
    html = as_user(w.users[role]).get(FLAGS).text
    assert "签到或签退位置在范围外" in html
    assert "/reverse/" not in html


def test_the_community_reverses_a_flagged_record_and_it_shows_as_reversed(as_user, w, flagged):
    client = as_user(w.users["community_admin"])
    record = ServiceRecord.objects.get(signup__member=flagged[0])
    page = client.get(FLAGS).text
    assert re.search(r'<input type="hidden" name="next" value="/community/C1/flags/">', page)

    r = client.post(f"/records/{record.pk}/reverse/", {"reason": "定位在小区外，本人未到场", "next": FLAGS})

    assert r.status_code == 302
    assert record.reversed_by.reason == "定位在小区外，本人未到场"
    assert sum(PointEntry.objects.filter(member=flagged[0]).values_list("points", flat=True)) == 0
    assert PointEntry.objects.filter(member=flagged[0], rule=Rule.REVERSAL).exists()
    row = row_of(client.get(FLAGS).text, "党员00")
    assert "已冲销" in row and "原因：定位在小区外，本人未到场" in row
    assert "/reverse/" not in row


def test_a_street_admin_cannot_reverse(as_user, w, flagged):
    record = ServiceRecord.objects.get(signup__member=flagged[0])
    r = as_user(w.users["street_admin"]).post(f"/records/{record.pk}/reverse/", {"reason": "x"})
    assert r.status_code == 403
    assert not ServiceRecord.objects.filter(reverses=record).exists()


def test_nothing_to_review_says_so(as_user, w):
    assert "没有需要核查的出勤。" in as_user(w.users["community_admin"]).get(FLAGS).text


# ---- 积分排行 -------------------------------------------------------------------------------------------


@pytest.fixture
def ranked(w):
    """This year: 党员03 3 h (30 points), 党员01 and 党员02 2 h each (20), 党员00 nothing, 党员04 a
    no-show."""
    people = members(w, 5)
    act = ended(w, [people[4]], title="社区义诊")
    for person, hours in ((people[3], "3"), (people[2], "2"), (people[1], "2")):
        attendance_record(
            actor=w.users["community_admin"], activity=act, member=person, hours=hours, reason="现场登记"
        )
    activity_close(actor=w.users["community_admin"], activity=act, forgotten_checkout="end")
    return people


def test_it_ranks_the_communitys_members_by_points_ties_by_name(as_user, w, ranked):
    html = as_user(w.users["community_admin"]).get(POINTS).text

    names = re.findall(r'<td data-label="党员">([^<]+)</td>', html)
    assert names == ["党员03", "党员01", "党员02", "党员00", "党员04"]
    assert re.search(r'data-label="名次" class="num">1</td>\s*<td data-label="党员">党员03', html)
    assert 'data-label="积分" class="num">30</td>' in row_of(html, "党员03")
    assert 'data-label="时长（小时）" class="num">3</td>' in row_of(html, "党员03")
    assert 'data-label="积分" class="num">-' in row_of(html, "党员04")
    assert f"{timezone.localdate().year} 年积分排行" in html
    for person in ranked:
        assert person.user.phone not in html
    assert w.members["other_member"].user.name not in html  # registered elsewhere


def test_another_year_has_its_own_ranking(as_user, w, ranked):
    last_year = timezone.localdate().year - 1
    html = as_user(w.users["community_admin"]).get(POINTS, {"year": last_year}).text
    assert re.findall(r'<td data-label="党员">([^<]+)</td>', html) == [f"党员{i:02d}" for i in range(5)]
    assert f"{last_year} 年积分排行" in html
    assert f'<option value="{last_year}" selected>' in html


def test_a_year_out_of_range_shows_this_year(as_user, w, ranked):
    html = as_user(w.users["community_admin"]).get(POINTS, {"year": "1999"}).text
    assert f"{timezone.localdate().year} 年积分排行" in html


@pytest.mark.parametrize("role", ["street_admin", "district_admin"])
def test_street_and_district_see_the_ranking(as_user, w, ranked, role):
    assert "党员03" in as_user(w.users[role]).get(POINTS).text


def test_the_ranking_is_paginated(as_user, w):
    members(w, 52)
    client = as_user(w.users["community_admin"])
    assert len(rows(client.get(POINTS).text)) == 50
    html = client.get(POINTS, {"page": 2}).text
    assert re.search(r'data-label="名次" class="num">51</td>', html)


# ---- bounded queries, local assets, labelled inputs -----------------------------------------------------


def grow(w, main, start, count):
    """Per round: a member registered in C1 signs up to `main` (the places run out, the line grows); attends
    an activity from 200 m outside its geofence (a flag, a record, points); another activity is published."""
    for i in range(start, start + count):
        (person,) = members(w, 1, start=i)
        signed_up(main, person)
        act = ended(w, [person], title=f"活动{i}", lat=LAT, lng=LNG, radius_m=100)
        check_in(act, person, act.starts_at, lat=NEAR_LAT, lng=LNG)
        check_out(act, person, act.ends_at)
        activity(w, title=f"新活动{i}", in_hours=24 * 30 + i)


PAGES = [
    ("community_admin", "/community/C1/activities/"),
    ("street_admin", "/community/C1/activities/"),
    ("community_admin", "/activities/{main}/attendance/"),
    ("community_admin", "/activities/{main}/code/"),
    ("community_admin", "/activities/{main}/projector/"),
    ("community_admin", FLAGS),
    ("district_admin", FLAGS),
    ("community_admin", POINTS),
    ("street_admin", POINTS + "?year=2025"),
]


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_it_keeps_the_number_of_queries_flat(as_user, w, django_assert_max_num_queries, role, url):
    client = as_user(w.users[role])
    main = activity(w, title="主活动", places=3)
    url = url.format(main=main.pk)
    grow(w, main, 0, 2)
    client.get(url)  # warm up
    few = queries(client, url)
    grow(w, main, 2, 6)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"


ASSET_PAGES = [
    *PAGES,
    ("community_admin", "/activities/new/?community=C1"),
    ("community_admin", "/activities/{past}/attendance/"),
]


@pytest.mark.parametrize(("role", "url"), ASSET_PAGES)
def test_it_uses_only_local_assets_no_inline_code_and_labels_every_input(as_user, w, role, url):
    client = as_user(w.users[role])
    main = activity(w, title="主活动", places=3)
    grow(w, main, 0, 1)
    past = Activity.objects.get(title="活动0")
    html = client.get(url.format(main=main.pk, past=past.pk)).text
    assert '<link rel="stylesheet" href="/static/web/site.css">' in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert "<script" not in html and " style=" not in html and "<style" not in html
    ids = set(re.findall(r'<label for="([^"]+)"', html))
    all_ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(all_ids) == len(set(all_ids)), f"repeated ids on {url}"
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        field_id = re.search(r'id="([^"]+)"', tag)
        assert field_id and field_id.group(1) in ids, f"unlabelled {tag} on {url}"
