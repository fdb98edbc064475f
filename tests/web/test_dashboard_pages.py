"""The dashboard page: anonymous, out of scope, the figures and drill-down links, the charts' data islands."""

import json
import re

import pytest
from django.urls import reverse

from tests.stats.helpers import crafted

pytestmark = pytest.mark.django_db

URL = reverse("web:dashboard")


def test_anonymous_is_sent_to_sign_in(client):
    answer = client.get(URL)
    assert answer.status_code == 302
    assert "login" in answer["Location"]


def test_out_of_scope_is_404(w, as_user):
    assert as_user(w.users["community_admin"]).get(URL, {"region": "C2"}).status_code == 404
    assert as_user(w.users["unit_admin"]).get(URL, {"unit": "U2"}).status_code == 404
    assert as_user(w.users["member"]).get(URL).status_code == 404


def test_a_bad_period_is_400(w, as_user):
    answer = as_user(w.users["district_admin"]).get(URL, {"period": "2026Q9"})
    assert answer.status_code == 400
    assert "统计期格式不正确" in answer.content.decode()


def island(html, name):
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_the_district_page_shows_figures_children_and_trend(w, as_user):
    crafted(w)
    html = as_user(w.users["district_admin"]).get(URL, {"region": "D1", "period": "2026Q3"}).content.decode()
    assert "东湖区 · 数据看板" in html
    assert "66.7%" in html  # coverage 2 / 3
    drill = f'href="{URL}?region=S1&amp;period=2026Q3"'
    assert drill in html
    bars = island(html, "children-chart")
    assert bars["labels"] == ["大塘街道", "江边街道"]
    assert bars["values"] == [3, 0]
    assert bars["links"][0] == f"{URL}?region=S1&period=2026Q3"
    trend = island(html, "trend-chart")
    assert trend["labels"][-1] == "2026-09"
    assert trend["series"][0]["values"][-3:] == [2, 0, 1]
    assert 'data-chart="line"' in html
    assert "<script>" not in html.replace('<script id="children-chart" type="application/json">', "")


def test_a_street_admin_sees_the_way_up_only_within_its_scope(w, as_user):
    html = as_user(w.users["street_admin"]).get(URL, {"region": "C1"}).content.decode()
    assert f'href="{URL}?region=S1' in html
    top = as_user(w.users["street_admin"]).get(URL, {"region": "S1"}).content.decode()
    assert "?region=D1" not in top


def test_a_unit_page(w, as_user):
    page = as_user(w.users["unit_admin"]).get(URL, {"unit": "U1"})
    assert page.status_code == 200
    assert "区税务局 · 数据看板" in page.content.decode()


def test_the_tabs_and_the_coverage_page_link_here(w, as_user):
    community = as_user(w.users["community_admin"]).get(reverse("web:community_records", args=["C1"]))
    assert f"{URL}?region=C1" in community.content.decode()
    coverage = as_user(w.users["district_admin"]).get(reverse("web:coverage", args=["D1"]))
    assert f"{URL}?region=D1" in coverage.content.decode()
