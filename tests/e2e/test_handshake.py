"""The 报到 handshake in a real browser on a phone: a member applies, the community admin confirms."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.e2e


def label(text):
    """A form label by its words, with or without a trailing colon."""
    return re.compile(rf"^{re.escape(text)}[:：]?$")


def sign_in(page, base_url, phone):
    page.goto(f"{base_url}/login/")
    page.get_by_label(label("手机号")).fill(phone)
    page.get_by_label(label("密码")).fill(factories.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_a_member_applies_and_the_community_admin_confirms(live_server, phone, tmp_path):
    from playwright.sync_api import expect

    w = factories.world()
    url = live_server.url
    member, admin = w.users["member"], w.users["community_admin"]

    mine = phone()
    sign_in(mine, url, member.phone)
    mine.goto(f"{url}/me/apply/")
    mine.get_by_label(label("社区")).select_option(label="幸福社区")
    mine.get_by_label(label("网格")).select_option(label="网格C1G1")
    mine.get_by_label(label("楼栋/住址")).fill("3栋2单元501")
    mine.get_by_role("button", name="提交报到申请", exact=True).click()
    expect(mine).to_have_url(f"{url}/me/")
    expect(mine.locator("#status-title + .status-line")).to_contain_text("待确认")

    theirs = phone()
    sign_in(theirs, url, admin.phone)
    theirs.goto(f"{url}/community/C1/registrations/")
    row = theirs.locator("li.card").filter(has_text="李明")
    expect(row).to_contain_text("待确认")
    row.get_by_role("button", name="确认", exact=True).click()
    expect(theirs.get_by_role("status")).to_contain_text("回执编号 BD")

    mine.reload()
    expect(mine.locator("#status-title + .status-line")).to_contain_text("已报到")
    receipt = mine.locator("dt:text-is('回执编号') + dd")
    expect(receipt).to_have_text(re.compile(r"^BDC1-\d{4}-\d{6}$"))
    mine.screenshot(path=tmp_path / "member-registered.png", full_page=True)
