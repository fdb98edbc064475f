"""A need's page: what it is, its deadlines, the resident's contact only for those who must act, photos, the
claims and the timeline, and only the actions the viewer may take now."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.needs.models import Need
from baodao.needs.services import (
    need_actions_for,
    need_claim,
    need_close,
    need_complete,
    need_dispute,
    need_photo_add,
    need_publish,
    need_submit,
)
from tests import factories
from tests.web import needs_web_data as d


def forms_on(html):
    """The actions the page offers: the last part of every form's action on the need."""
    return set(re.findall(r'action="/needs/\d+/(\w+)/"', html))


def test_it_sends_anonymous_visitors_to_login(client, w):
    need = d.wish(w)
    for url in (f"/needs/{need.pk}/", f"/needs/{need.pk}/claim/"):
        r = client.get(url) if url.endswith(f"{need.pk}/") else client.post(url)
        assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize(
    "role", ["other_member", "other_community_admin", "far_community_admin", "other_unit_admin"]
)
def test_it_hides_the_need_from_people_out_of_scope(as_user, w, role):
    need = d.published(w)
    assert as_user(w.users[role]).get(f"/needs/{need.pk}/").status_code == 404


def test_it_is_not_found_for_an_unknown_need(as_user, w):
    assert as_user(w.users["community_admin"]).get("/needs/999999/").status_code == 404


def test_it_hides_a_submitted_need_from_members_until_it_is_published(as_user, w):
    d.with_member(w)
    need = d.wish(w)
    assert as_user(w.users["member"]).get(f"/needs/{need.pk}/").status_code == 404


def test_it_shows_the_need_its_deadlines_and_its_timeline(as_user, w):
    need = d.published(w, skills=("repair",))
    html = as_user(w.users["resident"]).get(f"/needs/{need.pk}/").text
    assert '<h1 id="need-title">修水龙头</h1>' in html
    assert '<span class="badge info">待认领</span>' in html
    assert "微心愿" in html and "设施维修" in html and "维修技能" in html
    assert "共 1 个，已认领 0 个，剩余 1 个" in html
    assert "办结时限" in html
    timeline = html[html.index('class="timeline"') :]
    assert timeline.index("提交") < timeline.index("审核通过并发布")
    assert "居民张阿姨" in timeline and "社区书记" in timeline


def test_it_masks_the_residents_name_in_the_timeline_for_those_who_may_not_contact_it(as_user, w):
    d.with_member(w)
    need = d.published(w)
    url = f"/needs/{need.pk}/"
    for role in ("community_admin", "member"):
        html = as_user(w.users[role]).get(url).text
        assert "居民张阿姨" not in html, role
        assert "居****" in html[html.index('class="timeline"') :], role
    need_claim(actor=w.users["member"], need=need)
    assert "居民张阿姨" in as_user(w.users["member"]).get(url).text


def test_it_highlights_an_overdue_need(as_user, w):
    need = d.wish(w)
    Need.objects.filter(pk=need.pk).update(respond_by=timezone.now() - timedelta(hours=2))
    html = as_user(w.users["community_admin"]).get(f"/needs/{need.pk}/").text
    assert '<span class="badge bad">已超时</span>' in html
    assert '<dd class="late">' in html and "（已超时）" in html


def test_it_shows_the_contact_only_to_the_requester_and_the_claimer(as_user, w):
    d.with_member(w)
    need = d.published(w)
    url = f"/needs/{need.pk}/"
    assert d.PHONE in as_user(w.users["resident"]).get(url).text
    for role in ("member", "community_admin", "street_admin"):
        html = as_user(w.users[role]).get(url).text
        assert d.PHONE not in html and d.ADDRESS not in html, role
    # "after claiming" only to those who could claim it; the others are told who can see it
    assert "联系电话和地址认领后可见。" in as_user(w.users["member"]).get(url).text
    for role in ("community_admin", "street_admin"):
        html = as_user(w.users[role]).get(url).text
        assert "联系电话和地址仅认领人和服务对象可见。" in html and "认领后可见" not in html, role
    need_claim(actor=w.users["member"], need=need)
    html = as_user(w.users["member"]).get(url).text
    assert f'<a href="tel:{d.PHONE}">{d.PHONE}</a>' in html and d.ADDRESS in html


def test_it_shows_the_contact_to_the_grid_worker_who_took_it_down(as_user, w):
    need = need_submit(
        actor=w.users["grid_worker"],
        kind="wish",
        title="陪老人就医",
        category="elderly",
        community=w.r("C1"),
        grid=w.r("C1G1"),
        contact_name="孙奶奶",
        contact_phone=d.PHONE,
    )
    html = as_user(w.users["grid_worker"]).get(f"/needs/{need.pk}/").text
    assert "孙奶奶" in html and d.PHONE in html and "（网格员代办）" in html


def test_it_offers_only_the_actions_the_viewer_may_take(as_user, w):
    d.with_member(w)
    d.co_build(w)
    need = d.wish(w)
    url = f"/needs/{need.pk}/"
    admin_html = as_user(w.users["community_admin"]).get(url).text
    assert {"publish", "decline"} <= forms_on(admin_html)
    assert '<label for="publish-places">名额</label>' in admin_html
    assert 'type="datetime-local"' in admin_html and 'value="legal"' in admin_html
    assert (
        "本社区还没有可以合并到的其他需求。" in admin_html
    )  # merging is open, but there is nothing to merge into
    assert forms_on(as_user(w.users["resident"]).get(url).text) == set()
    assert forms_on(as_user(w.users["street_admin"]).get(url).text) == set()

    other = d.wish(w, "另一条")
    assert "merge" in forms_on(as_user(w.users["community_admin"]).get(url).text)
    assert f'<option value="{other.pk}">' in as_user(w.users["community_admin"]).get(url).text

    need_publish(actor=w.users["community_admin"], need=need)
    assert forms_on(as_user(w.users["member"]).get(url).text) == {"claim"}
    assert forms_on(as_user(w.users["unit_admin"]).get(url).text) == {"claim"}
    assert "以“区税务局”名义认领" in as_user(w.users["unit_admin"]).get(url).text
    admin_html = as_user(w.users["community_admin"]).get(url).text
    assert forms_on(admin_html) == {"decline", "merge", "assign", "close"}
    assert "区税务局" in admin_html and "李明" in admin_html  # assignable: the unit and the member

    need_claim(actor=w.users["member"], need=need)
    assert forms_on(as_user(w.users["member"]).get(url).text) == {"complete", "withdraw"}
    assert forms_on(as_user(w.users["unit_admin"]).get(url).text) == set()  # full
    assert forms_on(as_user(w.users["resident"]).get(url).text) == set()
    assert forms_on(as_user(w.users["community_admin"]).get(url).text) == {"close"}


def test_the_page_offers_exactly_what_the_services_allow(as_user, w):
    """In every state, for every viewer, the forms on the page are `need_actions_for` — no more, no less."""
    d.with_member(w)
    d.co_build(w)
    d.wish(w, "可合并到的")  # so that merging, where allowed, has a target
    resident_need = d.completed(w)
    need_dispute(actor=w.users["resident"], need=resident_need, reason="还在漏水")
    task = d.task(w, places=2)
    need_claim(actor=w.users["member"], need=task)
    need_complete(actor=w.users["member"], need=task, note="清理了垃圾", hours="2")
    ended = d.published(w, "终止的")
    need_close(actor=w.users["community_admin"], need=ended, reason="居民已搬走")
    needs = [d.wish(w, "待审核的"), d.published(w, "待认领的"), resident_need, task, ended]
    viewers = ["community_admin", "street_admin", "grid_worker", "member", "unit_admin", "resident"]
    for need in needs:
        need.refresh_from_db()
        for role in viewers:
            user = w.users[role]
            r = as_user(user).get(f"/needs/{need.pk}/")
            if r.status_code == 404:
                continue
            assert forms_on(r.text) == need_actions_for(user, need), (need.title, role)


def test_a_residents_need_is_terminated_where_a_task_is_closed(as_user, w):
    d.with_member(w)
    wish = d.published(w)
    html = as_user(w.users["community_admin"]).get(f"/needs/{wish.pk}/").text
    assert "<summary>终止办理</summary>" in html and "终止原因（服务对象可见）" in html
    assert re.search(r'<textarea name="reason" id="close-reason"[^>]* required>', html)
    task = d.task(w)
    html = as_user(w.users["community_admin"]).get(f"/needs/{task.pk}/").text
    assert "<summary>关闭</summary>" in html and "关闭原因（可选）" in html and "终止办理" not in html
    assert not re.search(r'<textarea name="reason" id="close-reason"[^>]* required>', html)


def test_it_offers_confirmation_with_visible_star_labels_to_the_resident(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    url = f"/needs/{need.pk}/"
    html = as_user(w.users["resident"]).get(url).text
    assert forms_on(html) == {"confirm", "dispute"}
    for stars in ("5 星 · 非常满意", "1 星 · 不满意"):
        assert stars in html
    assert html.count('type="radio" name="rating"') == 5
    assert "<legend>评分</legend>" in html and "换了阀芯" in html and "1.5 小时" in html
    assert "核定服务时长" not in html  # the resident rates; the hours are not its to set
    assert forms_on(as_user(w.users["member"]).get(url).text) == set()
    assert forms_on(as_user(w.users["community_admin"]).get(url).text) == set()


def test_it_lets_the_community_confirm_its_own_task(as_user, w):
    d.with_member(w)
    need = d.task(w)
    need_claim(actor=w.users["member"], need=need)

    need_complete(actor=w.users["member"], need=need, note="清理了垃圾", hours="2")
    html = as_user(w.users["community_admin"]).get(f"/needs/{need.pk}/").text
    assert "confirm" in forms_on(html)
    claim_pk = need.claims.get().pk
    assert f'<label for="confirm-{claim_pk}-hours">核定服务时长（小时）</label>' in html
    assert re.search(rf'name="hours" value="2.0"[^>]*id="confirm-{claim_pk}-hours"', html)


def test_it_shows_photos_as_thumbnails_served_in_scope(as_user, w, client):
    d.with_member(w)
    need = d.wish(w)
    photo = need_photo_add(actor=w.users["resident"], need=need, content=d.PNG)
    url = f"/needs/{need.pk}/photos/{photo.pk}/"
    html = as_user(w.users["resident"]).get(f"/needs/{need.pk}/").text
    assert f'<img src="{url}" alt="提交时的照片 1"' in html

    r = as_user(w.users["resident"]).get(url)
    assert r.status_code == 200 and r.content == d.PNG
    assert r["Content-Type"] == "image/png"
    assert "private" in r["Cache-Control"]

    assert as_user(w.users["member"]).get(url).status_code == 404  # not published: not visible to members
    assert f'<img src="{url}"' in as_user(w.users["community_admin"]).get(f"/needs/{need.pk}/").text
    assert as_user(w.users["other_community_admin"]).get(url).status_code == 404
    other = d.wish(w, "另一条")
    assert as_user(w.users["resident"]).get(f"/needs/{other.pk}/photos/{photo.pk}/").status_code == 404
    client.logout()
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_it_lists_photos_only_to_those_who_may_see_them(as_user, w):
    d.with_member(w)
    need = d.published(w)
    photo = need_photo_add(actor=w.users["resident"], need=need, content=d.PNG)
    url = f"/needs/{need.pk}/photos/{photo.pk}/"
    html = as_user(w.users["member"]).get(f"/needs/{need.pk}/").text  # it may see the need, to take it on
    assert "<img" not in html and url not in html
    assert "照片可能拍到居民家中，只有认领办理的人、服务对象和社区工作人员可以查看。" in html
    assert as_user(w.users["member"]).get(url).status_code == 404
    need_claim(actor=w.users["member"], need=need)
    assert f'<img src="{url}"' in as_user(w.users["member"]).get(f"/needs/{need.pk}/").text
    assert as_user(w.users["member"]).get(url).status_code == 200


def test_the_photo_inputs_let_a_resident_pick_a_picture_it_already_has(as_user, w):
    d.with_member(w)
    need = d.claimed(w)
    html = as_user(w.users["member"]).get(f"/needs/{need.pk}/").text
    assert html.count('type="file" name="photo') == 3
    assert 'accept="image/*"' in html and "capture" not in html


def test_it_names_claimers_and_units_in_the_claims(as_user, w):
    d.with_member(w)
    d.co_build(w)
    need = d.task(w, places=2)
    need_claim(actor=w.users["member"], need=need)
    need_claim(actor=w.users["unit_admin"], need=need, unit=w.units["U1"])
    html = as_user(w.users["community_admin"]).get(f"/needs/{need.pk}/").text
    claims = html[html.index("认领情况") :]
    assert "李明" in claims and "区税务局（单位）" in claims and "须办结于" in claims


def test_a_member_not_registered_here_cannot_claim(as_user, w):
    factories.registered(
        w.members["other_member"], w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"]
    )
    d.with_member(w)
    need = d.published(w)
    assert as_user(w.users["other_member"]).get(f"/needs/{need.pk}/").status_code == 404
