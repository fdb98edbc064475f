"""Every illegal transition of an appraisal (409), every wrong person (403), bad input (400), and what the
member and the community are told."""

import pytest

from baodao.appraisals.models import Status
from baodao.appraisals.services import (
    appraisal_answer,
    appraisal_appeal,
    appraisal_evaluate,
    appraisal_finalise,
    appraisal_finalise_all,
    appraisal_self_assess,
)
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.notify.models import Notice

from .helpers import Q3, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def m(c):
    m = c.member("张伟")
    c.registered(m, at=local(2026, 1, 5))
    c.run()
    return m


def conflict(code, fn, **kw):
    with pytest.raises(Conflict) as e:
        fn(**kw)
    assert e.value.code == code


def test_the_whole_path_with_notices_and_audit(c, m):
    a = appraisal_self_assess(actor=m.user, appraisal=c.appraisal(m), score=88, comment="积极参加服务")
    a = c.scored(m, 80)
    a = appraisal_finalise(actor=c.admin, appraisal=a)
    assert (a.status, a.grade, a.finalised_by) == (Status.FINALISED, "合格", c.admin)
    notice = Notice.objects.get(user=m.user)
    assert notice.title == "您的2026 年第三季度考评等次已确定：合格"
    a = appraisal_appeal(actor=m.user, appraisal=a, reason="漏记了两次服务")
    assert (a.status, a.appeal_reason) == (Status.APPEALED, "漏记了两次服务")
    assert Notice.objects.filter(user=c.admin, body="漏记了两次服务").exists()
    assert not Notice.objects.filter(user=c.u("other_community_admin")).exists()
    a = appraisal_answer(actor=c.admin, appraisal=a, answer="经核实维持原等次")
    assert (a.status, a.grade_level, a.answer, a.answered_by) == (
        Status.ANSWERED,
        2,
        "经核实维持原等次",
        c.admin,
    )
    assert Notice.objects.filter(user=m.user, body="经核实维持原等次").exists()
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        Action.APPRAISAL_RUN,
        Action.APPRAISAL_FINALISED,
        Action.APPRAISAL_APPEALED,
        Action.APPRAISAL_ANSWERED,
    ]


def test_finalise_twice(c, m):
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)
    conflict("not_open", appraisal_finalise, actor=c.admin, appraisal=a, grade=2)


def test_appeal_while_open(c, m):
    conflict("not_finalised", appraisal_appeal, actor=m.user, appraisal=c.appraisal(m), reason="不服")


def test_appeal_twice_and_after_the_answer(c, m):
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)
    a = appraisal_appeal(actor=m.user, appraisal=a, reason="不服")
    conflict("already_appealed", appraisal_appeal, actor=m.user, appraisal=a, reason="再次申诉")
    a = appraisal_answer(actor=c.admin, appraisal=a, answer="维持")
    conflict("already_appealed", appraisal_appeal, actor=m.user, appraisal=a, reason="再次申诉")
    conflict("not_appealed", appraisal_answer, actor=c.admin, appraisal=a, answer="再答复")


def test_answer_when_not_appealed(c, m):
    conflict("not_appealed", appraisal_answer, actor=c.admin, appraisal=c.appraisal(m), answer="答复")
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)
    conflict("not_appealed", appraisal_answer, actor=c.admin, appraisal=a, answer="答复")


def test_evaluate_and_self_assess_after_finalising(c, m):
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)
    conflict(
        "not_open", appraisal_evaluate, actor=c.admin, appraisal=a, evaluator="community", score=9, comment=""
    )
    conflict("not_open", appraisal_self_assess, actor=m.user, appraisal=a, score=90, comment="")
    assert c.appraisal(m).score_community is None


@pytest.mark.parametrize("who", ["community_admin", "unit_admin", "street_admin", "other_member"])
def test_self_assessment_by_someone_else(c, m, who):
    with pytest.raises(Forbidden) as e:
        appraisal_self_assess(actor=c.u(who), appraisal=c.appraisal(m), score=90, comment="")
    assert e.value.detail == "只有党员本人可以自评。"


@pytest.mark.parametrize(
    ("evaluator", "who"),
    [
        ("unit", "other_unit_admin"),
        ("unit", "community_admin"),
        ("community", "other_community_admin"),
        ("community", "street_admin"),
        ("community", "unit_admin"),
        ("organisation", "community_admin"),
        ("organisation", "unit_admin"),
        ("community", "member"),
    ],
)
def test_evaluation_by_the_wrong_person(c, m, evaluator, who):
    with pytest.raises(Forbidden):
        appraisal_evaluate(
            actor=c.u(who), appraisal=c.appraisal(m), evaluator=evaluator, score=90, comment=""
        )


def test_self_and_residents_are_not_given_through_evaluate(c, m):
    for evaluator in ("self", "residents", "boss"):
        with pytest.raises(Invalid):
            appraisal_evaluate(
                actor=c.admin, appraisal=c.appraisal(m), evaluator=evaluator, score=9, comment=""
            )


@pytest.mark.parametrize("score", [-1, 101, 85.5, "八十", True, None, ""])
def test_scores_are_integers_from_0_to_100(c, m, score):
    with pytest.raises(Invalid) as e:
        appraisal_self_assess(actor=m.user, appraisal=c.appraisal(m), score=score, comment="")
    assert e.value.detail == "评分须为 0 到 100 之间的整数。"


def test_scores_at_the_ends_and_long_comments(c, m):
    assert appraisal_self_assess(actor=m.user, appraisal=c.appraisal(m), score=0, comment="").score_self == 0
    assert (
        appraisal_self_assess(actor=m.user, appraisal=c.appraisal(m), score="100", comment="").score_self
        == 100
    )
    with pytest.raises(Invalid) as e:
        appraisal_self_assess(actor=m.user, appraisal=c.appraisal(m), score=90, comment="字" * 1001)
    assert "1000" in e.value.detail


def test_the_appeal_needs_a_reason_and_the_answer_a_text(c, m):
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)
    with pytest.raises(Invalid):
        appraisal_appeal(actor=m.user, appraisal=a, reason="  ")
    a = appraisal_appeal(actor=m.user, appraisal=a, reason="不服")
    with pytest.raises(Invalid):
        appraisal_answer(actor=c.admin, appraisal=a, answer="")
    with pytest.raises(Invalid):
        appraisal_answer(actor=c.admin, appraisal=a, answer="改", grade=5)


@pytest.mark.parametrize("who", ["street_admin", "district_admin", "other_community_admin", "unit_admin"])
def test_only_the_community_finalises_and_answers(c, m, who):
    with pytest.raises(Forbidden):
        appraisal_finalise(actor=c.u(who), appraisal=c.appraisal(m), grade=2)
    with pytest.raises(Forbidden):
        appraisal_finalise_all(actor=c.u(who), community=c.r("C1"), period=Q3)
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)
    a = appraisal_appeal(actor=m.user, appraisal=a, reason="不服")
    with pytest.raises(Forbidden):
        appraisal_answer(actor=c.u(who), appraisal=a, answer="维持")


def test_only_the_member_appeals(c, m):
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)
    with pytest.raises(Forbidden):
        appraisal_appeal(actor=c.admin, appraisal=a, reason="代为申诉")


def test_grades_out_of_range(c, m):
    for grade in (0, 5, True):
        with pytest.raises(Invalid):
            appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=grade)
