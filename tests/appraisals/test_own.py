"""Nobody evaluates (but for the self-assessment), finalises or answers the appeal of its own appraisal,
whatever admin grants it holds; while open, it sees its own appraisal as any member does."""

import pytest

from baodao.accounts.models import Grant, Role
from baodao.accounts.scope import scope_forget
from baodao.appraisals import selectors
from baodao.appraisals.models import Appraisal, Status
from baodao.appraisals.services import (
    appraisal_answer,
    appraisal_appeal,
    appraisal_evaluate,
    appraisal_finalise,
    appraisal_finalise_all,
    appraisal_self_assess,
)
from baodao.lib.errors import Forbidden

from .helpers import Q3, local

pytestmark = pytest.mark.django_db

OWN = "不能评价或确定本人的考评。"


def admin_member(c, role, **grant):
    """A member of U1 registered in C1 who also holds `role`; its appraisal for Q3 (open)."""
    m = c.member("兼任管理员")
    c.registered(m, at=local(2026, 1, 5))
    Grant.objects.create(user=m.user, role=role, **grant)
    scope_forget(m.user)
    return m


@pytest.mark.parametrize(
    ("role", "code", "evaluator"),
    [
        (Role.UNIT_ADMIN, "U1", "unit"),
        (Role.COMMUNITY_ADMIN, "C1", "community"),
        (Role.STREET_ADMIN, "S1", "organisation"),
        (Role.DISTRICT_ADMIN, "D1", "organisation"),
    ],
)
def test_no_admin_evaluates_its_own_appraisal(c, role, code, evaluator):
    where = {"unit": c.w.units[code]} if role == Role.UNIT_ADMIN else {"region": c.r(code)}
    m = admin_member(c, role, **where)
    c.run()
    a = c.appraisal(m)
    assert selectors.evaluators_for(m.user, a) == []
    assert not selectors.may_give(m.user, a, evaluator)
    with pytest.raises(Forbidden) as e:
        appraisal_evaluate(actor=m.user, appraisal=a, evaluator=evaluator, score=100, comment="")
    assert e.value.detail == OWN
    assert getattr(Appraisal.objects.get(pk=a.pk), f"score_{evaluator}") is None
    # its self-assessment it gives, and it sees its own appraisal as any member does while open
    assert selectors.may_self_assess(m.user, a)
    appraisal_self_assess(actor=m.user, appraisal=a, score=90, comment="")
    assert not selectors.sees_evaluations(m.user, a)
    assert selectors.sees_evaluations(c.admin, a)


def test_a_community_admin_neither_finalises_nor_answers_its_own(c):
    m = admin_member(c, Role.COMMUNITY_ADMIN, region=c.r("C1"))
    c.run()
    a = c.appraisal(m)
    c.scored(m, 80)
    assert not selectors.may_finalise(m.user, a)
    with pytest.raises(Forbidden) as e:
        appraisal_finalise(actor=m.user, appraisal=a, grade=2)
    assert e.value.detail == OWN
    assert Appraisal.objects.get(pk=a.pk).status == Status.OPEN
    a = appraisal_finalise(actor=c.admin, appraisal=c.appraisal(m), grade=2)  # the other admin may
    a = appraisal_appeal(actor=m.user, appraisal=a, reason="服务漏记")
    assert not selectors.may_answer(m.user, a) and selectors.may_answer(c.admin, a)
    with pytest.raises(Forbidden) as e:
        appraisal_answer(actor=m.user, appraisal=a, answer="同意", grade=1)
    assert e.value.detail == OWN
    assert Appraisal.objects.get(pk=a.pk).status == Status.APPEALED


def test_finalise_all_skips_the_actors_own_appraisal(c):
    m = admin_member(c, Role.COMMUNITY_ADMIN, region=c.r("C1"))
    other = c.member("其他党员")
    c.registered(other, at=local(2026, 1, 5))
    c.run()
    c.scored(m, 80)
    c.scored(other, 75)
    result = appraisal_finalise_all(actor=m.user, community=c.r("C1"), period=Q3)
    assert (result.finalised, result.demoted, result.skipped) == (1, 0, 1)
    assert c.appraisal(m).status == Status.OPEN
    assert c.appraisal(other).status == Status.FINALISED
    # another admin of the community finalises it
    result = appraisal_finalise_all(actor=c.admin, community=c.r("C1"), period=Q3)
    assert (result.finalised, result.skipped) == (1, 0)


def test_the_member_without_grants_is_unchanged(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    c.run()
    a = c.appraisal(m)
    assert selectors.may_self_assess(m.user, a) and selectors.evaluators_for(m.user, a) == []
    assert selectors.evaluators_for(c.admin, a) == ["community"]
