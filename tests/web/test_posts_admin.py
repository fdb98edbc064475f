"""The community's posts pages: the list with claims waiting, 设岗, the registered members holding no post
(with the district's rule), 撤岗, and the decisions on one holder — 确认, 不通过 and 调离 with a reason. Each
for the anonymous visitor, someone out of scope (404), someone who sees the post but may not decide (403)
and the community's admin."""

from datetime import date

import pytest

from baodao.notify.models import Notice
from baodao.policy.models import Policy
from baodao.posts.models import HolderStatus, Kind, Post
from baodao.posts.services import post_claim
from tests.web.posts_data import cast_of, hold, holder_status, member_in, post

ACTIONS = ["confirm", "reject", "remove"]
PAGES = ["/community/C1/posts/", "/community/C1/posts/new/", "/community/C1/posts/unfilled/"]


@pytest.fixture(name="c")
def _cast(w):
    return cast_of(w)


@pytest.mark.parametrize("url", PAGES)
def test_its_pages_send_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["other_community_admin", "grid_worker", "unit_admin", "member"])
def test_its_pages_are_not_found_out_of_scope(as_user, c, url, who):
    assert as_user(c.u(who)).get(url).status_code == 404


def test_it_lists_the_communitys_posts_in_force_first_with_claims_waiting(as_user, c):
    old = post(c, "旧岗位")
    Post.objects.filter(pk=old.pk).update(active=False)
    p = post(c, "政策宣传")
    post_claim(actor=c.member.user, post=p)
    post_claim(actor=c.helper.user, post=p)
    post(c, "物资配送", kind=Kind.EMERGENCY, headcount=20)
    r = as_user(c.admin).get("/community/C1/posts/")
    assert r.status_code == 200
    text = r.text
    assert text.index("政策宣传") < text.index("旧岗位") and text.index("物资配送") < text.index("旧岗位")
    assert '<span class="badge wait">2</span>' in text and "0/20" in text
    assert 'href="/community/C1/posts/new/"' in text and 'href="/community/C1/posts/unfilled/"' in text
    emergency = as_user(c.admin).get("/community/C1/posts/?kind=emergency").text
    assert "物资配送" in emergency and "政策宣传" not in emergency


def test_a_street_admin_sees_the_posts(as_user, c):
    post(c)
    client = as_user(c.u("street_admin"))
    assert "政策宣传" in client.get("/community/C1/posts/").text


def test_it_sets_a_post(as_user, c):
    client = as_user(c.admin)
    r = client.get("/community/C1/posts/new/")
    assert r.status_code == 200 and "网格C1G1" in r.text and "网格C2G1" not in r.text
    r = client.post(
        "/community/C1/posts/new/",
        {
            "kind": "emergency",
            "title": "环境消杀",
            "headcount": "12",
            "duties": "楼道和电梯消毒",
            "skills": ["health"],
            "schedule": "应急时随叫随到",
            "grids": ["C1G1", "C1G2"],
        },
    )
    p = Post.objects.get(title="环境消杀")
    assert r.status_code == 302 and r.url == f"/posts/{p.pk}/"
    assert (p.kind, p.headcount, p.duties, p.skills, p.schedule) == (
        "emergency",
        12,
        "楼道和电梯消毒",
        ["health"],
        "应急时随叫随到",
    )
    assert sorted(g.code for g in p.grids.all()) == ["C1G1", "C1G2"]
    assert p.community.code == "C1" and p.created_by == c.admin


def test_it_refuses_a_bad_post_with_400(as_user, c):
    post(c, "政策宣传")
    client = as_user(c.admin)
    r = client.post("/community/C1/posts/new/", {"kind": "regular", "title": "", "headcount": "0"})
    assert r.status_code == 400 and Post.objects.count() == 1
    r = client.post("/community/C1/posts/new/", {"kind": "regular", "title": "政策宣传", "headcount": "3"})
    assert r.status_code == 400 and "本社区已有同名的在设岗位。" in r.text
    r = client.post(
        "/community/C1/posts/new/", {"kind": "regular", "title": "巡逻", "headcount": "3", "grids": ["C2G1"]}
    )
    assert r.status_code == 400 and Post.objects.count() == 1


def test_a_street_admin_may_set_a_post(as_user, c):
    r = as_user(c.u("street_admin")).post(
        "/community/C1/posts/new/", {"kind": "regular", "title": "街道派岗", "headcount": "2"}
    )
    assert r.status_code == 302 and Post.objects.filter(title="街道派岗").exists()


def test_it_lists_registered_members_without_a_post_and_the_districts_rule(as_user, c):
    p = post(c)
    hold(c, p, c.member)
    post_claim(actor=c.helper.user, post=post(c, "楼栋长"))  # waiting is not holding
    client = as_user(c.admin)
    r = client.get("/community/C1/posts/unfilled/")
    assert r.status_code == 200
    assert "赵强" in r.text and "李明" not in r.text
    assert "本区要求每名报到党员至少认领一个岗位" not in r.text
    Policy.objects.create(district=c.r("D1"), effective_from=date(2020, 1, 1), posts_required=True)
    assert "本区要求每名报到党员至少认领一个岗位" in client.get("/community/C1/posts/unfilled/").text


def test_the_list_without_a_post_is_paginated(as_user, c):
    for i in range(50):
        member_in(c, f"党员{i:02d}")
    r = as_user(c.admin).get("/community/C1/posts/unfilled/")
    assert "第 1 / 2 页，共 52 条" in r.text


# ---- decisions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_decisions_send_anonymous_visitors_to_login(client, c, action):
    p = post(c)
    r = client.post(f"/posts/{p.pk}/holders/{c.member.pk}/{action}/", {"reason": "x"})
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("action", [*ACTIONS, "close"])
def test_decisions_are_not_found_out_of_scope(as_user, c, action):
    p = post(c)
    post_claim(actor=c.member.user, post=p)
    url = f"/posts/{p.pk}/close/" if action == "close" else f"/posts/{p.pk}/holders/{c.member.pk}/{action}/"
    assert as_user(c.u("other_community_admin")).post(url, {"reason": "x"}).status_code == 404
    assert holder_status(p, c.member) == HolderStatus.PENDING and Post.objects.get(pk=p.pk).active


@pytest.mark.parametrize("action", [*ACTIONS, "close"])
def test_a_member_may_not_decide(as_user, c, action):
    p = post(c)
    post_claim(actor=c.helper.user, post=p)
    url = f"/posts/{p.pk}/close/" if action == "close" else f"/posts/{p.pk}/holders/{c.helper.pk}/{action}/"
    r = as_user(c.member.user).post(url, {"reason": "x"})
    assert r.status_code == 403 and "只有社区的管理员可以办理此事项。" in r.text
    assert holder_status(p, c.helper) == HolderStatus.PENDING and Post.objects.get(pk=p.pk).active


def test_a_decision_on_someone_who_never_claimed_is_not_found(as_user, c):
    p = post(c)
    assert as_user(c.admin).post(f"/posts/{p.pk}/holders/{c.member.pk}/confirm/").status_code == 404


def test_it_rejects_a_claim_with_a_reason_the_member_sees(as_user, c):
    p = post(c)
    post_claim(actor=c.member.user, post=p)
    client = as_user(c.admin)
    r = client.post(f"/posts/{p.pk}/holders/{c.member.pk}/reject/", {"reason": ""})
    assert r.status_code == 400 and "请填写原因。" in r.text
    assert holder_status(p, c.member) == HolderStatus.PENDING
    r = client.post(f"/posts/{p.pk}/holders/{c.member.pk}/reject/", {"reason": "需要有法律背景"}, follow=True)
    assert "李明的认领未通过，党员会看到原因。" in r.text
    assert holder_status(p, c.member) == HolderStatus.REJECTED
    assert Notice.objects.filter(user=c.member.user, body="需要有法律背景").exists()
    assert "需要有法律背景" in as_user(c.member.user).get(f"/posts/{p.pk}/").text


def test_it_refuses_to_confirm_beyond_the_headcount_with_409(as_user, c):
    p = post(c, headcount=1)
    post_claim(actor=c.member.user, post=p)
    hold(c, p, c.helper)
    r = as_user(c.admin).post(f"/posts/{p.pk}/holders/{c.member.pk}/confirm/")
    assert r.status_code == 409 and "岗位人数已满，不能再确认。" in r.text
    assert holder_status(p, c.member) == HolderStatus.PENDING


def test_it_takes_a_holder_off_the_post(as_user, c):
    p = post(c)
    hold(c, p, c.member)
    client = as_user(c.admin)
    assert client.post(f"/posts/{p.pk}/holders/{c.member.pk}/remove/", {"reason": ""}).status_code == 400
    r = client.post(f"/posts/{p.pk}/holders/{c.member.pk}/remove/", {"reason": "长期未到岗"}, follow=True)
    assert "已将李明调离“政策宣传”" in r.text
    assert holder_status(p, c.member) == HolderStatus.WITHDRAWN
    assert Post.objects.get(pk=p.pk).taken == 0
    r = client.post(f"/posts/{p.pk}/holders/{c.member.pk}/remove/", {"reason": "再次调离"})
    assert r.status_code == 409


def test_it_closes_a_post_and_releases_its_holders(as_user, c):
    p = post(c)
    hold(c, p, c.member)
    post_claim(actor=c.helper.user, post=p)
    client = as_user(c.admin)
    assert client.post(f"/posts/{p.pk}/close/", {"reason": ""}).status_code == 400
    r = client.post(f"/posts/{p.pk}/close/", {"reason": "任务调整"}, follow=True)
    assert "已撤销岗位“政策宣传”" in r.text and "岗位已撤销。原因：任务调整" in r.text
    p.refresh_from_db()
    assert not p.active and p.taken == 0
    assert holder_status(p, c.member) == holder_status(p, c.helper) == HolderStatus.WITHDRAWN
    assert client.post(f"/posts/{p.pk}/close/", {"reason": "再撤"}).status_code == 409
    r = as_user(c.member.user).post(f"/posts/{p.pk}/claim/")
    assert r.status_code == 409 and "岗位已撤销，不能认领。" in r.text
