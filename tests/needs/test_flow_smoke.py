"""The whole loop once, through the services: wish → publish → claim → complete → confirm → ledger."""

from decimal import Decimal

import pytest

from baodao.ledger.models import ServiceRecord
from baodao.needs.models import ClaimStatus, Kind, Status
from baodao.needs.services import need_claim, need_complete, need_confirm, need_publish, need_submit
from baodao.notify.models import Notice
from tests.factories import registered

pytestmark = pytest.mark.django_db


def test_it_closes_the_loop(w):
    registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    resident = w.users["resident"]
    need = need_submit(
        actor=resident,
        kind=Kind.WISH,
        title="修水龙头",
        category="repair",
        community=w.r("C1"),
        grid=w.r("C1G1"),
    )
    assert need.status == Status.SUBMITTED
    need = need_publish(actor=w.users["community_admin"], need=need, skills=["repair"])
    assert need.status == Status.PUBLISHED
    claim = need_claim(actor=w.users["member"], need=need)
    need.refresh_from_db()
    assert (need.status, need.taken) == (Status.IN_PROGRESS, 1)
    need_complete(actor=w.users["member"], need=need, note="换了阀芯", hours="1.5")
    need.refresh_from_db()
    assert need.status == Status.COMPLETED
    claim = need_confirm(actor=resident, need=need, rating=5, comment="谢谢")
    need.refresh_from_db()
    assert claim.status == ClaimStatus.CONFIRMED
    assert need.status == Status.CLOSED
    record = ServiceRecord.objects.get()
    assert (record.member, record.hours, record.verified_by) == (
        w.members["member"],
        Decimal("1.5"),
        resident,
    )
    assert Notice.objects.filter(user=w.users["member"]).exists()
    assert [e.kind for e in need.events.all()] == [
        "submitted",
        "published",
        "claimed",
        "completed",
        "confirmed",
    ]
