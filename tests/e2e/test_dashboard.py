"""The dashboard in a real browser, under the site's Content Security Policy: the bar chart of the children
and the line chart of the trend draw, a click on a street's bar drills down to that street's dashboard, and
the browser reports no violation and no script error."""

import pytest

from tests import factories
from tests.stats.helpers import crafted

pytestmark = pytest.mark.e2e


def test_the_district_drills_down_to_a_street_by_its_bar(live_server, phone, tmp_path):
    from playwright.sync_api import expect

    w = factories.world()
    crafted(w)  # 2026Q3: three services in 大塘街道 (S1), none in 江边街道 (S2)
    url = live_server.url
    page = phone()
    problems: list[str] = []
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
    page.get_by_label("手机号").fill(w.users["district_admin"].phone)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    page.goto(f"{url}/dashboard/?region=D1&period=2026Q3")

    bars = page.locator('[data-chart="bar"][data-chart-source="children-chart"]')
    trend = page.locator('[data-chart="line"][data-chart-source="trend-chart"]')
    for chart in (bars, trend):
        expect(chart).to_have_attribute("aria-hidden", "true")
        expect(chart.locator("svg").first).to_be_visible()
    expect(bars.locator("svg")).to_contain_text("大塘街道")
    expect(trend.locator("svg")).to_contain_text("服务次数")
    page.screenshot(path=tmp_path / "dashboard-district.png", full_page=True)

    # the middle of 大塘街道's bar (the first row), where ECharts itself puts it
    bars.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """() => {
            const element = document.querySelector('[data-chart-source="children-chart"]');
            const chart = window.echarts.getInstanceByDom(element);
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, [1.5, 0]);
            const box = element.getBoundingClientRect();
            return [box.left + x, box.top + y];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/dashboard/?region=S1&period=2026Q3")
    expect(page.get_by_role("heading", level=1)).to_contain_text("大塘街道")
    expect(page.locator('[data-chart-source="children-chart"] svg')).to_contain_text("幸福社区")
    assert problems == []
