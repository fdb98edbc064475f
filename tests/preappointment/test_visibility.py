"""Who sees a check: the asker, the unit's admins, the district admins over the unit, the answering
community's admins — never the member itself, nor the grid worker, the street, another unit or community."""

import pytest
from django.http import Http404

from baodao.accounts.models import Role
from baodao.preappointment.selectors import check_get_for_user, check_report_for, checks_visible_to
from baodao.preappointment.services import check_ask
from tests import factories


@pytest.fixture
def checks(w, reg, newcomer):
    return {
        "registered": check_ask(actor=w.users["district_admin"], member=w.members["member"], reason="拟任"),
        "unregistered": check_ask(actor=w.users["unit_admin"], member=newcomer, reason="拟任"),
    }


def _seen(user):
    return set(checks_visible_to(user).values_list("pk", flat=True))


def test_the_unit_and_the_district_see_both(w, checks):
    both = {c.pk for c in checks.values()}
    assert _seen(w.users["unit_admin"]) == both
    assert _seen(w.users["district_admin"]) == both


def test_the_community_sees_only_the_check_it_answers(w, checks):
    assert _seen(w.users["community_admin"]) == {checks["registered"].pk}


@pytest.mark.parametrize(
    "who",
    [
        "member",
        "grid_worker",
        "street_admin",
        "resident",
        "other_unit_admin",
        "other_community_admin",
        "far_community_admin",
        "other_member",
    ],
)
def test_nobody_else_sees_any(w, checks, who):
    assert _seen(w.users[who]) == set()
    with pytest.raises(Http404):
        check_get_for_user(w.users[who], checks["registered"].pk)


def test_a_district_admin_of_another_district_sees_none(w, checks):
    assert _seen(factories.user(Role.DISTRICT_ADMIN, region_=w.r("D2"))) == set()


def test_the_asker_keeps_seeing_its_check_without_its_grant(w, checks):
    from baodao.accounts.models import Grant
    from baodao.accounts.scope import scope_forget

    asker = w.users["district_admin"]
    Grant.objects.filter(user=asker).delete()
    scope_forget(asker)
    assert _seen(asker) == {checks["registered"].pk}


def test_the_draft_is_for_the_answering_community_only(w, checks):
    check = checks["registered"]
    assert check_report_for(w.users["community_admin"], check) is not None
    assert check_report_for(w.users["district_admin"], check) is None
    assert check_report_for(w.users["unit_admin"], checks["unregistered"]) is None
