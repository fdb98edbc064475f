"""The coverage chart in a real browser, under the site's Content Security Policy: ECharts (served by the
application) draws into the chart's box, and the browser reports no violation and no script error."""

import pytest

from tests import factories

pytestmark = pytest.mark.e2e


def test_the_coverage_page_draws_its_chart_under_the_csp(live_server, phone, tmp_path):
    from playwright.sync_api import expect

    w = factories.world()
    admin = w.users["community_admin"]
    factories.registered(w.members["member"], w.r("C1"), by=admin)  # 区税务局: 1 of 1
    factories.registered(factories.member(w.units["U2"], community=w.r("C1")), w.r("C1"), by=admin)
    factories.member(w.units["U2"], community=w.r("C1"))  # 区人民医院: 1 of 3 (with 王芳)
    url = live_server.url
    page = phone()
    problems: list[str] = []
    # Script errors, CSP violations (reported on the console) and assets the server did not give.
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type in ("error", "warning") and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    page.goto(f"{url}/login/")
    page.get_by_label("手机号").fill(w.users["street_admin"].phone)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    page.goto(f"{url}/coverage/S1/")

    chart = page.locator('[data-chart="bar"][data-chart-source="coverage-chart"]')
    expect(chart).to_have_attribute("aria-hidden", "true")
    expect(chart.locator("svg, canvas").first).to_be_visible()
    # the rows of the table, worst first, their rates and the threshold line's label
    svg = chart.locator("svg")
    expect(svg).to_contain_text("达标线 90%")
    text = svg.text_content()
    assert text.index("区人民医院") < text.index("区税务局")
    assert "33.3%" in text and "100%" in text
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 60
    page.set_viewport_size({"width": 800, "height": 900})
    page.wait_for_timeout(300)
    assert chart.bounding_box()["width"] > box["width"]
    page.screenshot(path=tmp_path / "coverage-chart.png", full_page=True)
    assert problems == []
