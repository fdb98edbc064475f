"""A community finalises a quarter's appraisal in a real browser: its admin opens 考评 for the quarter that
has ended, runs the appraisal, gives one member the community's evaluation, finalises that one, then
finalises the rest at once (behind a confirmation) and sees the grades and the 优秀 quota; on a phone the
member then sees its grade and appeals."""

from datetime import timedelta
from decimal import Decimal

import pytest

from baodao.appraisals.models import Appraisal, Status
from baodao.ledger.models import Source
from baodao.ledger.services import record_write
from baodao.lib.periods import previous_quarter
from baodao.members.models import Member
from baodao.registration.models import Registration
from tests import factories
from tests.e2e.test_handshake import label, sign_in
from tests.e2e.test_needs_flow import no_sideways_scroll

pytestmark = pytest.mark.e2e

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def _history(w):
    """Four members registered in 幸福社区 through the last quarter, each served with residents' stars."""
    period = previous_quarter()
    members = [w.members["member"]] + [
        factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name=name)
        for name in ("赵六", "钱七", "孙八")
    ]
    for i, m in enumerate(members):
        reg = factories.registered(m, w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
        Registration.objects.filter(pk=reg.pk).update(decided_at=period.starts_at + timedelta(days=1))
        Member.objects.filter(pk=m.pk).update(created_at=period.starts_at - timedelta(days=400))
        record_write(
            source=Source.NEED,
            member=m,
            unit=None,
            community=w.r("C1"),
            path=w.r("C1").path,
            title="助老服务",
            category="elderly",
            hours=Decimal("2"),
            served_at=period.starts_at + timedelta(days=10 + i),
            verified_by=w.users["community_admin"],
            rating=5 - (i % 2),
        )
    return period


def test_a_community_finalises_the_quarter_and_the_member_appeals(
    live_server, browser, phone, settings, tmp_path
):
    from playwright.sync_api import expect

    w = factories.world()
    period = _history(w)
    url = live_server.url

    # the community admin, at a desk
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(15_000)
    admin = context.new_page()
    sign_in(admin, url, w.users["community_admin"].phone)
    admin.goto(f"{url}/community/C1/registrations/")
    admin.get_by_role("link", name="考评", exact=True).click()
    expect(admin).to_have_url(f"{url}/community/C1/appraisals/")
    expect(admin.get_by_label(label("考评期"))).to_have_value(period.code)
    expect(admin.get_by_text("这一期还没有考评")).to_be_visible()
    admin.get_by_role("button", name="发起考评").click()
    expect(admin.get_by_role("status")).to_contain_text("考评已完成计算，共 4 人。")
    expect(admin.locator("tbody tr")).to_have_count(4)
    expect(admin.get_by_text("优秀名额：已用 0 / 共 1 名")).to_be_visible()

    # the community's evaluation of one member, and its grade
    admin.get_by_role("link", name="李明").click()
    admin.get_by_label(label("得分")).fill("98")
    admin.get_by_label(label("评语")).fill("带头服务，群众认可")
    admin.get_by_role("button", name="提交评价").click()
    expect(admin.get_by_role("status")).to_contain_text("社区评价已提交。")
    expect(admin.locator("#evaluation-community")).to_contain_text("带头服务，群众认可")
    expect(admin.locator("#evaluation-community")).to_contain_text("社区书记")
    grade = admin.get_by_label(label("确定等次"))
    expect(grade.locator("option:checked")).to_have_text("优秀")
    admin.get_by_role("button", name="确定", exact=True).click()
    expect(admin.get_by_role("status")).to_contain_text("已确定李明的考评等次：优秀。")

    # the rest at once, behind a confirmation
    admin.get_by_role("link", name="« 幸福社区的考评").click()
    admin.get_by_text("一键确定", exact=True).click()
    confirm = admin.get_by_role("button", name="确认一键确定")
    confirm.click()  # not ticked: the browser keeps the form (the box is required)
    assert Appraisal.objects.filter(status=Status.OPEN).count() == 3
    admin.get_by_label("我已核对各党员的建议等次，确定全部评价中的考评").check()
    confirm.click()
    expect(admin.get_by_role("status")).to_contain_text("已确定 3 人的考评等次。")
    expect(admin.get_by_text("优秀名额：已用 1 / 共 1 名")).to_be_visible()
    rows = admin.locator("tbody tr")
    expect(rows.filter(has_text="已确定")).to_have_count(4)
    expect(rows.filter(has_text="李明").locator("strong")).to_have_text("优秀")
    assert not Appraisal.objects.filter(status=Status.OPEN).exists()
    assert Appraisal.objects.filter(grade_level=1).count() == 1
    admin.screenshot(path=tmp_path / "appraisals-finalised.png", full_page=True)
    context.close()

    # the member, on a phone
    mine = phone()
    sign_in(mine, url, w.users["member"].phone)
    mine.goto(f"{url}/me/")
    mine.get_by_role("link", name="我的考评").click()
    expect(mine.locator(".cards")).to_contain_text("等次：优秀")
    assert no_sideways_scroll(mine), "the member's appraisals scroll sideways"
    mine.get_by_role("link", name=period.label).click()
    expect(mine.locator(".grade strong")).to_have_text("优秀")
    assert no_sideways_scroll(mine), "the member's appraisal scrolls sideways"
    mine.get_by_label(label("申诉理由")).fill("希望核对服务时长")
    mine.get_by_role("button", name="提交申诉").click()
    expect(mine.get_by_role("status")).to_contain_text("申诉已提交")
    expect(mine.locator("#appeal-title")).to_have_count(0)
    expect(mine.get_by_text("希望核对服务时长")).to_be_visible()
    mine.screenshot(path=tmp_path / "appraisal-appealed.png", full_page=True)
    appraisal = Appraisal.objects.get(member=w.members["member"])
    assert (appraisal.status, appraisal.appeal_reason) == (Status.APPEALED, "希望核对服务时长")
