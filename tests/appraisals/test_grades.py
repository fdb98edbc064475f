"""The minimum of service under each rule, the weighted score and the grade cut-offs, the 优秀 cap on a single
finalisation and on finalising all."""

from datetime import date
from decimal import Decimal

import pytest

from baodao.appraisals.models import Appraisal, Status
from baodao.appraisals.selectors import excellent_quota
from baodao.appraisals.services import (
    appraisal_answer,
    appraisal_appeal,
    appraisal_evaluate,
    appraisal_finalise,
    appraisal_finalise_all,
    appraisal_self_assess,
    level_for,
)
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Invalid
from baodao.lib.periods import period_parse
from baodao.notify.models import Notice
from baodao.policy.models import Period, Policy

from .helpers import Q3, local

pytestmark = pytest.mark.django_db


def policy(c, **fields):
    return Policy.objects.create(district=c.r("D1"), effective_from=date(2020, 1, 1), **fields)


def registered_members(c, n, *, at=None):
    members = [c.member(f"党员{i}") for i in range(n)]
    for m in members:
        c.registered(m, at=at or local(2025, 1, 5))
    return members


# ---- the minimum of service --------------------------------------------------------------------------------


def test_one_service_a_quarter(c):
    done, before, none = registered_members(c, 3)
    c.served(done, local(2026, 9, 30, 23, 59))
    c.served(before, local(2026, 6, 30, 23, 59))
    c.run()
    assert [c.appraisal(m).minimum_met for m in (done, before, none)] == [True, False, False]


def test_two_a_year_is_judged_year_to_date_in_a_quarter(c):
    policy(c, min_services=2, min_services_period=Period.YEAR)
    early, one, two_in_q3 = registered_members(c, 3)
    c.served(early, local(2026, 2, 1))
    c.served(early, local(2026, 2, 2))
    c.served(one, local(2026, 8, 1))
    c.served(two_in_q3, local(2026, 8, 1))
    c.served(two_in_q3, local(2026, 9, 1))
    run = c.run()
    assert run.rules["minimum"] == "年初至本季度末累计至少 2 次服务"
    assert [c.appraisal(m).minimum_met for m in (early, one, two_in_q3)] == [True, False, True]
    assert c.appraisal(early).services == 0  # the quarter's own services


def test_fifty_hours_a_year_pro_rata_in_a_quarter_and_whole_in_a_year(c):
    policy(c, min_services=0, min_hours_per_year=50)
    enough, short = registered_members(c, 2)
    c.served(enough, local(2026, 3, 1), "30")
    c.served(enough, local(2026, 8, 1), "7.5")
    c.served(short, local(2026, 8, 1), "37.49")
    c.run()
    assert [c.appraisal(m).minimum_met for m in (enough, short)] == [True, False]
    year = period_parse("2025")
    whole, almost = registered_members(c, 2, at=local(2024, 12, 1))
    c.served(whole, local(2025, 12, 31, 23), "50")
    c.served(almost, local(2025, 6, 1), "49.99")
    c.run(period=year)
    assert [c.appraisal(m, year).minimum_met for m in (whole, almost)] == [True, False]


# ---- score and proposal ---------------------------------------------------------------------------------


def test_cut_offs_at_their_boundaries():
    rules = {"grades": [["优秀", 90], ["合格", 70], ["基本合格", 60], ["不合格", 0]]}
    cases = {"90": 1, "89.99": 2, "70": 2, "69.99": 3, "60": 3, "59.99": 4, "0": 4, "100": 1}
    assert {k: level_for(Decimal(k), rules) for k in cases} == cases
    assert level_for(None, rules) is None


def test_the_score_weighs_the_evaluations_given(c):
    (m,) = registered_members(c, 1)
    c.served(m, local(2026, 8, 1), rating=4)  # residents: 80
    c.run()
    a = c.appraisal(m)
    assert (a.score, a.proposed_level) == (Decimal("80.00"), 2)  # the residents' alone
    a = appraisal_self_assess(actor=m.user, appraisal=a, score=100, comment="认真履职")
    assert a.score == Decimal("85.00")  # (10×100 + 30×80) / 40
    a = appraisal_evaluate(
        actor=c.u("unit_admin"), appraisal=a, evaluator="unit", score=95, comment="表现突出"
    )
    a = c.scored(m, 98)
    a = appraisal_evaluate(
        actor=c.u("street_admin"), appraisal=a, evaluator="organisation", score=90, comment=""
    )
    # (10×100 + 20×95 + 30×80 + 30×98 + 10×90) / 100 = 91.4
    assert (a.score, a.proposed_level, a.proposed_grade) == (Decimal("91.40"), 1, "优秀")
    assert (a.comment_unit, a.unit_by, a.organisation_by) == (
        "表现突出",
        c.u("unit_admin"),
        c.u("street_admin"),
    )


def test_a_boundary_score_of_89_99(c):
    policy(c, weight_self=0, weight_unit=0, weight_residents=0, weight_community=99, weight_organisation=1)
    (m,) = registered_members(c, 1)
    c.run()
    c.scored(m, 90)
    a = appraisal_evaluate(
        actor=c.u("district_admin"), appraisal=c.appraisal(m), evaluator="organisation", score=89, comment=""
    )
    assert (a.score, a.proposed_level) == (Decimal("89.99"), 2)
    a = appraisal_evaluate(
        actor=c.u("district_admin"), appraisal=a, evaluator="organisation", score=90, comment=""
    )
    assert (a.score, a.proposed_level) == (Decimal("90.00"), 1)


def test_no_evaluation_no_proposal_and_finalising_asks_for_a_grade(c):
    (m,) = registered_members(c, 1)
    c.run()
    a = c.appraisal(m)
    assert (a.score, a.proposed_level) == (None, None)
    with pytest.raises(Invalid) as e:
        appraisal_finalise(actor=c.admin, appraisal=a)
    assert "grade" in e.value.fields
    assert appraisal_finalise(actor=c.admin, appraisal=a, grade=3).grade == "基本合格"


# ---- the 优秀 cap ------------------------------------------------------------------------------------------


def test_a_single_finalisation_beyond_the_cap_is_refused(c):
    members = registered_members(c, 4)  # 0.333 × 4: one 优秀
    c.run()
    first = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[0]), grade=1)
    assert (first.status, first.grade) == (Status.FINALISED, "优秀")
    assert excellent_quota(c.r("C1"), Q3) == (1, 1)
    with pytest.raises(Conflict) as e:
        appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[1]), grade=1)
    assert e.value.code == "excellent_cap"
    assert "共 4 人" in e.value.detail and "最多 1 人" in e.value.detail and "已确定 1 人" in e.value.detail
    c.scored(members[1], 95)
    with pytest.raises(Conflict):  # the proposal is held to the cap too
        appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[1]))
    assert appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[1]), grade=2).grade == "合格"


def test_two_appraised_get_no_excellent_and_are_told_why(c):
    members = registered_members(c, 2)
    c.run()
    assert excellent_quota(c.r("C1"), Q3) == (0, 0)
    with pytest.raises(Conflict) as e:
        appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[0]), grade=1)
    assert "为 0 人" in e.value.detail


def test_finalise_all_demotes_the_lowest_excellent_beyond_the_cap(c):
    members = registered_members(c, 7)  # 0.333 × 7: two 优秀
    c.run()
    scores = [91, 99, 95, 75, 50, 93]  # the seventh has no evaluation
    for m, score in zip(members, scores, strict=False):
        c.scored(m, score)
    result = appraisal_finalise_all(actor=c.admin, community=c.r("C1"), period=Q3)
    assert (result.finalised, result.demoted, result.skipped) == (6, 2, 1)
    grades = {score: c.appraisal(m).grade_level for m, score in zip(members, scores, strict=False)}
    assert grades == {99: 1, 95: 1, 93: 2, 91: 2, 75: 2, 50: 4}
    assert c.appraisal(members[6]).status == Status.OPEN
    assert AuditEvent.objects.filter(action=Action.APPRAISAL_FINALISED).count() == 7
    assert Notice.objects.filter(user=members[1].user, title__contains="优秀").exists()
    assert Notice.objects.filter(user=members[0].user, title__contains="合格").exists()


def test_finalise_all_counts_excellent_already_given(c):
    members = registered_members(c, 4)
    c.run()
    appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[0]), grade=1)
    c.scored(members[1], 99)
    result = appraisal_finalise_all(actor=c.admin, community=c.r("C1"), period=Q3)
    assert (result.finalised, result.demoted, result.skipped) == (1, 1, 2)
    assert c.appraisal(members[1]).grade_level == 2


def test_an_answer_may_raise_the_grade_within_the_cap_without_counting_itself(c):
    members = registered_members(c, 4)
    c.run()
    first = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[0]), grade=2)
    other = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[1]), grade=2)
    appraisal_appeal(actor=members[0].user, appraisal=first, reason="服务记录漏记")
    raised = appraisal_answer(actor=c.admin, appraisal=first, answer="经核实，改为优秀", grade=1)
    assert (raised.status, raised.grade_level) == (Status.ANSWERED, 1)
    appraisal_appeal(actor=members[1].user, appraisal=other, reason="我也要")
    with pytest.raises(Conflict) as e:
        appraisal_answer(actor=c.admin, appraisal=other, answer="同意", grade=1)
    assert e.value.code == "excellent_cap"
    assert Appraisal.objects.get(pk=other.pk).status == Status.APPEALED


@pytest.mark.parametrize(
    ("share", "total", "allowed"),
    [
        ("0.25", 4001, 1000),
        ("0.3", 3001, 900),
        ("0.333", 3, 1),
        ("0.333", 2, 0),
        ("0.333", 300, 100),
        ("0.333", 4001, 1333),
        ("0.667", 3, 2),
        ("0.123", 1000, 123),
        ("1", 7, 7),
    ],
)
def test_the_cap_floors_exact_shares_exactly_and_a_rounded_third_as_a_third(share, total, allowed):
    from baodao.appraisals.selectors import excellent_allowed

    assert excellent_allowed(Decimal(share), total) == allowed
