"""Publishing an activity: what it must say, and the limits of time, places and geofence."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.activities.models import Activity
from baodao.lib.errors import Invalid
from tests.activities.helpers import activity, geofenced, tomorrow

pytestmark = pytest.mark.django_db


def test_it_publishes_with_a_secret_of_its_own(c):
    act = activity(c, skills=["legal", "法律咨询"], description="  带扫帚  ", grid=c.r("C1G2"))
    other = activity(c, starts_at=tomorrow(14))
    assert (act.status, act.taken, act.path, act.created_by) == ("published", 0, c.r("C1G2").path, c.admin)
    assert act.skills == ["legal"]
    assert act.description == "带扫帚"
    assert len(act.secret) == 64 and act.secret != other.secret
    assert (act.lat, act.radius_m, act.geofenced) == (None, None, False)
    fenced = geofenced(c, radius_m=150, starts_at=tomorrow(18))
    assert (fenced.radius_m, fenced.geofenced) == (150, True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "长" * 81}, "title"),
        ({"location": ""}, "location"),
        ({"category": "party"}, "category"),
        ({"hours": 0}, "ends_at"),
        ({"hours": -1}, "ends_at"),
        ({"hours": 24 * 3 + 1}, "ends_at"),
        ({"starts_at": "past"}, "ends_at"),
        ({"places": 0}, "places"),
        ({"places": 10001}, "places"),
        ({"places": "五"}, "places"),
        ({"lat": "30.5"}, "lat"),
        ({"lat": "91", "lng": "114"}, "lat"),
        ({"lat": "30", "lng": "东经"}, "lng"),
        ({"radius_m": 100}, "radius_m"),
        ({"lat": "30.5", "lng": "114.3", "radius_m": 10}, "radius_m"),
        ({"lat": "30.5", "lng": "114.3", "radius_m": 5001}, "radius_m"),
    ],
)
def test_it_refuses_what_makes_no_sense(c, changes, field):
    if changes.get("starts_at") == "past":
        changes["starts_at"] = timezone.now() - timedelta(hours=5)
    with pytest.raises(Invalid) as caught:
        activity(c, **changes)
    assert list(caught.value.fields) == [field]
    assert not Activity.objects.exists()
