"""Activities, sign-ups and attendance made through the services, for the tests of the members' activity,
service and certificate pages (test_activities_member*.py, test_certificates*.py).

The world's member 李明 (U1, lives in C1G1, skill legal) is registered in C1 by `with_member`; C1's community
admin organises. `helper(w)` is a second member registered in C1; `other_member` 王芳 is registered in C2 by
`with_other_member`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from baodao.activities.codes import code_now
from baodao.activities.models import Activity, Signup
from baodao.activities.services import activity_checkin, activity_checkout, activity_create
from baodao.members.models import Member
from tests import factories
from tests.factories import World

#: a geofence's centre
CENTRE = (Decimal("30.500000"), Decimal("114.300000"))


def with_member(w: World) -> Member:
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    return w.members["member"]


def with_other_member(w: World) -> Member:
    m = w.members["other_member"]
    factories.registered(m, w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"])
    return m


def helper(w: World, name: str = "赵强") -> Member:
    m = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name=name)
    factories.registered(m, w.r("C1"), w.r("C1G2"), by=w.users["community_admin"])
    return m


def activity(
    w: World,
    title: str = "楼道清扫",
    *,
    starts_in: timedelta = timedelta(days=1),
    hours: float = 3,
    places: int = 5,
    community: str = "C1",
    **kwargs: Any,
) -> Activity:
    """An activity of the community (C1 unless told), starting a day from now unless told."""
    admin = w.users["community_admin" if community == "C1" else "other_community_admin"]
    starts_at = timezone.now().replace(microsecond=0) + starts_in
    fields: dict[str, Any] = {"category": "environment", "location": "3栋", "places": places}
    fields.update(kwargs)
    return activity_create(
        actor=admin,
        community=w.r(community),
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **fields,
    )


def geofenced(w: World, title: str = "江边巡河", **kwargs: Any) -> Activity:
    return activity(w, title, lat=CENTRE[0], lng=CENTRE[1], radius_m=100, **kwargs)


def move(act: Activity, starts_at: datetime) -> Activity:
    """Put the activity's window elsewhere in time, its length kept (the services publish only activities
    that have not ended; sign-ups happen before the move)."""
    Activity.objects.filter(pk=act.pk).update(starts_at=starts_at, ends_at=starts_at + act.duration)
    act.refresh_from_db()
    return act


def under_way(act: Activity, *, since: timedelta = timedelta(minutes=10)) -> Activity:
    """The activity started `since` ago: check-in is open."""
    return move(act, timezone.now().replace(microsecond=0) - since)


def code(act: Activity, when: datetime | None = None) -> str:
    return code_now(act.pk, act.secret, when or timezone.now())[0]


def checked_in(m: Member, act: Activity, when: datetime) -> Signup:
    return activity_checkin(actor=m.user, activity=act, code=code(act, when), now=when)


def checked_out(m: Member, act: Activity, when: datetime) -> Signup:
    return activity_checkout(actor=m.user, activity=act, code=code(act, when), now=when)
