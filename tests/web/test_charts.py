"""Charts: ECharts fetched at set-up time (scripts/fetch_assets.py) and served by the application itself;
web/charts.js draws the coverage page's chart from the page's JSON data island, and does nothing (throws
nothing) when something is missing."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import re
import shutil
import subprocess
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
CHARTS_JS = ROOT / "baodao" / "web" / "static" / "web" / "charts.js"


def load_fetcher():
    spec = importlib.util.spec_from_file_location("fetch_assets", ROOT / "scripts" / "fetch_assets.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fetcher = load_fetcher()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def chart_data(html: str) -> dict:
    island = re.search(r'<script id="coverage-chart" type="application/json">(.*?)</script>', html, re.S)
    assert island, "no data island"
    return json.loads(island.group(1))


# ---- the fetched library, served by the application ----


def test_set_up_fetched_echarts_intact():
    assert fetcher.intact(fetcher.DEST), "run `make install` (scripts/fetch_assets.py) first"
    assert fetcher.VERSION.split(".")[0] in {"5", "6"}
    assert (
        (fetcher.DEST / "LICENSE").read_text().startswith("\n                                 Apache License")
    )
    # only the build and its licence files: nothing else of the package
    assert sorted(p.name for p in fetcher.DEST.iterdir()) == ["LICENSE", "NOTICE", "echarts.min.js"]


@pytest.mark.parametrize("path", ["/static/vendor/echarts/echarts.min.js", "/static/web/charts.js"])
def test_the_application_serves_the_scripts(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r["Content-Type"].split(";")[0] in {"text/javascript", "application/javascript"}
    if "echarts" in path:
        assert hashlib.sha256(body(r)).hexdigest() == fetcher.FILES["package/dist/echarts.min.js"][1]
    else:
        assert b"echarts.init" in body(r)


# ---- the coverage page: data island and scripts ----


@pytest.fixture
def registered_some(w):
    """区税务局 (U1): 1 of 1 registered; 区人民医院 (U2): 1 of 3. 幸福社区: 2 of the 3 living there;
    和平社区: 0 of 1."""
    admin = w.users["community_admin"]
    factories.registered(w.members["member"], w.r("C1"), by=admin)
    factories.registered(factories.member(w.units["U2"], community=w.r("C1")), w.r("C1"), by=admin)
    factories.member(w.units["U2"], community=w.r("C1"))


def test_anonymous_visitors_get_no_chart_data(client, w):
    r = client.get("/coverage/S1/")
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize(
    "role,code",
    [("street_admin", "S2"), ("district_admin", "D2"), ("community_admin", "S1"), ("unit_admin", "S1")],
)
def test_out_of_scope_or_not_allowed_is_404(as_user, w, role, code):
    r = as_user(w.users[role]).get(f"/coverage/{code}/")
    assert r.status_code == 404
    assert "coverage-chart" not in r.text


def test_the_page_carries_the_rates_in_its_data_island_and_loads_the_scripts(as_user, w, registered_some):
    html = as_user(w.users["street_admin"]).get("/coverage/S1/").text
    assert chart_data(html) == {
        "labels": ["区人民医院", "区税务局"],
        "values": [33.3, 100.0],
        "below": [True, False],
        "max": 100,
        "suffix": "%",
        "mark": {"value": 90.0, "label": "达标线 90%"},
        "name": "报到率",
    }
    head = html.split("</head>", 1)[0]
    assert re.findall(r"<script [^>]*>", head) == [
        '<script src="/static/vendor/echarts/echarts.min.js" defer>',
        '<script src="/static/web/charts.js" defer>',
    ]
    assert (
        '<div class="chart" data-chart="bar" data-chart-source="coverage-chart" aria-hidden="true"></div>'
        in html
    )
    assert html.index('data-chart="bar"') < html.index("<table")  # the table stays, after the picture


def test_by_community_the_chart_follows_the_communities(as_user, w, registered_some):
    data = chart_data(as_user(w.users["street_admin"]).get("/coverage/S1/?by=community").text)
    assert data["labels"] == ["和平社区", "幸福社区"]
    assert data["values"] == [0.0, 66.7]
    assert data["below"] == [True, True]


def test_the_mark_is_the_district_threshold_in_force(as_user, w, registered_some):
    from baodao.policy.models import Policy

    Policy.objects.create(
        district=w.r("D1"),
        effective_from=timezone.localdate() - timedelta(days=1),
        coverage_threshold="0.300",
    )
    data = chart_data(as_user(w.users["district_admin"]).get("/coverage/D1/").text)
    assert data["mark"] == {"value": 30.0, "label": "达标线 30%"}
    assert data["labels"] == ["区人民医院", "区税务局", "区实验中学"]  # U3 (in S2): nobody on record, no rate
    assert data["values"] == [33.3, 100.0, None]
    assert data["below"] == [False, False, False]


def test_the_chart_shows_the_rows_of_the_table_page(as_user, w):
    for i in range(51):
        factories.unit(f"UX{i:02}", w.r("S1"), f"单位{i:02}")
    client = as_user(w.users["street_admin"])
    first = chart_data(client.get("/coverage/S1/").text)
    second = chart_data(client.get("/coverage/S1/?page=2").text)
    assert len(first["labels"]) == 50
    assert len(first["labels"]) + len(second["labels"]) == 53
    assert not set(first["labels"]) & set(second["labels"])
    # a bad page number or statistic gives the nearest page and the default, not an error
    assert chart_data(client.get("/coverage/S1/?page=x&by=nope").text) == first


def test_no_rows_no_chart_and_no_scripts(as_user, w):
    street = factories.region("S9", "空街道", w.r("D1"))
    html = as_user(w.users["district_admin"]).get(f"/coverage/{street.code}/").text
    assert "<script" not in html and 'data-chart="bar"' not in html


# ---- web/charts.js, run by Node with a stand-in document and ECharts ----

HARNESS = r"""
const fs = require("fs");
const scenario = JSON.parse(process.argv[2]);
const calls = [];
function element(attrs) {
  return {attrs, style: {}, getAttribute(name) { return name in this.attrs ? this.attrs[name] : null; }};
}
const charts = scenario.charts.map(element);
const sources = {};
for (const [id, text] of Object.entries(scenario.sources)) sources[id] = {textContent: text};
globalThis.window = globalThis;
globalThis.document = {
  readyState: "complete",
  documentElement: {},
  querySelectorAll() { return charts; },
  getElementById(id) { return sources[id] || null; },
};
globalThis.getComputedStyle = () => ({getPropertyValue: (n) => (n === "--bad" ? " #bad " : "")});
globalThis.requestAnimationFrame = (f) => f();
const listeners = {};
globalThis.addEventListener = (name, f) => { listeners[name] = f; };
if (scenario.echarts) {
  globalThis.echarts = {
    init(el, theme, opts) {
      const chart = {
        setOption(option) {
          if (scenario.echarts === "broken") throw new Error("broken");
          calls.push({renderer: opts.renderer, option, height: el.style.height});
        },
        resize() { calls.push("resize"); },
        dispose() { calls.push("dispose"); },
      };
      return chart;
    },
  };
}
eval(fs.readFileSync(process.argv[1], "utf8"));
if (listeners.resize) listeners.resize();
const replacer = (k, v) => (typeof v === "function" ? "<function>" : v);
process.stdout.write(JSON.stringify({calls, styles: charts.map((c) => c.style)}, replacer));
"""

GOOD = {
    "labels": ["区人民医院", "区税务局"],
    "values": [33.3, None],
    "below": [True, False],
    "max": 100,
    "suffix": "%",
    "mark": {"value": 90.0, "label": "达标线 90%"},
    "name": "报到率",
}
CHART = {"data-chart": "bar", "data-chart-source": "d"}


def run_charts_js(*, charts, sources, echarts=True):
    node = shutil.which("node")
    if node is None:
        pytest.fail("no node: set-up needs Node.js and npm (scripts/fetch_assets.py)", pytrace=False)
    scenario = json.dumps({"charts": charts, "sources": sources, "echarts": echarts})
    # A fixed script of this file and our own static file, no shell.
    result = subprocess.run(
        [node, "-e", HARNESS, str(CHARTS_JS), scenario], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_charts_js_draws_a_horizontal_bar_chart_with_the_threshold_line():
    out = run_charts_js(charts=[CHART], sources={"d": json.dumps(GOOD)})
    drawn, resized = out["calls"]
    assert resized == "resize"  # charts follow the window
    assert drawn["renderer"] == "svg"  # no inline style needed: fits the CSP
    assert drawn["height"] == "120px"  # 2 rows × 32 + 56
    option = drawn["option"]
    assert option["animation"] is False
    assert option["yAxis"]["type"] == "category" and option["yAxis"]["inverse"] is True
    assert option["yAxis"]["data"] == ["区人民医院", "区税务局"]
    assert option["xAxis"] == {
        "type": "value",
        "min": 0,
        "max": 100,
        "axisLabel": {"color": "#4a4a4a", "formatter": "{value}%"},
    }
    (series,) = option["series"]
    assert series["type"] == "bar"
    assert [item["value"] for item in series["data"]] == [33.3, None]
    assert [item["itemStyle"]["color"] for item in series["data"]] == ["#bad", "#1b5e20"]
    assert series["markLine"]["data"] == [{"xAxis": 90.0}]
    assert series["markLine"]["label"]["formatter"] == "达标线 90%"


@pytest.mark.parametrize(
    "charts,sources,echarts",
    [
        ([CHART], {}, True),  # the data island is missing
        ([{"data-chart": "bar", "data-chart-source": ""}], {"d": json.dumps(GOOD)}, True),  # no source named
        ([CHART], {"d": "{not json"}, True),  # bad data
        ([CHART], {"d": json.dumps({"labels": "x"})}, True),  # wrong shape
        ([CHART], {"d": json.dumps({**GOOD, "labels": [], "values": []})}, True),  # nothing to draw
        ([{**CHART, "data-chart": "pie"}], {"d": json.dumps(GOOD)}, True),  # a kind it does not know
        ([CHART], {"d": json.dumps(GOOD)}, False),  # ECharts did not load
        ([], {}, True),  # no chart on the page
    ],
)
def test_charts_js_fails_closed(charts, sources, echarts):
    out = run_charts_js(charts=charts, sources=sources, echarts=echarts)
    assert out["calls"] == []
    assert all("height" not in style for style in out["styles"])


def test_charts_js_cleans_up_when_echarts_throws():
    out = run_charts_js(charts=[CHART], sources={"d": json.dumps(GOOD)}, echarts="broken")
    assert out["calls"] == ["dispose"]
    assert out["styles"][0]["height"] == ""


# ---- scripts/fetch_assets.py ----


def fake_tarball(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """A package like the real one (with files that must not be kept), pinned by its own checksums."""
    files = {
        "package/dist/echarts.min.js": b"var echarts = {};",
        "package/LICENSE": b"Apache License",
        "package/NOTICE": b"Apache ECharts",
        "package/dist/echarts.js": b"the unminified build",
        "package/package.json": b"{}",
    }
    tarball = fake_tarball(tmp_path / "echarts-0.0.0.tgz", files)
    monkeypatch.setattr(fetcher, "INTEGRITY", fetcher.integrity_of(tarball.read_bytes()))
    monkeypatch.setattr(
        fetcher,
        "FILES",
        {
            "package/dist/echarts.min.js": (
                "echarts.min.js",
                hashlib.sha256(files["package/dist/echarts.min.js"]).hexdigest(),
            ),
            "package/LICENSE": ("LICENSE", hashlib.sha256(b"Apache License").hexdigest()),
            "package/NOTICE": ("NOTICE", hashlib.sha256(b"Apache ECharts").hexdigest()),
        },
    )
    packs = []

    def pack(npm, spec, into):
        packs.append(spec)
        return tarball

    monkeypatch.setattr(fetcher, "npm_pack", pack)
    monkeypatch.setattr(fetcher.shutil, "which", lambda name: "/npm")
    return packs


def test_fetch_keeps_only_the_pinned_files_and_then_skips(tmp_path, fake_package):
    dest = tmp_path / "vendor" / "echarts"
    assert fetcher.fetch(dest) is True
    assert fake_package == [f"echarts@{fetcher.VERSION}"]
    assert sorted(p.name for p in dest.iterdir()) == ["LICENSE", "NOTICE", "echarts.min.js"]
    assert (dest / "echarts.min.js").read_bytes() == b"var echarts = {};"
    assert fetcher.fetch(dest) is False  # already there and intact: npm is not asked again
    assert len(fake_package) == 1
    (dest / "echarts.min.js").write_bytes(b"tampered")
    assert fetcher.fetch(dest) is True and len(fake_package) == 2
    assert (dest / "echarts.min.js").read_bytes() == b"var echarts = {};"


def test_fetch_refuses_a_tarball_with_another_integrity(tmp_path, fake_package, monkeypatch):
    monkeypatch.setattr(fetcher, "INTEGRITY", "sha512-" + "A" * 86 + "==")
    dest = tmp_path / "vendor"
    with pytest.raises(fetcher.FetchError, match="完整性校验失败"):
        fetcher.fetch(dest)
    assert not dest.exists()  # nothing extracted


def test_fetch_refuses_a_file_with_another_checksum(tmp_path, fake_package, monkeypatch):
    files = dict(fetcher.FILES)
    files["package/LICENSE"] = ("LICENSE", "0" * 64)
    monkeypatch.setattr(fetcher, "FILES", files)
    dest = tmp_path / "vendor"
    with pytest.raises(fetcher.FetchError, match="LICENSE 的校验和不符"):
        fetcher.fetch(dest)
    assert not dest.exists()


def test_without_npm_it_says_so_in_chinese_and_exits_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fetcher, "DEST", tmp_path / "vendor")
    monkeypatch.setattr(fetcher.shutil, "which", lambda name: None)
    assert fetcher.main() == 1
    out = capsys.readouterr().out
    assert "没有找到 npm" in out and "请先安装 Node.js 与 npm" in out


def test_a_failing_npm_is_reported(tmp_path, monkeypatch):
    script = tmp_path / "npm"
    script.write_text("#!/bin/sh\necho 'npm error 404 Not Found' >&2\nexit 1\n")
    script.chmod(0o755)
    with pytest.raises(fetcher.FetchError, match=r"npm pack echarts@.* 失败（退出码 1）[\s\S]*404 Not Found"):
        fetcher.npm_pack(str(script), f"echarts@{fetcher.VERSION}", tmp_path)
