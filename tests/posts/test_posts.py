"""Posts set by need (按需设岗): who may set them and what they must say; claims, confirmations, turn-downs,
withdrawals and closing, with every transition of a holding the state machine refuses."""

import pytest

from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.notify.models import Notice
from baodao.posts.models import HolderStatus, Kind, Post, PostHolder
from baodao.posts.services import (
    post_claim,
    post_close,
    post_confirm,
    post_create,
    post_reject,
    post_withdraw,
)
from tests import factories
from tests.mobilizations.helpers import emergency_post, hold, member_in

pytestmark = pytest.mark.django_db


def regular(c, title="政策宣传", *, actor=None, community="C1", **kw):
    kw.setdefault("headcount", 3)
    return post_create(actor=actor or c.admin, community=c.r(community), kind=Kind.REGULAR, title=title, **kw)


def fresh(post):
    return Post.objects.get(pk=post.pk)


def status_of(post, member):
    return list(
        PostHolder.objects.filter(post=post, member=member).order_by("id").values_list("status", flat=True)
    )


# ---- setting a post ---------------------------------------------------------------------------------------


def test_a_post_is_set_with_its_duties_skills_schedule_and_grids(c):
    post = regular(
        c,
        duties="  宣讲政策  ",
        skills=["法律咨询", "legal", "patrol"],
        schedule="每周六上午",
        grids=[c.r("C1G2"), c.r("C1G1"), c.r("C1G2")],
    )
    post.refresh_from_db()
    assert (post.community, post.kind, post.title, post.headcount, post.taken) == (
        c.r("C1"),
        "regular",
        "政策宣传",
        3,
        0,
    )
    assert post.duties == "宣讲政策"
    assert post.skills == ["legal", "patrol"]
    assert post.schedule == "每周六上午"
    assert set(post.grids.values_list("code", flat=True)) == {"C1G1", "C1G2"}
    assert post.active and post.created_by == c.admin


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "wartime"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "岗" * 41}, "title"),
        ({"headcount": 0}, "headcount"),
        ({"headcount": 1001}, "headcount"),
        ({"headcount": -2}, "headcount"),
        ({"headcount": "三"}, "headcount"),
        ({"headcount": None}, "headcount"),
        ({"skills": ["飞檐走壁"]}, "skills"),
        ({"duties": "责" * 1001}, "duties"),
        ({"schedule": "时" * 101}, "schedule"),
    ],
)
def test_what_a_post_must_say(c, changes, field):
    fields = {"kind": Kind.REGULAR, "title": "助老助残", "headcount": 2, **changes}
    with pytest.raises(Invalid) as e:
        post_create(actor=c.admin, community=c.r("C1"), **fields)
    assert field in e.value.fields
    assert not Post.objects.exists()


def test_headcount_bounds_are_inclusive(c):
    assert regular(c, "一人岗", headcount=1).headcount == 1
    assert regular(c, "千人岗", headcount="1000").headcount == 1000


def test_a_grid_of_another_community_or_a_region_that_is_no_grid_is_refused(c):
    for wrong in (c.r("C2G1"), c.r("C1"), c.r("C4G1")):
        with pytest.raises(Invalid) as e:
            regular(c, grids=[c.r("C1G1"), wrong])
        assert "grids" in e.value.fields
    assert not Post.objects.exists()


def test_a_post_is_set_in_a_community_only(c):
    with pytest.raises(Invalid) as e:
        post_create(
            actor=c.u("street_admin"), community=c.r("S1"), kind="regular", title="街道岗", headcount=1
        )
    assert "community" in e.value.fields


def test_one_active_post_of_a_title_and_kind_per_community(c):
    first = regular(c)
    with pytest.raises(Invalid) as e:
        regular(c, title=" 政策宣传 ")
    assert "title" in e.value.fields
    # the same title as an emergency post, or in another community, is another post
    emergency_post(c, "政策宣传")
    regular(c, actor=c.u("other_community_admin"), community="C2")
    # once closed, the title is free again
    post_close(actor=c.admin, post=first, reason="不再需要")
    again = regular(c)
    assert again.pk != first.pk and again.active
    assert Post.objects.filter(community=c.r("C1"), title="政策宣传", kind="regular").count() == 2


@pytest.mark.parametrize("who", ["community_admin", "street_admin", "district_admin"])
def test_the_community_and_the_admins_above_it_set_posts(c, who):
    assert regular(c, actor=c.u(who)).created_by == c.u(who)


@pytest.mark.parametrize(
    "who", ["other_community_admin", "far_community_admin", "grid_worker", "member", "unit_admin", "resident"]
)
def test_nobody_else_sets_a_post_of_the_community(c, who):
    with pytest.raises(Forbidden):
        regular(c, actor=c.u(who))
    assert not Post.objects.exists()


# ---- claiming ---------------------------------------------------------------------------------------------


def test_a_member_registered_here_claims_and_the_admins_are_told(c):
    post = regular(c)
    holder = post_claim(actor=c.member.user, post=post)
    assert (holder.status, holder.member, holder.post) == ("pending", c.member, post)
    assert fresh(post).taken == 0  # a claim takes no place until confirmed
    assert Notice.objects.filter(user=c.admin, title="岗位认领待确认：政策宣传").count() == 1


def test_only_members_registered_in_the_community_claim(c):
    post = regular(c)
    unregistered = factories.member(c.w.units["U1"], community=c.r("C1"), grid=c.r("C1G1"), name="未报到")
    for who in (c.w.members["other_member"], unregistered):  # 王芳 lives in C2 and is not registered
        with pytest.raises(Forbidden):
            post_claim(actor=who.user, post=post)
    elsewhere = member_in(c, "和平党员", community="C2", grid="C2G1")
    with pytest.raises(Forbidden):
        post_claim(actor=elsewhere.user, post=post)
    with pytest.raises(Forbidden):  # an admin without a member profile claims nothing
        post_claim(actor=c.admin, post=post)
    assert not PostHolder.objects.exists()


def test_a_closed_post_refuses_claims(c):
    post = regular(c)
    post_close(actor=c.admin, post=post, reason="撤销")
    with pytest.raises(Conflict) as e:
        post_claim(actor=c.member.user, post=post)
    assert e.value.code == "illegal_transition"
    assert not PostHolder.objects.exists()


def test_claiming_twice_is_refused_whether_pending_or_confirmed(c):
    post = regular(c)
    post_claim(actor=c.member.user, post=post)
    with pytest.raises(Conflict) as e:
        post_claim(actor=c.member.user, post=post)
    assert e.value.code == "already_claimed"
    post_confirm(actor=c.admin, post=post, member=c.member)
    with pytest.raises(Conflict) as e:
        post_claim(actor=c.member.user, post=post)
    assert e.value.code == "already_claimed"
    assert status_of(post, c.member) == ["confirmed"]


def test_a_full_post_refuses_claims(c):
    post = regular(c, headcount=1)
    hold(c, post, c.member)
    with pytest.raises(Conflict) as e:
        post_claim(actor=c.helper.user, post=post)
    assert e.value.code == "full"
    assert status_of(post, c.helper) == []


def test_claiming_again_after_leaving_or_being_turned_down(c):
    post = regular(c)
    post_claim(actor=c.member.user, post=post)
    post_reject(actor=c.admin, post=post, member=c.member, reason="人员已满足")
    post_claim(actor=c.member.user, post=post)
    post_withdraw(actor=c.member.user, post=post, reason="工作调动")
    post_claim(actor=c.member.user, post=post)
    assert status_of(post, c.member) == ["rejected", "withdrawn", "pending"]


# ---- confirming and turning down --------------------------------------------------------------------------


def test_confirming_takes_a_place_and_tells_the_member(c):
    post = regular(c, headcount=2)
    post_claim(actor=c.member.user, post=post)
    holder = post_confirm(actor=c.admin, post=post, member=c.member)
    assert (holder.status, holder.decided_by) == ("confirmed", c.admin)
    assert holder.decided_at is not None
    assert fresh(post).taken == 1
    assert Notice.objects.filter(user=c.member.user, title="岗位认领已确认：政策宣传").count() == 1


def test_confirming_a_confirmed_holder_changes_nothing(c):
    post = regular(c, headcount=2)
    hold(c, post, c.member)
    before = PostHolder.objects.get(post=post, member=c.member)
    again = post_confirm(actor=c.admin, post=post, member=c.member)
    assert (again.pk, again.status, again.decided_at) == (before.pk, "confirmed", before.decided_at)
    assert fresh(post).taken == 1
    assert Notice.objects.filter(user=c.member.user, title__startswith="岗位认领已确认").count() == 1


def test_confirming_only_a_pending_claim(c):
    post = regular(c)
    with pytest.raises(Conflict) as e:  # never claimed
        post_confirm(actor=c.admin, post=post, member=c.member)
    assert e.value.code == "not_pending"
    post_claim(actor=c.member.user, post=post)
    post_reject(actor=c.admin, post=post, member=c.member, reason="不合适")
    with pytest.raises(Conflict) as e:  # turned down
        post_confirm(actor=c.admin, post=post, member=c.member)
    assert e.value.code == "not_pending"
    assert fresh(post).taken == 0


def test_confirming_beyond_the_headcount_is_refused(c):
    post = regular(c, headcount=2)
    third = member_in(c, "第三人")
    for m in (c.member, c.helper, third):
        post_claim(actor=m.user, post=post)
    post_confirm(actor=c.admin, post=post, member=c.member)
    post_confirm(actor=c.admin, post=post, member=c.helper)
    with pytest.raises(Conflict) as e:
        post_confirm(actor=c.admin, post=post, member=third)
    assert e.value.code == "full"
    assert fresh(post).taken == 2
    assert status_of(post, third) == ["pending"]


@pytest.mark.parametrize("who", ["other_community_admin", "grid_worker", "member"])
def test_only_the_community_confirms_or_turns_down(c, who):
    post = regular(c)
    post_claim(actor=c.helper.user, post=post)
    with pytest.raises(Forbidden):
        post_confirm(actor=c.u(who), post=post, member=c.helper)
    with pytest.raises(Forbidden):
        post_reject(actor=c.u(who), post=post, member=c.helper, reason="不行")
    assert status_of(post, c.helper) == ["pending"]


def test_the_street_confirms_a_claim_of_its_community(c):
    post = regular(c)
    post_claim(actor=c.member.user, post=post)
    assert post_confirm(actor=c.u("street_admin"), post=post, member=c.member).status == "confirmed"


def test_turning_down_needs_a_reason_the_member_sees(c):
    post = regular(c)
    post_claim(actor=c.member.user, post=post)
    for blank in ("", "   ", None):
        with pytest.raises(Invalid) as e:
            post_reject(actor=c.admin, post=post, member=c.member, reason=blank)
        assert "reason" in e.value.fields
    with pytest.raises(Invalid):
        post_reject(actor=c.admin, post=post, member=c.member, reason="因" * 301)
    assert status_of(post, c.member) == ["pending"]
    holder = post_reject(actor=c.admin, post=post, member=c.member, reason=" 人数已够 ")
    assert (holder.status, holder.reason, holder.decided_by) == ("rejected", "人数已够", c.admin)
    notice = Notice.objects.get(user=c.member.user, title="岗位认领未通过：政策宣传")
    assert notice.body == "人数已够"


def test_a_confirmed_holding_cannot_be_turned_down(c):
    post = regular(c)
    hold(c, post, c.member)
    with pytest.raises(Conflict) as e:
        post_reject(actor=c.admin, post=post, member=c.member, reason="改主意")
    assert e.value.code == "not_pending"
    assert status_of(post, c.member) == ["confirmed"]
    assert fresh(post).taken == 1


# ---- withdrawing ------------------------------------------------------------------------------------------


def test_a_member_withdraws_a_pending_claim(c):
    post = regular(c)
    post_claim(actor=c.member.user, post=post)
    holder = post_withdraw(actor=c.member.user, post=post, reason="时间冲突")
    assert (holder.status, holder.reason, holder.ended_by) == ("withdrawn", "时间冲突", c.member.user)
    assert fresh(post).taken == 0
    notice = Notice.objects.get(user=c.admin, title="党员退出岗位：政策宣传")
    assert notice.body == "李明：时间冲突"


def test_a_member_leaving_a_confirmed_post_frees_its_place(c):
    post = regular(c, headcount=1)
    hold(c, post, c.member)
    with pytest.raises(Conflict):
        post_claim(actor=c.helper.user, post=post)
    post_withdraw(actor=c.member.user, post=post, reason="工作调动")
    assert fresh(post).taken == 0
    hold(c, post, c.helper)
    assert fresh(post).taken == 1


def test_withdrawing_needs_a_reason(c):
    post = regular(c)
    hold(c, post, c.member)
    with pytest.raises(Invalid) as e:
        post_withdraw(actor=c.member.user, post=post, reason=" ")
    assert "reason" in e.value.fields
    assert status_of(post, c.member) == ["confirmed"]


def test_the_community_takes_a_holder_off_and_tells_it(c):
    post = regular(c)
    hold(c, post, c.member)
    holder = post_withdraw(actor=c.admin, post=post, member=c.member, reason="长期未到岗")
    assert (holder.status, holder.ended_by, holder.reason) == ("withdrawn", c.admin, "长期未到岗")
    assert fresh(post).taken == 0
    notice = Notice.objects.get(user=c.member.user, title="您已被调离岗位：政策宣传")
    assert notice.body == "长期未到岗"
    assert not Notice.objects.filter(title__startswith="党员退出岗位").exists()


def test_a_member_naming_another_holder_may_not_take_it_off(c):
    post = regular(c)
    hold(c, post, c.helper)
    for who in (c.member.user, c.u("other_community_admin"), c.u("grid_worker")):
        with pytest.raises(Forbidden):
            post_withdraw(actor=who, post=post, member=c.helper, reason="看不惯")
    assert status_of(post, c.helper) == ["confirmed"]


def test_a_member_naming_itself_leaves_its_own_post(c):
    post = regular(c)
    hold(c, post, c.member)
    assert post_withdraw(actor=c.member.user, post=post, member=c.member, reason="搬家").status == "withdrawn"
    assert fresh(post).taken == 0


def test_withdrawing_without_a_holding_is_refused(c):
    post = regular(c)
    with pytest.raises(Conflict) as e:
        post_withdraw(actor=c.member.user, post=post, reason="没认领过")
    assert e.value.code == "not_holding"
    hold(c, post, c.member)
    post_withdraw(actor=c.member.user, post=post, reason="离开")
    with pytest.raises(Conflict) as e:  # twice
        post_withdraw(actor=c.member.user, post=post, reason="再离开")
    assert e.value.code == "not_holding"
    with pytest.raises(Conflict) as e:
        post_withdraw(actor=c.admin, post=post, member=c.member, reason="调离")
    assert e.value.code == "not_holding"
    assert fresh(post).taken == 0


# ---- closing ----------------------------------------------------------------------------------------------


def test_closing_releases_everyone_and_refuses_what_follows(c):
    post = regular(c, headcount=3)
    hold(c, post, c.member)
    post_claim(actor=c.helper.user, post=post)
    third = member_in(c, "第三人")
    post_claim(actor=third.user, post=post)
    post_reject(actor=c.admin, post=post, member=third, reason="不合适")
    closed = post_close(actor=c.admin, post=post, reason=" 调整岗位 ")
    assert (closed.active, closed.taken, closed.close_reason) == (False, 0, "调整岗位")
    assert closed.closed_at is not None
    assert status_of(post, c.member) == ["withdrawn"]
    assert status_of(post, c.helper) == ["withdrawn"]
    assert status_of(post, third) == ["rejected"]  # what was over stays as it was
    told = set(Notice.objects.filter(title="岗位已撤销：政策宣传").values_list("user", flat=True))
    assert told == {c.member.user_id, c.helper.user_id}
    with pytest.raises(Conflict) as e:
        post_close(actor=c.admin, post=post, reason="再撤")
    assert e.value.code == "illegal_transition"
    with pytest.raises(Conflict) as e:
        post_claim(actor=third.user, post=post)
    assert e.value.code == "illegal_transition"


def test_closing_needs_a_reason_and_a_manager(c):
    post = regular(c)
    with pytest.raises(Invalid):
        post_close(actor=c.admin, post=post, reason="")
    for who in ("other_community_admin", "grid_worker", "member"):
        with pytest.raises(Forbidden):
            post_close(actor=c.u(who), post=post, reason="撤")
    assert fresh(post).active
    assert post_close(actor=c.u("street_admin"), post=post, reason="街道统一调整").active is False


# ---- the holding's state machine: every move it refuses ---------------------------------------------------


def _to(c, post, status):
    """Bring 李明's holding of the post to `status` (None: never claimed)."""
    if status is None:
        return
    post_claim(actor=c.member.user, post=post)
    if status == "confirmed":
        post_confirm(actor=c.admin, post=post, member=c.member)
    elif status == "rejected":
        post_reject(actor=c.admin, post=post, member=c.member, reason="不合适")
    elif status == "withdrawn":
        post_withdraw(actor=c.member.user, post=post, reason="离开")


MOVES = {
    "confirm": lambda c, p: post_confirm(actor=c.admin, post=p, member=c.member),
    "reject": lambda c, p: post_reject(actor=c.admin, post=p, member=c.member, reason="不行"),
    "withdraw": lambda c, p: post_withdraw(actor=c.member.user, post=p, reason="走了"),
    "remove": lambda c, p: post_withdraw(actor=c.admin, post=p, member=c.member, reason="调离"),
}

#: (the holding's state, the move) → the Conflict code; every pair not listed is legal
ILLEGAL = {
    (None, "confirm"): "not_pending",
    (None, "reject"): "not_pending",
    (None, "withdraw"): "not_holding",
    (None, "remove"): "not_holding",
    ("confirmed", "reject"): "not_pending",
    ("rejected", "confirm"): "not_pending",
    ("rejected", "reject"): "not_pending",
    ("rejected", "withdraw"): "not_holding",
    ("rejected", "remove"): "not_holding",
    ("withdrawn", "confirm"): "not_pending",
    ("withdrawn", "reject"): "not_pending",
    ("withdrawn", "withdraw"): "not_holding",
    ("withdrawn", "remove"): "not_holding",
}


@pytest.mark.parametrize(("state", "move"), sorted(ILLEGAL, key=str))
def test_illegal_transitions_of_a_holding(c, state, move):
    post = regular(c)
    _to(c, post, state)
    before = status_of(post, c.member)
    taken = fresh(post).taken
    with pytest.raises(Conflict) as e:
        MOVES[move](c, fresh(post))
    assert e.value.code == ILLEGAL[(state, move)]
    assert status_of(post, c.member) == before
    assert fresh(post).taken == taken


@pytest.mark.parametrize(
    ("state", "move", "after"),
    [
        ("pending", "confirm", "confirmed"),
        ("pending", "reject", "rejected"),
        ("pending", "withdraw", "withdrawn"),
        ("pending", "remove", "withdrawn"),
        ("confirmed", "confirm", "confirmed"),
        ("confirmed", "withdraw", "withdrawn"),
        ("confirmed", "remove", "withdrawn"),
    ],
)
def test_legal_transitions_of_a_holding(c, state, move, after):
    post = regular(c)
    _to(c, post, state)
    MOVES[move](c, fresh(post))
    assert status_of(post, c.member)[-1] == after
    assert fresh(post).taken == (1 if after == "confirmed" else 0)


def test_holdings_of_a_closed_post_are_all_over(c):
    post = regular(c)
    hold(c, post, c.member)
    post_close(actor=c.admin, post=post, reason="撤岗")
    for move in MOVES:
        with pytest.raises(Conflict):
            MOVES[move](c, fresh(post))
    assert status_of(post, c.member) == ["withdrawn"]
    assert fresh(post).taken == 0


def test_the_holder_states_are_the_four_known(c):
    assert set(HolderStatus.values) == {"pending", "confirmed", "rejected", "withdrawn"}
