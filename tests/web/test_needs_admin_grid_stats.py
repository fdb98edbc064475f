"""The grid worker's list of the grid's needs, and the street's and district's 需求办理统计."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.needs.models import Need
from baodao.needs.services import need_close, need_escalate
from tests.web.needs_admin_data import ledger

GRID = "/grid/C1G1/needs/"
STATS = "/needs/stats/S1/"


@pytest.fixture
def needs(w):
    return ledger(w)


def titles(html: str) -> list[str]:
    return re.findall(r'<td data-label="标题"><a href="/needs/\d+/">([^<]+)</a>', html)


# ---- the grid -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [GRID, STATS])
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize(
    "role", ["other_community_admin", "far_community_admin", "unit_admin", "member", "resident"]
)
def test_the_grid_is_not_found_outside_it(as_user, w, role):
    assert as_user(w.users[role]).get(GRID).status_code == 404


def test_a_grid_worker_sees_only_its_own_grid(as_user, w):
    client = as_user(w.users["grid_worker"])
    assert client.get("/grid/C1G2/needs/").status_code == 404
    assert client.get("/grid/C1/needs/").status_code == 404  # a community is not a grid


@pytest.mark.parametrize("role", ["grid_worker", "community_admin", "street_admin"])
def test_it_lists_the_grids_needs_open_first_and_overdue_on_top(as_user, w, needs, role):
    html = as_user(w.users[role]).get(GRID).text
    found = titles(html)
    assert set(found) == {"修水龙头", "小区积水", "陪老人就医", "辅导孩子功课", "噪音扰民"}
    assert found[0] == "小区积水"
    assert set(found[3:]) == {"修水龙头", "噪音扰民"}  # finished after the open ones
    late = next(r for r in html.split("<tr") if "小区积水" in r)
    assert 'class="overdue-row"' in late and "已超时" in late
    assert "代办" in next(r for r in html.split("<tr") if "陪老人就医" in r)


def test_it_offers_to_submit_for_a_resident(as_user, w, needs):
    html = as_user(w.users["grid_worker"]).get(GRID).text
    assert '<a class="button" href="/needs/new/?grid=C1G1">代居民提交</a>' in html


def test_the_grid_members_page_links_to_the_grids_needs(as_user, w):
    html = as_user(w.users["grid_worker"]).get("/grid/C1G1/members/").text
    assert 'href="/grid/C1G1/needs/"' in html


def test_an_empty_grid_says_so(as_user, w):
    assert "本网格还没有需求。" in as_user(w.users["grid_worker"]).get(GRID).text


# ---- street and district ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("community_admin", STATS),
        ("grid_worker", STATS),
        ("unit_admin", STATS),
        ("member", STATS),
        ("community_admin", "/needs/stats/C1/"),
        ("street_admin", "/needs/stats/D1/"),
        ("street_admin", "/needs/stats/S2/"),
        ("far_community_admin", "/needs/stats/D2/"),
        ("district_admin", "/needs/stats/D2/"),
        ("district_admin", "/needs/stats/NOPE/"),
    ],
)
def test_the_stats_are_not_found_outside_the_callers_street_or_district(as_user, w, role, url):
    assert as_user(w.users[role]).get(url).status_code == 404


def community_row(html: str, name: str) -> str:
    return next(r for r in html.split("<tr") if f">{name}</a>" in r)


def test_the_street_sees_each_community_worst_first(as_user, w, needs):
    html = as_user(w.users["street_admin"]).get(STATS).text
    c1 = community_row(html, "幸福社区")
    cells = re.findall(r'class="num">([^<]*)<', c1)
    assert cells[:3] == ["6", "1", "4"]  # received, closed, backlog
    assert "100%" in c1 and "5.00 星" in c1 and "1 件超时" in c1 and 'class="overdue-row"' in c1
    assert 'href="/community/C1/needs/?overdue=on"' in c1
    c2 = community_row(html, "和平社区")
    assert re.findall(r'class="num">([^<]*)<', c2)[:3] == ["0", "0", "0"]
    assert html.index(">幸福社区</a>") < html.index(">和平社区</a>")  # a rate first, none after
    assert '收到<br><span class="figure">6</span> 件' in html
    assert '超时<br><span class="figure bad">1</span> 件' in html


def test_a_terminated_need_is_not_closed_on_time(as_user, w, needs):
    need_close(actor=w.users["community_admin"], need=needs.tutoring, reason="居民已搬走")
    html = as_user(w.users["street_admin"]).get(STATS).text
    c1 = community_row(html, "幸福社区")
    assert re.findall(r'class="num">([^<]*)<', c1)[:3] == ["6", "1", "3"]  # received, closed, backlog
    assert "100%" in c1  # still the one need confirmed in time, out of one closed


def test_a_reminder_to_confirm_is_not_an_escalation(as_user, w, needs):
    Need.objects.filter(pk=needs.escort.pk).update(resolve_by=timezone.now() - timedelta(hours=1))
    need_escalate(need_id=needs.escort.pk)  # reported done: the resident is reminded, the street is not told
    html = as_user(w.users["street_admin"]).get(STATS).text
    escalated = html[html.index('id="escalated-title"') :]
    assert "陪老人就医" not in escalated and "小区积水" in escalated


def test_the_street_sees_the_escalated_needs_still_open(as_user, w, needs):
    html = as_user(w.users["street_admin"]).get(STATS).text
    escalated = html[html.index('id="escalated-title"') :]
    assert f'href="/needs/{needs.late.pk}/">小区积水</a>' in escalated
    assert "幸福社区 · 网格C1G1" in escalated and "已超时" in escalated
    assert "楼道灯坏了" not in escalated


def test_the_period_counts_the_needs_that_came_in_then(as_user, w, needs):
    client = as_user(w.users["street_admin"])
    today = timezone.localdate()
    html = client.get(STATS, {"since": (today + timedelta(days=1)).isoformat()}).text
    assert re.findall(r'class="num">([^<]*)<', community_row(html, "幸福社区"))[:3] == ["0", "0", "0"]
    html = client.get(STATS, {"until": (today - timedelta(days=1)).isoformat()}).text
    assert re.findall(r'class="num">([^<]*)<', community_row(html, "幸福社区"))[:3] == ["1", "0", "1"]
    html = client.get(STATS, {"since": today.isoformat(), "until": today.isoformat()}).text
    assert re.findall(r'class="num">([^<]*)<', community_row(html, "幸福社区"))[:3] == ["5", "1", "3"]
    assert (
        "截止日期不能早于起始日期。" in client.get(STATS, {"since": "2026-02-02", "until": "2026-02-01"}).text
    )


def test_the_district_sees_its_streets_and_every_community(as_user, w, needs):
    html = as_user(w.users["district_admin"]).get("/needs/stats/D1/").text
    assert 'href="/needs/stats/S1/"' in html and 'href="/needs/stats/S2/"' in html
    assert ">江景社区</a>" in html and ">幸福社区</a>" in html
    street = as_user(w.users["district_admin"]).get(STATS).text
    assert 'href="/needs/stats/D1/"' in street  # back up to the district


def test_the_coverage_page_links_to_the_stats(as_user, w):
    assert 'href="/needs/stats/S1/"' in as_user(w.users["street_admin"]).get("/coverage/S1/").text
