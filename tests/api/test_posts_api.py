"""Posts through the API: set by need, listed and shown in scope, claimed by a member, confirmed, turned
down, left and closed by the community; the member's own holdings."""

import pytest

from baodao.posts.models import HolderStatus, Post, PostHolder
from baodao.posts.services import post_claim, post_close, post_create
from tests.api.activity_cases import assert_refused, client_for
from tests.mobilizations.helpers import cast_of, emergency_post, hold

pytestmark = pytest.mark.django_db

LIST = "/api/v1/posts"


def url(post, action=""):
    return f"{LIST}/{post.pk}" + (f"/{action}" if action else "")


@pytest.fixture
def c(w):
    return cast_of(w)


def regular_post(c, title="楼栋长"):
    return post_create(actor=c.admin, community=c.r("C1"), kind="regular", title=title, headcount=3)


def new_post(**kw):
    return {"kind": "regular", "title": "政策宣传", "community": "C1", "headcount": 3, **kw}


# ---- POST /posts -------------------------------------------------------------------------------------


def test_it_refuses_anonymous_callers(c, anon):
    assert_refused(anon.post(LIST, new_post(), format="json"), 401, "unauthenticated")
    assert_refused(anon.get(LIST), 401, "unauthenticated")
    assert_refused(anon.get("/api/v1/me/posts"), 401, "unauthenticated")
    assert not Post.objects.exists()


def test_the_community_sets_a_post_for_some_grids(c):
    body = new_post(
        kind="emergency",
        title="物资配送",
        headcount=5,
        duties="把物资送到楼下",
        skills=["法律咨询", "health"],
        grids=["C1G2"],
        schedule="封控期间每天",
    )
    r = client_for(c.admin).post(LIST, body, format="json")
    assert r.status_code == 201, r.content
    post = r.json()
    assert (post["kind"], post["title"], post["headcount"], post["taken"], post["free_places"]) == (
        "emergency",
        "物资配送",
        5,
        0,
        5,
    )
    assert post["community"] == {"code": "C1", "name": "幸福社区"}
    assert post["grids"] == [{"code": "C1G2", "name": "网格C1G2"}]
    assert post["skills"] == ["legal", "health"]
    assert (post["duties"], post["schedule"], post["active"]) == ("把物资送到楼下", "封控期间每天", True)
    assert (post["pending"], post["my_status"], post["may_manage"], post["holders"]) == (0, None, True, [])
    assert Post.objects.get().created_by == c.admin


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new_post(community="NOPE"), "community"),
        (new_post(grids=["NOPE"]), "grids"),
        (new_post(grids=["C2G1"]), "grids"),
        (new_post(kind="sometimes"), "kind"),
        (new_post(headcount=0), "headcount"),
        (new_post(title=""), "title"),
        (new_post(skills=["飞行"]), "skills"),
    ],
)
def test_it_refuses_bad_input_on_its_field(c, body, field):
    assert_refused(client_for(c.admin).post(LIST, body, format="json"), 400, "invalid", field)
    assert not Post.objects.exists()


def test_a_second_active_post_of_the_same_title_is_refused(c):
    assert client_for(c.admin).post(LIST, new_post(), format="json").status_code == 201
    assert_refused(client_for(c.admin).post(LIST, new_post(), format="json"), 400, "invalid", "title")


def test_only_the_communitys_admins_set_posts(c):
    for role in ("other_community_admin", "grid_worker", "member"):
        r = client_for(c.u(role)).post(LIST, new_post(), format="json")
        assert_refused(r, 403, "forbidden")
    assert client_for(c.u("street_admin")).post(LIST, new_post(), format="json").status_code == 201
    assert Post.objects.count() == 1


# ---- GET /posts and /posts/{id} ------------------------------------------------------------------------


def test_the_list_shows_posts_in_scope_with_the_callers_status(c):
    regular = regular_post(c)
    delivery = emergency_post(c, "物资配送")
    emergency_post(c, "核酸检测", community="C2")
    post_claim(actor=c.member.user, post=delivery)

    r = client_for(c.member.user).get(LIST)
    assert r.status_code == 200
    rows = {p["title"]: p for p in r.json()["results"]}
    assert set(rows) == {"楼栋长", "物资配送"}
    assert rows["物资配送"]["my_status"] == "pending"
    assert rows["楼栋长"]["my_status"] is None
    assert rows["物资配送"]["pending"] is None  # a member does not see the community's queue

    admin_rows = {p["id"]: p for p in client_for(c.admin).get(LIST).json()["results"]}
    assert admin_rows[delivery.pk]["pending"] == 1 and admin_rows[regular.pk]["pending"] == 0

    street = client_for(c.u("street_admin")).get(LIST, {"community": "C2"}).json()
    assert [p["title"] for p in street["results"]] == ["核酸检测"]
    kinds = client_for(c.admin).get(LIST, {"kind": "regular"}).json()["results"]
    assert [p["title"] for p in kinds] == ["楼栋长"]
    assert client_for(c.u("far_community_admin")).get(LIST).json()["count"] == 0


def test_the_list_filters_active_posts(c):
    open_post = emergency_post(c, "物资配送")
    closed = emergency_post(c, "环境消杀")
    post_close(actor=c.admin, post=closed, reason="疫情结束")
    active = client_for(c.admin).get(LIST, {"active": "true"}).json()["results"]
    assert [p["id"] for p in active] == [open_post.pk]
    inactive = client_for(c.admin).get(LIST, {"active": "false"}).json()["results"]
    assert [p["id"] for p in inactive] == [closed.pk]
    assert_refused(client_for(c.admin).get(LIST, {"kind": "odd"}), 400, "invalid", "kind")


def test_the_detail_shows_holders_to_managers_only(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    post_claim(actor=c.helper.user, post=post)

    admin = client_for(c.admin).get(url(post)).json()
    assert admin["taken"] == 1 and admin["pending"] == 1
    holders = {h["member"]["id"]: h for h in admin["holders"]}
    assert holders[c.member.pk]["status"] == "confirmed"
    assert holders[c.member.pk]["decided_at"] is not None
    assert holders[c.helper.pk]["status"] == "pending"
    assert "*" in holders[c.helper.pk]["member"]["phone"]  # masked

    mine = client_for(c.member.user).get(url(post)).json()
    assert mine["holders"] is None and mine["may_manage"] is False
    assert mine["my_status"] == "confirmed"
    assert mine["my_holding"]["status"] == "confirmed"


def test_a_post_out_of_scope_is_not_found(c):
    post = emergency_post(c)
    assert_refused(client_for(c.u("other_member")).get(url(post)), 404, "not_found")
    assert_refused(client_for(c.u("far_community_admin")).get(url(post)), 404, "not_found")
    assert_refused(client_for(c.admin).get(f"{LIST}/999999"), 404, "not_found")


# ---- claim, confirm, reject, withdraw, close ----------------------------------------------------------

ACTIONS = {
    "claim": {},
    "confirm": {"member": 0},
    "reject": {"member": 0, "reason": "人数够了"},
    "withdraw": {"reason": "工作调动"},
    "close": {"reason": "疫情结束"},
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions_refuse_anonymous_callers(c, anon, action):
    post = emergency_post(c)
    assert_refused(anon.post(url(post, action), ACTIONS[action], format="json"), 401, "unauthenticated")


@pytest.mark.parametrize("action", list(ACTIONS))
def test_actions_on_a_post_out_of_scope_are_not_found(c, action):
    post = emergency_post(c)
    body = {**ACTIONS[action], **({"member": c.member.pk} if "member" in ACTIONS[action] else {})}
    r = client_for(c.u("far_community_admin")).post(url(post, action), body, format="json")
    assert_refused(r, 404, "not_found")
    r = client_for(c.u("other_member")).post(url(post, action), body, format="json")
    assert_refused(r, 404, "not_found")
    assert not PostHolder.objects.exists() and Post.objects.get().active


def test_a_member_claims_and_the_community_confirms(c):
    post = emergency_post(c, headcount=1)
    r = client_for(c.member.user).post(url(post, "claim"))
    assert r.status_code == 201, r.content
    holding = r.json()
    assert (holding["status"], holding["post"]["id"], holding["member"]["id"]) == (
        "pending",
        post.pk,
        c.member.pk,
    )
    assert holding["member"]["phone"] == c.member.user.phone  # the member sees its own number

    r = client_for(c.admin).post(url(post, "confirm"), {"member": c.member.pk}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "confirmed"
    post.refresh_from_db()
    assert post.taken == 1
    # confirming again changes nothing
    r = client_for(c.admin).post(url(post, "confirm"), {"member": c.member.pk}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    post.refresh_from_db()
    assert post.taken == 1


def test_claims_in_the_wrong_state_conflict(c):
    post = emergency_post(c, headcount=1)
    member = client_for(c.member.user)
    assert member.post(url(post, "claim")).status_code == 201
    assert_refused(member.post(url(post, "claim")), 409, "already_claimed")
    client_for(c.admin).post(url(post, "confirm"), {"member": c.member.pk}, format="json")
    assert_refused(client_for(c.helper.user).post(url(post, "claim")), 409, "full")
    closed = emergency_post(c, "环境消杀")
    post_close(actor=c.admin, post=closed, reason="不再需要")
    assert_refused(client_for(c.helper.user).post(url(closed, "claim")), 409, "illegal_transition")


def test_confirming_a_full_post_conflicts(c):
    post = emergency_post(c, headcount=1)
    post_claim(actor=c.member.user, post=post)
    post_claim(actor=c.helper.user, post=post)
    admin = client_for(c.admin)
    assert admin.post(url(post, "confirm"), {"member": c.member.pk}, format="json").status_code == 200
    r = admin.post(url(post, "confirm"), {"member": c.helper.pk}, format="json")
    assert_refused(r, 409, "full")
    assert PostHolder.objects.get(member=c.helper).status == HolderStatus.PENDING


def test_only_a_registered_member_claims(c):
    post = emergency_post(c)
    assert_refused(client_for(c.admin).post(url(post, "claim")), 403, "forbidden")
    assert_refused(client_for(c.u("resident")).post(url(post, "claim")), 404, "not_found")


def test_only_managers_confirm_reject_and_close(c):
    post = emergency_post(c)
    post_claim(actor=c.member.user, post=post)
    helper = client_for(c.helper.user)
    # a member names the one member it sees, itself
    r = helper.post(url(post, "confirm"), {"member": c.helper.pk}, format="json")
    assert_refused(r, 403, "forbidden")
    r = helper.post(url(post, "reject"), {"member": c.helper.pk, "reason": "不行"}, format="json")
    assert_refused(r, 403, "forbidden")
    assert_refused(helper.post(url(post, "close"), {"reason": "不要了"}, format="json"), 403, "forbidden")
    # the admin of the neighbouring community does not even see the post
    r = client_for(c.u("other_community_admin")).post(
        url(post, "confirm"), {"member": c.member.pk}, format="json"
    )
    assert_refused(r, 404, "not_found")
    assert PostHolder.objects.get().status == HolderStatus.PENDING and Post.objects.get().active


def test_a_member_the_caller_cannot_see_is_a_mistake_in_the_body(c):
    post = emergency_post(c)
    admin = client_for(c.admin)
    far = c.u("other_member").member
    for action, body in (
        ("confirm", {"member": far.pk}),
        ("reject", {"member": 999999, "reason": "x"}),
        ("withdraw", {"member": far.pk, "reason": "x"}),
    ):
        assert_refused(admin.post(url(post, action), body, format="json"), 400, "invalid", "member")
    assert_refused(admin.post(url(post, "confirm"), {}, format="json"), 400, "invalid", "member")
    assert_refused(
        admin.post(url(post, "confirm"), {"member": c.member.pk}, format="json"), 409, "not_pending"
    )


def test_the_community_turns_a_claim_down_with_a_reason(c):
    post = emergency_post(c)
    post_claim(actor=c.member.user, post=post)
    admin = client_for(c.admin)
    assert_refused(
        admin.post(url(post, "reject"), {"member": c.member.pk}, format="json"), 400, "invalid", "reason"
    )
    r = admin.post(url(post, "reject"), {"member": c.member.pk, "reason": "缺少相关特长"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["reason"]) == ("rejected", "缺少相关特长")
    r = admin.post(url(post, "reject"), {"member": c.member.pk, "reason": "再驳回"}, format="json")
    assert_refused(r, 409, "not_pending")


def test_a_member_leaves_and_an_admin_takes_a_holder_off(c):
    post = emergency_post(c, headcount=2)
    hold(c, post, c.member)
    hold(c, post, c.helper)
    r = client_for(c.member.user).post(url(post, "withdraw"), {"reason": "工作调动"}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["reason"], r.json()["member"]["id"]) == (
        "withdrawn",
        "工作调动",
        c.member.pk,
    )
    r = client_for(c.admin).post(
        url(post, "withdraw"), {"member": c.helper.pk, "reason": "长期未到岗"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["member"]["id"] == c.helper.pk and r.json()["status"] == "withdrawn"
    post.refresh_from_db()
    assert post.taken == 0
    r = client_for(c.member.user).post(url(post, "withdraw"), {"reason": "再退"}, format="json")
    assert_refused(r, 409, "not_holding")
    assert_refused(
        client_for(c.member.user).post(url(post, "withdraw"), {}, format="json"), 400, "invalid", "reason"
    )


def test_a_member_cannot_take_another_off_the_post(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    r = client_for(c.helper.user).post(
        url(post, "withdraw"), {"member": c.member.pk, "reason": "我来"}, format="json"
    )
    # a member sees no other member: the body names nobody it knows
    assert_refused(r, 400, "invalid", "member")
    assert PostHolder.objects.get(member=c.member).status == HolderStatus.CONFIRMED


def test_the_community_closes_a_post_once(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    admin = client_for(c.admin)
    r = admin.post(url(post, "close"), {"reason": "疫情结束"}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["active"], body["taken"], body["close_reason"]) == (False, 0, "疫情结束")
    assert body["closed_at"] is not None
    assert PostHolder.objects.get().status == HolderStatus.WITHDRAWN
    assert_refused(
        admin.post(url(post, "close"), {"reason": "再撤"}, format="json"), 409, "illegal_transition"
    )
    assert_refused(admin.post(url(post, "close"), {}, format="json"), 400, "invalid", "reason")


# ---- GET /me/posts ------------------------------------------------------------------------------------


def test_my_posts_lists_every_holding_newest_first(c):
    first = emergency_post(c, "物资配送")
    second = regular_post(c)
    hold(c, first, c.member)
    post_claim(actor=c.member.user, post=second)
    post_claim(actor=c.helper.user, post=first)
    r = client_for(c.member.user).get("/api/v1/me/posts")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [(h["post"]["title"], h["status"]) for h in rows] == [
        ("楼栋长", "pending"),
        ("物资配送", "confirmed"),
    ]
    assert rows[0]["post"]["community"] == {"code": "C1", "name": "幸福社区"}
    assert client_for(c.admin).get("/api/v1/me/posts").json()["count"] == 0


def test_the_list_does_not_grow_with_the_posts(c):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_for(c.admin)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(LIST).status_code == 200
        return len(ctx)

    hold(c, emergency_post(c, "物资配送", grids=[c.r("C1G1")]), c.member)
    queries()  # the first request of a token does a little more
    few = queries()
    for title in ("环境消杀", "防汛抢险", "卫生清扫"):
        post = emergency_post(c, title, grids=[c.r("C1G1"), c.r("C1G2")])
        post_claim(actor=c.helper.user, post=post)
    assert queries() == few
