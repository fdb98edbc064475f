"""The 三单制 loop in a real browser on phones: a resident submits a wish with a photo → the community admin
publishes it → a registered member claims it → reports it done with a note and hours → the resident confirms
it with five stars. The timeline tells the story and the ledger has the service; no page scrolls sideways."""

import struct
import zlib
from decimal import Decimal

import pytest

from baodao.ledger.models import ServiceRecord
from baodao.needs.models import Need, Status
from tests import factories
from tests.e2e.test_handshake import label, sign_in

pytestmark = pytest.mark.e2e


def tiny_png() -> bytes:
    """A valid 2×2 red PNG, made here (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_wish_goes_round_the_loop_on_phones(live_server, phone, tmp_path):
    from playwright.sync_api import expect

    w = factories.world()
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    url = live_server.url
    photo = tmp_path / "tap.png"
    photo.write_bytes(tiny_png())

    # 点单: the resident
    resident = phone()
    sign_in(resident, url, w.users["resident"].phone)
    resident.goto(f"{url}/me/needs/")
    resident.get_by_role("link", name="提交微心愿/诉求").click()
    resident.get_by_role("radio", name="微心愿").check()
    resident.get_by_label(label("分类")).select_option(label="设施维修")
    resident.get_by_label(label("标题")).fill("厨房水龙头漏水")
    resident.get_by_label(label("详细描述")).fill("关不紧，一直滴水")
    resident.get_by_label(label("网格")).select_option(label="网格C1G1")
    resident.get_by_label(label("地点/楼栋")).fill("5栋1单元")
    expect(resident.get_by_label(label("联系电话"))).to_have_value(w.users["resident"].phone)
    resident.get_by_label(label("详细地址")).fill("5栋1单元301")
    picker = resident.get_by_label(label("照片 1"))
    assert picker.get_attribute("capture") is None, "the photo input must also offer the phone's album"
    picker.set_input_files(str(photo))
    resident.get_by_role("button", name="提交", exact=True).click()
    need = Need.objects.get()
    expect(resident).to_have_url(f"{url}/needs/{need.pk}/")
    expect(resident.get_by_role("status")).to_contain_text("已提交“厨房水龙头漏水”")
    expect(resident.locator(".status-line .badge").first).to_have_text("待审核")
    thumbnail = resident.locator(".photos img")
    expect(thumbnail).to_have_attribute("alt", "提交时的照片 1")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 2

    # 下单: the community admin
    admin = phone()
    sign_in(admin, url, w.users["community_admin"].phone)
    admin.goto(f"{url}/needs/{need.pk}/")
    assert no_sideways_scroll(admin), "the admin's page of the need scrolls sideways"
    expect(admin.get_by_text("联系电话和地址仅认领人和服务对象可见。")).to_be_visible()
    admin.get_by_role("checkbox", name="维修技能").check()
    admin.get_by_role("button", name="发布", exact=True).click()
    expect(admin.get_by_role("status")).to_contain_text("已审核通过并发布")
    expect(admin.locator(".status-line .badge").first).to_have_text("待认领")

    # 接单 and 办结: the member
    member = phone()
    sign_in(member, url, w.users["member"].phone)
    member.goto(f"{url}/needs/")
    member.get_by_role("link", name="厨房水龙头漏水").click()
    expect(member.get_by_text("联系电话和地址认领后可见。")).to_be_visible()
    member.get_by_role("button", name="我来认领").click()
    expect(member.get_by_role("status")).to_contain_text("您已认领“厨房水龙头漏水”")
    expect(member.locator("#contact-title + .facts")).to_contain_text(w.users["resident"].phone)
    expect(member.locator("#contact-title + .facts")).to_contain_text("5栋1单元301")
    member.get_by_label(label("办结说明")).fill("换了阀芯，已不再滴水")
    member.get_by_label(label("服务时长（小时）")).fill("1.5")
    member.get_by_role("button", name="报告办结").click()
    expect(member.get_by_role("status")).to_contain_text("已报告办结，等待服务对象确认")

    # 确认并评价: the resident, told by the inbox
    resident.goto(f"{url}/inbox/")
    expect(resident.get_by_role("link", name="请确认办结并评价")).to_be_visible()
    resident.get_by_role("link", name="请确认办结并评价").click()
    expect(resident).to_have_url(f"{url}/needs/{need.pk}/")
    assert no_sideways_scroll(resident), "the resident's page of the need scrolls sideways"
    resident.get_by_role("radio", name="5 星 · 非常满意").check()
    resident.get_by_label(label("评价（可选）")).fill("很及时，谢谢")
    resident.get_by_role("button", name="确认办结并评价").click()
    expect(resident.get_by_role("status")).to_contain_text("已确认办结并评价")
    expect(resident.locator(".status-line .badge").first).to_have_text("已办结")

    steps = resident.locator(".timeline .what strong")
    expect(steps).to_have_text(["提交", "审核通过并发布", "认领", "报告办结", "确认办结并评价"])
    expect(resident.locator(".timeline")).to_contain_text("5 星：很及时，谢谢")
    assert no_sideways_scroll(resident), "the closed need's page scrolls sideways"
    resident.screenshot(path=tmp_path / "need-closed.png", full_page=True)

    need.refresh_from_db()
    assert (need.status, need.rating) == (Status.CLOSED, 5)
    record = ServiceRecord.objects.get()
    assert (record.member, record.hours, record.verified_by, record.rating) == (
        w.members["member"],
        Decimal("1.5"),
        w.users["resident"],
        5,
    )

    member.goto(f"{url}/me/records/")
    expect(member.locator(".summary-figures")).to_contain_text("1.5 小时")
    assert no_sideways_scroll(member), "the member's records scroll sideways"
