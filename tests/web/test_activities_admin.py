"""The community's activities, a new activity (the community's or a co-building unit's), and the rotating
check-in code on the organiser's screen and on a projector."""

import re
from datetime import timedelta

import pytest
import segno
from django.utils import timezone

from baodao.activities.codes import CODE_PERIOD, code_accepted
from baodao.activities.models import Activity, Status
from baodao.activities.services import activity_cancel
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests.web.activities_admin_data import activity, ended, members, signed_up

pytestmark = pytest.mark.django_db

LIST = "/community/C1/activities/"
NEW = "/activities/new/?community=C1"


def code_url(act):
    return f"/activities/{act.pk}/code/"


def projector_url(act):
    return f"/activities/{act.pk}/projector/"


def co_building(w, unit="U1", community="C1"):
    agreement = unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units[unit], community=w.r(community), commitments="共建"
    )
    unit_registration_confirm(actor=w.users["community_admin"], unit_registration=agreement)


def form_data(**changes):
    start = timezone.localtime() + timedelta(days=2)
    data = {
        "title": "敬老院义务理发",
        "category": "elderly",
        "description": "带上理发工具",
        "grid": "C1G1",
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": start.strftime("%Y-%m-%dT11:30"),
        "location": "社区敬老院",
        "lat": "30.5728",
        "lng": "114.2793",
        "radius_m": "200",
        "places": "6",
        "skills": ["assistance"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ---- anonymous ---------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client, w):
    act = activity(w)
    for url in (LIST, NEW, code_url(act), projector_url(act)):
        r = client.get(url)
        assert r.status_code == 302 and r.url.startswith("/login/"), url
    r = client.post(NEW, form_data())
    assert r.status_code == 302 and r.url.startswith("/login/")
    assert Activity.objects.count() == 1


# ---- the community's list --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["other_community_admin", "far_community_admin", "grid_worker", "member", "unit_admin", "resident"],
)
def test_the_list_is_not_found_outside_the_community(as_user, w, role):
    assert as_user(w.users[role]).get(LIST).status_code == 404


def test_it_lists_upcoming_activities_first_then_the_past_ones(as_user, w):
    people = members(w, 4)
    soon = activity(w, title="明天的活动", in_hours=24, places=2)
    later = activity(w, title="下周的活动", in_hours=24 * 7)
    signed_up(soon, *people)  # two places, two in line
    yesterday = ended(w, people[:1], title="昨天的活动", days_ago=1)
    last_month = ended(w, [], title="上个月的活动", days_ago=30)
    called_off = activity(w, title="取消的活动", in_hours=48)
    activity_cancel(actor=w.users["community_admin"], activity=called_off, reason="下雨")

    html = as_user(w.users["community_admin"]).get(LIST).text

    titles = re.findall(r'<a href="/activities/\d+/">([^<]+)</a>', html)
    assert titles == ["明天的活动", "取消的活动", "下周的活动", "昨天的活动", "上个月的活动"]
    row = next(r for r in html.split("<tr") if "明天的活动" in r)
    assert "2/2" in row and "已满" in row and 'data-label="候补" class="num">2<' in row
    assert "报名中" in row and f'href="/activities/{soon.pk}/code/"' in row
    assert f'href="/activities/{soon.pk}/attendance/"' in row
    assert "待结束确认" in next(r for r in html.split("<tr") if "昨天的活动" in r)
    assert "已取消" in next(r for r in html.split("<tr") if "取消的活动" in r)
    # past activities have no code to show, but their attendance sheet
    past_row = next(r for r in html.split("<tr") if "上个月的活动" in r)
    assert "/code/" not in past_row and f"/activities/{last_month.pk}/attendance/" in past_row
    assert 'href="/activities/new/?community=C1"' in html
    assert later and yesterday


@pytest.mark.parametrize("role", ["street_admin", "district_admin"])
def test_street_and_district_see_the_list_without_organising(as_user, w, role):
    act = activity(w)
    html = as_user(w.users[role]).get(LIST).text
    assert act.title in html
    assert "/activities/new/" not in html and "/code/" not in html and "/attendance/" not in html


def test_the_community_tabs_lead_to_the_activity_pages(as_user, w):
    html = as_user(w.users["community_admin"]).get("/community/C1/records/").text
    for href, label in (
        ("/community/C1/activities/", "志愿活动"),
        ("/community/C1/flags/", "出勤核查"),
        ("/community/C1/points/", "积分排行"),
    ):
        assert f'<a href="{href}">{label}</a>' in html
    assert (
        '<a href="/community/C1/activities/" aria-current="page">'
        in as_user(w.users["community_admin"]).get(LIST).text
    )


# ---- a new activity ------------------------------------------------------------------------------


def test_the_community_publishes_an_activity(as_user, w):
    client = as_user(w.users["community_admin"])
    page = client.get(NEW)
    assert page.status_code == 200 and 'name="starts_at"' in page.text and "网格C1G1" in page.text

    r = client.post(NEW, form_data())

    act = Activity.objects.get()
    assert r.status_code == 302 and r.url == f"/activities/{act.pk}/"
    assert (act.title, act.category, act.community, act.grid, act.organiser_unit) == (
        "敬老院义务理发",
        "elderly",
        w.r("C1"),
        w.r("C1G1"),
        None,
    )
    assert (act.places, act.radius_m, act.skills, act.status) == (6, 200, ["assistance"], Status.PUBLISHED)
    assert timezone.localtime(act.starts_at).strftime("%H:%M") == "09:00"
    assert act.duration == timedelta(hours=2, minutes=30)


def test_a_co_building_unit_publishes_in_its_community(as_user, w):
    co_building(w)
    client = as_user(w.users["unit_admin"])
    url = "/activities/new/?unit=U1&community=C1"
    assert "以区税务局的名义在幸福社区组织" in client.get(url).text

    r = client.post(url, form_data(grid=""))

    act = Activity.objects.get()
    assert r.url == f"/activities/{act.pk}/"
    assert (act.organiser_unit, act.community, act.grid) == (w.units["U1"], w.r("C1"), None)


def test_a_unit_without_an_agreement_with_the_community_is_refused(as_user, w):
    r = as_user(w.users["unit_admin"]).post("/activities/new/?unit=U1&community=C1", form_data())
    assert r.status_code == 403 and "已共建报到" in r.text
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "role", ["member", "resident", "grid_worker", "street_admin", "other_community_admin"]
)
def test_only_the_communitys_admins_publish(as_user, w, role):
    client = as_user(w.users[role])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/activities/new/",
        "/activities/new/?community=NOPE",
        "/activities/new/?community=C1G1",
        "/activities/new/?unit=U2&community=C1",
    ],
)
def test_unknown_places_and_other_units_are_not_found(as_user, w, url):
    assert as_user(w.users["unit_admin"]).get(url).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "该字段是必填项"),
        (
            {"ends_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT08:00")},
            "ends_at",
            "结束时间须晚于开始时间",
        ),
        ({"lat": "", "lng": ""}, "radius_m", "经纬度"),
        ({"places": "0"}, "places", "1"),
    ],
)
def test_it_shows_what_is_wrong_and_creates_nothing(as_user, w, changes, field, message):
    r = as_user(w.users["community_admin"]).post(NEW, form_data(**changes))
    assert r.status_code == 200
    assert message in r.text
    assert f'name="{field}"' in r.text and 'aria-invalid="true"' in r.text
    assert not Activity.objects.exists()


# ---- the check-in code -----------------------------------------------------------------------------


def shown_code(html):
    found = re.search(r'data-checkin-code="(\d{6})"', html)
    assert found, "no check-in code on the page"
    return found.group(1)


@pytest.mark.parametrize("url", [code_url, projector_url])
def test_the_organiser_sees_a_code_that_is_accepted_and_its_qr(as_user, w, url):
    act = activity(w, in_hours=0.25)
    before = timezone.now()

    r = as_user(w.users["community_admin"]).get(url(act))

    assert r.status_code == 200
    code = shown_code(r.text)
    assert code_accepted(act.pk, act.secret, code, timezone.now())
    assert code_accepted(act.pk, act.secret, code, before + timedelta(seconds=CODE_PERIOD))
    # the QR code is inline SVG of the absolute check-in address with the code filled in
    checkin = f"http://testserver/activities/{act.pk}/checkin/?code={code}"
    expected = segno.make(checkin, error="m").svg_inline(scale=1, lineclass=None, omitsize=True)
    dark = re.search(r'<path stroke="#000" d="([^"]+)"', expected).group(1)
    assert '<svg role="img"' in r.text and 'class="qr"' in r.text and dark in r.text
    # it reloads itself when the code changes (and at least every 15 s), and is never cached
    refresh = re.search(r'<meta http-equiv="refresh" content="(\d+)">', r.text)
    assert refresh and 1 <= int(refresh.group(1)) <= 15
    assert "no-store" in r["Cache-Control"]
    assert "<script" not in r.text and " style=" not in r.text


def test_the_code_page_says_when_the_code_changes_and_links_the_projector(as_user, w):
    act = activity(w)
    html = as_user(w.users["community_admin"]).get(code_url(act)).text
    assert "更换新码" in html and re.search(r"\d\d:\d\d:\d\d 更换新码", html)
    assert f'href="/activities/{act.pk}/projector/"' in html
    assert f"http://testserver/activities/{act.pk}/checkin/?code=" in html


@pytest.mark.parametrize("url", [code_url, projector_url])
def test_the_qr_code_leads_to_the_public_address_when_there_is_one(as_user, w, url, settings):
    settings.PUBLIC_BASE_URL = "https://baodao.example.gov.cn"
    act = activity(w)
    html = as_user(w.users["community_admin"]).get(url(act)).text
    checkin = f"https://baodao.example.gov.cn/activities/{act.pk}/checkin/?code={shown_code(html)}"
    expected = segno.make(checkin, error="m").svg_inline(scale=1, lineclass=None, omitsize=True)
    assert re.search(r'<path stroke="#000" d="([^"]+)"', expected).group(1) in html
    assert "http://testserver/activities/" not in html


def test_the_projector_is_the_code_alone_full_screen(as_user, w):
    act = activity(w)
    html = as_user(w.users["community_admin"]).get(projector_url(act)).text
    assert '<body class="projector">' in html
    assert "site-header" not in html and "退出登录" not in html
    assert f'href="/activities/{act.pk}/code/"' in html


def test_a_units_activity_shows_its_code_to_the_unit_and_the_community(as_user, w, client):
    co_building(w)
    act = activity(w, by="unit_admin", organiser_unit=w.units["U1"])
    for role in ("unit_admin", "community_admin"):
        client.logout()
        assert shown_code(as_user(w.users[role]).get(code_url(act)).text)
    client.logout()
    assert as_user(w.users["other_unit_admin"]).get(code_url(act)).status_code == 404


@pytest.mark.parametrize("url", [code_url, projector_url])
@pytest.mark.parametrize("role", ["far_community_admin", "other_community_admin", "resident"])
def test_the_code_is_not_found_outside_the_community(as_user, w, url, role):
    assert as_user(w.users[role]).get(url(activity(w))).status_code == 404


@pytest.mark.parametrize("url", [code_url, projector_url])
def test_those_who_see_the_activity_but_do_not_organise_it_are_refused(as_user, w, client, url):
    (member,) = members(w, 1)
    act = activity(w)
    signed_up(act, member)
    for user in (member.user, w.users["street_admin"], w.users["district_admin"]):
        client.logout()
        r = as_user(user).get(url(act))
        assert r.status_code == 403 and "data-checkin-code" not in r.text


def test_an_activity_called_off_or_closed_shows_no_code(as_user, w):
    act = activity(w)
    activity_cancel(actor=w.users["community_admin"], activity=act, reason="下雨")
    for url in (code_url(act), projector_url(act)):
        html = as_user(w.users["community_admin"]).get(url).text
        assert "data-checkin-code" not in html and 'http-equiv="refresh"' not in html
        assert "不再签到" in html
