import re

import pytest
from django.utils import timezone

from baodao.accounts.models import Role
from baodao.audit.models import Action, AuditEvent
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.members.models import Member
from baodao.registration.models import Registration, RegistrationEvent, Status
from baodao.registration.services import (
    registration_apply,
    registration_confirm,
    registration_end,
    registration_reject,
    registration_transfer,
)
from tests import factories

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def m(w):
    return w.members["member"]


@pytest.fixture
def admin(w):
    return w.users["community_admin"]


@pytest.fixture
def pending(w, m):
    return registration_apply(member=m, community=w.r("C1"), grid=w.r("C1G1"), address=" 3栋2单元501 ")


@pytest.fixture
def confirmed(pending, admin):
    return registration_confirm(actor=admin, registration=pending)


@pytest.fixture
def rejected(pending, admin):
    return registration_reject(actor=admin, registration=pending, reason="不在本社区居住")


@pytest.fixture
def ended(confirmed, m):
    return registration_end(actor=m.user, registration=confirmed, reason="退休")


def _member(m):
    return Member.objects.get(pk=m.pk)


def _kinds(registration):
    return list(registration.events.values_list("kind", flat=True))


# ---- apply ------------------------------------------------------------------------------------------------


def test_it_applies_pending_and_records_where_the_member_lives(w, m, pending):
    assert pending.status == Status.PENDING
    assert (pending.community, pending.grid, pending.address) == (w.r("C1"), w.r("C1G1"), "3栋2单元501")
    assert pending.receipt_no is None
    member = _member(m)
    assert (member.community, member.grid, member.address) == (w.r("C1"), w.r("C1G1"), "3栋2单元501")
    assert member.residence_path == "D1/S1/C1/C1G1/"
    assert not member.is_registered
    event = pending.events.get()
    assert (event.kind, event.actor) == (RegistrationEvent.Kind.APPLIED, m.user)


def test_it_moves_the_member_to_the_community_it_applies_to(w, m):
    registration_apply(member=m, community=w.r("C3"), grid=w.r("C3G1"))
    member = _member(m)
    assert (member.community, member.grid, member.residence_path) == (
        w.r("C3"),
        w.r("C3G1"),
        "D1/S2/C3/C3G1/",
    )


def test_it_refuses_a_second_application_while_one_is_pending(w, m, pending):
    with pytest.raises(Conflict) as exc:
        registration_apply(member=m, community=w.r("C2"))
    assert exc.value.code == "already_registered"
    assert "待确认" in exc.value.detail
    assert Registration.objects.filter(member=m).count() == 1
    assert _member(m).community == w.r("C1")  # the refused application moved nothing


def test_it_refuses_a_second_application_once_confirmed(w, m, confirmed):
    for community in (w.r("C1"), w.r("C2")):
        with pytest.raises(Conflict) as exc:
            registration_apply(member=m, community=community)
        assert exc.value.status == 409
        assert "已确认" in exc.value.detail
    assert Registration.objects.filter(member=m).count() == 1


@pytest.mark.parametrize(("community", "grid"), [("S1", None), ("C1G1", None), ("C1", "C2G1"), ("C1", "C1")])
def test_it_refuses_an_application_to_something_else_than_a_community_and_its_grid(w, m, community, grid):
    with pytest.raises(Invalid):
        registration_apply(member=m, community=w.r(community), grid=w.r(grid) if grid else None)
    assert not Registration.objects.filter(member=m).exists()
    assert _member(m).residence_path == "D1/S1/C1/C1G1/"


def test_it_lets_a_rejected_member_apply_again(w, m, rejected):
    again = registration_apply(member=m, community=w.r("C1"))
    assert again.pk != rejected.pk
    assert again.status == Status.PENDING


# ---- confirm ----------------------------------------------------------------------------------------------


def test_it_confirms_with_a_receipt_and_counts_the_member_as_registered(w, m, admin, confirmed):
    confirmed.refresh_from_db()
    year = timezone.localdate().year
    assert confirmed.status == Status.CONFIRMED
    assert confirmed.receipt_no == f"BDC1-{year}-{confirmed.pk:06d}"
    assert (confirmed.decided_by, confirmed.decided_at is not None) == (admin, True)
    assert _member(m).registered_community == w.r("C1")
    assert _kinds(confirmed) == ["applied", "confirmed"]
    event = AuditEvent.objects.get(action=Action.REGISTRATION_CONFIRMED)
    assert (event.actor, event.target_id, event.detail) == (
        admin,
        str(confirmed.pk),
        {"receipt_no": confirmed.receipt_no},
    )


def test_it_gives_every_registration_its_own_receipt(w, admin):
    a = factories.registered(w.members["member"], w.r("C1"), by=admin)
    b = factories.member(w.units["U2"], community=w.r("C1"))
    b_reg = factories.registered(b, w.r("C1"), by=admin)
    a.refresh_from_db()
    b_reg.refresh_from_db()
    assert a.receipt_no != b_reg.receipt_no


# ---- reject -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None, "很" * 301])
def test_it_needs_a_short_reason_to_reject(w, m, admin, pending, reason):
    with pytest.raises(Invalid) as exc:
        registration_reject(actor=admin, registration=pending, reason=reason)
    assert "reason" in exc.value.fields
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_it_rejects_with_the_reason_the_member_sees(w, m, admin, rejected):
    rejected.refresh_from_db()
    assert (rejected.status, rejected.reason, rejected.decided_by) == (
        Status.REJECTED,
        "不在本社区居住",
        admin,
    )
    assert rejected.receipt_no is None
    assert not _member(m).is_registered
    event = rejected.events.last()
    assert (event.kind, event.reason, event.actor) == ("rejected", "不在本社区居住", admin)
    assert AuditEvent.objects.filter(action=Action.REGISTRATION_REJECTED, target_id=str(rejected.pk)).exists()


# ---- end and transfer -------------------------------------------------------------------------------------


def test_the_member_ends_its_own_registration(w, m, ended):
    ended.refresh_from_db()
    assert (ended.status, ended.reason, ended.ended_at is not None) == (Status.ENDED, "退休", True)
    assert ended.receipt_no  # the receipt stays on record
    assert _member(m).registered_community is None
    assert _kinds(ended) == ["applied", "confirmed", "ended"]
    assert ended.events.last().actor == m.user


def test_the_community_ends_a_registration(w, m, admin, confirmed):
    registration_end(actor=admin, registration=confirmed, reason="已迁出本社区")
    assert _member(m).registered_community is None
    assert confirmed.events.last().actor == admin
    assert AuditEvent.objects.filter(action=Action.REGISTRATION_ENDED, actor=admin).exists()


def test_a_pending_application_can_be_withdrawn(w, m, pending):
    registration_end(actor=m.user, registration=pending, reason="填错社区")
    pending.refresh_from_db()
    assert pending.status == Status.ENDED
    assert registration_apply(member=m, community=w.r("C2")).status == Status.PENDING


def test_it_needs_a_reason_to_end(w, m, confirmed):
    with pytest.raises(Invalid):
        registration_end(actor=m.user, registration=confirmed, reason=" ")
    assert _member(m).is_registered


def test_it_transfers_atomically_and_keeps_the_history(w, m, confirmed):
    new = registration_transfer(
        member=m, community=w.r("C3"), grid=w.r("C3G1"), address="江景花园1栋", reason="搬家"
    )
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.reason) == (Status.ENDED, "搬家")
    assert (new.status, new.community, new.grid) == (Status.PENDING, w.r("C3"), w.r("C3G1"))
    member = _member(m)
    assert member.registered_community is None
    assert (member.community, member.address) == (w.r("C3"), "江景花园1栋")
    assert _kinds(confirmed) == ["applied", "confirmed", "ended"]
    assert _kinds(new) == ["applied"]
    assert list(Registration.objects.filter(member=m).order_by("id").values_list("status", flat=True)) == [
        "ended",
        "pending",
    ]


@pytest.mark.parametrize(("community", "grid"), [("S2", None), ("C3", "C1G1"), ("C3G1", None)])
def test_a_failed_transfer_leaves_the_old_registration_active(w, m, confirmed, community, grid):
    events, audits = RegistrationEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(Invalid):
        registration_transfer(
            member=m, community=w.r(community), grid=w.r(grid) if grid else None, reason="搬家"
        )
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED
    assert confirmed.reason == ""
    member = _member(m)
    assert (member.registered_community, member.community) == (w.r("C1"), w.r("C1"))
    assert (RegistrationEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)
    assert Registration.objects.filter(member=m).count() == 1


def test_it_transfers_only_an_active_registration(w, m, rejected):
    with pytest.raises(Conflict) as exc:
        registration_transfer(member=m, community=w.r("C3"), reason="搬家")
    assert exc.value.code == "not_registered"


def test_it_needs_a_reason_to_transfer(w, m, confirmed):
    with pytest.raises(Invalid):
        registration_transfer(member=m, community=w.r("C3"), reason="")
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED


# ---- illegal transitions ----------------------------------------------------------------------------------

ILLEGAL = [
    ("confirmed", "confirm"),
    ("rejected", "confirm"),
    ("ended", "confirm"),
    ("confirmed", "reject"),
    ("rejected", "reject"),
    ("ended", "reject"),
    ("rejected", "end"),
    ("ended", "end"),
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_it_refuses_an_illegal_transition_in_chinese(request, w, admin, state, action):
    registration = request.getfixturevalue(state)
    registration.refresh_from_db()
    before = (registration.status, registration.receipt_no, registration.reason, registration.decided_at)
    events = registration.events.count()
    with pytest.raises(Conflict) as exc:
        if action == "confirm":
            registration_confirm(actor=admin, registration=registration)
        elif action == "reject":
            registration_reject(actor=admin, registration=registration, reason="再驳回一次")
        else:
            registration_end(actor=admin, registration=registration, reason="再结束一次")
    assert exc.value.code == "illegal_transition"
    assert exc.value.status == 409
    assert CJK.search(exc.value.detail)
    assert exc.value.detail != "当前状态不允许此操作。"  # each case has its own explanation
    registration.refresh_from_db()
    assert (
        registration.status,
        registration.receipt_no,
        registration.reason,
        registration.decided_at,
    ) == before
    assert registration.events.count() == events


def test_it_refuses_to_act_on_a_stale_copy(w, m, admin, pending):
    """Two admins load the same application; the first rejects it, the second's confirm must fail."""
    stale = Registration.objects.get(pk=pending.pk)
    registration_reject(actor=admin, registration=pending, reason="信息不全")
    with pytest.raises(Conflict):
        registration_confirm(actor=admin, registration=stale)
    assert not _member(m).is_registered


# ---- who may act ------------------------------------------------------------------------------------------

NOT_THE_COMMUNITY = [
    "street_admin",
    "district_admin",
    "grid_worker",
    "other_community_admin",
    "unit_admin",
    "member",
]


@pytest.mark.parametrize("persona", NOT_THE_COMMUNITY)
def test_only_the_community_admin_confirms(w, pending, persona):
    with pytest.raises(Forbidden):
        registration_confirm(actor=w.users[persona], registration=pending)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.parametrize("persona", NOT_THE_COMMUNITY)
def test_only_the_community_admin_rejects(w, pending, persona):
    with pytest.raises(Forbidden):
        registration_reject(actor=w.users[persona], registration=pending, reason="不同意")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.parametrize(
    "persona",
    ["street_admin", "grid_worker", "other_community_admin", "unit_admin", "other_member", "resident"],
)
def test_only_the_member_or_its_community_ends(w, confirmed, persona):
    with pytest.raises(Forbidden):
        registration_end(actor=w.users[persona], registration=confirmed, reason="结束")
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED


def test_a_deactivated_community_admin_may_not_confirm(w, admin, pending):
    admin.is_active = False
    with pytest.raises(Forbidden):
        registration_confirm(actor=admin, registration=pending)


def test_a_second_community_admin_of_the_same_community_may_confirm(w, pending):
    deputy = factories.user(Role.COMMUNITY_ADMIN, region_=w.r("C1"), name="社区副书记")
    assert registration_confirm(actor=deputy, registration=pending).status == Status.CONFIRMED
