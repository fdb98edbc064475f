"""Crafted histories for appraisals: registrations confirmed (and ended) at given moments, service, points,
posts, emergency calls and no-shows at given moments — and the cast that evaluates and finalises."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from baodao.accounts.models import User
from baodao.appraisals.models import Appraisal
from baodao.appraisals.services import appraisal_evaluate, appraisal_run
from baodao.ledger.models import ServiceRecord, Source
from baodao.ledger.services import record_reverse, record_write
from baodao.lib.periods import period_parse
from baodao.members.models import Member
from baodao.org.models import Region
from baodao.registration.models import Registration, Status
from tests import factories
from tests.factories import World

Q3 = period_parse("2026Q3")
YEAR = period_parse("2026")
_receipts = itertools.count(1)


def local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@dataclass
class Cast:
    w: World
    #: the admin of C1, who finalises there
    admin: User

    def r(self, code: str) -> Region:
        return self.w.r(code)

    def u(self, key: str) -> User:
        return self.w.users[key]

    def member(self, name: str = "党员", unit: str = "U1") -> Member:
        return factories.member(self.w.units[unit], community=self.r("C1"), grid=self.r("C1G1"), name=name)

    def registered(
        self, m: Member, *, at: datetime, community: str = "C1", ended: datetime | None = None
    ) -> Registration:
        """A registration confirmed at `at` (and ended at `ended`), as the handshake would have left it."""
        reg = Registration.objects.create(
            member=m,
            community=self.r(community),
            status=Status.ENDED if ended else Status.CONFIRMED,
            receipt_no=f"TEST-{next(_receipts)}",
            decided_at=at,
            ended_at=ended,
        )
        if ended is None:
            Member.objects.filter(pk=m.pk).update(registered_community=self.r(community))
        return reg

    def served(
        self, m: Member, at: datetime, hours: str = "2", *, rating: int | None = None, community: str = "C1"
    ) -> ServiceRecord:
        admin = self.admin if community == "C1" else self.u("other_community_admin")
        return record_write(
            source=Source.NEED,
            member=m,
            unit=None,
            community=self.r(community),
            path=self.r(community).path,
            title="服务",
            category="elderly",
            hours=Decimal(hours),
            served_at=at,
            verified_by=admin,
            rating=rating,
        )

    def reverse(self, record: ServiceRecord) -> ServiceRecord:
        admin = self.admin if record.community.code == "C1" else self.u("other_community_admin")
        return record_reverse(actor=admin, record=record, reason="记录有误")

    def run(self, region: str = "C1", period: Any = Q3, actor: User | None = None) -> Any:
        run, _created = appraisal_run(actor=actor or self.admin, region=self.r(region), period=period)
        return run

    def appraisal(self, m: Member, period: Any = Q3) -> Appraisal:
        return Appraisal.objects.select_related("run", "community", "member__user").get(
            member=m, period=period.code
        )

    def scored(self, m: Member, score: int, *, period: Any = Q3) -> Appraisal:
        """The community's evaluation only: the score is exactly `score`."""
        return appraisal_evaluate(
            actor=self.admin,
            appraisal=self.appraisal(m, period),
            evaluator="community",
            score=score,
            comment="",
        )


def cast_of(w: World) -> Cast:
    return Cast(w=w, admin=w.users["community_admin"])
