"""Nobody takes part in a check about themselves: a unit admin who is a member of its own unit, or a
community admin living in the community that answers, neither asks about itself (403), nor sees, answers or
explains a check about itself (404), nor is told of one."""

import pytest
from django.http import Http404

from baodao.accounts.models import Grant, Role
from baodao.accounts.scope import scope_forget
from baodao.lib.errors import Forbidden
from baodao.notify.models import Notice
from baodao.preappointment.selectors import (
    askable_members,
    check_get_for_user,
    check_report_for,
    checks_visible_to,
    may_answer,
    may_ask_about,
    may_explain,
)
from baodao.preappointment.services import check_answer, check_ask, check_explain

SELF = "不能对本人发起任前考察。"


def grant(user, role, *, unit=None, region=None):
    Grant.objects.create(user=user, role=role, unit=unit, region=region)
    scope_forget(user)
    return user


@pytest.fixture
def unit_admin_member(w, reg):
    """The world's member (U1, registered in C1), also its unit's admin."""
    return grant(w.users["member"], Role.UNIT_ADMIN, unit=w.units["U1"])


@pytest.fixture
def community_admin_member(w, reg):
    """The world's member, also an admin of C1 — the community that answers about it."""
    return grant(w.users["member"], Role.COMMUNITY_ADMIN, region=w.r("C1"))


def test_a_unit_admin_does_not_ask_about_itself(w, unit_admin_member):
    me = w.members["member"]
    assert may_ask_about(unit_admin_member, me) is False
    with pytest.raises(Forbidden) as exc:
        check_ask(actor=unit_admin_member, member=me, reason="拟任")
    assert exc.value.detail == SELF
    # it still asks about the other members of its unit, and is not offered itself
    assert askable_members(unit_admin_member, "李", 20) == []


def test_a_unit_admin_does_not_see_a_check_about_itself(w, unit_admin_member, newcomer):
    mine = check_ask(actor=w.users["district_admin"], member=w.members["member"], reason="拟任")
    other = check_ask(actor=w.users["district_admin"], member=newcomer, reason="拟任")
    assert set(checks_visible_to(unit_admin_member).values_list("pk", flat=True)) == {other.pk}
    with pytest.raises(Http404):
        check_get_for_user(unit_admin_member, mine.pk)
    assert may_explain(unit_admin_member, mine) is False


def test_a_unit_admin_does_not_explain_its_own_absence(w, newcomer):
    admin = grant(newcomer.user, Role.UNIT_ADMIN, unit=w.units["U1"])
    check = check_ask(actor=w.users["district_admin"], member=newcomer, reason="拟任")
    assert may_explain(admin, check) is False
    with pytest.raises(Forbidden):
        check_explain(actor=admin, check=check, explanation="我很忙")
    # nor is it told to explain itself; the other unit admin is
    assert not Notice.objects.filter(user=admin).exists()
    assert Notice.objects.filter(user=w.users["unit_admin"], title__contains="补充情况说明").exists()


def test_a_community_admin_does_not_see_or_answer_a_check_about_itself(w, community_admin_member):
    check = check_ask(actor=w.users["unit_admin"], member=w.members["member"], reason="拟任")
    assert not checks_visible_to(community_admin_member).exists()
    with pytest.raises(Http404):
        check_get_for_user(community_admin_member, check.pk)
    assert may_answer(community_admin_member, check) is False
    assert check_report_for(community_admin_member, check) is None
    with pytest.raises(Forbidden):
        check_answer(actor=community_admin_member, check=check, comment="本人表现很好")
    # it is not asked to answer; the community's other admin is
    assert not Notice.objects.filter(user=community_admin_member).exists()
    assert Notice.objects.filter(user=w.users["community_admin"], title__startswith="任前考察").exists()
    assert set(checks_visible_to(w.users["community_admin"]).values_list("pk", flat=True)) == {check.pk}
