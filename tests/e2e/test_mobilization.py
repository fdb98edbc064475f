"""战时应急 in a real browser: the community admin activates an emergency in the page → the call goes out as
the worker runs it → the admin's board is open → a member on a phone sees the banner, opens the emergency
and answers 到岗 → the admin's board changes by itself (poll.js, no reload) from 0 to 1 到岗."""

import pytest
from django.core.management import call_command

from baodao.mobilizations.models import Answer, Call, Mobilization
from baodao.posts.models import Kind
from baodao.posts.services import post_claim, post_confirm, post_create
from tests import factories
from tests.e2e.test_handshake import sign_in

pytestmark = pytest.mark.e2e


def test_an_emergency_called_out_answered_on_a_phone_shows_on_the_live_board(live_server, phone):
    from playwright.sync_api import expect

    w = factories.world()
    member, admin = w.members["member"], w.users["community_admin"]
    factories.registered(member, w.r("C1"), w.r("C1G1"), by=admin)
    post = post_create(actor=admin, community=w.r("C1"), kind=Kind.EMERGENCY, title="物资配送", headcount=5)
    post_claim(actor=member.user, post=post)
    post_confirm(actor=admin, post=post, member=member)
    url = live_server.url

    # the admin activates the emergency in the page
    board = phone()
    sign_in(board, url, admin.phone)
    board.goto(f"{url}/emergencies/new/")
    board.get_by_label("事件名称").fill("暴雨内涝")
    board.get_by_label("事件类型").select_option("flood")
    board.get_by_label("幸福社区（全社区）").check()
    board.get_by_label("物资配送").fill("3")
    board.get_by_role("button", name="启动应急，立即呼叫").click()
    expect(board.locator("h1")).to_contain_text("暴雨内涝 · 点名板")
    mobilization = Mobilization.objects.get(title="暴雨内涝")
    assert not Call.objects.filter(mobilization=mobilization).exists()

    # the worker runs the call
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Call.objects.filter(mobilization=mobilization, member=member).exists()
    board.reload()
    expect(board.locator('[data-figure="called"]')).to_have_text("1")
    expect(board.locator('[data-figure="yes"]')).to_have_text("0")
    board.evaluate("window.__notReloaded = true")

    # the member, on a phone: the banner, the emergency, 到岗
    mine = phone()
    sign_in(mine, url, member.user.phone)
    banner = mine.locator(".emergency-banner")
    expect(banner).to_contain_text("【应急动员】暴雨内涝")
    banner.get_by_role("link").click()
    expect(mine.locator("h1")).to_have_text("暴雨内涝")
    mine.get_by_label("到岗", exact=True).check()
    mine.get_by_label("预计到达").select_option("15")
    mine.get_by_role("button", name="提交响应").click()
    expect(mine.locator(".messages")).to_contain_text("已响应：到岗")
    assert Call.objects.get(mobilization=mobilization, member=member).answer == Answer.YES
    assert mine.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # the admin's board changes by itself, without a reload
    expect(board.locator('[data-figure="yes"]')).to_have_text("1", timeout=25_000)
    expect(board.locator("#board-status")).to_contain_text("已更新")
    assert board.evaluate("window.__notReloaded") is True
