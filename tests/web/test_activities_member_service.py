"""我的服务 and 我的积分: coming sign-ups, the latest verified records, hours and services this quarter and
this year against the district's minimum with a plain 达标/未达标, the points balance and every entry with its
rule, rate and source."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.services import activity_close, activity_signup
from baodao.ledger.models import Source
from baodao.ledger.services import record_reverse, record_write
from baodao.policy.models import Period, Policy
from tests.web import activities_member_data as d

PAGES = ["/me/service/", "/me/points/"]


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("url", PAGES)
def test_it_is_not_found_for_someone_without_a_member_profile(as_user, w, url):
    assert as_user(w.users["community_admin"]).get(url).status_code == 404


def need_record(w, member, hours="2", *, days_ago=0, title="陪老人就医"):
    return record_write(
        source=Source.NEED,
        member=member,
        unit=None,
        community=w.r("C1"),
        path=w.r("C1").path,
        title=title,
        category="elderly",
        hours=Decimal(hours),
        served_at=timezone.now() - timedelta(days=days_ago),
        verified_by=w.users["community_admin"],
    )


# ---- 我的服务 ------------------------------------------------------------------------------------------


def test_it_is_a_tab_of_the_members_pages(as_user, w):
    d.with_member(w)
    html = as_user(w.users["member"]).get("/me/service/").text
    assert '<a href="/me/service/" aria-current="page">我的服务</a>' in html
    assert '<a href="/me/service/">我的服务</a>' in as_user(w.users["member"]).get("/me/records/").text


def test_it_says_plainly_when_the_minimum_is_not_met(as_user, w):
    d.with_member(w)
    html = as_user(w.users["member"]).get("/me/service/").text
    assert '<span class="badge bad">未达标</span>' in html
    assert "服务次数：每季度至少 1 次，本季度已 0 次" in html
    assert html.count('<p class="figure">0 小时</p>') == 2 and "0 分" in html
    assert "您现在没有报名的活动。" in html and "还没有经核实的服务记录。" in html


def test_it_counts_verified_service_against_the_minimum_reversals_netted(as_user, w):
    member = d.with_member(w)
    need_record(w, member, "2")
    wrong = need_record(w, member, "3", title="摆拍")
    record_reverse(actor=w.users["community_admin"], record=wrong, reason="没有到场")
    html = as_user(member.user).get("/me/service/").text
    assert '<span class="badge ok">达标</span>' in html
    assert "服务次数：每季度至少 1 次，本季度已 1 次" in html
    assert html.count('<p class="figure">2 小时</p>') == 2  # this quarter and this year
    assert "1 次服务" in html
    assert "25 分" in html  # 2 h × 10 + 5 for the need; the reversed record's 35 points taken back
    assert "陪老人就医" in html and "摆拍" in html and "已冲销" in html
    assert 'href="/me/records/"' in html and 'href="/me/points/"' in html


def test_it_shows_the_hours_minimum_of_the_district(as_user, w):
    member = d.with_member(w)
    today = timezone.localdate()
    Policy.objects.create(
        district=w.r("D1"),
        effective_from=date(today.year, 1, 1),
        min_services=2,
        min_services_period=Period.YEAR,
        min_hours_per_year=50,
    )
    need_record(w, member, "2")
    need_record(w, member, "1.5", title="法律咨询")
    html = as_user(member.user).get("/me/service/").text
    assert "服务次数：每年至少 2 次，今年已 2 次" in html
    assert "服务时长：每年至少 50 小时，今年已 3.5 小时" in html
    assert '<strong class="met">达标</strong>' in html and '<strong class="unmet">未达标</strong>' in html
    assert '<span class="badge bad">未达标</span>' in html


def test_it_shows_the_hours_to_the_hundredth_as_the_ledger_and_certificates_do(as_user, w):
    member = d.with_member(w)
    need_record(w, member, "1.25")
    need_record(w, member, "0.5", title="法律咨询")
    html = as_user(member.user).get("/me/service/").text
    assert html.count('<p class="figure">1.75 小时</p>') == 2  # not rounded to 1.8


def test_it_lists_coming_sign_ups_and_certificates(as_user, w):
    from baodao.certificates.services import certificate_issue

    member = d.with_member(w)
    act = d.activity(w, "重阳节探访", places=1)
    activity_signup(actor=member.user, activity=act)
    line = d.activity(w, "排队的活动", places=1, starts_in=timedelta(days=2))
    activity_signup(actor=d.helper(w).user, activity=line)
    activity_signup(actor=member.user, activity=line)
    need_record(w, member, "2")
    cert = certificate_issue(
        actor=member.user, period_start=timezone.localdate(), period_end=timezone.localdate()
    )
    html = as_user(member.user).get("/me/service/").text
    assert html.index("重阳节探访") < html.index("排队的活动")
    assert "候补第 1 位" in html and f'href="/activities/{act.pk}/"' in html
    assert f'href="/certificates/{cert.number}/pdf/"' in html
    assert 'href="/me/certificates/"' in html and 'href="/activities/"' in html


# ---- 我的积分 ------------------------------------------------------------------------------------------


def test_it_shows_the_balance_and_every_entry_with_its_rule_and_source(as_user, w):
    member = d.with_member(w)
    kept = need_record(w, member, "2", title="陪老人就医")
    wrong = need_record(w, member, "1", title="摆拍")
    record_reverse(actor=w.users["community_admin"], record=wrong, reason="没有到场")
    html = as_user(member.user).get("/me/points/").text
    assert "25 分" in html  # 20 + 5, and 15 taken back from 15
    assert "每小时 10 分" in html and "每项 5 分" in html and "冲销原积分" in html
    assert "+20" in html and "+5" in html and "-15" in html
    assert "记录冲销：没有到场" in html
    assert "全国默认标准" in html
    assert kept.title in html


def test_it_names_the_district_policy_an_entry_came_from(as_user, w):
    member = d.with_member(w)
    Policy.objects.create(
        district=w.r("D1"), effective_from=date(2020, 1, 1), points_per_hour=Decimal(12), points_per_need=0
    )
    need_record(w, member, "2")
    html = as_user(member.user).get("/me/points/").text
    assert "每小时 12 分" in html and "+24" in html
    assert "本区政策（2020-01-01 起）" in html


def test_it_shows_a_no_show_deduction_with_its_activity(as_user, w):
    member = d.with_member(w)
    act = d.activity(w, "没去成的活动")
    activity_signup(actor=member.user, activity=act)
    d.move(act, timezone.now() - timedelta(hours=6))
    activity_close(actor=w.users["community_admin"], activity=act, forgotten_checkout="end")
    html = as_user(member.user).get("/me/points/").text
    assert "没去成的活动" in html and "报名未参加" in html
    assert "缺席扣 5 分" in html and "-5" in html and "-5 分" in html


def test_it_invites_a_member_without_points_to_serve(as_user, w):
    d.with_member(w)
    html = as_user(w.users["member"]).get("/me/points/").text
    assert "还没有积分。" in html and 'href="/activities/"' in html


def test_it_leaves_out_an_activity_already_settled(as_user, w):
    member = d.with_member(w)
    act = d.activity(w, "已经参加的活动")
    activity_signup(actor=member.user, activity=act)
    d.under_way(act, since=timedelta(hours=2))
    d.checked_in(member, act, act.starts_at)
    d.checked_out(member, act, timezone.now())
    html = as_user(member.user).get("/me/service/").text
    signups = html[html.index('id="signups-title"') : html.index('id="records-title"')]
    assert "已经参加的活动" not in signups and "您现在没有报名的活动。" in signups
    assert "已经参加的活动" in html[html.index('id="records-title"') :]


def test_the_pages_take_the_same_number_of_queries_however_long_the_lists(as_user, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = d.with_member(w)
    client = as_user(member.user)

    def queries(url):
        client.get(url)  # the session and the scope, once
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def serve(days):
        for day in days:
            act = d.activity(w, f"第{day}天的活动", starts_in=timedelta(days=day))
            activity_signup(actor=member.user, activity=act)
            need_record(w, member, "1", title=f"第{day}天的服务")

    pages = ("/activities/", "/me/service/", "/me/points/", "/me/certificates/")
    serve(range(1, 3))
    few = {url: queries(url) for url in pages}
    serve(range(3, 9))
    assert {url: queries(url) for url in pages} == few
