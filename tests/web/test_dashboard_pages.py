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


def test_the_coverage_link_only_where_the_coverage_page_answers(w, as_user):
    coverage = reverse("web:coverage", args=["C1"])
    admin = as_user(w.users["district_admin"])
    assert coverage not in admin.get(URL, {"region": "C1"}).content.decode()
    assert coverage not in admin.get(URL, {"region": "C1G1"}).content.decode()
    district = reverse("web:coverage", args=["D1"])
    assert district in admin.get(URL, {"region": "D1"}).content.decode()
    assert admin.get(district).status_code == 200
    street = reverse("web:coverage", args=["S1"])
    assert street in as_user(w.users["street_admin"]).get(URL, {"region": "S1"}).content.decode()
    community = as_user(w.users["community_admin"]).get(URL, {"region": "C1"}).content.decode()
    assert "/coverage/" not in community


def test_the_400_page_gives_the_period_form_back(w, as_user):
    answer = as_user(w.users["district_admin"]).get(URL, {"region": "S1", "period": "2026Q9"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert '<select id="period" name="period">' in html
    assert '<input type="hidden" name="region" value="S1">' in html


CLICK_HARNESS = r"""
const fs = require("fs");
const links = JSON.parse(process.argv[2]);
const opened = [];
const handlers = [];
const chart = {attrs: {"data-chart": "bar", "data-chart-source": "d"}, style: {},
  getAttribute(name) { return name in this.attrs ? this.attrs[name] : null; }};
const source = {textContent: JSON.stringify({labels: links.map(String), values: links.map(() => 1), links})};
globalThis.window = globalThis;
globalThis.location = {assign(url) { opened.push(url); }};
globalThis.document = {readyState: "complete", documentElement: {},
  querySelectorAll() { return [chart]; }, getElementById() { return source; }};
globalThis.getComputedStyle = () => ({getPropertyValue: () => ""});
globalThis.requestAnimationFrame = (f) => f();
globalThis.addEventListener = () => {};
globalThis.echarts = {init() { return {setOption() {}, resize() {}, dispose() {},
  on(name, f) { handlers.push(f); }}; }};
eval(fs.readFileSync(process.argv[1], "utf8"));
links.forEach((_, i) => handlers.forEach((f) => f({dataIndex: i})));
process.stdout.write(JSON.stringify(opened));
"""


def test_a_click_on_a_bar_opens_only_a_path_of_this_site():
    import shutil
    import subprocess

    from tests.web.test_charts import CHARTS_JS

    node = shutil.which("node")
    if node is None:
        pytest.fail("no node", pytrace=False)
    links = ["/dashboard/?region=S1", "//evil.example/", "/\\evil.example/", "https://evil.example/", "/x"]
    result = subprocess.run(
        [node, "-e", CLICK_HARNESS, str(CHARTS_JS), json.dumps(links)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["/dashboard/?region=S1", "/x"]


def test_the_row_of_what_lies_in_no_child_opens_nothing(w, as_user):
    from tests import factories
    from tests.stats.helpers import at, enrol, serve

    direct = factories.member(w.units["U1"], community=w.r("C1"), name="无网格")
    enrol(w, direct)
    serve(w, direct, at(2026, 7, 8), path=w.r("C1").path)
    html = as_user(w.users["district_admin"]).get(URL, {"region": "C1", "period": "2026Q3"}).content.decode()
    assert '<th scope="row" data-label="区域">未划分网格/直属</th>' in html
    assert "?region=&amp;" not in html
    assert island(html, "children-chart")["links"][-1] == ""
