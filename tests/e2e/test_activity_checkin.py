"""Check-in in a real browser: the organiser shows the rotating code → a member on a phone opens the check-in
page the QR code leads to (the code filled in; its phone's position added by the page's small script), taps
签到 → a second scan asks for the code afresh → later checks out with the code then on the organiser's
screen → the hours appear on the activity's page and in 我的服务. No page scrolls sideways."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from baodao.activities.models import Activity, Attendance, Signup
from baodao.activities.services import activity_create, activity_signup
from baodao.ledger.models import ServiceRecord
from tests import factories
from tests.e2e.conftest import PHONE
from tests.e2e.test_handshake import sign_in

pytestmark = pytest.mark.e2e

#: the activity's place (a geofence of 100 m), and where the member's phone says it is: about 30 m north
SITE = (Decimal("30.500000"), Decimal("114.300000"))
PHONE_POSITION = {"latitude": 30.50027, "longitude": 114.3}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shown_code(page) -> str:
    """The code on the organiser's page, as it stands now."""
    page.reload()
    return page.locator("[data-checkin-code]").get_attribute("data-checkin-code")


def test_a_member_checks_in_and_out_on_a_phone_with_the_organisers_code(
    live_server, browser, phone, tmp_path
):
    from playwright.sync_api import expect

    w = factories.world()
    member, admin = w.members["member"], w.users["community_admin"]
    factories.registered(member, w.r("C1"), w.r("C1G1"), by=admin)
    tomorrow = timezone.now().replace(microsecond=0) + timedelta(days=1)
    activity = activity_create(
        actor=admin,
        community=w.r("C1"),
        title="河道清洁",
        category="environment",
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=3),
        location="滨江步道入口",
        places=10,
        lat=SITE[0],
        lng=SITE[1],
        radius_m=100,
    )
    activity_signup(actor=member.user, activity=activity)
    # it started ten minutes ago (a member signs up only before the start)
    started = timezone.now().replace(microsecond=0) - timedelta(minutes=10)
    Activity.objects.filter(pk=activity.pk).update(starts_at=started, ends_at=started + timedelta(hours=3))
    url = live_server.url

    # the organiser's screen
    organiser = phone()
    sign_in(organiser, url, admin.phone)
    organiser.goto(f"{url}/activities/{activity.pk}/code/")
    code = shown_code(organiser)
    assert re.fullmatch(r"\d{6}", code)
    expect(organiser.locator(".checkin-qr svg")).to_be_visible()

    # the member's phone, which shares its position with the page
    context = browser.new_context(**PHONE, geolocation=PHONE_POSITION, permissions=["geolocation"])
    context.set_default_timeout(15_000)
    mine = context.new_page()
    try:
        sign_in(mine, url, member.user.phone)
        mine.goto(f"{url}/activities/{activity.pk}/checkin/?code={code}")  # what the QR code opens
        expect(mine.get_by_role("heading", name="签到", exact=True, level=1)).to_be_visible()
        box = mine.get_by_role("textbox", name="签到码")
        expect(box).to_have_value(code)
        expect(box).to_have_attribute("inputmode", "numeric")
        expect(box).to_have_attribute("autocomplete", "one-time-code")
        expect(mine.locator("#checkin-lat")).to_have_value(re.compile(r"^30\.5002"))
        expect(mine.locator(".geo-status")).to_have_text("已获取您的位置，将随签到一并提交。")
        assert no_sideways_scroll(mine), "the check-in page scrolls sideways"
        mine.screenshot(path=tmp_path / "checkin.png", full_page=True)
        mine.get_by_role("button", name="签到", exact=True).click()
        expect(mine).to_have_url(f"{url}/activities/{activity.pk}/")
        expect(mine.get_by_role("status")).to_contain_text("签到成功")
        expect(mine.locator("#me .status-line")).to_contain_text("已签到")

        # the QR code scanned a second time opens 签退 without the code: no early check-out with one tap
        mine.goto(f"{url}/activities/{activity.pk}/checkin/?code={code}")
        expect(mine.get_by_role("heading", name="签退", exact=True, level=1)).to_be_visible()
        expect(mine.get_by_role("textbox", name="签到码")).to_have_value("")
        expect(mine.get_by_text("签退请输入现场屏幕上的最新签到码")).to_be_visible()

        signup = Signup.objects.get(activity=activity, member=member)
        assert signup.attendance == Attendance.CHECKED_IN
        assert signup.checkin_distance_m is not None and signup.checkin_distance_m < 100

        # an hour and a half later (the whole activity, and the check-in, moved back in time)
        later = timedelta(minutes=90)
        Activity.objects.filter(pk=activity.pk).update(
            starts_at=F("starts_at") - later, ends_at=F("ends_at") - later
        )
        Signup.objects.filter(pk=signup.pk).update(checked_in_at=F("checked_in_at") - later)

        code = shown_code(organiser)
        mine.reload()
        mine.get_by_role("textbox", name="签到码").fill(code)
        mine.get_by_role("button", name="签退", exact=True).click()
        expect(mine.get_by_role("status")).to_contain_text("签退成功")
        expect(mine.get_by_role("status")).to_contain_text("记入服务时长 1.5 小时")
        expect(mine.locator(".hours-credited")).to_have_text("1.5 小时")
        assert no_sideways_scroll(mine), "the activity's page scrolls sideways"

        mine.get_by_role("link", name="查看我的服务").click()
        expect(mine).to_have_url(f"{url}/me/service/")
        expect(mine.locator(".summary-figures")).to_contain_text("1.5 小时")
        expect(mine.locator(".verdict")).to_contain_text("达标")
        expect(mine.locator(".records-table")).to_contain_text("河道清洁")
        assert no_sideways_scroll(mine), "我的服务 scrolls sideways"
        mine.screenshot(path=tmp_path / "my-service.png", full_page=True)
    finally:
        context.close()

    record = ServiceRecord.objects.get()
    assert (record.member, record.activity, record.hours) == (member, activity, Decimal("1.5"))
