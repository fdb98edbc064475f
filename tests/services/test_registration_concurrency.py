"""Two people acting on the same thing at the same moment, each in its own thread with its own database
connection: the conditional UPDATEs and the unique constraints must let exactly one of them through."""

import pytest

from baodao.audit.models import Action, AuditEvent
from baodao.audit.services import audit_verify
from baodao.registration.models import Registration, RegistrationEvent, Status, UnitRegistration
from baodao.registration.services import (
    registration_apply,
    registration_confirm,
    registration_reject,
    unit_registration_apply,
    unit_registration_confirm,
)
from tests.services.concurrency import race, split

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_admins_confirm_the_same_application_once(w):
    reg = registration_apply(member=w.members["member"], community=w.r("C1"))
    admin = w.users["community_admin"]
    copies = [Registration.objects.get(pk=reg.pk) for _ in range(2)]
    won, lost = split(race(*(lambda c=c: registration_confirm(actor=admin, registration=c) for c in copies)))
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "illegal_transition"
    reg.refresh_from_db()
    assert reg.status == Status.CONFIRMED
    assert RegistrationEvent.objects.filter(registration=reg, kind="confirmed").count() == 1
    assert AuditEvent.objects.filter(action=Action.REGISTRATION_CONFIRMED).count() == 1
    assert audit_verify()[0]


def test_confirm_and_reject_at_once_leave_one_decision(w):
    reg = registration_apply(member=w.members["member"], community=w.r("C1"))
    admin = w.users["community_admin"]
    a, b = (Registration.objects.get(pk=reg.pk) for _ in range(2))
    won, lost = split(
        race(
            lambda: registration_confirm(actor=admin, registration=a),
            lambda: registration_reject(actor=admin, registration=b, reason="重复"),
        )
    )
    assert (len(won), len(lost)) == (1, 1)
    reg.refresh_from_db()
    member = w.members["member"]
    member.refresh_from_db()
    assert member.is_registered == (reg.status == Status.CONFIRMED)
    assert RegistrationEvent.objects.filter(registration=reg).exclude(kind="applied").count() == 1


def test_two_applications_of_one_member_at_once_make_one_registration(w):
    m = w.members["member"]
    copies = [type(m).objects.get(pk=m.pk) for _ in range(2)]
    won, lost = split(
        race(
            lambda: registration_apply(member=copies[0], community=w.r("C1")),
            lambda: registration_apply(member=copies[1], community=w.r("C2")),
        )
    )
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "already_registered"
    assert Registration.objects.filter(member=m).count() == 1
    m.refresh_from_db()
    assert m.community == won[0].community  # the loser's residence change was rolled back with it


def test_two_unit_applications_at_once_make_one_agreement(w):
    unit_admin = w.users["unit_admin"]
    won, lost = split(
        race(
            *(
                lambda: unit_registration_apply(
                    actor=unit_admin, unit=w.units["U1"], community=w.r("C1"), commitments="共建"
                )
                for _ in range(2)
            )
        )
    )
    assert (len(won), len(lost)) == (1, 1)
    assert UnitRegistration.objects.count() == 1


def test_two_admins_confirm_the_same_unit_application_once(w):
    ur = unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="共建"
    )
    admin = w.users["community_admin"]
    copies = [UnitRegistration.objects.get(pk=ur.pk) for _ in range(2)]
    won, lost = split(
        race(*(lambda c=c: unit_registration_confirm(actor=admin, unit_registration=c) for c in copies))
    )
    assert (len(won), len(lost)) == (1, 1)
    assert AuditEvent.objects.filter(action=Action.UNIT_REGISTRATION_CONFIRMED).count() == 1
