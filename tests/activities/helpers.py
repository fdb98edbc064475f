"""Shared cast and builders for the activity tests: people registered in C1, an activity tomorrow (or moved
into the past once sign-ups are done), the code shown at a moment, and check-in/out at that moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from baodao.accounts.models import User
from baodao.activities.codes import code_now
from baodao.activities.models import Activity, Signup
from baodao.activities.services import activity_checkin, activity_checkout, activity_create, activity_signup
from baodao.members.models import Member
from baodao.policy.models import Policy
from tests import factories
from tests.factories import World, registered

#: a geofence's centre, and degrees of latitude per metre (a great circle of the haversine's earth)
CENTRE = (Decimal("30.500000"), Decimal("114.300000"))
DEG_PER_M = 360 / (2 * 3.141592653589793 * 6_371_000)


@dataclass
class Cast:
    w: World
    admin: User
    member: Member
    helper: Member

    def r(self, code: str) -> Any:
        return self.w.r(code)

    def u(self, role: str) -> User:
        return self.w.users[role]


def cast_of(w: World) -> Cast:
    admin = w.users["community_admin"]
    registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=admin)
    helper = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name="赵强")
    registered(helper, w.r("C1"), w.r("C1G2"), by=admin)
    return Cast(w=w, admin=admin, member=w.members["member"], helper=helper)


def member_in(c: Cast, name: str, *, community: str = "C1", grid: str = "C1G1") -> Member:
    m = factories.member(c.w.units["U1"], community=c.r(community), grid=c.r(grid), name=name)
    admin = c.admin if community == "C1" else c.u("other_community_admin")
    registered(m, c.r(community), c.r(grid), by=admin)
    return m


def tomorrow(hour: int = 9, minute: int = 0) -> datetime:
    local = timezone.localtime() + timedelta(days=1)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def activity(
    c: Cast,
    *,
    starts_at: datetime | None = None,
    hours: float = 3,
    places: int = 5,
    actor: User | None = None,
    title: str = "楼道清扫",
    **kwargs: Any,
) -> Activity:
    """An activity of C1 (tomorrow at nine, three hours, unless told otherwise)."""
    starts_at = starts_at or tomorrow()
    fields: dict[str, Any] = {"community": c.r("C1"), "category": "environment", "location": "3栋"}
    fields.update(kwargs)
    return activity_create(
        actor=actor or c.admin,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        places=places,
        **fields,
    )


def geofenced(c: Cast, *, radius_m: int = 100, **kwargs: Any) -> Activity:
    return activity(c, lat=CENTRE[0], lng=CENTRE[1], radius_m=radius_m, **kwargs)


def north_of_centre(metres: float) -> tuple[Decimal, Decimal]:
    return (CENTRE[0] + Decimal(metres * DEG_PER_M)).quantize(Decimal("0.000001")), CENTRE[1]


def move(act: Activity, starts_at: datetime, ends_at: datetime | None = None) -> Activity:
    """Put the activity's window somewhere else in time (the services refuse to create one in the past;
    sign-ups happen before the move)."""
    ends_at = ends_at or starts_at + act.duration
    Activity.objects.filter(pk=act.pk).update(starts_at=starts_at, ends_at=ends_at)
    act.refresh_from_db()
    return act


def into_the_past(act: Activity, *, ended_ago: timedelta = timedelta(hours=3)) -> Activity:
    ends_at = timezone.now().replace(microsecond=0) - ended_ago
    return move(act, ends_at - act.duration, ends_at)


def code_at(act: Activity, when: datetime) -> str:
    return code_now(act.pk, act.secret, when)[0]


def signed_up(act: Activity, *members: Member) -> list[Signup]:
    return [activity_signup(actor=m.user, activity=act) for m in members]


def checkin(m: Member, act: Activity, when: datetime, **kwargs: Any) -> Signup:
    kwargs.setdefault("code", code_at(act, when))
    return activity_checkin(actor=m.user, activity=act, now=when, **kwargs)


def checkout(m: Member, act: Activity, when: datetime, **kwargs: Any) -> Signup:
    kwargs.setdefault("code", code_at(act, when))
    return activity_checkout(actor=m.user, activity=act, now=when, **kwargs)


def attend(m: Member, act: Activity, arrive: datetime, leave: datetime) -> Signup:
    checkin(m, act, arrive)
    return checkout(m, act, leave)


def district_policy(c: Cast, effective_from: Any, **rules: Any) -> Policy:
    return Policy.objects.create(district=c.r("D1"), effective_from=effective_from, **rules)


def co_building(c: Cast, unit: str = "U1", community: str = "C1") -> None:
    """The unit's 报到 to the community, confirmed: it may then organise activities there."""
    from baodao.registration.services import unit_registration_apply, unit_registration_confirm

    admin = c.admin if community == "C1" else c.u("other_community_admin")
    ur = unit_registration_apply(
        actor=c.u("unit_admin" if unit == "U1" else "other_unit_admin"),
        unit=c.w.units[unit],
        community=c.r(community),
        commitments="共建",
    )
    unit_registration_confirm(actor=admin, unit_registration=ur)
