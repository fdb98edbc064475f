"""Who sees which appraisals and runs, which regions one may run, and what each may do now."""

import pytest
from django.http import Http404

from baodao.appraisals.selectors import (
    appraisal_get_for_user,
    appraisals_visible_to,
    evaluators_for,
    may_answer,
    may_appeal,
    may_finalise,
    may_self_assess,
    regions_for_appraisal,
    runs_visible_to,
)
from baodao.appraisals.services import appraisal_appeal, appraisal_finalise

from .helpers import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(c):
    """In C1: 李明 (U1, the world's member) and 赵强 (U2); in C2: 王芳 (U2, the other member)."""
    zhao = c.member("赵强", unit="U2")
    for m, community in ((c.w.members["member"], "C1"), (zhao, "C1"), (c.w.members["other_member"], "C2")):
        c.registered(m, at=local(2026, 1, 5), community=community)
    c.run("S1", actor=c.u("street_admin"))
    return c


def names(user):
    return {a.member.user.name for a in appraisals_visible_to(user)}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("community_admin", {"李明", "赵强"}),
        ("other_community_admin", {"王芳"}),
        ("street_admin", {"李明", "赵强", "王芳"}),
        ("district_admin", {"李明", "赵强", "王芳"}),
        ("unit_admin", {"李明"}),
        ("other_unit_admin", {"赵强", "王芳"}),
        ("member", {"李明"}),
        ("other_member", {"王芳"}),
        ("grid_worker", set()),
        ("resident", set()),
        ("far_community_admin", set()),
    ],
)
def test_who_sees_which_appraisals(cast, who, expected):
    assert names(cast.u(who)) == expected
    assert runs_visible_to(cast.u(who)).exists() == bool(expected)


def test_out_of_sight_is_not_found(cast):
    wang = cast.appraisal(cast.w.members["other_member"])
    for who in ("community_admin", "unit_admin", "member", "grid_worker"):
        with pytest.raises(Http404):
            appraisal_get_for_user(cast.u(who), wang.pk)
    assert appraisal_get_for_user(cast.u("other_community_admin"), wang.pk) == wang


def test_regions_one_may_run(c):
    assert list(regions_for_appraisal(c.admin).values_list("code", flat=True)) == ["C1"]
    assert set(regions_for_appraisal(c.u("street_admin")).values_list("code", flat=True)) == {
        "S1",
        "C1",
        "C2",
    }
    assert set(regions_for_appraisal(c.u("district_admin")).values_list("code", flat=True)) == {
        "D1",
        "S1",
        "S2",
        "C1",
        "C2",
        "C3",
    }
    for who in ("grid_worker", "unit_admin", "member", "resident"):
        assert not regions_for_appraisal(c.u(who)).exists()


def test_what_each_may_do_as_the_appraisal_moves_on(cast):
    li = cast.w.members["member"]
    a = cast.appraisal(li)
    u = cast.u
    assert evaluators_for(u("community_admin"), a) == ["community"]
    assert evaluators_for(u("unit_admin"), a) == ["unit"]
    assert evaluators_for(u("street_admin"), a) == ["organisation"]
    assert evaluators_for(u("member"), a) == []
    assert may_self_assess(u("member"), a) and not may_self_assess(u("community_admin"), a)
    assert may_finalise(u("community_admin"), a) and not may_finalise(u("street_admin"), a)
    assert not may_appeal(u("member"), a)
    a = appraisal_finalise(actor=u("community_admin"), appraisal=a, grade=2)
    assert evaluators_for(u("community_admin"), a) == [] and not may_self_assess(u("member"), a)
    assert not may_finalise(u("community_admin"), a)
    assert may_appeal(u("member"), a) and not may_appeal(u("community_admin"), a)
    assert not may_answer(u("community_admin"), a)
    a = appraisal_appeal(actor=u("member"), appraisal=a, reason="不服")
    assert not may_appeal(u("member"), a)
    assert may_answer(u("community_admin"), a) and not may_answer(u("other_community_admin"), a)
