"""Activities for the organiser's and the community's pages, made through the services. The services refuse to
publish an activity in the past and to sign up once it has started, so a past activity is published ahead,
signed up to, and then moved back in time (`move`); check-ins and check-outs give their own `now`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from baodao.activities.codes import code_now
from baodao.activities.models import Activity
from baodao.activities.services import activity_checkin, activity_checkout, activity_create, activity_signup
from tests import factories

#: the centre of the demo geofence (a square in a city)
LAT, LNG = "30.572800", "114.279300"


def members(w, n, *, start=0, community="C1"):
    """`n` members registered in the community (C1: the world's unit U1), named 党员<i>."""
    admin = w.users["community_admin"] if community == "C1" else w.users["other_community_admin"]
    result = []
    for i in range(start, start + n):
        m = factories.member(
            w.units["U1"], community=w.r(community), grid=w.r(f"{community}G1"), name=f"党员{i:02d}"
        )
        factories.registered(m, w.r(community), w.r(f"{community}G1"), by=admin)
        result.append(m)
    return result


def activity(w, *, title="楼道清扫", in_hours=24, hours=3, places=5, by="community_admin", **kwargs):
    start = timezone.now() + timedelta(hours=in_hours)
    return activity_create(
        actor=w.users[by],
        community=kwargs.pop("community", w.r("C1")),
        title=title,
        category="environment",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        location="3栋门口",
        places=places,
        **kwargs,
    )


def move(act, *, starts_at: datetime) -> Activity:
    """Put the activity's window at `starts_at`, keeping its length."""
    Activity.objects.filter(pk=act.pk).update(starts_at=starts_at, ends_at=starts_at + act.duration)
    act.refresh_from_db()
    return act


def signed_up(act, *people):
    return [activity_signup(actor=m.user, activity=act) for m in people]


def check_in(act, member, at, **position):
    code, _ = code_now(act.pk, act.secret, at)
    return activity_checkin(actor=member.user, activity=act, code=code, now=at, **position)


def check_out(act, member, at, **position):
    code, _ = code_now(act.pk, act.secret, at)
    return activity_checkout(actor=member.user, activity=act, code=code, now=at, **position)


def ended(w, people, *, title="楼道清扫", days_ago=1, **kwargs):
    """An activity of three hours that ended `days_ago` days back (not yet closed), everyone in `people`
    signed up."""
    # published a year ahead, clear of the activities the same people signed up to, then moved back
    kwargs.setdefault("places", max(len(people), 1))
    act = activity(w, title=title, in_hours=24 * 365, **kwargs)
    signed_up(act, *people)
    return move(act, starts_at=timezone.now() - timedelta(days=days_ago, hours=3))
