"""The service ledger: written only by a confirmation, never edited or deleted (the database refuses),
corrected only by one reversing row, and each claim credited once."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from baodao.audit.models import Action, AuditEvent
from baodao.audit.services import audit_verify
from baodao.ledger.models import ServiceRecord, Source
from baodao.ledger.services import record_reverse, record_write
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.needs.models import Photo
from baodao.needs.services import (
    need_claim,
    need_complete,
    need_confirm,
    need_dispute,
    need_photo_add,
    need_publish,
    need_reopen,
)
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests.needs.helpers import task, wish, wish_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_only_a_confirmation_writes_a_record(c):
    need = need_publish(actor=c.admin, need=wish(c))
    need_photo_add(actor=c.resident, need=need, content=PNG)
    claim = need_claim(actor=c.member.user, need=need)
    need_photo_add(actor=c.member.user, need=need, content=PNG)
    claim = need_complete(actor=c.member.user, need=need, note="换了阀芯", hours="1.5")
    need_photo_add(actor=c.member.user, need=need, content=PNG)
    assert Photo.objects.filter(need=need).count() == 3
    assert not ServiceRecord.objects.exists()  # done and photographed is not verified
    need_dispute(actor=c.resident, need=need, reason="还漏")
    assert not ServiceRecord.objects.exists()

    need_reopen(actor=c.admin, need=need)
    need_complete(actor=c.member.user, need=need, note="换了龙头", hours="2")
    need_confirm(actor=c.resident, need=need, rating=4, comment="好")
    claim.refresh_from_db()
    record = ServiceRecord.objects.get()
    assert (record.source, record.member, record.unit, record.community, record.path) == (
        Source.NEED,
        c.member,
        None,
        c.r("C1"),
        c.r("C1G1").path,
    )
    assert (record.need, record.claim, record.title, record.category) == (need, claim, "修水龙头", "repair")
    assert (record.hours, record.rating, record.verified_by) == (Decimal("2.0"), 4, c.resident)
    assert record.served_at == claim.completed_at
    assert not record.is_reversal
    event = AuditEvent.objects.get(action=Action.SERVICE_VERIFIED)
    assert event.actor == c.resident and event.detail == {"need": need.pk, "hours": "2.0", "rating": 4}
    assert audit_verify()[0]


def test_the_community_may_set_the_hours_of_its_own_task(c):
    need = task(c, places=2)
    need_claim(actor=c.member.user, need=need)
    need_claim(actor=c.helper.user, need=need)
    need_complete(actor=c.member.user, need=need, note="扫了一层", hours="8")
    first = need_confirm(actor=c.admin, need=need, rating=5, hours="3")
    need_complete(actor=c.helper.user, need=need, note="扫了两层", hours="4")
    need_confirm(actor=c.admin, need=need, rating=5)
    hours = dict(ServiceRecord.objects.values_list("member", "hours"))
    assert hours == {c.member.pk: Decimal("3.0"), c.helper.pk: Decimal("4.0")}
    assert first.hours == Decimal("3.0")


@pytest.mark.parametrize("hours", ["0", "-1", "100.1", "许多"])
def test_the_communitys_hours_are_still_a_sane_number(c, hours):
    need = task(c, places=1)
    need_claim(actor=c.member.user, need=need)
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    with pytest.raises(Invalid) as caught:
        need_confirm(actor=c.admin, need=need, rating=5, hours=hours)
    assert "hours" in caught.value.fields
    assert not ServiceRecord.objects.exists()


def test_a_unit_serving_as_a_whole_is_credited_as_the_unit(c):
    unit = c.w.units["U1"]
    ur = unit_registration_apply(actor=c.unit_admin, unit=unit, community=c.r("C1"), commitments="共建")
    unit_registration_confirm(actor=c.admin, unit_registration=ur)
    need = task(c, places=1)
    need_claim(actor=c.unit_admin, need=need, unit=unit)
    need_complete(actor=c.unit_admin, need=need, note="单位来了五个人", hours="10")
    need_confirm(actor=c.admin, need=need, rating=5)
    record = ServiceRecord.objects.get()
    assert (record.member, record.unit, record.hours) == (None, unit, Decimal("10.0"))


@pytest.fixture
def record(c):
    wish_in(c, "closed")
    return ServiceRecord.objects.get()


@pytest.mark.parametrize(
    "change",
    [
        lambda r: ServiceRecord.objects.filter(pk=r.pk).update(hours=Decimal(99)),
        lambda r: ServiceRecord.objects.filter(pk=r.pk).delete(),
        lambda r: r.delete(),
        lambda r: (setattr(r, "title", "改过的"), r.save()),
    ],
    ids=["orm-update", "orm-delete", "instance-delete", "instance-save"],
)
def test_the_database_refuses_to_change_a_record(record, change):
    with pytest.raises(DatabaseError), transaction.atomic():
        change(record)
    fresh = ServiceRecord.objects.get(pk=record.pk)
    assert (fresh.hours, fresh.title) == (Decimal("1.5"), "修水龙头")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_servicerecord SET hours = 99 WHERE id = %s",
        "DELETE FROM ledger_servicerecord WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_sql_too(record, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [record.pk])
    assert ServiceRecord.objects.get(pk=record.pk).hours == Decimal("1.5")


def test_a_claim_is_credited_once(c, record):
    kwargs = {
        "source": Source.NEED,
        "member": record.member,
        "unit": None,
        "community": record.community,
        "path": record.path,
        "title": record.title,
        "category": record.category,
        "hours": Decimal(5),
        "served_at": record.served_at,
        "verified_by": c.admin,
        "need": record.need,
        "claim": record.claim,
    }
    with pytest.raises(Conflict) as caught:
        record_write(**kwargs)
    assert caught.value.code == "already_recorded"
    with pytest.raises(DatabaseError), transaction.atomic():  # the constraint itself, without the service
        ServiceRecord.objects.create(**kwargs)
    assert ServiceRecord.objects.count() == 1


def test_a_reversal_cancels_a_record_once(c, record):
    reversal = record_reverse(actor=c.admin, record=record, reason="  重复登记  ")
    assert (reversal.reverses, reversal.hours, reversal.reason, reversal.verified_by) == (
        record,
        Decimal("-1.5"),
        "重复登记",
        c.admin,
    )
    assert (reversal.member, reversal.claim, reversal.need, reversal.path) == (
        record.member,
        record.claim,
        record.need,
        record.path,
    )
    assert reversal.is_reversal
    assert ServiceRecord.objects.aggregate(total=Sum("hours"))["total"] == Decimal(0)
    record.refresh_from_db()
    assert record.hours == Decimal("1.5")  # the original stays as it was

    with pytest.raises(Conflict) as again:
        record_reverse(actor=c.admin, record=record, reason="再冲一次")
    assert again.value.code == "already_reversed"
    with pytest.raises(Conflict) as of_reversal:
        record_reverse(actor=c.admin, record=reversal, reason="冲销冲销")
    assert of_reversal.value.code == "illegal_transition"
    assert ServiceRecord.objects.count() == 2
    event = AuditEvent.objects.get(action=Action.SERVICE_REVERSED)
    assert (event.actor, event.target_id, event.detail) == (
        c.admin,
        str(record.pk),
        {"reason": "重复登记", "hours": "1.50"},
    )
    assert audit_verify()[0]


@pytest.mark.parametrize(
    "who", ["other_community_admin", "far_community_admin", "street_admin", "district_admin", "grid_worker"]
)
def test_only_the_records_community_admin_reverses(c, record, who):
    with pytest.raises(Forbidden):
        record_reverse(actor=c.w.users[who], record=record, reason="错了")
    for person in (c.member.user, c.resident):
        with pytest.raises(Forbidden):
            record_reverse(actor=person, record=record, reason="错了")
    assert ServiceRecord.objects.count() == 1
    assert not AuditEvent.objects.filter(action=Action.SERVICE_REVERSED).exists()


@pytest.mark.parametrize("reason", ["", "   ", "长" * 301])
def test_a_reversal_needs_a_reason(c, record, reason):
    with pytest.raises(Invalid) as caught:
        record_reverse(actor=c.admin, record=record, reason=reason)
    assert "reason" in caught.value.fields
    assert ServiceRecord.objects.count() == 1
