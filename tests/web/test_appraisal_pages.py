"""考评 pages: the community's list (run, quota, 一键确定), one appraisal with the forms its viewer may
use, the member's own, the unit admin's and the street/district admin's lists — scope, happy paths, and
every POST's refusals (400 on the form, 409 as a message, 403 page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.accounts.models import Grant, Role
from baodao.appraisals import services
from baodao.appraisals.models import Appraisal, AppraisalRun, Status
from baodao.ledger.models import Source
from baodao.ledger.services import record_write
from baodao.lib.periods import Period, current_quarter, previous_quarter
from baodao.members.models import Member
from baodao.registration.models import Registration
from tests import factories


@dataclass
class Setup:
    period: Period
    mine: Appraisal  # the world's member (U1, C1), who served twice
    peer: Appraisal  # another member of U1 in C1, who did not serve
    far: Appraisal  # the other member (U2, C2)


def _register(w, member: Member, community: str, by: str, period: Period) -> None:
    """Registered in `community` a day after the period began; on the roster long before."""
    reg = factories.registered(member, w.r(community), w.r(f"{community}G1"), by=w.users[by])
    Registration.objects.filter(pk=reg.pk).update(decided_at=period.starts_at + timedelta(days=1))
    Member.objects.filter(pk=member.pk).update(created_at=period.starts_at - timedelta(days=400))


def _served(w, member: Member, period: Period, days: int, hours: str = "2") -> None:
    record_write(
        source=Source.NEED,
        member=member,
        unit=None,
        community=w.r("C1"),
        path=w.r("C1").path,
        title="服务",
        category="elderly",
        hours=Decimal(hours),
        served_at=period.starts_at + timedelta(days=days),
        verified_by=w.users["community_admin"],
    )


def _history(w) -> Period:
    period = previous_quarter()
    peer = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name="赵六")
    _register(w, w.members["member"], "C1", "community_admin", period)
    _register(w, peer, "C1", "community_admin", period)
    _register(w, w.members["other_member"], "C2", "other_community_admin", period)
    _served(w, w.members["member"], period, 10)
    _served(w, w.members["member"], period, 20, "1.5")
    return period


@pytest.fixture
def s(w) -> Setup:
    period = _history(w)
    services.appraisal_run(actor=w.users["district_admin"], region=w.r("D1"), period=period)
    by_name = {a.member.user.name: a for a in Appraisal.objects.select_related("member__user", "run")}
    return Setup(period=period, mine=by_name["李明"], peer=by_name["赵六"], far=by_name["王芳"])


def _finalise(w, appraisal: Appraisal, grade: int = 2) -> None:
    services.appraisal_finalise(actor=w.users["community_admin"], appraisal=appraisal, grade=grade)


def _messages(r) -> str:
    return " ".join(str(m) for m in r.context["messages"]) if r.context else ""


# ---- anonymous and scope ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/community/C1/appraisals/",
        "/unit/U1/appraisals/",
        "/me/appraisals/",
        "/appraisals/",
        "/appraisals/1/",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("action", ["self-assess", "evaluate", "finalise", "appeal", "answer"])
def test_anonymous_posts_are_sent_to_log_in_and_change_nothing(client, s, action):
    r = client.post(f"/appraisals/{s.mine.pk}/{action}/", {"self-score": "90", "appeal-reason": "x"})
    assert r.status_code == 302 and r.url.startswith("/login/")
    s.mine.refresh_from_db()
    assert s.mine.status == Status.OPEN and s.mine.score_self is None


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("other_community_admin", "/community/C1/appraisals/", 404),
        ("grid_worker", "/community/C1/appraisals/", 404),
        ("member", "/community/C1/appraisals/", 404),
        ("street_admin", "/community/C1/appraisals/", 200),
        ("district_admin", "/community/C1/appraisals/", 200),
        ("other_unit_admin", "/unit/U1/appraisals/", 404),
        ("member", "/unit/U1/appraisals/", 404),
        ("street_admin", "/unit/U1/appraisals/", 200),
        ("community_admin", "/me/appraisals/", 404),
        ("member", "/appraisals/", 404),
        ("unit_admin", "/appraisals/", 404),
        ("resident", "/appraisals/", 404),
    ],
)
def test_pages_out_of_scope_are_not_found(as_user, w, s, who, url, status):
    assert as_user(w.users[who]).get(url).status_code == status


@pytest.mark.parametrize("who", ["other_member", "other_community_admin", "other_unit_admin", "grid_worker"])
def test_an_appraisal_out_of_scope_is_not_found(as_user, w, s, who):
    assert as_user(w.users[who]).get(f"/appraisals/{s.mine.pk}/").status_code == 404


# ---- the community's list ------------------------------------------------------------------------------


def test_the_community_sees_its_appraisals_of_the_last_quarter(as_user, w, s):
    r = as_user(w.users["community_admin"]).get("/community/C1/appraisals/")
    assert r.status_code == 200
    html = r.text
    assert f'href="/appraisals/{s.mine.pk}/"' in html and f'href="/appraisals/{s.peer.pk}/"' in html
    assert "王芳" not in html  # C2's member
    assert f'<option value="{s.period.code}" selected>' in html
    assert "优秀名额：已用 0 / 共 0 名" in html  # two appraised: a third of two, rounded down
    assert 'aria-current="page">考评</a>' in html
    row = html[html.index(f'id="appraisal-{s.mine.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "2 次/3.5 小时" in row and "区税务局" in row
    assert "群众评价：未评" in row and "社区评价：未评" in row


def test_the_community_filters_by_status_and_period(as_user, w, s):
    _finalise(w, s.mine)
    client = as_user(w.users["community_admin"])
    html = client.get("/community/C1/appraisals/", {"status": "finalised"}).text
    assert f"/appraisals/{s.mine.pk}/" in html and f"/appraisals/{s.peer.pk}/" not in html
    html = client.get("/community/C1/appraisals/", {"period": current_quarter().code}).text
    assert f"/appraisals/{s.mine.pk}/" not in html and "这一期还没有考评" in html


def test_the_evaluations_given_are_ticked(as_user, w, s):
    services.appraisal_evaluate(
        actor=w.users["community_admin"], appraisal=s.mine, evaluator="community", score=95, comment=""
    )
    html = as_user(w.users["community_admin"]).get("/community/C1/appraisals/").text
    row = html[html.index(f'id="appraisal-{s.mine.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "社区评价：已评" in row and "单位评价：未评" in row


def test_the_community_runs_the_appraisal_and_is_told(as_user, w):
    period = _history(w)
    client = as_user(w.users["community_admin"])
    r = client.post("/community/C1/appraisals/", {"period": period.code})
    assert r.status_code == 302 and r.url == f"/community/C1/appraisals/?period={period.code}"
    run = AppraisalRun.objects.get()
    assert (run.region, run.period, run.appraisals_count) == (w.r("C1"), period.code, 2)
    r = client.get(r.url)
    assert "考评已完成计算，共 2 人。" in _messages(r)
    assert "重新计算" in r.text and "已完成" in r.text
    r = client.post("/community/C1/appraisals/", {"period": period.code}, follow=True)
    assert "考评已重新计算" in _messages(r)
    assert AppraisalRun.objects.count() == 1


def test_a_large_run_is_queued_and_shown_computing(as_user, w, monkeypatch):
    period = _history(w)
    monkeypatch.setattr(services, "INLINE_MAX", 1)
    client = as_user(w.users["community_admin"])
    r = client.post("/community/C1/appraisals/", {"period": period.code}, follow=True)
    assert "考评正在计算中" in _messages(r)
    assert "计算中" in r.text and not Appraisal.objects.exists()


def test_only_the_community_admin_is_offered_finalise_all(as_user, w, s):
    assert "确认一键确定" in as_user(w.users["community_admin"]).get("/community/C1/appraisals/").text
    assert "确认一键确定" not in as_user(w.users["street_admin"]).get("/community/C1/appraisals/").text


def test_a_run_of_a_quarter_not_ended_is_refused_with_a_message(as_user, w):
    client = as_user(w.users["community_admin"])
    r = client.post("/community/C1/appraisals/", {"period": current_quarter().code}, follow=True)
    assert "还没有结束" in _messages(r)
    assert not AppraisalRun.objects.exists()
    r = client.post("/community/C1/appraisals/", {"period": "nonsense"}, follow=True)
    assert "统计期格式不正确" in _messages(r)


def test_an_outsider_cannot_run_the_community_appraisal(as_user, w):
    period = _history(w)
    r = as_user(w.users["other_community_admin"]).post("/community/C1/appraisals/", {"period": period.code})
    assert r.status_code == 404 and not AppraisalRun.objects.exists()


def test_finalise_all_needs_the_confirmation(as_user, w, s):
    client = as_user(w.users["community_admin"])
    r = client.post("/community/C1/appraisals/finalise-all/", {"period": s.period.code}, follow=True)
    assert "请先勾选确认" in _messages(r)
    assert not Appraisal.objects.exclude(status=Status.OPEN).exists()


def test_finalise_all_finalises_those_with_a_proposal(as_user, w, s):
    services.appraisal_evaluate(
        actor=w.users["community_admin"], appraisal=s.peer, evaluator="community", score=70, comment=""
    )
    client = as_user(w.users["community_admin"])
    r = client.post(
        "/community/C1/appraisals/finalise-all/", {"period": s.period.code, "confirm": "on"}, follow=True
    )
    assert r.redirect_chain[-1][0] == f"/community/C1/appraisals/?period={s.period.code}"
    text = _messages(r)
    assert "已确定 1 人的考评等次。" in text and "1 人尚无建议等次，未确定。" in text
    s.peer.refresh_from_db()
    s.mine.refresh_from_db()
    far = Appraisal.objects.get(pk=s.far.pk)
    assert (s.peer.status, s.mine.status, far.status) == (Status.FINALISED, Status.OPEN, Status.OPEN)
    assert "<strong>合格</strong>" in r.text


def test_finalise_all_by_a_street_admin_is_forbidden(as_user, w, s):
    r = as_user(w.users["street_admin"]).post(
        "/community/C1/appraisals/finalise-all/", {"period": s.period.code, "confirm": "on"}
    )
    assert r.status_code == 403
    assert not Appraisal.objects.exclude(status=Status.OPEN).exists()


def test_finalise_all_out_of_scope_is_not_found(as_user, w, s):
    r = as_user(w.users["other_community_admin"]).post(
        "/community/C1/appraisals/finalise-all/", {"period": s.period.code, "confirm": "on"}
    )
    assert r.status_code == 404


def test_the_community_list_takes_a_bounded_number_of_queries(as_user, w, s, django_assert_max_num_queries):
    client = as_user(w.users["community_admin"])
    client.get("/community/C1/appraisals/")  # sessions, scope and the like warmed up
    with CaptureQueriesContext(connection) as few:
        assert client.get("/community/C1/appraisals/").status_code == 200
    template = Appraisal.objects.get(pk=s.peer.pk)
    rows = []
    for i in range(28):
        m = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name=f"党员{i:02d}")
        template.pk, template.member = None, m
        rows.append(Appraisal(**{f.attname: getattr(template, f.attname) for f in Appraisal._meta.fields}))
    Appraisal.objects.bulk_create(rows)
    assert Appraisal.objects.filter(community=w.r("C1")).count() == 30
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get("/community/C1/appraisals/")
    assert r.status_code == 200 and r.text.count('<tr id="appraisal-') == 30


# ---- one appraisal -------------------------------------------------------------------------------------


def test_the_member_sees_its_appraisal_without_the_proposal_and_may_self_assess(as_user, w, s):
    r = as_user(w.users["member"]).get(f"/appraisals/{s.mine.pk}/")
    assert r.status_code == 200
    html = r.text
    assert "李明" in html and "3.5 小时" in html
    assert "建议等次" not in html and "尚未确定" in html
    assert f'action="/appraisals/{s.mine.pk}/self-assess/"' in html
    for form in ("evaluate", "finalise", "appeal", "answer"):
        assert f'action="/appraisals/{s.mine.pk}/{form}/"' not in html
    assert "社区评价" in html and "优秀" in html and "30" in html  # weights and cut-offs of the run


def test_the_community_admin_sees_the_proposal_and_may_evaluate_and_finalise(as_user, w, s):
    services.appraisal_evaluate(
        actor=w.users["community_admin"], appraisal=s.mine, evaluator="community", score=80, comment="积极"
    )
    html = as_user(w.users["community_admin"]).get(f"/appraisals/{s.mine.pk}/").text
    assert "建议等次" in html
    assert '<option value="2" selected>合格</option>' in html  # the proposal is pre-set
    assert f'action="/appraisals/{s.mine.pk}/evaluate/"' in html
    assert 'type="hidden" name="evaluate-evaluator" value="community"' in html
    assert f'action="/appraisals/{s.mine.pk}/self-assess/"' not in html
    assert "积极" in html and "社区书记" in html


def test_someone_who_gives_several_evaluations_chooses_which(as_user, w, s):
    admin = w.users["community_admin"]
    Grant.objects.create(user=admin, role=Role.UNIT_ADMIN, unit=w.units["U1"])
    html = as_user(admin).get(f"/appraisals/{s.mine.pk}/").text
    assert '<select name="evaluate-evaluator"' in html
    assert '<option value="unit">单位评价</option>' in html
    assert '<option value="community">社区评价</option>' in html


def test_the_member_self_assesses(as_user, w, s):
    client = as_user(w.users["member"])
    r = client.post(f"/appraisals/{s.mine.pk}/self-assess/", {"self-score": "88", "self-comment": "积极参加"})
    assert r.status_code == 302 and r.url == f"/appraisals/{s.mine.pk}/"
    s.mine.refresh_from_db()
    assert (s.mine.score_self, s.mine.comment_self) == (88, "积极参加")
    assert "自评已提交。" in _messages(client.get(r.url))


@pytest.mark.parametrize("score", ["101", "-1", "", "abc"])
def test_a_bad_self_assessment_is_shown_on_the_form(as_user, w, s, score):
    r = as_user(w.users["member"]).post(f"/appraisals/{s.mine.pk}/self-assess/", {"self-score": score})
    assert r.status_code == 400
    assert 'id="id_self-score"' in r.text and "errorlist" in r.text
    s.mine.refresh_from_db()
    assert s.mine.score_self is None


def test_someone_else_may_not_self_assess(as_user, w, s):
    r = as_user(w.users["community_admin"]).post(
        f"/appraisals/{s.mine.pk}/self-assess/", {"self-score": "90"}
    )
    assert r.status_code == 403


def test_self_assessment_after_the_grade_is_a_conflict(as_user, w, s):
    _finalise(w, s.mine)
    r = as_user(w.users["member"]).post(f"/appraisals/{s.mine.pk}/self-assess/", {"self-score": "90"})
    assert r.status_code == 409 and "已确定等次" in _messages(r)


def test_the_unit_admin_evaluates(as_user, w, s):
    client = as_user(w.users["unit_admin"])
    html = client.get(f"/appraisals/{s.mine.pk}/").text
    assert 'name="evaluate-evaluator" value="unit"' in html
    r = client.post(
        f"/appraisals/{s.mine.pk}/evaluate/",
        {"evaluate-evaluator": "unit", "evaluate-score": "90", "evaluate-comment": "工作认真"},
    )
    assert r.status_code == 302
    s.mine.refresh_from_db()
    assert (s.mine.score_unit, s.mine.comment_unit, s.mine.unit_by) == (90, "工作认真", w.users["unit_admin"])
    assert "单位评价已提交。" in _messages(client.get(r.url))


def test_an_evaluation_for_someone_else_is_refused(as_user, w, s):
    # the street admin gives the organisation's evaluation, not the community's: 403 with the reason, as
    # the API answers
    r = as_user(w.users["street_admin"]).post(
        f"/appraisals/{s.mine.pk}/evaluate/", {"evaluate-evaluator": "community", "evaluate-score": "90"}
    )
    assert r.status_code == 403 and "只有党员报到社区的管理员可以给出社区评价" in r.text
    # the member gives none but its self-assessment
    r = as_user(w.users["member"]).post(
        f"/appraisals/{s.mine.pk}/evaluate/", {"evaluate-evaluator": "unit", "evaluate-score": "90"}
    )
    assert r.status_code == 403
    s.mine.refresh_from_db()
    assert s.mine.score_community is None and s.mine.score_unit is None


def test_an_evaluation_without_a_score_is_shown_on_the_form(as_user, w, s):
    r = as_user(w.users["district_admin"]).post(
        f"/appraisals/{s.mine.pk}/evaluate/", {"evaluate-evaluator": "organisation", "evaluate-score": ""}
    )
    assert r.status_code == 400 and 'id="id_evaluate-score"' in r.text


def test_an_evaluation_after_the_grade_is_a_conflict(as_user, w, s):
    _finalise(w, s.mine)
    r = as_user(w.users["unit_admin"]).post(
        f"/appraisals/{s.mine.pk}/evaluate/", {"evaluate-evaluator": "unit", "evaluate-score": "90"}
    )
    assert r.status_code == 409 and "不能再评价" in _messages(r)


def test_the_community_finalises_at_a_grade(as_user, w, s):
    client = as_user(w.users["community_admin"])
    r = client.post(f"/appraisals/{s.mine.pk}/finalise/", {"finalise-grade": "3"})
    assert r.status_code == 302
    s.mine.refresh_from_db()
    assert (s.mine.status, s.mine.grade_level) == (Status.FINALISED, 3)
    assert "已确定李明的考评等次：基本合格。" in _messages(client.get(r.url))


def test_excellent_beyond_the_cap_is_a_conflict_shown_on_the_form(as_user, w, s):
    r = as_user(w.users["community_admin"]).post(
        f"/appraisals/{s.mine.pk}/finalise/", {"finalise-grade": "1"}
    )
    assert r.status_code == 409 and "不能评定“优秀”" in r.text and "errorlist" in r.text
    s.mine.refresh_from_db()
    assert s.mine.status == Status.OPEN


def test_finalising_without_a_proposal_needs_a_grade(as_user, w, s):
    r = as_user(w.users["community_admin"]).post(f"/appraisals/{s.mine.pk}/finalise/", {"finalise-grade": ""})
    assert r.status_code == 400
    r = as_user(w.users["community_admin"]).post(
        f"/appraisals/{s.mine.pk}/finalise/", {"finalise-grade": "9"}
    )
    assert r.status_code == 400


def test_finalising_twice_is_a_conflict_and_others_may_not(as_user, w, s):
    r = as_user(w.users["street_admin"]).post(f"/appraisals/{s.mine.pk}/finalise/", {"finalise-grade": "2"})
    assert r.status_code == 403
    _finalise(w, s.mine)
    r = as_user(w.users["community_admin"]).post(
        f"/appraisals/{s.mine.pk}/finalise/", {"finalise-grade": "3"}
    )
    assert r.status_code == 409 and "已经确定等次" in _messages(r)
    s.mine.refresh_from_db()
    assert s.mine.grade_level == 2


def test_the_member_appeals_once(as_user, w, s):
    _finalise(w, s.mine)
    client = as_user(w.users["member"])
    html = client.get(f"/appraisals/{s.mine.pk}/").text
    assert "<strong>合格</strong>" in html and f'action="/appraisals/{s.mine.pk}/appeal/"' in html
    r = client.post(f"/appraisals/{s.mine.pk}/appeal/", {"appeal-reason": "服务次数漏记"})
    assert r.status_code == 302
    s.mine.refresh_from_db()
    assert (s.mine.status, s.mine.appeal_reason) == (Status.APPEALED, "服务次数漏记")
    html = client.get(r.url).text
    assert "申诉已提交" in html and f'action="/appraisals/{s.mine.pk}/appeal/"' not in html
    r = client.post(f"/appraisals/{s.mine.pk}/appeal/", {"appeal-reason": "再申诉"})
    assert r.status_code == 409 and "只能申诉一次" in _messages(r)


def test_an_appeal_needs_a_reason_a_grade_and_the_member(as_user, w, s):
    r = as_user(w.users["member"]).post(f"/appraisals/{s.mine.pk}/appeal/", {"appeal-reason": "太低"})
    assert r.status_code == 409 and "确定后才能申诉" in _messages(r)
    _finalise(w, s.mine)
    r = as_user(w.users["member"]).post(f"/appraisals/{s.mine.pk}/appeal/", {"appeal-reason": "  "})
    assert r.status_code == 400 and 'id="id_appeal-reason"' in r.text
    r = as_user(w.users["community_admin"]).post(f"/appraisals/{s.mine.pk}/appeal/", {"appeal-reason": "x"})
    assert r.status_code == 403
    s.mine.refresh_from_db()
    assert s.mine.status == Status.FINALISED


def test_the_community_answers_an_appeal_with_a_new_grade(as_user, w, s):
    _finalise(w, s.mine, grade=3)
    services.appraisal_appeal(actor=w.users["member"], appraisal=s.mine, reason="漏记")
    client = as_user(w.users["community_admin"])
    html = client.get(f"/appraisals/{s.mine.pk}/").text
    assert "漏记" in html and f'action="/appraisals/{s.mine.pk}/answer/"' in html
    r = client.post(
        f"/appraisals/{s.mine.pk}/answer/", {"answer-answer": "已核实，改为合格", "answer-grade": "2"}
    )
    assert r.status_code == 302
    s.mine.refresh_from_db()
    assert (s.mine.status, s.mine.grade_level, s.mine.answer) == (Status.ANSWERED, 2, "已核实，改为合格")
    html = as_user(w.users["member"]).get(f"/appraisals/{s.mine.pk}/").text
    assert "已核实，改为合格" in html and "<strong>合格</strong>" in html


def test_an_answer_needs_an_appeal_text_and_the_community(as_user, w, s):
    _finalise(w, s.mine)
    r = as_user(w.users["community_admin"]).post(f"/appraisals/{s.mine.pk}/answer/", {"answer-answer": "好"})
    assert r.status_code == 409 and "只有申诉中的考评可以答复" in _messages(r)
    services.appraisal_appeal(actor=w.users["member"], appraisal=s.mine, reason="漏记")
    r = as_user(w.users["community_admin"]).post(f"/appraisals/{s.mine.pk}/answer/", {"answer-answer": ""})
    assert r.status_code == 400 and 'id="id_answer-answer"' in r.text
    r = as_user(w.users["street_admin"]).post(f"/appraisals/{s.mine.pk}/answer/", {"answer-answer": "好"})
    assert r.status_code == 403
    s.mine.refresh_from_db()
    assert s.mine.status == Status.APPEALED


@pytest.mark.parametrize("action", ["self-assess", "evaluate", "finalise", "appeal", "answer"])
def test_posts_on_an_appraisal_out_of_scope_are_not_found(as_user, w, s, action):
    r = as_user(w.users["other_member"]).post(f"/appraisals/{s.mine.pk}/{action}/", {})
    assert r.status_code == 404


def test_actions_answer_post_only(as_user, w, s):
    assert as_user(w.users["member"]).get(f"/appraisals/{s.mine.pk}/appeal/").status_code == 405


# ---- the member's, the unit's and the region's lists ----------------------------------------------------


def test_the_member_sees_its_appraisals_and_the_grade_once_finalised(as_user, w, s):
    client = as_user(w.users["member"])
    html = client.get("/me/appraisals/").text
    assert f'href="/appraisals/{s.mine.pk}/"' in html and "评价中" in html and "等次：" not in html
    assert s.period.label in html
    assert 'aria-current="page">我的考评</a>' in html
    assert f"/appraisals/{s.peer.pk}/" not in html
    _finalise(w, s.mine)
    assert "等次：合格" in client.get("/me/appraisals/").text


def test_the_unit_admin_sees_its_members_appraisals(as_user, w, s):
    html = as_user(w.users["unit_admin"]).get("/unit/U1/appraisals/").text
    assert f'href="/appraisals/{s.mine.pk}/"' in html and f'href="/appraisals/{s.peer.pk}/"' in html
    assert f"/appraisals/{s.far.pk}/" not in html
    assert 'aria-current="page">考评</a>' in html and "幸福社区" in html


def test_the_district_admin_lists_filters_and_runs(as_user, w, s):
    client = as_user(w.users["district_admin"])
    html = client.get("/appraisals/").text
    for a in (s.mine, s.peer, s.far):
        assert f'href="/appraisals/{a.pk}/"' in html
    html = client.get("/appraisals/", {"region": "D1", "community": "C2"}).text
    assert f"/appraisals/{s.far.pk}/" in html and f"/appraisals/{s.mine.pk}/" not in html
    html = client.get("/appraisals/", {"region": "S1", "status": "finalised"}).text
    assert "没有符合条件的考评" in html
    r = client.post("/appraisals/", {"region": "S2", "period": s.period.code})
    assert r.status_code == 302 and r.url == f"/appraisals/?region=S2&period={s.period.code}"
    # the district's run covers the street: it is run again over the street, no empty street run
    assert not AppraisalRun.objects.filter(region=w.r("S2"), period=s.period.code).exists()
    assert "已按东湖区这一期的考评重新计算江边街道未确定的考评" in _messages(client.get(r.url))
    r = client.post("/appraisals/", {"region": "S3", "period": s.period.code})  # another district
    assert r.status_code == 404


def test_the_street_admin_sees_only_its_street(as_user, w, s):
    html = as_user(w.users["street_admin"]).get("/appraisals/", {"region": "D1"}).text
    assert f"/appraisals/{s.mine.pk}/" in html and f"/appraisals/{s.far.pk}/" in html  # C2 is in S1 too
    assert '<option value="D1"' not in html


def test_the_organisation_evaluates_from_the_region_list(as_user, w, s):
    client = as_user(w.users["street_admin"])
    r = client.post(
        f"/appraisals/{s.mine.pk}/evaluate/",
        {"evaluate-evaluator": "organisation", "evaluate-score": "85", "evaluate-comment": ""},
    )
    assert r.status_code == 302
    s.mine.refresh_from_db()
    assert (s.mine.score_organisation, s.mine.organisation_by) == (85, w.users["street_admin"])


def test_the_region_admins_home_links_to_the_appraisals(as_user, w):
    html = as_user(w.users["street_admin"]).get("/coverage/S1/").text
    assert 'href="/appraisals/?region=S1"' in html


def test_the_member_sees_no_other_evaluation_while_open(as_user, w, s):
    services.appraisal_self_assess(
        actor=w.users["member"], appraisal=s.mine, score=88, comment="积极参加活动"
    )
    services.appraisal_evaluate(
        actor=w.users["community_admin"],
        appraisal=s.mine,
        evaluator="community",
        score=61,
        comment="还需努力",
    )
    services.appraisal_evaluate(
        actor=w.users["unit_admin"], appraisal=s.mine, evaluator="unit", score=73, comment="表现一般"
    )
    html = as_user(w.users["member"]).get(f"/appraisals/{s.mine.pk}/").text
    # (the random CSRF tokens could hold "61" or "73" by chance)
    html = re.sub(r'value="[A-Za-z0-9]{64}"', "", html)
    row = html[html.index('id="evaluation-self"') :]
    assert "88" in row[: row.index("</tr>")] and "积极参加活动" in html  # its own
    for hidden in ("61", "73", "还需努力", "表现一般", "社区书记", "税务局党办"):
        assert hidden not in html, hidden
    assert "确定等次后可见" in html and "<dt>综合得分</dt>" not in html
    # the community admin sees them all; the member, once the grade is set
    assert "还需努力" in as_user(w.users["community_admin"]).get(f"/appraisals/{s.mine.pk}/").text
    _finalise(w, s.mine, 2)
    html = as_user(w.users["member"]).get(f"/appraisals/{s.mine.pk}/").text
    assert "还需努力" in html and "表现一般" in html and "社区书记" in html and "<dt>综合得分</dt>" in html


def test_an_admin_who_is_the_member_sees_its_own_row_as_a_member(as_user, w, s):
    Grant.objects.create(user=w.users["member"], role=Role.COMMUNITY_ADMIN, region=w.r("C1"))
    services.appraisal_evaluate(
        actor=w.users["community_admin"],
        appraisal=s.mine,
        evaluator="community",
        score=61,
        comment="还需努力",
    )
    client = as_user(w.users["member"])
    html = client.get(f"/appraisals/{s.mine.pk}/").text
    assert "还需努力" not in html and f'action="/appraisals/{s.mine.pk}/finalise/"' not in html
    assert f'action="/appraisals/{s.mine.pk}/evaluate/"' not in html
    row = client.get("/community/C1/appraisals/").text
    row = row[row.index(f'id="appraisal-{s.mine.pk}"') :]
    assert "社区评价：已评" not in row[: row.index("</tr>")]
    r = client.post(f"/appraisals/{s.mine.pk}/finalise/", {"finalise-grade": "1"})
    assert r.status_code == 403 and "不能评价或确定本人的考评" in r.text
    r = client.post(
        f"/appraisals/{s.mine.pk}/evaluate/", {"evaluate-evaluator": "community", "evaluate-score": "99"}
    )
    assert r.status_code == 403 and "不能评价或确定本人的考评" in r.text
    s.mine.refresh_from_db()
    assert (s.mine.status, s.mine.score_community) == (Status.OPEN, 61)


def test_the_first_grade_is_named_as_the_runs_rules_name_it(as_user, w):
    from datetime import date

    from baodao.policy.models import Policy

    Policy.objects.create(district=w.r("D1"), effective_from=date(2020, 1, 1), grade_excellent_name="好")
    period = _history(w)
    services.appraisal_run(actor=w.users["community_admin"], region=w.r("C1"), period=period)
    client = as_user(w.users["community_admin"])
    html = client.get("/community/C1/appraisals/").text
    assert "好名额：已用 0 / 共 0 名" in html and "优秀名额" not in html
    pk = Appraisal.objects.first().pk
    html = client.get(f"/appraisals/{pk}/").text
    assert "好名额不超过本社区考评人数的" in html and "优秀名额" not in html


def test_finalise_all_with_a_bad_period_says_so(as_user, w, s):
    client = as_user(w.users["community_admin"])
    r = client.post(
        "/community/C1/appraisals/finalise-all/", {"period": "2026Q9", "confirm": "on"}, follow=True
    )
    text = _messages(r)
    assert "请先勾选确认" not in text and "统计期格式不正确" in text
    assert not Appraisal.objects.exclude(status=Status.OPEN).exists()
