"""Every transition of a need through the API: who may (200/201), who sees but may not (403), who does not
see (404), bad input (400) and the moves the state forbids (409)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.ledger.models import ServiceRecord
from baodao.needs.models import Claim, Need, NeedEvent
from baodao.needs.services import need_claim, need_complete, need_decline, need_dispute
from baodao.notify.models import Notice
from tests import factories
from tests.api.need_cases import (
    claimed_wish,
    client_for,
    completed_wish,
    member_registered,
    published_wish,
    reload,
    task,
    unit_co_builds,
    url,
    wish,
)

pytestmark = pytest.mark.django_db

#: action -> a body that would be accepted
BODIES = {
    "publish": {},
    "decline": {"reason": "不属于本社区事务"},
    "merge": {"into": 0},
    "assign": {"member": 0},
    "claim": {},
    "withdraw": {"reason": "临时出差"},
    "complete": {"note": "换了阀芯", "hours": "1.5"},
    "confirm": {"rating": 5},
    "dispute": {"reason": "还在漏水"},
    "reopen": {},
    "close": {},
}


def post(client, need, action, body=None):
    return client.post(url(need, action), body if body is not None else BODIES[action], format="json")


def assert_refused(r, status, error=None, detail=None):
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"error", "detail", "fields"}
    if error:
        assert body["error"] == error
    if detail:
        assert body["detail"] == detail
    return body


def unchanged(need, before):
    need = reload(need)
    assert (need.status, need.taken, NeedEvent.objects.filter(need=need).count()) == before


def state(need):
    need = reload(need)
    return need.status, need.taken, NeedEvent.objects.filter(need=need).count()


@pytest.mark.parametrize("action", list(BODIES))
def test_it_refuses_anonymous_callers(w, anon, action):
    need = claimed_wish(w)
    before = state(need)
    r = post(anon, need, action)
    assert_refused(r, 401, "unauthenticated")
    unchanged(need, before)


@pytest.mark.parametrize("action", list(BODIES))
@pytest.mark.parametrize("outsider", ["other_community_admin", "far_community_admin", "other_member"])
def test_it_answers_404_out_of_scope(w, action, outsider):
    need = claimed_wish(w)
    before = state(need)
    r = post(client_for(w.users[outsider]), need, action)
    assert_refused(r, 404, "not_found", "没有找到该需求。")
    unchanged(need, before)


def test_it_answers_404_for_a_need_that_does_not_exist(w):
    assert post(client_for(w.users["community_admin"]), 999999, "publish").status_code == 404


# ---- publish --------------------------------------------------------------------------------------------


def test_it_publishes_with_places_skills_and_deadline(w):
    need = wish(w)
    due = timezone.now() + timedelta(days=5)
    r = post(
        client_for(w.users["community_admin"]),
        need,
        "publish",
        {"places": 2, "skills": ["repair"], "due_at": due.isoformat()},
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "published"
    assert (body["places"], body["skills"]) == (2, ["repair"])
    assert body["responded_at"] is not None
    assert [e["kind"] for e in body["timeline"]] == ["submitted", "published"]
    assert Notice.objects.filter(user=w.users["resident"], title="您的需求已受理并发布").exists()


def test_publish_refusals(w):
    need = wish(w)
    bad = post(client_for(w.users["community_admin"]), need, "publish", {"places": 0})
    assert "places" in assert_refused(bad, 400, "invalid")["fields"]
    for name in ("street_admin", "grid_worker", "resident"):
        r = post(client_for(w.users[name]), need, "publish")
        assert_refused(r, 403, "forbidden", "只有该社区的管理员可以办理此事项。")
    assert reload(need).status == "submitted"
    assert post(client_for(w.users["community_admin"]), need, "publish").status_code == 200
    again = post(client_for(w.users["community_admin"]), need, "publish")
    assert_refused(again, 409, "illegal_transition", "该需求已发布。")


# ---- decline --------------------------------------------------------------------------------------------


def test_it_declines_with_a_reason_the_resident_sees(w):
    need = wish(w)
    r = post(client_for(w.users["community_admin"]), need, "decline")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["decline_reason"]) == ("declined", "不属于本社区事务")
    seen = client_for(w.users["resident"]).get(url(need)).json()
    assert seen["status_label"] == "未受理"
    assert seen["timeline"][-1]["note"] == "不属于本社区事务"


def test_decline_refusals(w):
    need = claimed_wish(w)
    admin = client_for(w.users["community_admin"])
    assert assert_refused(post(admin, need, "decline", {}), 400)["fields"] == {"reason": ["该字段是必填项。"]}
    assert_refused(post(admin, need, "decline", {"reason": "  "}), 400)
    assert_refused(post(client_for(w.users["street_admin"]), need, "decline"), 403)
    assert_refused(post(client_for(w.users["community_admin"]), need, "decline"), 409, "illegal_transition")
    assert reload(need).status == "in_progress"


# ---- merge ----------------------------------------------------------------------------------------------


def test_it_merges_a_duplicate(w):
    original = published_wish(w, title="楼道灯坏了")
    duplicate = wish(w, title="三楼灯不亮")
    r = post(client_for(w.users["community_admin"]), duplicate, "merge", {"into": original.pk})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["merged_into"]) == ("merged", original.pk)


def test_merge_refusals(w):
    need = wish(w)
    admin = client_for(w.users["community_admin"])
    assert "into" in assert_refused(post(admin, need, "merge", {}), 400)["fields"]
    assert assert_refused(post(admin, need, "merge", {"into": need.pk}), 400)["fields"] == {
        "into": ["请选择本社区的另一条需求。"]
    }
    # a need the body names but the caller cannot find is a mistake in the body, not a missing path
    elsewhere = task(w, community="C2", admin="other_community_admin")
    for into in (elsewhere.pk, 999999):
        r = assert_refused(
            post(admin, need, "merge", {"into": into}), 400, "invalid", "没有找到要合并到的需求。"
        )
        assert r["fields"] == {"into": ["没有找到要合并到的需求。"]}
    target = wish(w, title="另一条")
    assert_refused(post(client_for(w.users["street_admin"]), need, "merge", {"into": target.pk}), 403)
    need_decline(actor=w.users["community_admin"], need=target, reason="重复")
    assert_refused(post(admin, need, "merge", {"into": target.pk}), 409, "illegal_transition")
    assert reload(need).status == "submitted"


# ---- assign ---------------------------------------------------------------------------------------------


def test_it_assigns_to_a_registered_member(w):
    need = wish(w)
    member = member_registered(w)
    r = post(client_for(w.users["community_admin"]), need, "assign", {"member": member.pk})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "in_progress"
    (claim,) = body["claims"]
    assert (claim["member"]["id"], claim["assigned"], claim["status"]) == (member.pk, True, "active")
    assert body["timeline"][-1]["kind"] == "assigned"
    assert Notice.objects.filter(user=member.user, title="社区指派给您一项需求").exists()


def test_it_assigns_to_a_co_building_unit(w):
    need = published_wish(w)
    unit_co_builds(w)
    r = post(client_for(w.users["community_admin"]), need, "assign", {"unit": "U1"})
    assert r.status_code == 200
    assert r.json()["claims"][0]["unit"] == {"code": "U1", "name": "区税务局"}


def test_assign_refusals(w):
    need = published_wish(w)
    admin = client_for(w.users["community_admin"])
    member = w.members["member"]
    neither = assert_refused(post(admin, need, "assign", {}), 400)
    assert neither["fields"] == {"member": ["请指定一名党员（member）或一个单位（unit），二选一。"]}
    assert_refused(post(admin, need, "assign", {"member": member.pk, "unit": "U1"}), 400)
    assert_refused(post(admin, need, "assign", {"member": "abc"}), 400)
    # a member or unit the community cannot see, or that does not exist: the body is wrong (400), not the path
    for member_id in (w.members["other_member"].pk, 999999):
        r = assert_refused(
            post(admin, need, "assign", {"member": member_id}), 400, "invalid", "没有找到该党员。"
        )
        assert r["fields"] == {"member": ["没有找到该党员。"]}
    for code in ("U4", "NOPE"):
        r = assert_refused(post(admin, need, "assign", {"unit": code}), 400, "invalid", "没有找到该单位。")
        assert r["fields"] == {"unit": ["没有找到该单位。"]}
    # a member living here but not registered
    r = post(admin, need, "assign", {"member": member.pk})
    assert_refused(r, 403, "forbidden", "只有已在幸福社区报到的党员可以认领。")
    member_registered(w)
    assert_refused(post(client_for(w.users["street_admin"]), need, "assign", {"member": member.pk}), 403)
    assert Claim.objects.count() == 0
    need_decline(actor=w.users["community_admin"], need=need, reason="不办")
    assert_refused(post(admin, need, "assign", {"member": member.pk}), 409, "illegal_transition")


# ---- claim ----------------------------------------------------------------------------------------------


def test_it_lets_a_registered_member_claim(w):
    need = task(w, places=2)
    member = member_registered(w)
    r = post(client_for(w.users["member"]), need, "claim")
    assert r.status_code == 201, r.content
    claim = r.json()
    assert claim["status"] == "active"
    assert claim["member"]["id"] == member.pk
    assert claim["member"]["phone"] == member.user.phone  # its own phone, unmasked
    assert claim["assigned"] is False
    assert claim["lapses_at"] is not None
    assert claim["need"]["id"] == need.pk
    assert claim["need"]["status"] == "published"
    assert reload(need).taken == 1


def test_it_lets_a_unit_admin_claim_for_its_unit(w):
    need = task(w)
    unit_co_builds(w)
    r = post(client_for(w.users["unit_admin"]), need, "claim", {"unit": "U1"})
    assert r.status_code == 201
    assert (r.json()["unit"], r.json()["member"]) == ({"code": "U1", "name": "区税务局"}, None)
    again = post(client_for(w.users["unit_admin"]), need, "claim", {"unit": "U1"})
    assert_refused(again, 409, "already_claimed", "您的单位已经认领了这项需求。")


def test_claim_refusals(w):
    need = task(w, places=1)
    member_registered(w)
    admin = client_for(w.users["community_admin"])
    assert_refused(post(admin, need, "claim"), 403, "forbidden", "只有在职党员可以认领需求。")
    unseen = assert_refused(
        post(admin, need, "claim", {"unit": "U4"}), 400, "invalid"
    )  # a unit it cannot see
    assert unseen["fields"] == {"unit": ["没有找到该单位。"]}
    unit_co_builds(w)
    assert_refused(post(admin, need, "claim", {"unit": "U1"}), 403)  # sees the unit, does not run it
    assert post(client_for(w.users["member"]), need, "claim").status_code == 201
    twice = post(client_for(w.users["member"]), need, "claim")
    assert_refused(twice, 409, "already_claimed", "您已经认领了这项需求。")
    late = factories.member(w.units["U1"], community=w.r("C1"), name="晚到的党员")
    factories.registered(late, w.r("C1"), by=w.users["community_admin"])
    assert_refused(post(client_for(late.user), need, "claim"), 409, "full", "名额已满。")
    assert Claim.objects.filter(need=need).count() == 1


def test_it_says_already_claimed_when_places_remain(w):
    need = task(w, places=3)
    member_registered(w)
    assert post(client_for(w.users["member"]), need, "claim").status_code == 201
    r = post(client_for(w.users["member"]), need, "claim")
    assert_refused(r, 409, "already_claimed", "您已经认领了这项需求。")


# ---- withdraw -------------------------------------------------------------------------------------------


def test_it_lets_the_claimer_withdraw(w):
    need = claimed_wish(w)
    r = post(client_for(w.users["member"]), need, "withdraw")
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["claimed"]) == ("published", 0)
    assert body["claims"][0]["status"] == "withdrawn"
    assert body["claims"][0]["reason"] == "临时出差"


def test_withdraw_refusals(w):
    need = claimed_wish(w)
    member = client_for(w.users["member"])
    assert assert_refused(post(member, need, "withdraw", {}), 400)["fields"] == {
        "reason": ["该字段是必填项。"]
    }
    r = post(client_for(w.users["community_admin"]), need, "withdraw")
    assert_refused(r, 403, "forbidden", "您没有认领这项需求。")
    need_complete(actor=w.users["member"], need=need, note="好了", hours=1)
    r = post(client_for(w.users["member"]), need, "withdraw")
    assert_refused(r, 409, "illegal_transition", "您已报告办结，正等待确认。")


# ---- complete -------------------------------------------------------------------------------------------


def test_it_lets_the_claimer_report_done(w):
    need = claimed_wish(w)
    r = post(client_for(w.users["member"]), need, "complete")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "completed"
    assert body["status_label"] == "待确认"
    assert (body["claims"][0]["hours"], body["claims"][0]["note"]) == ("1.5", "换了阀芯")
    assert not ServiceRecord.objects.exists()  # nothing is recorded before the resident confirms
    assert Notice.objects.filter(user=w.users["resident"], title="请确认办结并评价").exists()


def test_complete_refusals(w):
    need = claimed_wish(w)
    member = client_for(w.users["member"])
    assert set(assert_refused(post(member, need, "complete", {}), 400)["fields"]) == {"note", "hours"}
    assert (
        "hours"
        in assert_refused(post(member, need, "complete", {"note": "好", "hours": "1.25"}), 400)["fields"]
    )
    zero = assert_refused(post(member, need, "complete", {"note": "好", "hours": "0"}), 400)
    assert zero["fields"] == {"hours": ["服务时长须大于 0 且不超过 100 小时（可保留一位小数）。"]}
    assert_refused(post(client_for(w.users["community_admin"]), need, "complete"), 403)
    assert post(client_for(w.users["member"]), need, "complete").status_code == 200
    assert_refused(post(client_for(w.users["member"]), need, "complete"), 409, "illegal_transition")


# ---- confirm and dispute --------------------------------------------------------------------------------


def test_it_lets_the_resident_confirm_and_rate(w):
    need = completed_wish(w)
    r = post(client_for(w.users["resident"]), need, "confirm", {"rating": 5, "comment": "谢谢"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["rating"]) == ("closed", 5)
    assert (body["claims"][0]["rating"], body["claims"][0]["comment"]) == (5, "谢谢")
    assert body["timeline"][-1]["kind"] == "confirmed"
    record = ServiceRecord.objects.get()
    assert (record.member, record.hours, record.verified_by) == (
        w.members["member"],
        Decimal("1.5"),
        w.users["resident"],
    )


def test_it_lets_the_community_confirm_its_task_with_other_hours(w):
    need = task(w, places=2)
    member_registered(w)
    other = factories.member(w.units["U1"], community=w.r("C1"), name="张三")
    factories.registered(other, w.r("C1"), by=w.users["community_admin"])
    for user in (w.users["member"], other.user):
        need_claim(actor=user, need=need)
        need_complete(actor=user, need=reload(need), note="清理完毕", hours=2)
    admin = client_for(w.users["community_admin"])
    which = assert_refused(post(admin, need, "confirm", {"rating": 4}), 400)
    assert which["fields"] == {"claim": ["请选择要确认的认领。"]}
    first = Claim.objects.get(need=need, member=w.members["member"])
    r = post(admin, need, "confirm", {"rating": 4, "claim": first.pk, "hours": "3"})
    assert r.status_code == 200
    assert r.json()["status"] == "completed"  # the other fulfilment still waits
    assert ServiceRecord.objects.get().hours == Decimal("3.0")
    stale = post(admin, need, "confirm", {"rating": 4, "claim": first.pk})
    assert_refused(stale, 409, "illegal_transition", "该认领不在待确认状态。")


def test_confirm_refusals(w):
    need = claimed_wish(w)
    resident = client_for(w.users["resident"])
    assert_refused(post(resident, need, "confirm"), 409, "illegal_transition")
    need_complete(actor=w.users["member"], need=need, note="好了", hours=1)
    assert "rating" in assert_refused(post(resident, need, "confirm", {"rating": 6}), 400)["fields"]
    assert "rating" in assert_refused(post(resident, need, "confirm", {}), 400)["fields"]
    for name in ("member", "community_admin", "street_admin"):
        r = post(client_for(w.users[name]), need, "confirm")
        assert_refused(r, 403, "forbidden", "只有服务对象（或社区）可以确认办结。")
    assert not ServiceRecord.objects.exists()
    assert post(client_for(w.users["resident"]), need, "confirm").status_code == 200
    assert_refused(post(client_for(w.users["resident"]), need, "confirm"), 409)
    assert ServiceRecord.objects.count() == 1


def test_it_lets_the_resident_dispute(w):
    need = completed_wish(w)
    r = post(client_for(w.users["resident"]), need, "dispute")
    assert r.status_code == 200
    assert r.json()["status"] == "disputed"
    assert r.json()["claims"][0]["status"] == "disputed"
    assert Notice.objects.filter(user=w.users["community_admin"], title="办结有异议").exists()


def test_dispute_refusals(w):
    need = claimed_wish(w)
    resident = client_for(w.users["resident"])
    assert_refused(post(resident, need, "dispute"), 409, "illegal_transition")
    need_complete(actor=w.users["member"], need=need, note="好了", hours=1)
    assert assert_refused(post(resident, need, "dispute", {}), 400)["fields"] == {
        "reason": ["该字段是必填项。"]
    }
    assert_refused(post(client_for(w.users["member"]), need, "dispute"), 403)
    assert reload(need).status == "completed"


# ---- reopen and close -----------------------------------------------------------------------------------


def test_it_sends_a_disputed_fulfilment_back(w):
    need = completed_wish(w)
    need_dispute(actor=w.users["resident"], need=need, reason="还在漏水")
    r = post(client_for(w.users["community_admin"]), need, "reopen", {"note": "请再去看看"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "in_progress"
    assert body["claims"][0]["status"] == "active"
    assert body["timeline"][-1]["kind"] == "reopened"


def test_reopen_refusals(w):
    need = completed_wish(w)
    admin = client_for(w.users["community_admin"])
    assert_refused(post(admin, need, "reopen"), 409, "illegal_transition", "该需求没有待处理的异议。")
    need_dispute(actor=w.users["resident"], need=need, reason="还在漏水")
    assert "note" in assert_refused(post(admin, need, "reopen", {"note": "长" * 301}), 400)["fields"]
    assert_refused(post(client_for(w.users["resident"]), need, "reopen"), 403)
    assert reload(need).status == "disputed"


def test_it_closes_an_open_task(w):
    need = task(w)
    member_registered(w)
    need_claim(actor=w.users["member"], need=need)
    r = post(client_for(w.users["community_admin"]), need, "close", {"reason": "活动取消"})
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["status_label"], body["claimed"]) == ("closed", "已办结", 0)
    assert (body["claims"][0]["status"], body["claims"][0]["status_label"]) == (
        "released",
        "需求关闭，已释放",
    )
    assert body["timeline"][-1]["kind"] == "closed"


def test_it_terminates_a_residents_need_only_with_a_reason(w):
    need = claimed_wish(w)
    admin = client_for(w.users["community_admin"])
    before = state(need)
    missing = assert_refused(post(admin, need, "close", {}), 400, "invalid", "请填写原因。")
    assert missing["fields"] == {"reason": ["必填。"]}
    unchanged(need, before)
    r = post(admin, need, "close", {"reason": "居民已搬走"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["status_label"], body["claimed"]) == ("terminated", "终止办理", 0)
    assert body["claims"][0]["status"] == "released"
    assert (body["timeline"][-1]["kind"], body["timeline"][-1]["note"]) == ("terminated", "居民已搬走")
    assert body["closed_at"] is not None and body["rating"] is None
    assert not ServiceRecord.objects.exists()  # never "done": nothing is credited
    assert Notice.objects.filter(user=w.users["resident"], title="社区终止办理了您的需求").exists()
    seen = client_for(w.users["resident"]).get(url(need)).json()
    assert (seen["status_label"], seen["timeline"][-1]["note"]) == ("终止办理", "居民已搬走")
    again = post(admin, need, "close", {"reason": "再终止一次"})
    assert_refused(again, 409, "illegal_transition")


def test_close_refusals(w):
    need = task(w)
    admin = client_for(w.users["community_admin"])
    assert "reason" in assert_refused(post(admin, need, "close", {"reason": "长" * 301}), 400)["fields"]
    member_registered(w)
    assert_refused(post(client_for(w.users["member"]), need, "close"), 403)
    assert post(admin, need, "close").status_code == 200
    assert_refused(post(admin, need, "close"), 409, "illegal_transition", "该需求已办结。")
    submitted = wish(w)
    r = post(admin, submitted, "close", {"reason": "不办了"})
    assert_refused(r, 409, "illegal_transition", "该需求尚未发布；不办理请选择“不予受理”。")


def test_the_whole_loop_through_the_api(w):
    member_registered(w)
    r = client_for(w.users["resident"]).post(
        "/api/v1/needs",
        {"kind": "wish", "title": "陪老人就医", "category": "elderly", "community": "C1", "grid": "C1G1"},
        format="json",
    )
    need_id = r.json()["id"]
    assert post(client_for(w.users["community_admin"]), need_id, "publish").status_code == 200
    assert post(client_for(w.users["member"]), need_id, "claim").status_code == 201
    assert (
        post(client_for(w.users["member"]), need_id, "complete", {"note": "陪同就医", "hours": 3}).status_code
        == 200
    )
    r = post(client_for(w.users["resident"]), need_id, "confirm", {"rating": 5})
    assert r.json()["status"] == "closed"
    assert [e["kind"] for e in r.json()["timeline"]] == [
        "submitted",
        "published",
        "claimed",
        "completed",
        "confirmed",
    ]
    assert Need.objects.get(pk=need_id).rating == 5
