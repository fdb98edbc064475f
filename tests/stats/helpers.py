"""Writing the ledger through its services for the dashboards' tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from baodao.accounts.models import Role
from baodao.ledger.models import ServiceRecord, Source
from baodao.ledger.services import record_reverse, record_write
from baodao.stats.models import ActiveTally, MemberActivity, ServiceTally
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def serve(
    w: Any,
    member: Any,
    when: datetime,
    *,
    hours: str = "2",
    path: str | None = None,
    rating: int | None = None,
    unit: Any = None,
    source: str = Source.NEED,
) -> ServiceRecord:
    community = (member.community if member is not None else None) or w.r("C3")
    return record_write(
        source=source,
        member=member,
        unit=unit,
        community=community,
        path=path or (member.residence_path if member is not None else "") or community.path,
        title="助老服务",
        category="elderly",
        hours=Decimal(hours),
        served_at=when,
        verified_by=w.users["district_admin"],
        rating=rating,
    )


def enrol(w: Any, *members: Any, since: datetime | None = None) -> None:
    """Register each member (where it lives, else in C3), confirmed `since` (long ago by default): only the
    service of registered members makes them active."""
    from baodao.registration.models import Registration

    for m in members:
        community = m.community or w.r("C3")
        admin = factories.user(Role.COMMUNITY_ADMIN, region_=community, name="报到社区书记")
        reg = factories.registered(m, community, m.grid if m.community else None, by=admin)
        Registration.objects.filter(pk=reg.pk).update(decided_at=since or at(2020, 1, 1))


def reverse(w: Any, record: ServiceRecord) -> ServiceRecord:
    admin = factories.user(Role.COMMUNITY_ADMIN, region_=record.community, name="冲销社区书记")
    return record_reverse(actor=admin, record=record, reason="重复登记")


def snapshot() -> dict[str, set[tuple[Any, ...]]]:
    """Every aggregate row by its key and figures (no ids): what maintained and rebuilt tables compare."""
    return {
        "service": set(
            ServiceTally.objects.values_list(
                "month", "path", "unit_id", "services", "hours", "rated", "rating_sum"
            )
        ),
        "activity": set(
            MemberActivity.objects.values_list("member_id", "kind", "start", "services", "path", "unit_id")
        ),
        # a counter back at 0 is the same as no counter
        "active": set(
            ActiveTally.objects.exclude(members=0).values_list("kind", "start", "path", "unit_id", "members")
        ),
    }


def crafted(w: Any) -> dict[str, Any]:
    """A quarter (2026Q3) in district D1: three members on record living there (two registered), three
    standing services and one reversed, two closed needs (one late), an emergency with three calls."""
    from baodao.mobilizations.models import Answer, Call, Mobilization, Reason
    from baodao.needs.models import Need, Status

    admin = w.users["community_admin"]
    m, other = w.members["member"], w.members["other_member"]
    enrol(w, m, other)
    idle = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name="未报到")
    serve(w, m, at(2026, 7, 3), hours="2", rating=5)
    serve(w, m, at(2026, 7, 20), hours="1", rating=3)
    reverse(w, serve(w, m, at(2026, 8, 5), hours="6", rating=1))
    serve(w, other, at(2026, 9, 30, 23), hours="4")
    serve(w, m, at(2026, 6, 10), hours="1.5")  # the quarter before: only in the trend
    for n, (closed, limit) in enumerate([(at(2026, 8, 1), at(2026, 8, 2)), (at(2026, 8, 3), at(2026, 8, 2))]):
        Need.objects.create(
            kind="service",
            title=f"需求{n}",
            category="elderly",
            community=w.r("C1"),
            grid=w.r("C1G1"),
            path=w.r("C1G1").path,
            status=Status.CLOSED,
            closed_at=closed,
            resolve_by=limit,
        )
    mob = Mobilization.objects.create(title="防汛", type="flood", secret="x", created_by=admin)
    Mobilization.objects.filter(pk=mob.pk).update(created_at=at(2026, 7, 15))
    Call.objects.create(
        mobilization=mob,
        member=m,
        reason=Reason.POST,
        called_at=at(2026, 7, 15),
        answer=Answer.YES,
        arrived_at=at(2026, 7, 15, 11),
    )
    Call.objects.create(
        mobilization=mob, member=other, reason=Reason.POST, called_at=at(2026, 7, 15), answer=Answer.NO
    )
    Call.objects.create(mobilization=mob, member=idle, reason=Reason.POST, called_at=at(2026, 7, 15))
    return {"idle": idle}
