"""A unit admin imports its roster in a real browser on a phone: upload → preview → 确认导入 → progress →
result, and the new members are on the unit's page.

The file is over the (lowered) sync limit, so its dry run and its import go to the task queue. The worker
is the real `db_worker` command, run in batch mode by the test itself at the moment it chooses: while the
worker is between two batches of rows, the test watches the page (which reloads itself) show how far it
has got. Running it here rather than in a thread or a second process keeps the test deterministic.
"""

import signal

import pytest
from django.core.management import call_command

from baodao.roster import tasks, validation
from tests import factories
from tests.e2e.test_handshake import sign_in
from tests.roster.conftest import row, xlsx

pytestmark = pytest.mark.e2e

ROWS = 12
BATCH = 4  # the worker reports progress every BATCH rows
WAIT = 15_000  # ms: the page reloads itself every 2 s


def work_watching(page, expect):
    """Run the queued task; at its first progress report, check that the page shows it."""
    real_progress = tasks.job_progress
    seen = []

    def progress_then_look(**kwargs):
        real_progress(**kwargs)
        if not seen and kwargs["done"] < ROWS:
            expect(page.locator(".progress-text")).to_have_text(
                f"已处理 {kwargs['done']} / {ROWS} 行", timeout=WAIT
            )
            expect(page.locator("progress")).to_have_attribute("value", str(kwargs["done"]))
            seen.append(kwargs["done"])

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    tasks.job_progress = progress_then_look
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    finally:
        tasks.job_progress = real_progress
        for s, handler in handlers.items():  # the worker installs its own
            signal.signal(s, handler)
    assert seen == [BATCH], "the page never showed the import half-way"


def test_a_unit_admin_imports_a_roster_that_runs_in_the_background(
    live_server, phone, settings, monkeypatch, tmp_path
):
    from playwright.sync_api import expect

    settings.ROSTER_SYNC_MAX_ROWS = 5
    monkeypatch.setattr(validation, "PROGRESS_EVERY", BATCH)
    w = factories.world()
    url = live_server.url
    roster = tmp_path / "税务局党员名册.xlsx"
    roster.write_bytes(
        xlsx([row(f"新党员{i:02d}", f"139000{i:05d}", branch="机关第一支部") for i in range(ROWS)])
    )

    page = phone()
    sign_in(page, url, w.users["unit_admin"].phone)
    page.goto(f"{url}/unit/U1/members/")
    page.get_by_role("link", name="党员名册导入", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("区税务局 · 党员名册导入")
    expect(page.get_by_role("link", name="下载导入模板")).to_have_attribute("href", "/roster/template/")

    page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(roster)
    expect(page.get_by_label("全部正确才导入（推荐）")).to_be_checked()
    page.get_by_role("button", name="上传并预检", exact=True).click()

    # The dry run waits for the worker: progress, and the page reloads itself.
    expect(page.get_by_role("heading", name="正在预检名册")).to_be_visible()
    expect(page.locator(".progress-text")).to_have_text(f"已处理 0 / {ROWS} 行")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(1)
    page.screenshot(path=tmp_path / "roster-queued.png", full_page=True)
    work_watching(page, expect)

    # The preview, once the page has reloaded by itself; then it stops reloading.
    expect(page.get_by_role("heading", name="预检结果")).to_be_visible(timeout=WAIT)
    expect(page.locator("#count-rows")).to_have_text(str(ROWS))
    expect(page.locator("#count-created")).to_have_text(str(ROWS))
    expect(page.locator("#count-invalid")).to_have_text("0")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    page.screenshot(path=tmp_path / "roster-preview.png", full_page=True)

    page.get_by_role("button", name="确认导入", exact=True).click()
    expect(page.get_by_role("heading", name="正在导入名册")).to_be_visible()
    work_watching(page, expect)

    expect(page.get_by_role("heading", name="导入结果")).to_be_visible(timeout=WAIT)
    expect(page.locator("#count-created")).to_have_text(str(ROWS))
    expect(page.locator(".alert.ok")).to_contain_text(f"新增 {ROWS}")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    expect(page.get_by_role("link", name="为新党员发放激活码")).to_be_visible()
    page.screenshot(path=tmp_path / "roster-result.png", full_page=True)

    page.get_by_role("link", name="查看本单位党员").click()
    expect(page).to_have_url(f"{url}/unit/U1/members/")
    expect(page.get_by_text("新党员00", exact=True)).to_be_visible()
    expect(page.get_by_text(f"新党员{ROWS - 1:02d}", exact=True)).to_be_visible()
