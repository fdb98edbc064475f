"""A member's posts pages: the posts of its community (by kind, with places left and its own claim), a post
with 认领 and 退出 (with a reason), 我的岗位 — and the whole round: claim → the community confirms → the
member leaves, through the pages. Refusals come back on the post's page with their status (409 full, 400
no reason)."""

import pytest

from baodao.posts.models import HolderStatus, Kind, Post
from baodao.posts.services import (
    grid_lead_designate,
    post_claim,
    post_reject,
    team_add_member,
    team_create,
    team_set_leader,
)
from tests.mobilizations.helpers import emergency_post
from tests.web.posts_data import cast_of, hold, holder_status, post


@pytest.fixture(name="c")
def _cast(w):
    return cast_of(w)


PAGES = ["/posts/", "/me/posts/"]


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("action", ["claim", "withdraw"])
def test_it_sends_anonymous_posts_to_login(client, c, action):
    p = post(c)
    r = client.post(f"/posts/{p.pk}/{action}/", {"reason": "忙"})
    assert r.status_code == 302 and r.url.startswith("/login/")
    assert not p.holders.exists()


def test_it_lists_the_posts_of_the_members_community_by_kind(as_user, c):
    post(c, "政策宣传", duties="入户宣讲惠民政策", schedule="每周六上午", skills=["legal"])
    post(c, "物资配送", kind=Kind.EMERGENCY, grids=[c.r("C1G2")])
    closed = post(c, "旧岗位")
    Post.objects.filter(pk=closed.pk).update(active=False)
    client = as_user(c.member.user)
    r = client.get("/posts/")
    assert r.status_code == 200
    assert "政策宣传" in r.text and "物资配送" in r.text and "旧岗位" not in r.text
    assert "入户宣讲惠民政策" in r.text and "每周六上午" in r.text and "网格C1G2" in r.text
    assert "还差 3 人" in r.text
    assert 'class="match"' in r.text  # 李明's legal skill matches
    r = client.get("/posts/?kind=emergency")
    assert "物资配送" in r.text and "政策宣传" not in r.text


def test_it_does_not_list_posts_of_another_community(as_user, c):
    emergency_post(c, "和平社区配送", community="C2")
    r = as_user(c.member.user).get("/posts/")
    assert "和平社区配送" not in r.text


def test_it_asks_an_unregistered_member_to_register(as_user, c):
    r = as_user(c.w.users["other_member"]).get("/posts/")
    assert r.status_code == 200 and "您还没有在居住社区报到" in r.text


def test_it_does_not_show_the_posts_page_to_a_resident(as_user, c):
    assert as_user(c.u("resident")).get("/posts/").status_code == 404


def test_it_shows_a_post_and_hides_it_out_of_scope(as_user, c):
    p = post(c, duties="入户宣讲")
    r = as_user(c.member.user).get(f"/posts/{p.pk}/")
    assert r.status_code == 200 and "入户宣讲" in r.text and "认领岗位" in r.text
    assert "认领与在岗" not in r.text  # the holders are the community's
    assert as_user(c.w.users["other_member"]).get(f"/posts/{p.pk}/").status_code == 404
    assert as_user(c.u("far_community_admin")).get(f"/posts/{p.pk}/").status_code == 404


def test_claim_confirm_and_withdraw_through_the_pages(client, as_user, c):
    p = post(c, headcount=2)
    member = as_user(c.member.user)
    r = member.post(f"/posts/{p.pk}/claim/", follow=True)
    assert r.redirect_chain[-1][0] == f"/posts/{p.pk}/"
    assert "已认领“政策宣传”，请等待社区确认。" in r.text and "待社区确认" in r.text
    assert holder_status(p, c.member) == HolderStatus.PENDING

    admin = as_user(c.admin)
    r = admin.get(f"/posts/{p.pk}/")
    assert "李明" in r.text and "待确认 1 人" in r.text
    r = admin.post(f"/posts/{p.pk}/holders/{c.member.pk}/confirm/", follow=True)
    assert "已确认李明在“政策宣传”岗位。" in r.text
    assert holder_status(p, c.member) == HolderStatus.CONFIRMED
    p.refresh_from_db()
    assert p.taken == 1

    member = as_user(c.member.user)
    r = member.get("/me/posts/")
    assert "政策宣传" in r.text and "在岗" in r.text
    r = member.post(f"/posts/{p.pk}/withdraw/", {"reason": "工作调动到外地"}, follow=True)
    assert "已退出岗位“政策宣传”" in r.text
    assert holder_status(p, c.member) == HolderStatus.WITHDRAWN
    p.refresh_from_db()
    assert p.taken == 0
    assert "工作调动到外地" in member.get("/me/posts/").text


def test_it_refuses_to_claim_a_full_post_with_409(as_user, c):
    p = post(c, headcount=1)
    hold(c, p, c.helper)
    r = as_user(c.member.user).post(f"/posts/{p.pk}/claim/")
    assert r.status_code == 409
    assert "岗位人数已满。" in r.text
    assert holder_status(p, c.member) is None


def test_it_refuses_a_second_claim_with_409(as_user, c):
    p = post(c)
    post_claim(actor=c.member.user, post=p)
    r = as_user(c.member.user).post(f"/posts/{p.pk}/claim/")
    assert r.status_code == 409 and "您已经认领了这个岗位。" in r.text
    assert p.holders.count() == 1


def test_it_refuses_to_withdraw_without_a_reason_with_400(as_user, c):
    p = post(c)
    post_claim(actor=c.member.user, post=p)
    r = as_user(c.member.user).post(f"/posts/{p.pk}/withdraw/", {"reason": " "})
    assert r.status_code == 400 and "请填写原因。" in r.text
    assert holder_status(p, c.member) == HolderStatus.PENDING


def test_it_refuses_to_withdraw_from_a_post_not_held(as_user, c):
    p = post(c)
    r = as_user(c.member.user).post(f"/posts/{p.pk}/withdraw/", {"reason": "不想干了"})
    assert r.status_code == 409 and "没有在这个岗位上，无需退出。" in r.text


def test_it_answers_403_to_an_admin_who_claims(as_user, c):
    p = post(c)
    r = as_user(c.admin).post(f"/posts/{p.pk}/claim/")
    assert r.status_code == 403 and "只有在职党员可以认领岗位。" in r.text
    assert not p.holders.exists()


def test_it_only_answers_posts_to_actions(as_user, c):
    p = post(c)
    assert as_user(c.member.user).get(f"/posts/{p.pk}/claim/").status_code == 405


def test_my_posts_shows_holdings_teams_and_lead_grids(as_user, c):
    p = post(c, "楼栋长")
    hold(c, p, c.member)
    rejected = post(c, "法律咨询")
    post_claim(actor=c.member.user, post=rejected)
    post_reject(actor=c.admin, post=rejected, member=c.member, reason="名额留给律师")
    team = team_create(actor=c.admin, community=c.r("C1"), kind="team", name="应急志愿服务队")
    team_add_member(actor=c.admin, team=team, member=c.member)
    team_set_leader(actor=c.admin, team=team, member=c.member)
    grid_lead_designate(actor=c.u("grid_worker"), grid=c.r("C1G1"), member=c.member, note="3栋至5栋")
    r = as_user(c.member.user).get("/me/posts/")
    assert r.status_code == 200
    text = r.text
    assert "楼栋长" in text and "法律咨询" in text and "名额留给律师" in text and "未通过" in text
    assert text.index("楼栋长") < text.index("法律咨询")  # holdings before the history
    assert "应急志愿服务队" in text and "队长" in text
    assert "网格C1G1的带头人" in text and "3栋至5栋" in text


def test_my_posts_is_only_for_members(as_user, c):
    assert as_user(c.admin).get("/me/posts/").status_code == 404
