import pytest
from django.utils import timezone

from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.registration.models import Status, UnitRegistration
from baodao.registration.services import (
    unit_registration_apply,
    unit_registration_confirm,
    unit_registration_end,
    unit_registration_reject,
)


@pytest.fixture
def admin(w):
    return w.users["community_admin"]


@pytest.fixture
def pending(w):
    return unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments=" 每季度义诊一次 "
    )


@pytest.fixture
def confirmed(pending, admin):
    return unit_registration_confirm(actor=admin, unit_registration=pending)


@pytest.fixture
def rejected(pending, admin):
    return unit_registration_reject(actor=admin, unit_registration=pending, reason="承诺不具体")


@pytest.fixture
def ended(confirmed, w):
    return unit_registration_end(actor=w.users["unit_admin"], unit_registration=confirmed, reason="共建期满")


def test_a_unit_applies_with_its_commitments(w, pending):
    assert (pending.status, pending.commitments, pending.applied_by) == (
        Status.PENDING,
        "每季度义诊一次",
        w.users["unit_admin"],
    )


def test_the_street_over_the_unit_may_apply_for_it(w):
    ur = unit_registration_apply(
        actor=w.users["street_admin"], unit=w.units["U2"], community=w.r("C1"), commitments="共建"
    )
    assert ur.status == Status.PENDING


@pytest.mark.parametrize(
    "persona", ["other_unit_admin", "member", "community_admin", "grid_worker", "resident"]
)
def test_only_the_unit_or_its_street_applies(w, persona):
    with pytest.raises(Forbidden):
        unit_registration_apply(
            actor=w.users[persona], unit=w.units["U1"], community=w.r("C1"), commitments="共建"
        )
    assert not UnitRegistration.objects.exists()


@pytest.mark.parametrize(("community", "commitments"), [("S1", "共建"), ("C1G1", "共建"), ("C1", "  ")])
def test_it_refuses_a_malformed_application(w, community, commitments):
    with pytest.raises(Invalid):
        unit_registration_apply(
            actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r(community), commitments=commitments
        )


def test_it_refuses_a_second_active_agreement_with_the_same_community(w, pending, admin):
    with pytest.raises(Conflict):
        unit_registration_apply(
            actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="x"
        )
    unit_registration_confirm(actor=admin, unit_registration=pending)
    with pytest.raises(Conflict):
        unit_registration_apply(
            actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="x"
        )
    # Another community is another agreement.
    other = unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C2"), commitments="x"
    )
    assert other.status == Status.PENDING


def test_a_rejected_unit_may_apply_again(w, rejected):
    again = unit_registration_apply(
        actor=w.users["unit_admin"], unit=w.units["U1"], community=w.r("C1"), commitments="每月义诊"
    )
    assert again.status == Status.PENDING


def test_the_community_confirms_with_a_receipt(w, admin, confirmed):
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED
    assert confirmed.receipt_no == f"DWC1-{timezone.localdate():%Y}-{confirmed.pk:06d}"
    assert confirmed.decided_by == admin
    event = AuditEvent.objects.get(action=Action.UNIT_REGISTRATION_CONFIRMED)
    assert event.detail == {"receipt_no": confirmed.receipt_no}


def test_the_community_rejects_with_a_reason(w, admin, pending):
    with pytest.raises(Invalid):
        unit_registration_reject(actor=admin, unit_registration=pending, reason="")
    unit_registration_reject(actor=admin, unit_registration=pending, reason="承诺不具体")
    pending.refresh_from_db()
    assert (pending.status, pending.reason) == (Status.REJECTED, "承诺不具体")
    assert AuditEvent.objects.filter(action=Action.UNIT_REGISTRATION_REJECTED).count() == 1


@pytest.mark.parametrize(
    "persona", ["street_admin", "district_admin", "grid_worker", "other_community_admin", "unit_admin"]
)
def test_only_the_community_admin_decides(w, pending, persona):
    with pytest.raises(Forbidden):
        unit_registration_confirm(actor=w.users[persona], unit_registration=pending)
    with pytest.raises(Forbidden):
        unit_registration_reject(actor=w.users[persona], unit_registration=pending, reason="不同意")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.parametrize("persona", ["unit_admin", "community_admin", "street_admin"])
def test_the_unit_or_the_community_ends_an_agreement(w, confirmed, persona):
    unit_registration_end(actor=w.users[persona], unit_registration=confirmed, reason="共建期满")
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.reason) == (Status.ENDED, "共建期满")
    assert confirmed.ended_at is not None


@pytest.mark.parametrize("persona", ["other_unit_admin", "other_community_admin", "grid_worker", "member"])
def test_no_one_else_ends_an_agreement(w, confirmed, persona):
    with pytest.raises(Forbidden):
        unit_registration_end(actor=w.users[persona], unit_registration=confirmed, reason="结束")


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("confirmed", "confirm"),
        ("rejected", "confirm"),
        ("ended", "confirm"),
        ("confirmed", "reject"),
        ("rejected", "reject"),
        ("ended", "reject"),
        ("rejected", "end"),
        ("ended", "end"),
    ],
)
def test_it_refuses_an_illegal_transition(request, w, admin, state, action):
    ur = request.getfixturevalue(state)
    ur.refresh_from_db()
    before = (ur.status, ur.receipt_no, ur.reason)
    with pytest.raises(Conflict) as exc:
        if action == "confirm":
            unit_registration_confirm(actor=admin, unit_registration=ur)
        elif action == "reject":
            unit_registration_reject(actor=admin, unit_registration=ur, reason="再驳回")
        else:
            unit_registration_end(actor=admin, unit_registration=ur, reason="再结束")
    assert exc.value.code == "illegal_transition"
    assert exc.value.detail != "当前状态不允许此操作。"
    ur.refresh_from_db()
    assert (ur.status, ur.receipt_no, ur.reason) == before
