"""Every action on a need through the page: the legal step and a refused one, each answered on the need's page
(a refusal as a message, a person not allowed at all with the 403 page)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.ledger.models import ServiceRecord
from baodao.needs.models import Claim, ClaimStatus, Need, Photo, Status
from baodao.needs.services import need_claim, need_dispute
from tests.web import needs_web_data as d


def act(client, need, action, data=None):
    return client.post(f"/needs/{need.pk}/{action}/", data or {}, follow=True)


def status_of(need):
    need.refresh_from_db()
    return need.status


def test_it_only_answers_posts(as_user, w):
    need = d.wish(w)
    assert as_user(w.users["community_admin"]).get(f"/needs/{need.pk}/publish/").status_code == 405


def test_it_does_not_know_other_actions(as_user, w):
    need = d.wish(w)
    assert as_user(w.users["community_admin"]).post(f"/needs/{need.pk}/explode/").status_code == 404


def test_it_does_not_find_a_need_out_of_scope(as_user, w):
    need = d.wish(w)
    r = as_user(w.users["other_community_admin"]).post(f"/needs/{need.pk}/publish/", {"places": 1})
    assert r.status_code == 404
    assert status_of(need) == Status.SUBMITTED


def test_it_claims_and_refuses_a_second_claim(as_user, w):
    d.with_member(w)
    need = d.published(w)
    client = as_user(w.users["member"])
    r = act(client, need, "claim")
    assert r.redirect_chain[-1][0] == f"/needs/{need.pk}/"
    assert "您已认领“修水龙头”。请在" in r.text
    assert Claim.objects.get(need=need).member == w.members["member"]
    r = act(client, need, "claim")
    assert "您已经认领了这项需求。" in r.text
    assert Claim.objects.count() == 1


def test_it_refuses_a_claim_from_someone_who_may_not_claim(as_user, w):
    need = d.published(w)
    r = as_user(w.users["resident"]).post(f"/needs/{need.pk}/claim/")
    assert r.status_code == 403 and "只有在职党员可以认领需求。" in r.text
    assert not Claim.objects.exists()


def test_it_does_not_find_a_unit_the_admin_does_not_run(as_user, w):
    d.co_build(w)
    need = d.task(w)
    r = as_user(w.users["unit_admin"]).post(f"/needs/{need.pk}/claim/", {"unit": w.units["U2"].pk})
    assert r.status_code == 404 and not Claim.objects.exists()


def test_it_withdraws_with_a_reason_and_not_without(as_user, w):
    d.with_member(w)
    need = d.claimed(w)
    client = as_user(w.users["member"])
    r = act(client, need, "withdraw")
    assert "请填写原因。" in r.text
    assert Claim.objects.get().status == ClaimStatus.ACTIVE
    r = act(client, need, "withdraw", {"reason": "临时出差"})
    assert "已退出认领，名额已重新开放。" in r.text
    claim = Claim.objects.get()
    assert (claim.status, claim.reason) == (ClaimStatus.WITHDRAWN, "临时出差")
    assert status_of(need) == Status.PUBLISHED
    assert "临时出差" in r.text  # on the timeline


def test_it_completes_with_a_note_hours_and_a_photo(as_user, w):
    d.with_member(w)
    need = d.claimed(w)
    client = as_user(w.users["member"])
    r = act(client, need, "complete", {"note": "换了阀芯", "hours": "1.5", "photo1": d.png()})
    assert "已报告办结，等待服务对象确认。" in r.text
    claim = Claim.objects.get()
    assert (claim.status, claim.note, claim.hours) == (ClaimStatus.COMPLETED, "换了阀芯", Decimal("1.5"))
    assert Photo.objects.get().stage == Photo.Stage.COMPLETED
    assert status_of(need) == Status.COMPLETED
    assert not ServiceRecord.objects.exists()  # only the resident's confirmation credits it


@pytest.mark.parametrize(
    "data,message",
    [
        ({"note": "换了阀芯", "hours": "0"}, "服务时长（小时）："),
        ({"note": "", "hours": "1"}, "办结说明："),
        ({"note": "换了阀芯", "hours": "1", "photo1": "bad"}, "只能上传"),
    ],
)
def test_it_refuses_an_incomplete_report(as_user, w, data, message):
    d.with_member(w)
    need = d.claimed(w)
    if data.get("photo1") == "bad":
        data = {**data, "photo1": d.not_a_picture()}
    r = act(as_user(w.users["member"]), need, "complete", data)
    assert message in r.text
    assert Claim.objects.get().status == ClaimStatus.ACTIVE  # a refused photo undoes the report too
    assert not Photo.objects.exists()


def test_it_refuses_a_report_from_someone_without_a_claim(as_user, w):
    d.with_member(w)
    need = d.published(w)
    r = as_user(w.users["member"]).post(f"/needs/{need.pk}/complete/", {"note": "好了", "hours": "1"})
    assert r.status_code == 403 and "您没有认领这项需求。" in r.text


def test_it_confirms_with_a_rating_and_writes_the_ledger(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    claim = Claim.objects.get()
    client = as_user(w.users["resident"])
    r = act(client, need, "confirm", {"claim": claim.pk, "rating": "5", "comment": "谢谢"})
    assert "已确认办结并评价" in r.text
    assert status_of(need) == Status.CLOSED and need.rating == 5
    record = ServiceRecord.objects.get()
    assert (record.member, record.hours, record.verified_by, record.rating) == (
        w.members["member"],
        Decimal("1.5"),
        w.users["resident"],
        5,
    )
    assert "5 星：谢谢" in r.text  # on the timeline
    r = act(client, need, "confirm", {"claim": claim.pk, "rating": "5"})
    assert "该认领不在待确认状态。" in r.text
    assert ServiceRecord.objects.count() == 1


def test_it_needs_a_rating_to_confirm(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    r = act(as_user(w.users["resident"]), need, "confirm", {"comment": "好"})
    assert "评分：" in r.text and not ServiceRecord.objects.exists()


def test_it_refuses_a_confirmation_from_the_claimer(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    r = as_user(w.users["member"]).post(f"/needs/{need.pk}/confirm/", {"rating": "5"})
    assert r.status_code == 403 and "只有服务对象（或社区）可以确认办结。" in r.text
    assert not ServiceRecord.objects.exists()


def test_it_disputes_with_a_reason_and_the_community_reopens(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    resident = as_user(w.users["resident"])
    assert "请填写原因。" in act(resident, need, "dispute").text
    r = act(resident, need, "dispute", {"reason": "还在漏水"})
    assert "已提出异议" in r.text
    assert status_of(need) == Status.DISPUTED and Claim.objects.get().status == ClaimStatus.DISPUTED

    admin = as_user(w.users["community_admin"])
    assert "reopen" in admin.get(f"/needs/{need.pk}/").text
    r = act(admin, need, "reopen", {"note": "请再修一次"})
    assert "已退回重办" in r.text
    assert Claim.objects.get().status == ClaimStatus.ACTIVE
    assert "该需求没有待处理的异议。" in act(admin, need, "reopen").text


def test_it_refuses_a_reopen_from_the_resident(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    need_dispute(actor=w.users["resident"], need=need, reason="还在漏水")
    r = as_user(w.users["resident"]).post(f"/needs/{need.pk}/reopen/")
    assert r.status_code == 403 and "只有该社区的管理员可以办理此事项。" in r.text


def test_it_publishes_with_places_skills_and_a_deadline(as_user, w):
    need = d.wish(w)
    due = timezone.localtime() + timedelta(days=3)
    client = as_user(w.users["community_admin"])
    r = act(
        client,
        need,
        "publish",
        {"places": "2", "skills": ["repair", "legal"], "due_at": due.strftime("%Y-%m-%dT%H:%M")},
    )
    assert "已审核通过并发布" in r.text
    need.refresh_from_db()
    assert (need.status, need.places, need.skills) == (Status.PUBLISHED, 2, ["repair", "legal"])
    assert need.due_at is not None and abs(need.due_at - due) < timedelta(minutes=1)
    assert "该需求已发布。" in act(client, need, "publish", {"places": "1"}).text


def test_it_refuses_a_deadline_in_the_past(as_user, w):
    need = d.wish(w)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = act(as_user(w.users["community_admin"]), need, "publish", {"places": "1", "due_at": past})
    assert "截止时间须晚于现在。" in r.text and status_of(need) == Status.SUBMITTED


def test_it_refuses_publishing_to_a_street_admin(as_user, w):
    need = d.wish(w)
    r = as_user(w.users["street_admin"]).post(f"/needs/{need.pk}/publish/", {"places": "1"})
    assert r.status_code == 403 and status_of(need) == Status.SUBMITTED


def test_it_declines_with_a_reason(as_user, w):
    need = d.wish(w)
    client = as_user(w.users["community_admin"])
    assert "请填写原因。" in act(client, need, "decline").text
    r = act(client, need, "decline", {"reason": "不属于社区办理范围"})
    assert "已不予受理" in r.text and "未受理原因：不属于社区办理范围" in r.text
    assert status_of(need) == Status.DECLINED
    assert "该需求未予受理。" in act(client, need, "decline", {"reason": "再来"}).text


def test_it_merges_into_another_need_of_the_community(as_user, w):
    target = d.wish(w, "楼道灯坏了")
    duplicate = d.wish(w, "3栋灯不亮")
    client = as_user(w.users["community_admin"])
    r = act(client, duplicate, "merge", {"into": target.pk})
    assert "已合并到“楼道灯坏了”" in r.text and "查看合并后的需求" in r.text
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, target)


def test_it_refuses_a_merge_into_another_community(as_user, w):
    need = d.wish(w)
    elsewhere = d.task(w, "和平社区的任务", community="C2")
    client = as_user(w.users["community_admin"])
    assert "请选择要合并到的需求。" in act(client, need, "merge", {"into": elsewhere.pk}).text
    assert "请选择要合并到的需求。" in act(client, need, "merge", {"into": "x"}).text
    assert status_of(need) == Status.SUBMITTED


def test_it_assigns_to_a_registered_member_or_a_co_building_unit(as_user, w):
    d.with_member(w)
    d.co_build(w)
    need = d.task(w, places=2)
    client = as_user(w.users["community_admin"])
    r = act(client, need, "assign", {"assignee": f"member:{w.members['member'].pk}"})
    assert "已指派给 李明。" in r.text
    r = act(client, need, "assign", {"assignee": f"unit:{w.units['U1'].pk}"})
    assert "已指派给 区税务局。" in r.text
    assert Claim.objects.filter(need=need, assigned=True).count() == 2
    assert status_of(need) == Status.IN_PROGRESS


def test_it_refuses_an_assignment_to_someone_not_registered_here(as_user, w):
    need = d.task(w)
    client = as_user(w.users["community_admin"])
    r = act(
        client, need, "assign", {"assignee": f"member:{w.members['member'].pk}"}
    )  # lives here, unregistered
    assert "只有已在幸福社区报到的党员可以认领。" in r.text
    r = act(client, need, "assign", {"assignee": f"member:{w.members['other_member'].pk}"})  # not visible
    assert "请选择要指派的党员或单位。" in r.text
    assert not Claim.objects.exists()


def test_it_terminates_a_residents_need_only_with_a_reason_the_resident_sees(as_user, w):
    d.with_member(w)
    need = d.claimed(w)
    client = as_user(w.users["community_admin"])
    assert "请填写原因。" in act(client, need, "close").text
    assert status_of(need) == Status.IN_PROGRESS
    r = act(client, need, "close", {"reason": "居民已自行解决"})
    assert "已终止办理，服务对象会看到原因。" in r.text
    assert status_of(need) == Status.TERMINATED and need.closed_at is not None
    assert Claim.objects.get().status == ClaimStatus.RELEASED
    assert not ServiceRecord.objects.exists()
    html = as_user(w.users["resident"]).get(f"/needs/{need.pk}/").text
    assert "社区已终止办理这项需求。原因：居民已自行解决" in html
    assert '<span class="badge bad">终止办理</span>' in html and "终止时间" in html
    again = act(as_user(w.users["community_admin"]), need, "close", {"reason": "再来"})
    assert "该需求已终止办理。" in again.text


def test_it_closes_the_communitys_own_task_without_a_reason(as_user, w):
    d.with_member(w)
    need = d.task(w)
    need_claim(actor=w.users["member"], need=need)
    client = as_user(w.users["community_admin"])
    r = act(client, need, "close")
    assert "需求已关闭。" in r.text
    assert status_of(need) == Status.CLOSED
    assert Claim.objects.get().status == ClaimStatus.RELEASED
    assert "该需求已办结。" in act(client, need, "close").text
    assert "需求关闭，已释放" in as_user(w.users["member"]).get("/me/claims/").text


def test_it_refuses_to_close_a_need_not_yet_published(as_user, w):
    need = d.wish(w)
    r = act(as_user(w.users["community_admin"]), need, "close", {"reason": "不办了"})
    assert "该需求尚未发布；不办理请选择“不予受理”。" in r.text


def test_the_community_confirms_its_own_task_with_the_hours_it_vouches_for(as_user, w):
    d.with_member(w)
    need = d.task(w)
    need_claim(actor=w.users["member"], need=need)
    act(as_user(w.users["member"]), need, "complete", {"note": "清理了垃圾", "hours": "2"})
    claim = Claim.objects.get()
    admin = as_user(w.users["community_admin"])
    r = act(admin, need, "confirm", {"claim": claim.pk, "rating": "4", "hours": "0"})
    assert "核定服务时长（小时）：" in r.text and not ServiceRecord.objects.exists()
    r = act(admin, need, "confirm", {"claim": claim.pk, "rating": "4", "hours": "3.5"})
    assert "已确认办结并评价" in r.text
    assert ServiceRecord.objects.get().hours == Decimal("3.5")


def test_a_resident_cannot_set_the_hours(as_user, w):
    d.with_member(w)
    need = d.completed(w)
    claim = Claim.objects.get()
    act(as_user(w.users["resident"]), need, "confirm", {"claim": claim.pk, "rating": "5", "hours": "9"})
    assert ServiceRecord.objects.get().hours == Decimal("1.5")  # the hours reported, as the resident saw them


def test_a_unit_claims_completes_and_the_community_confirms(as_user, w):
    d.co_build(w)
    need = d.task(w, places=1)
    unit_admin = as_user(w.users["unit_admin"])
    act(unit_admin, need, "claim", {"unit": w.units["U1"].pk})
    act(unit_admin, need, "complete", {"note": "组织 5 人清理", "hours": "10"})
    admin = as_user(w.users["community_admin"])
    claim = Claim.objects.get()
    act(admin, need, "confirm", {"claim": claim.pk, "rating": "4"})
    record = ServiceRecord.objects.get()
    assert (record.unit, record.member, record.hours) == (w.units["U1"], None, Decimal("10"))


def test_the_need_stays_whole_after_a_refusal(as_user, w):
    d.with_member(w)
    need = d.published(w)
    need_claim(actor=w.users["member"], need=need)
    before = Need.objects.values().get(pk=need.pk)
    act(as_user(w.users["community_admin"]), need, "decline", {"reason": "晚了"})
    assert Need.objects.values().get(pk=need.pk) == before
