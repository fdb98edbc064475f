"""Two admins creating the same person at the same moment: the unique constraints decide, and the loser
gets the same Conflict it would get one second later."""

import pytest

from baodao.accounts.models import Grant, Role, User
from baodao.accounts.services import grant_add, user_create
from baodao.members.models import Member
from tests import factories
from tests.factories import ID_NUMBERS, PASSWORD
from tests.services.concurrency import race, split

pytestmark = pytest.mark.django_db(transaction=True)


def _create(w, phone, id_number=None):
    return lambda: user_create(
        actor=w.users["unit_admin"],
        phone=phone,
        name="新党员",
        password=PASSWORD,
        role=Role.MEMBER,
        unit=w.units["U1"],
        id_number=id_number,
    )


def test_one_phone_makes_one_account(w):
    won, lost = split(race(_create(w, "13912340000"), _create(w, "139 1234 0000")))
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].fields == {"phone": ["手机号已注册。"]}
    assert User.objects.filter(phone="13912340000").count() == 1


def test_one_id_number_makes_one_member(w):
    won, lost = split(
        race(_create(w, "13912340001", ID_NUMBERS[2]), _create(w, "13912340002", ID_NUMBERS[2]))
    )
    assert (len(won), len(lost)) == (1, 1)
    assert "id_number" in lost[0].fields  # not reported as a duplicate phone
    assert Member.objects.filter(id_number_masked="440***********1231").count() == 1
    assert User.objects.filter(phone__in=["13912340001", "13912340002"]).count() == 1


def test_one_grant_is_added_once(w):
    target = factories.user(name="新网格员")
    admin = w.users["community_admin"]
    add = lambda: grant_add(actor=admin, user=target, role=Role.GRID_WORKER, region=w.r("C1G2"))  # noqa: E731
    won, lost = split(race(add, add))
    assert (len(won), len(lost)) == (1, 1)
    assert Grant.objects.filter(user=target).count() == 1


def test_one_id_number_makes_one_member_without_the_account_service_too(w):
    from baodao.members.services import member_create

    users = [factories.user(Role.MEMBER, unit_=w.units["U3"]) for _ in range(2)]
    won, lost = split(
        race(*(lambda u=u: member_create(user=u, unit=w.units["U3"], id_number=ID_NUMBERS[2]) for u in users))
    )
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].fields == {"id_number": ["身份证号码已存在。"]}
