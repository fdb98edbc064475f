"""The member's own pages: status, applying, moving, withdrawing, profile."""

import pytest

from baodao.registration.models import Registration, Status
from tests import factories

ME_PAGES = ["/me/", "/me/apply/", "/me/profile/", "/me/end/"]


@pytest.mark.parametrize("url", ME_PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url == f"/login/?next={url}"


@pytest.mark.parametrize("url", ME_PAGES)
def test_it_is_not_found_for_someone_without_a_member_profile(as_user, w, url):
    r = as_user(w.users["community_admin"]).get(url)
    assert r.status_code == 404
    assert "找不到这个页面" in r.text


def test_it_shows_an_unregistered_member_how_to_apply(as_user, w):
    r = as_user(w.users["member"]).get("/me/")
    assert r.status_code == 200
    html = r.text
    assert "未报到" in html and 'href="/me/apply/"' in html
    assert "每月参加一次法律咨询" in html  # the pledge
    assert "法律咨询" in html  # a skill


def test_it_shows_the_apply_form_with_communities_and_grids_grouped(as_user, w):
    r = as_user(w.users["member"]).get("/me/apply/")
    html = r.text
    assert r.status_code == 200
    assert '<label for="id_community">社区</label>' in html
    assert '<label for="id_grid">网格</label>' in html
    assert '<label for="id_address">楼栋/住址</label>' in html
    assert '<optgroup label="幸福社区">' in html and '<optgroup label="和平社区">' in html
    assert ">提交报到申请</button>" in html
    assert "山前社区" not in html  # another district's community is not offered
    assert "搬迁转移" not in html


def test_it_applies(as_user, w):
    client = as_user(w.users["member"])
    r = client.post("/me/apply/", {"community": "C1", "grid": "C1G1", "address": "3栋2单元501"})
    assert r.status_code == 302 and r.url == "/me/"
    registration = Registration.objects.get(member=w.members["member"])
    assert (registration.status, registration.grid.code, registration.address) == (
        Status.PENDING,
        "C1G1",
        "3栋2单元501",
    )
    html = client.get("/me/").text
    assert "待确认" in html and "请等待社区确认" in html


def test_it_refuses_a_grid_of_another_community(as_user, w):
    r = as_user(w.users["member"]).post("/me/apply/", {"community": "C1", "grid": "C2G1"})
    assert r.status_code == 200
    assert "网格不属于该社区" in r.text
    assert not Registration.objects.exists()


def test_it_offers_the_transfer_form_once_registered(as_user, w, pending):
    r = as_user(w.users["member"]).get("/me/apply/")
    assert "<h1>搬迁转移</h1>" in r.text
    assert '<label for="id_reason">转移原因</label>' in r.text


def test_it_requires_a_reason_to_transfer(as_user, w, pending):
    r = as_user(w.users["member"]).post("/me/apply/", {"community": "C2", "grid": "C2G1", "reason": ""})
    assert r.status_code == 200
    assert Registration.objects.get().status == Status.PENDING


def test_it_withdraws_a_pending_application_with_a_reason(as_user, w, pending):
    client = as_user(w.users["member"])
    assert "撤回报到申请" in client.get("/me/end/").text
    r = client.post("/me/end/", {"reason": "填错了社区"})
    assert r.status_code == 302 and r.url == "/me/"
    pending.refresh_from_db()
    assert pending.status == Status.ENDED and pending.reason == "填错了社区"
    html = client.get("/me/").text
    assert "已撤回报到申请" in html and "填错了社区" in html


def test_it_ends_a_confirmed_registration(as_user, w):
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    client = as_user(w.users["member"])
    r = client.post("/me/end/", {"reason": "长期外派"})
    assert r.status_code == 302
    w.members["member"].refresh_from_db()
    assert not w.members["member"].is_registered
    assert "已结束在该社区的报到" in client.get("/me/").text


def test_it_sends_a_member_without_a_registration_back_from_the_end_page(as_user, w):
    r = as_user(w.users["member"]).post("/me/end/", {"reason": "x"}, follow=True)
    assert "您目前没有进行中的报到" in r.text


def test_it_shows_the_profile_form(as_user, w):
    r = as_user(w.users["member"]).get("/me/profile/")
    html = r.text
    assert r.status_code == 200
    assert 'type="checkbox" name="skills" value="legal"' in html and "checked" in html
    assert '<label for="id_tags">特长标签</label>' in html
    assert '<label for="id_pledge">亮承诺</label>' in html
    assert 'name="availability" value="sat-morning"' in html
    assert '<span class="sr-only">周六上午</span>' in html


def test_it_saves_the_profile(as_user, w):
    client = as_user(w.users["member"])
    r = client.post(
        "/me/profile/",
        {
            "skills": ["legal", "repair"],
            "tags": "书法，摄影, 书法",
            "preferences": ["patrol"],
            "availability": ["sat-morning", "sun-evening"],
            "pledge": "每周六上午义务修理家电",
        },
    )
    assert r.status_code == 302 and r.url == "/me/"
    m = w.members["member"]
    m.refresh_from_db()
    assert m.skills == ["legal", "repair"]
    assert m.tags == ["书法", "摄影"]
    assert m.preferences == ["patrol"]
    assert m.availability == ["sat-morning", "sun-evening"]
    html = client.get("/me/").text
    assert "每周六上午义务修理家电" in html and "周六上午、周日晚上" in html and "治安巡逻" in html


def test_it_shows_a_service_refusal_on_the_profile_form(as_user, w):
    r = as_user(w.users["member"]).post("/me/profile/", {"tags": ",".join(f"标签{i}" for i in range(12))})
    assert r.status_code == 200
    assert "最多 10 个" in r.text
