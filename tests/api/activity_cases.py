"""Activities in known states for the API tests, made through the services (as the product makes them).

The API takes no clock: an activity is published in the future (sign-up is only open before the start) and
then moved in time with `run` or `ended`, which shift its window as the days would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from baodao.activities.codes import code_now
from baodao.activities.models import Activity, Signup
from baodao.activities.services import activity_create, activity_signup
from tests import factories
from tests.api.need_cases import client_for, member_registered, unit_co_builds

__all__ = ["client_for", "member_registered", "unit_co_builds"]

LIST = "/api/v1/activities"
#: the centre of the geofenced activities (a square in a city)
CENTRE = (31.230400, 121.473700)


def url(activity: Any, action: str = "") -> str:
    pk = activity if isinstance(activity, int) else activity.pk
    return f"{LIST}/{pk}" + (f"/{action}" if action else "")


def activity(
    w: Any,
    *,
    places: int = 5,
    community: str = "C1",
    admin: str = "community_admin",
    hours_ahead: float = 24,
    length_h: float = 3,
    **kw: Any,
) -> Activity:
    """An activity of the community (by default C1), published `hours_ahead` from now."""
    start = timezone.now() + timedelta(hours=hours_ahead)
    return activity_create(
        actor=w.users[admin],
        community=w.r(community),
        title=kw.pop("title", "楼道清扫"),
        category=kw.pop("category", "environment"),
        starts_at=start,
        ends_at=start + timedelta(hours=length_h),
        location=kw.pop("location", "3栋楼下"),
        places=places,
        **kw,
    )


def geofenced(w: Any, **kw: Any) -> Activity:
    return activity(w, lat=CENTRE[0], lng=CENTRE[1], radius_m=100, **kw)


def members(w: Any, n: int, *, community: str = "C1", grid: str = "C1G1", prefix: str = "党员") -> list[Any]:
    """n more members of U1, living and registered in the community."""
    admin = w.users["community_admin" if community == "C1" else "other_community_admin"]
    result = []
    for i in range(n):
        m = factories.member(w.units["U1"], community=w.r(community), grid=w.r(grid), name=f"{prefix}{i}")
        factories.registered(m, w.r(community), w.r(grid), by=admin)
        result.append(m)
    return result


def signed_up(w: Any, a: Activity, name: str = "member") -> Any:
    """The world's member (registered in C1) has signed up."""
    member_registered(w, name)
    return activity_signup(actor=w.users[name], activity=a)


def run(
    a: Activity, *, started_ago: timedelta = timedelta(minutes=10), length: timedelta | None = None
) -> Activity:
    """The activity is under way: it started `started_ago`."""
    length = length or a.duration
    start = timezone.now() - started_ago
    Activity.objects.filter(pk=a.pk).update(starts_at=start, ends_at=start + length)
    a.refresh_from_db()
    return a


def ended(a: Activity, *, ago: timedelta = timedelta(minutes=30)) -> Activity:
    """The activity ended `ago`."""
    return run(a, started_ago=a.duration + ago)


def assert_refused(r: Any, status: int, error: str | None = None, field: str | None = None) -> Any:
    """The answer is the error shape with this status (and `error` code, and a message on `field`)."""
    assert r.status_code == status, r.content
    answer = r.json()
    assert set(answer) == {"error", "detail", "fields"}
    assert answer["detail"]  # a sentence for people, in Chinese
    if error:
        assert answer["error"] == error, answer
    if field:
        assert field in answer["fields"], answer
    return answer


def time_passes(a: Activity, by: timedelta) -> Activity:
    """`by` goes by: the activity's window and its sign-ups' check-in and check-out times move back."""
    Activity.objects.filter(pk=a.pk).update(starts_at=F("starts_at") - by, ends_at=F("ends_at") - by)
    signups = Signup.objects.filter(activity=a)
    signups.exclude(checked_in_at=None).update(checked_in_at=F("checked_in_at") - by)
    signups.exclude(checked_out_at=None).update(checked_out_at=F("checked_out_at") - by)
    a.refresh_from_db()
    return a


def code(a: Activity, *, at: Any = None) -> str:
    """The code shown on site at `at` (now)."""
    return code_now(a.pk, a.secret, at or timezone.now())[0]
