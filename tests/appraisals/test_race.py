"""A run again, evaluations and finalisations at the same moment, each in its own thread with its own
database connection (run on SQLite and on PostgreSQL): no error but the expected conflicts, finalised
appraisals never recomputed, the score always that of the evaluations stored, and never more 优秀 than the
cap allows."""

import copy

import pytest

from baodao.appraisals.models import Appraisal, Status
from baodao.appraisals.services import (
    appraisal_evaluate,
    appraisal_finalise,
    appraisal_finalise_all,
    appraisal_run,
    rescore,
)
from tests.services.concurrency import race, split

from .helpers import Q3, local

pytestmark = pytest.mark.django_db(transaction=True)


def crowd(c, n):
    members = [c.member(f"党员{i:02d}") for i in range(n)]
    for m in members:
        c.registered(m, at=local(2026, 1, 5))
    return members


def rerun(c):
    return lambda: appraisal_run(actor=c.admin, region=c.r("C1"), period=Q3)


def assert_scores_consistent():
    for a in Appraisal.objects.select_related("run"):
        expected = copy.copy(a)
        rescore(expected, a.run.rules)
        assert (a.score, a.proposed_level, a.score_residents) == (
            expected.score,
            expected.proposed_level,
            expected.score_residents,
        ), a


def test_a_run_again_racing_finalisations(c):
    members = crowd(c, 8)
    c.run()
    for m in members:
        c.scored(m, 80)
    kept = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(members[0]), grade=2)
    for m in members:
        c.served(m, local(2026, 8, 1), rating=5)  # recorded late: a run again changes the open ones
    results = race(
        rerun(c),
        *(
            lambda m=m: appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=3)
            for m in members[1:4]
        ),
        lambda: appraisal_finalise_all(actor=c.admin, community=c.r("C1"), period=Q3),
    )
    _won, lost = split(results)
    assert {e.code for e in lost} <= {"not_open"}
    after = Appraisal.objects.get(pk=kept.pk)
    assert (after.services, after.score_residents, after.grade_level, after.updated_at) == (
        0,
        None,
        2,
        kept.updated_at,
    )
    assert not Appraisal.objects.filter(status=Status.OPEN).exists()
    assert_scores_consistent()


def test_a_run_again_racing_evaluations(c):
    members = crowd(c, 6)
    c.run()
    for m in members:
        c.served(m, local(2026, 8, 1), rating=4)
    results = race(
        rerun(c),
        *(
            lambda m=m: appraisal_evaluate(
                actor=c.u("unit_admin"), appraisal=c.appraisal(m), evaluator="unit", score=90, comment=""
            )
            for m in members[:3]
        ),
        *(lambda m=m: c.scored(m, 60) for m in members[3:]),
    )
    assert not split(results)[1]
    for m in members:
        a = c.appraisal(m)
        assert a.services == 1 and a.score_residents == 80
        assert (a.score_unit, a.score_community) in {(90, None), (None, 60)}
    assert_scores_consistent()


def test_two_excellent_finalisations_at_a_quota_of_one(c):
    members = crowd(c, 3)  # 0.333 × 3: one 优秀
    c.run()
    won, lost = split(
        race(
            *(
                lambda m=m: appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=1)
                for m in members[:2]
            )
        )
    )
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "excellent_cap" and lost[0].status == 409
    assert Appraisal.objects.filter(grade_level=1).count() == 1


def test_finalise_racing_finalise_all_keeps_the_cap(c):
    members = crowd(c, 6)  # 0.333 × 6: two 优秀
    c.run()
    for m in members:
        c.scored(m, 95)
    results = race(
        *(
            lambda m=m: appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=1)
            for m in members[:2]
        ),
        lambda: appraisal_finalise_all(actor=c.admin, community=c.r("C1"), period=Q3),
    )
    assert {e.code for e in split(results)[1]} <= {"excellent_cap", "not_open"}
    assert Appraisal.objects.filter(grade_level=1).count() <= 2
    assert not Appraisal.objects.filter(status=Status.OPEN).exists()
