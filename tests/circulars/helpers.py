"""Crafted histories for circulars: members registered (or not) at given moments, service at given moments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.ledger.models import ServiceRecord, Source
from baodao.ledger.services import record_reverse, record_write
from baodao.members.models import Member
from baodao.registration.models import Registration, Status
from tests import factories


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


def member_of(w, unit_code: str, name: str = "党员", *, on_roster_since: datetime | None = None) -> Member:
    """A member of the unit, on its roster since `on_roster_since` (long before any period tested, unless
    told otherwise: a circular counts only those on the roster by the period's end)."""
    m = factories.member(w.units[unit_code], community=w.r("C1"), grid=w.r("C1G1"), name=name)
    Member.objects.filter(pk=m.pk).update(created_at=on_roster_since or local(2020, 1, 1))
    m.refresh_from_db()
    return m


def registered(w, m: Member, *, at: datetime, ended: datetime | None = None) -> Registration:
    """Registered in C1, confirmed at `at` (and ended at `ended`)."""
    reg = factories.registered(m, w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    fields = {"decided_at": at}
    if ended is not None:
        fields.update(status=Status.ENDED, ended_at=ended)
        Member.objects.filter(pk=m.pk).update(registered_community=None)
    Registration.objects.filter(pk=reg.pk).update(**fields)
    return reg


def served(w, m: Member, at: datetime, hours: str = "2") -> ServiceRecord:
    return record_write(
        source=Source.NEED,
        member=m,
        unit=None,
        community=w.r("C1"),
        path=w.r("C1").path,
        title="服务",
        category="elderly",
        hours=Decimal(hours),
        served_at=at,
        verified_by=w.users["community_admin"],
    )


def reversed_(w, record: ServiceRecord) -> ServiceRecord:
    return record_reverse(actor=w.users["community_admin"], record=record, reason="记录有误")


@pytest.fixture(autouse=True)
def _roster_long_ago(request):
    """The standard cast's members joined their rosters long before any period these tests rank (a circular
    counts only members on the roster by the period's end)."""
    if "w" in request.fixturenames:
        request.getfixturevalue("w")
        Member.objects.update(created_at=local(2020, 1, 1))
