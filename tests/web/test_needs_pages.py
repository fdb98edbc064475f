"""The needs pages of members, residents, grid workers and unit admins: 身边需求 / 共建需求, 点单, my claims,
my service records, my needs."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.accounts.models import Grant, Role
from baodao.ledger.models import ServiceRecord, Source
from baodao.ledger.services import record_reverse, record_write
from baodao.needs.models import Claim, ClaimStatus, Need, Photo, Status
from baodao.needs.services import (
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_submit,
    need_withdraw,
)
from tests import factories
from tests.web import needs_web_data as d

PAGES = ["/needs/", "/needs/new/", "/me/claims/", "/me/needs/", "/me/records/"]


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


# ---- 身边需求 (member) ----------------------------------------------------------------------------------


def test_it_tells_an_unregistered_member_to_register_first(as_user, w):
    r = as_user(w.users["member"]).get("/needs/")
    assert r.status_code == 200
    assert "您还没有在居住社区报到" in r.text
    assert 'href="/me/apply/"' in r.text
    assert '<a href="/needs/" aria-current="page">身边需求</a>' in r.text


def test_it_lists_what_a_registered_member_can_take_grid_and_skills_first(as_user, w):
    d.with_member(w)
    other_grid = d.published(w, "换灯泡", grid="C1G2")
    fits = d.published(w, "法律咨询", grid="C1G2", skills=("legal",))
    mine = d.published(w, "陪老人就医", grid="C1G1")
    d.wish(w, "还没审核的心愿")
    factories.registered(
        w.members["other_member"], w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"]
    )
    d.task(w, "和平社区的任务", community="C2")
    html = as_user(w.users["member"]).get("/needs/").text
    assert html.index(mine.title) < html.index(fits.title) < html.index(other_grid.title)
    assert "还没审核的心愿" not in html and "和平社区的任务" not in html
    assert '<li class="match">法律咨询<span class="sr-only">（与您的特长相符）</span></li>' in html
    assert "本网格" in html
    assert "剩余 1 个（共 1 个）" in html and "微心愿" in html and "设施维修" in html
    assert f'href="/needs/{mine.pk}/"' in html


def test_it_leaves_out_needs_the_member_holds_and_full_ones(as_user, w):
    d.with_member(w)
    d.claimed(w, "已认领的")
    full = d.published(w, "别人认领满了")
    helper = factories.member(w.units["U2"], community=w.r("C1"), name="赵强")
    factories.registered(helper, w.r("C1"), by=w.users["community_admin"])
    need_claim(actor=helper.user, need=full)
    html = as_user(w.users["member"]).get("/needs/").text
    assert "已认领的" not in html and "别人认领满了" not in html


def test_it_marks_overdue_needs(as_user, w):
    d.with_member(w)
    need = d.published(w, "逾期的心愿")
    Need.objects.filter(pk=need.pk).update(resolve_by=timezone.now() - timedelta(hours=1))
    html = as_user(w.users["member"]).get("/needs/").text
    assert "已超时" in html and "overdue-card" in html


def test_it_filters_by_kind(as_user, w):
    d.with_member(w)
    d.published(w, "一个心愿")
    d.task(w, "一个任务")
    client = as_user(w.users["member"])
    html = client.get("/needs/?kind=task").text
    assert "一个任务" in html and "一个心愿" not in html
    assert client.get("/needs/?kind=bogus").status_code == 200


def test_it_paginates_the_needs_near(as_user, w):
    d.with_member(w)
    for i in range(51):
        d.task(w, f"任务{i:02d}", places=1)
    client = as_user(w.users["member"])
    assert "第 1 / 2 页" in client.get("/needs/").text
    assert client.get("/needs/?page=2").text.count('class="card need-card') == 1


def test_it_says_when_it_lists_only_the_first_of_many_needs(as_user, w, monkeypatch):
    d.with_member(w)
    for i in range(4):
        d.task(w, f"任务{i}", places=1)
    client = as_user(w.users["member"])
    assert "需求较多" not in client.get("/needs/").text
    monkeypatch.setattr("baodao.needs.selectors.NEAR_LIMIT", 3)
    monkeypatch.setattr("baodao.web.views.needs.NEAR_LIMIT", 3)
    html = client.get("/needs/").text
    assert "需求较多，这里只列出 3 条" in html and html.count('class="card need-card') == 3


def test_it_is_not_found_for_people_who_cannot_claim(as_user, w):
    for role in ("resident", "community_admin", "grid_worker", "street_admin"):
        assert as_user(w.users[role]).get("/needs/").status_code == 404, role


# ---- 共建需求 (unit admin) ----------------------------------------------------------------------------


def test_it_shows_a_unit_admin_the_needs_of_the_communities_it_co_builds_with(as_user, w):
    d.co_build(w)
    need = d.task(w, "环境整治")
    d.task(w, "和平社区的任务", community="C2")
    html = as_user(w.users["unit_admin"]).get("/needs/").text
    assert "共建需求" in html and "环境整治" in html and "和平社区的任务" not in html
    assert f'action="/needs/{need.pk}/claim/"' in html
    assert "以单位名义认领" in html
    assert '<a href="/needs/" aria-current="page">共建需求</a>' in html  # the unit's tabs


def test_it_tells_a_unit_without_co_building_how_to_start(as_user, w):
    d.task(w)
    html = as_user(w.users["other_unit_admin"]).get("/needs/").text
    assert "本单位还没有与社区共建报到" in html and "环境整治" not in html


def test_it_lets_a_unit_admin_claim_for_its_unit_from_the_list(as_user, w):
    d.co_build(w)
    need = d.task(w)
    client = as_user(w.users["unit_admin"])
    r = client.post(f"/needs/{need.pk}/claim/", {"unit": w.units["U1"].pk}, follow=True)
    assert "区税务局已认领“环境整治”" in r.text
    assert Claim.objects.get(need=need).unit == w.units["U1"]
    assert f'action="/needs/{need.pk}/claim/"' not in client.get("/needs/").text  # no second claim offered


def test_it_lets_a_member_who_is_also_a_unit_admin_choose_whose_needs(as_user, w):
    d.with_member(w)
    d.co_build(w, "U2")
    Grant.objects.create(user=w.users["member"], role=Role.UNIT_ADMIN, unit=w.units["U2"])
    d.task(w, "环境整治")
    client = as_user(w.users["member"])
    assert "身边需求" in client.get("/needs/").text
    html = client.get("/needs/?role=unit").text
    assert "<h1>共建需求</h1>" in html and "以单位名义认领" in html


# ---- 点单 -------------------------------------------------------------------------------------------


def test_it_offers_a_resident_the_form_for_a_wish_or_a_request(as_user, w):
    html = as_user(w.users["resident"]).get("/needs/new/").text
    assert 'enctype="multipart/form-data"' in html
    assert 'value="wish"' in html and 'value="request"' in html
    assert '<option value="C1G1">网格C1G1</option>' in html and "C2G1" not in html
    assert html.count('type="file" name="photo') == 3
    assert 'accept="image/*"' in html and "capture" not in html  # the album as well as the camera
    assert 'name="contact_name"' not in html  # its own name is its account's
    phone = w.users["resident"].phone
    assert re.search(rf'type="tel" name="contact_phone" value="{phone}"', html)
    assert 'name="address"' in html and "楼栋和门牌号" in html


def test_a_resident_gives_another_phone_and_its_address(as_user, w):
    client = as_user(w.users["resident"])
    form = {"kind": "wish", "category": "repair", "title": "修水龙头", "grid": "C1G1"}
    client.post("/needs/new/", {**form, "contact_phone": "0791-8888 6666", "address": "5栋1单元301"})
    need = Need.objects.get()
    assert (need.contact_name, need.contact_phone, need.address) == (
        "居民张阿姨",
        "0791-8888 6666",
        "5栋1单元301",
    )
    client.post("/needs/new/", {**form, "title": "换灯泡", "contact_phone": ""})
    assert Need.objects.get(title="换灯泡").contact_phone == w.users["resident"].phone  # left empty: its own
    r = client.post("/needs/new/", {**form, "title": "坏号码", "contact_phone": "打我电话"})
    assert r.status_code == 200 and "联系电话格式不正确" in r.text
    assert not Need.objects.filter(title="坏号码").exists()


def test_a_resident_submits_a_wish_with_a_photo(as_user, w):
    client = as_user(w.users["resident"])
    r = client.post(
        "/needs/new/",
        {
            "kind": "wish",
            "category": "repair",
            "title": "厨房水龙头漏水",
            "description": "关不紧，一直滴水",
            "grid": "C1G1",
            "location": "5栋1单元",
            "photo1": d.png(),
        },
        follow=True,
    )
    need = Need.objects.get()
    assert r.redirect_chain[-1][0] == f"/needs/{need.pk}/"
    assert "已提交“厨房水龙头漏水”" in r.text
    assert (need.status, need.requester, need.grid, need.on_behalf) == (
        Status.SUBMITTED,
        w.users["resident"],
        w.r("C1G1"),
        False,
    )
    assert Photo.objects.get(need=need).stage == Photo.Stage.SUBMITTED


def test_it_shows_what_is_missing(as_user, w):
    r = as_user(w.users["resident"]).post("/needs/new/", {"kind": "wish", "category": "repair"})
    assert r.status_code == 200 and "该字段是必填项。" in r.text
    assert not Need.objects.exists()


def test_it_submits_nothing_when_a_photo_is_refused(as_user, w):
    r = as_user(w.users["resident"]).post(
        "/needs/new/",
        {"kind": "request", "category": "repair", "title": "楼道灯坏了", "photo1": d.not_a_picture()},
    )
    assert r.status_code == 200 and "只能上传 JPEG、PNG 或 WebP 格式的照片。" in r.text
    assert not Need.objects.exists()


def test_a_member_living_in_the_community_submits_for_itself(as_user, w):
    client = as_user(w.users["member"])
    assert "C1G2" in client.get("/needs/new/").text
    client.post("/needs/new/", {"kind": "request", "category": "safety", "title": "路灯不亮"})
    need = Need.objects.get()
    assert (need.community, need.requester) == (w.r("C1"), w.users["member"])


def test_a_grid_worker_submits_on_behalf_of_a_resident(as_user, w):
    client = as_user(w.users["grid_worker"])
    html = client.get("/needs/new/?grid=C1G1").text
    assert "代居民提交微心愿/诉求" in html and 'name="contact_name"' in html and "网格C1G1" in html
    r = client.post(
        "/needs/new/?grid=C1G1",
        {"kind": "wish", "category": "elderly", "title": "陪老人就医"},
    )
    assert r.status_code == 200 and not Need.objects.exists()  # the resident's name is required
    client.post(
        "/needs/new/?grid=C1G1",
        {
            "kind": "wish",
            "category": "elderly",
            "title": "陪老人就医",
            "contact_name": "孙奶奶",
            "contact_phone": d.PHONE,
            "address": "7栋2单元102",
        },
    )
    need = Need.objects.get()
    assert (need.on_behalf, need.requester, need.submitted_by, need.grid, need.contact_name) == (
        True,
        None,
        w.users["grid_worker"],
        w.r("C1G1"),
        "孙奶奶",
    )
    assert need.events.get().note == "代居民提交"  # the resident's name stays in the contact details


def test_a_grid_worker_without_a_place_opens_its_own_grid(as_user, w):
    html = as_user(w.users["grid_worker"]).get("/needs/new/").text
    assert "代居民提交" in html and "网格C1G1" in html


def test_a_community_admin_submits_on_behalf_choosing_the_grid(as_user, w):
    client = as_user(w.users["community_admin"])
    html = client.get("/needs/new/?community=C1").text
    assert '<option value="C1G2">网格C1G2</option>' in html and 'name="contact_name"' in html
    client.post(
        "/needs/new/?community=C1",
        {
            "kind": "request",
            "category": "safety",
            "title": "井盖松动",
            "grid": "C1G2",
            "contact_name": "王大爷",
        },
    )
    need = Need.objects.get()
    assert (need.grid, need.on_behalf) == (w.r("C1G2"), True)


@pytest.mark.parametrize(
    "role,query",
    [
        ("grid_worker", "?grid=C2G1"),
        ("grid_worker", "?community=C1"),
        ("other_community_admin", "?community=C1"),
        ("other_community_admin", "?grid=C1G1"),
        ("resident", "?grid=C1G1"),
        ("unit_admin", ""),
        ("street_admin", ""),
    ],
)
def test_it_does_not_let_outsiders_submit_there(as_user, w, role, query):
    assert as_user(w.users[role]).get(f"/needs/new/{query}").status_code == 404


# ---- my claims ---------------------------------------------------------------------------------------


def test_it_lists_a_members_claims_open_first(as_user, w):
    d.with_member(w)
    d.claimed(w, "正在办的")
    gone = d.claimed(w, "退出了的")
    need_withdraw(actor=w.users["member"], need=gone, reason="临时出差")
    html = as_user(w.users["member"]).get("/me/claims/").text
    assert html.index("进行中") < html.index("正在办的") < html.index("已结束") < html.index("退出了的")
    assert "临时出差" in html and "报告办结或退出" in html
    assert '<a href="/me/claims/" aria-current="page">我的认领</a>' in html


def test_it_lists_a_units_claims(as_user, w):
    d.co_build(w)
    need = d.task(w)
    need_claim(actor=w.users["unit_admin"], need=need, unit=w.units["U1"])
    html = as_user(w.users["unit_admin"]).get("/me/claims/").text
    assert "单位认领" in html and "环境整治" in html and "区税务局（单位）" in html
    assert "环境整治" not in as_user(w.users["other_unit_admin"]).get("/me/claims/").text


def test_it_has_no_claims_page_for_residents(as_user, w):
    assert as_user(w.users["resident"]).get("/me/claims/").status_code == 404


# ---- my records --------------------------------------------------------------------------------------


def test_it_shows_the_members_records_with_totals_netting_reversals(as_user, w):
    d.with_member(w)
    for title, hours in (("修水龙头", "1.5"), ("辅导功课", "2")):
        need = d.claimed(w, title)
        need_complete(actor=w.users["member"], need=need, note="办好了", hours=hours)
        need_confirm(actor=w.users["resident"], need=need, rating=5)
    client = as_user(w.users["member"])
    html = client.get("/me/records/").text
    assert html.count("3.5 小时") == 3  # this quarter, this year, in all
    assert "修水龙头" in html and "辅导功课" in html and "服务对象确认" in html
    assert "居民张阿姨" not in html

    wrong = ServiceRecord.objects.get(title="辅导功课")
    record_reverse(actor=w.users["community_admin"], record=wrong, reason="重复登记")
    html = client.get("/me/records/").text
    assert html.count("1.5 小时") == 3
    assert "冲销" in html and "重复登记" in html and "已冲销" in html and "-2" in html


def test_it_counts_this_quarter_and_this_year_apart_from_earlier_service(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    need_confirm(actor=w.users["resident"], need=need, rating=4)
    record_write(
        source=Source.NEED,
        member=w.members["member"],
        unit=None,
        community=w.r("C1"),
        path=w.r("C1").path,
        title="去年的服务",
        category="repair",
        hours=Decimal("2"),
        served_at=timezone.now() - timedelta(days=400),
        verified_by=w.users["community_admin"],
    )
    html = as_user(w.users["member"]).get("/me/records/").text
    assert html.count("1.5 小时") == 2  # this quarter, this year
    assert "3.5 小时" in html  # in all
    assert "去年的服务" in html


def test_it_shows_only_the_members_own_records(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    need_confirm(actor=w.users["resident"], need=need, rating=5)
    html = as_user(w.users["other_member"]).get("/me/records/").text
    assert "修水龙头" not in html and "还没有经确认的服务记录" in html


def test_it_has_no_records_page_without_a_member(as_user, w):
    assert as_user(w.users["resident"]).get("/me/records/").status_code == 404


# ---- my needs ----------------------------------------------------------------------------------------


def test_it_lists_the_residents_needs_with_status_and_public_links(as_user, w):
    d.wish(w, "修水龙头")
    d.published(w, "辅导功课")
    html = as_user(w.users["resident"]).get("/me/needs/").text
    assert "修水龙头" in html and "辅导功课" in html and "待审核" in html and "待认领" in html
    assert 'class="button big" href="/needs/new/"' in html
    assert 'href="/c/C1/board/"' in html and 'href="/c/C1/"' in html


def test_it_shows_a_terminated_need_as_ended_not_done(as_user, w):
    need = d.published(w, "辅导功课")
    need_close(actor=w.users["community_admin"], need=need, reason="居民已搬走")
    html = as_user(w.users["resident"]).get("/me/needs/").text
    assert '<span class="badge bad">终止办理</span>' in html and "已办结" not in html


def test_it_shows_nobody_elses_needs(as_user, w):
    d.wish(w, "修水龙头")
    other = factories.user(Role.RESIDENT, region_=w.r("C1"), name="另一位居民")
    html = as_user(other).get("/me/needs/").text
    assert "修水龙头" not in html and "您还没有提交过" in html


def test_a_grid_worker_sees_the_needs_it_took_down(as_user, w):
    d.wish(w, "别人的")  # the resident's own
    need_submit(
        actor=w.users["grid_worker"],
        kind="wish",
        title="陪老人就医",
        category="elderly",
        community=w.r("C1"),
        grid=w.r("C1G1"),
        contact_name="孙奶奶",
    )
    html = as_user(w.users["grid_worker"]).get("/me/needs/").text
    assert "陪老人就医" in html and "别人的" not in html


def test_it_says_claim_statuses_in_words(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    assert Claim.objects.get(need=need).status == ClaimStatus.COMPLETED
    assert "已办结待确认" in as_user(w.users["member"]).get("/me/claims/").text
