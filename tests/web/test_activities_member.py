"""The members' activity pages: 志愿活动 (a member's community, its sign-ups; an admin's list), an activity's
page with the viewer's status and exactly the forms open to it, and the check-in page the QR code opens."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.activities.services import activity_cancel, activity_cancel_signup, activity_signup
from baodao.ledger.models import ServiceRecord
from baodao.ledger.services import record_reverse
from tests.web import activities_member_data as d

PAGES = ["/activities/", "/activities/{pk}/", "/activities/{pk}/checkin/?code=123456"]
#: an activity's page for a member, whatever the number of sign-ups (one of them: its calls to emergencies
#: still on, for the banner)
DETAIL_QUERIES = 12


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_login(client, w, url):
    act = d.activity(w)
    r = client.get(url.format(pk=act.pk))
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_it_keeps_the_code_through_the_login(client, w):
    act = d.activity(w)
    r = client.get(f"/activities/{act.pk}/checkin/?code=123456")
    assert f"next=/activities/{act.pk}/checkin/%3Fcode%3D123456" in r.url


@pytest.mark.parametrize("who", ["other_member", "far_community_admin", "other_community_admin"])
@pytest.mark.parametrize("url", PAGES[1:])
def test_it_does_not_find_an_activity_out_of_scope(as_user, w, who, url):
    d.with_other_member(w)
    act = d.activity(w)
    assert as_user(w.users[who]).get(url.format(pk=act.pk)).status_code == 404


def test_it_is_not_found_for_someone_who_neither_serves_nor_administers(as_user, w):
    assert as_user(w.users["resident"]).get("/activities/").status_code == 404


# ---- 志愿活动 ------------------------------------------------------------------------------------------


def test_it_tells_an_unregistered_member_to_register_first(as_user, w):
    d.activity(w)
    r = as_user(w.users["member"]).get("/activities/")
    assert r.status_code == 200
    assert "您还没有在居住社区报到" in r.text and 'href="/me/apply/"' in r.text
    assert "楼道清扫" not in r.text


def test_it_lists_the_coming_activities_of_the_members_community_soonest_first(as_user, w):
    d.with_member(w)
    d.with_other_member(w)
    later = d.activity(w, "法律咨询进社区", starts_in=timedelta(days=3), skills=["legal"])
    sooner = d.activity(w, "楼道清扫", starts_in=timedelta(days=1), places=1)
    d.activity(w, "和平社区的活动", community="C2")
    gone = d.activity(w, "取消了的活动")
    activity_cancel(actor=w.users["community_admin"], activity=gone, reason="下雨")
    activity_signup(actor=d.helper(w).user, activity=sooner)
    waiting = d.helper(w, "钱多")
    activity_signup(actor=waiting.user, activity=sooner)
    r = as_user(w.users["member"]).get("/activities/")
    html = r.text
    assert html.index("楼道清扫") < html.index("法律咨询进社区")
    assert "和平社区的活动" not in html and "取消了的活动" not in html
    assert "已满（共 1 个），候补 1 人" in html
    assert "剩余 5 个（共 5 个）" in html
    assert '<li class="match">法律咨询<span class="sr-only">（与您的特长相符）</span></li>' in html
    assert f'href="/activities/{later.pk}/"' in html
    assert "您现在没有报名的活动。" in html


def test_it_shows_the_members_own_sign_ups_with_their_place_in_line(as_user, w):
    member = d.with_member(w)
    full = d.activity(w, "名额已满的活动", places=1)
    activity_signup(actor=d.helper(w).user, activity=full)
    activity_signup(actor=member.user, activity=full)
    mine = d.activity(w, "我报名的活动", starts_in=timedelta(days=2))
    activity_signup(actor=member.user, activity=mine)
    dropped = d.activity(w, "取消报名的活动", starts_in=timedelta(days=4))
    activity_signup(actor=member.user, activity=dropped)
    activity_cancel_signup(actor=member.user, activity=dropped)
    html = as_user(member.user).get("/activities/").text
    signups = html[html.index('id="mine-title"') : html.index('id="upcoming-title"')]
    assert "名额已满的活动" in signups and "候补第 1 位" in signups
    assert "我报名的活动" in signups and '<span class="badge ok">已报名</span>' in signups
    assert "取消报名的活动" not in signups


def test_it_lists_what_an_admin_can_see_with_links_to_the_organisers_pages(as_user, w):
    act = d.activity(w)
    d.activity(w, "和平社区的活动", community="C2")
    past = d.move(d.activity(w, "上周的活动"), timezone.now() - timedelta(days=7))
    r = as_user(w.users["community_admin"]).get("/activities/")
    assert r.status_code == 200
    assert "楼道清扫" in r.text and "和平社区的活动" not in r.text and "上周的活动" not in r.text
    assert f'href="/activities/{act.pk}/code/"' in r.text
    assert f'href="/activities/{act.pk}/attendance/"' in r.text
    assert 'href="/community/C1/activities/"' in r.text
    r = as_user(w.users["community_admin"]).get("/activities/?when=past")
    assert "上周的活动" in r.text and "楼道清扫" not in r.text
    assert f'href="/activities/{past.pk}/"' in r.text


def test_it_shows_a_street_admin_the_activities_without_organiser_links(as_user, w):
    act = d.activity(w)
    d.activity(w, "和平社区的活动", community="C2")
    html = as_user(w.users["street_admin"]).get("/activities/").text
    assert "楼道清扫" in html and "和平社区的活动" in html
    assert f'href="/activities/{act.pk}/code/"' not in html


def test_it_lets_a_member_who_is_also_an_admin_choose_its_view(as_user, w):
    from baodao.accounts.models import Grant, Role

    member = d.with_member(w)
    Grant.objects.create(user=member.user, role=Role.COMMUNITY_ADMIN, region=w.r("C1"))
    d.activity(w)
    client = as_user(member.user)
    html = client.get("/activities/").text
    assert "即将开始的活动" in html and '?view=manage"' in html
    html = client.get("/activities/?view=manage").text
    assert "活动管理" in html and "/code/" in html


# ---- an activity ------------------------------------------------------------------------------------


def test_it_shows_the_facts_and_offers_to_sign_up(as_user, w):
    d.with_member(w)
    act = d.activity(w, description="带好手套", skills=["legal", "health"])
    html = as_user(w.users["member"]).get(f"/activities/{act.pk}/").text
    assert "楼道清扫" in html and "带好手套" in html and "3栋" in html and "幸福社区" in html
    assert "共 5 个，已报名 0 人，剩余 5 个" in html
    assert '<li class="match">法律咨询' in html and "<li>健康医疗</li>" in html
    assert f'action="/activities/{act.pk}/signup/"' in html and ">报名</button>" in html
    assert "/cancel/" not in html and "签到码" not in html
    assert f"/activities/{act.pk}/code/" not in html  # not an organiser


def test_it_offers_the_waitlist_when_the_places_are_gone(as_user, w):
    d.with_member(w)
    act = d.activity(w, places=1)
    activity_signup(actor=d.helper(w).user, activity=act)
    html = as_user(w.users["member"]).get(f"/activities/{act.pk}/").text
    assert "名额已满，现在报名排在候补第 1 位" in html and ">候补</button>" in html


def test_it_shows_the_member_its_place_in_line_and_lets_it_cancel(as_user, w):
    member = d.with_member(w)
    act = d.activity(w, places=1)
    activity_signup(actor=d.helper(w).user, activity=act)
    activity_signup(actor=d.helper(w, "钱多").user, activity=act)
    activity_signup(actor=member.user, activity=act)
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    assert "候补第 2 位" in html
    assert f'action="/activities/{act.pk}/cancel/"' in html
    assert f'action="/activities/{act.pk}/signup/"' not in html


def test_it_shows_a_cancelled_sign_up_and_offers_to_sign_up_again(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    activity_cancel_signup(actor=member.user, activity=act)
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    assert "已取消报名" in html and f'action="/activities/{act.pk}/signup/"' in html


def test_it_tells_when_check_in_opens(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    opens = timezone.localtime(act.starts_at - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    assert f"签到从 {opens} 开始" in html
    assert "checkin-code" not in html


def test_it_offers_check_in_during_the_window_and_no_more_cancelling(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    assert "进行中" in html
    assert f'action="/activities/{act.pk}/checkin/"' in html
    assert re.search(r'<input type="text" name="code"[^>]*inputmode="numeric"', html)
    assert 'autocomplete="one-time-code"' in html
    assert "/cancel/" not in html and "/signup/" not in html
    assert "<script" not in html  # no geofence, no script


def test_it_offers_check_out_once_checked_in_and_shows_the_hours_after(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act, since=timedelta(hours=2))
    d.checked_in(member, act, act.starts_at + timedelta(minutes=5))
    client = as_user(member.user)
    html = client.get(f"/activities/{act.pk}/").text
    assert f'action="/activities/{act.pk}/checkout/"' in html and 'id="checkout-code"' in html
    assert f'action="/activities/{act.pk}/checkin/"' not in html
    d.checked_out(member, act, act.starts_at + timedelta(hours=1, minutes=40))
    html = client.get(f"/activities/{act.pk}/").text
    assert '<dd class="hours-credited">1.5 小时</dd>' in html
    assert "已签退" in html and "/checkout/" not in html


def test_it_says_when_the_community_reversed_the_record(as_user, w, django_assert_max_num_queries):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act, since=timedelta(hours=2))
    d.checked_in(member, act, act.starts_at + timedelta(minutes=5))
    d.checked_out(member, act, act.starts_at + timedelta(hours=1, minutes=40))
    record = ServiceRecord.objects.get(signup__member=member, signup__activity=act)
    record_reverse(actor=w.users["community_admin"], record=record, reason="签到位置不在现场")
    client = as_user(member.user)
    url = f"/activities/{act.pk}/"
    client.get(url)  # the session and the site's caches warmed up
    with django_assert_max_num_queries(DETAIL_QUERIES):
        html = client.get(url).text
    assert '<dd class="hours-credited reversed">该次服务记录已被社区冲销</dd>' in html
    assert "1.5 小时" not in html


def test_it_reads_an_activity_in_a_bounded_number_of_queries(as_user, w, django_assert_max_num_queries):
    member = d.with_member(w)
    act = d.activity(w)
    for i in range(4):
        activity_signup(actor=d.helper(w, name=f"党员{i}").user, activity=act)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act, since=timedelta(hours=2))
    d.checked_in(member, act, act.starts_at + timedelta(minutes=5))
    d.checked_out(member, act, act.starts_at + timedelta(hours=1, minutes=40))
    client = as_user(member.user)
    url = f"/activities/{act.pk}/"
    client.get(url)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        html = client.get(url).text
    assert '<dd class="hours-credited">1.5 小时</dd>' in html


def test_it_says_check_in_was_missed(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.move(act, timezone.now() - timedelta(hours=5))
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    assert "签到时间已过" in html and "已结束" in html


def test_it_shows_a_cancelled_activity_with_its_reason(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    activity_cancel(actor=w.users["community_admin"], activity=act, reason="暴雨预警")
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    assert "活动已取消。原因：暴雨预警" in html and "/signup/" not in html


def test_it_tells_a_member_of_another_community_that_it_may_not_sign_up(as_user, w):
    member = d.with_member(w)
    act = d.activity(w, "和平社区的活动", community="C2")
    # it still sees the activity it once signed up to after moving away — here, as a street admin's member
    from baodao.accounts.models import Grant, Role

    Grant.objects.create(user=member.user, role=Role.STREET_ADMIN, region=w.r("S1"))
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    assert "只有已在和平社区报到的党员可以报名。" in html and "/signup/" not in html


def test_it_links_the_organiser_to_its_pages(as_user, w):
    act = d.activity(w)
    html = as_user(w.users["community_admin"]).get(f"/activities/{act.pk}/").text
    for page in ("code", "projector", "attendance"):
        assert f'href="/activities/{act.pk}/{page}/"' in html
    assert 'href="/community/C1/activities/"' in html
    assert "我的报名" not in html  # not a member


# ---- the page the QR code opens ----------------------------------------------------------------------


def test_it_opens_the_check_in_form_with_the_code_filled_in(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    r = as_user(member.user).get(f"/activities/{act.pk}/checkin/?code=482913")
    assert r.status_code == 200
    assert re.search(r'<input type="text" name="code" value="482913"[^>]*id="checkin-code"', r.text)
    assert "<h1>签到</h1>" in r.text


def test_it_ignores_a_code_that_is_not_one(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    html = as_user(member.user).get(f'/activities/{act.pk}/checkin/?code="><b>x').text
    assert "<b>x" not in html and 'value="' not in re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)


def test_it_opens_the_check_out_form_for_one_already_checked_in_without_the_scanned_code(as_user, w):
    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    d.checked_in(member, act, timezone.now())
    html = as_user(member.user).get(f"/activities/{act.pk}/checkin/?code=482913").text
    assert "<h1>签退</h1>" in html
    # a second scan of the QR code must not check out early with one tap: the code is typed afresh
    box = re.search(r'<input[^>]*id="checkout-code"[^>]*>', html).group(0)
    assert "value=" not in box and "482913" not in html
    assert "签退请输入现场屏幕上的最新签到码" in html


def test_it_tells_one_not_signed_up_on_the_check_in_page(as_user, w):
    d.with_member(w)
    act = d.under_way(d.activity(w))
    html = as_user(w.users["member"]).get(f"/activities/{act.pk}/checkin/?code=482913").text
    assert "您还没有报名。" in html and "checkin-code" not in html


def test_it_adds_the_position_script_for_a_geofenced_activity(as_user, w):
    member = d.with_member(w)
    act = d.geofenced(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    html = as_user(member.user).get(f"/activities/{act.pk}/checkin/?code=482913").text
    assert '<script src="/static/web/geo.js" defer></script>' in html
    assert "data-geofence" in html
    assert '<input type="hidden" name="lat"' in html and '<input type="hidden" name="lng"' in html
    assert "约 100 米范围内" in html
    assert " style=" not in html and "<script>" not in html


def test_it_serves_the_position_script_itself_under_the_content_security_policy(client, as_user, w):
    r = client.get("/static/web/geo.js")
    assert r.status_code == 200
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert b"navigator.geolocation" in body
    member = d.with_member(w)
    act = d.geofenced(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    r = as_user(member.user).get(f"/activities/{act.pk}/")
    assert "script-src 'self'" in r["Content-Security-Policy"]


# ---- every page: local assets only, no inline code, every input labelled ----------------------------------


def test_the_pages_use_only_local_assets_and_label_every_input(client, as_user, w):
    member = d.with_member(w)
    act = d.geofenced(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act)
    pages = [
        "/activities/",
        f"/activities/{act.pk}/",
        f"/activities/{act.pk}/checkin/?code=123456",
        "/me/service/",
        "/me/points/",
        "/me/certificates/",
    ]
    signed_in = as_user(member.user)
    for url in pages:
        html = signed_in.get(url).text
        _check(html, url)
    client.logout()
    for url in ("/verify/", "/verify/ZM2026AAAAAAAAAAA/"):
        _check(client.get(url).text, url)


def _check(html, url):
    assert '<link rel="stylesheet" href="/static/web/site.css">' in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), url
    assert " style=" not in html and "<style" not in html, url
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/web/geo\.js\")", html), url
    ids = set(re.findall(r'<label for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        field_id = re.search(r'id="([^"]+)"', tag)
        assert field_id is not None and field_id.group(1) in ids, f"unlabelled {tag} on {url}"


def test_it_offers_no_form_once_the_organiser_recorded_the_attendance_by_hand(as_user, w):
    from baodao.activities.services import attendance_record

    member = d.with_member(w)
    act = d.activity(w)
    activity_signup(actor=member.user, activity=act)
    d.under_way(act, since=timedelta(hours=2))
    attendance_record(
        actor=w.users["community_admin"], activity=act, member=member, reason="手机没电", hours="2"
    )
    html = as_user(member.user).get(f"/activities/{act.pk}/").text
    assert "人工补录" in html and '<dd class="hours-credited">2 小时</dd>' in html
    assert "/checkin/" not in html.split('id="me"')[1].split("</section>")[0]
    assert "/checkout/" not in html and "签到时间已过" not in html
