"""Sign-ups and cancels at the same moment, each in its own thread with its own database connection (run on
SQLite and on PostgreSQL): the places are never overbooked, the line keeps its order, nobody waits while a
place is free, and one person never holds two sign-ups that clash."""

from datetime import timedelta

import pytest

from baodao.activities.models import Activity, Signup, SignupStatus
from baodao.activities.services import activity_cancel, activity_cancel_signup, activity_signup
from baodao.notify.models import Notice
from tests.activities.helpers import activity, member_in, signed_up, tomorrow
from tests.services.concurrency import race, split

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(act):
    return Activity.objects.get(pk=act.pk)


def holding(act):
    return Signup.objects.filter(activity=act, status__in=("confirmed", "waitlisted"))


def assert_consistent(act):
    """The counter is the confirmed sign-ups, within the places; nobody waits while a place is free."""
    act.refresh_from_db()
    confirmed = Signup.objects.filter(activity=act, status=SignupStatus.CONFIRMED).count()
    waiting = Signup.objects.filter(activity=act, status=SignupStatus.WAITLISTED).count()
    assert act.taken == confirmed <= act.places
    assert waiting == 0 or confirmed == act.places, (confirmed, waiting)


def test_forty_members_at_once_on_five_places(c):
    act = activity(c, places=5)
    crowd = [member_in(c, f"党员{i:02d}") for i in range(40)]
    results = race(*(lambda m=m: activity_signup(actor=m.user, activity=fresh(act)) for m in crowd))
    signups, conflicts = split(results)
    assert not conflicts
    assert sorted(s.status for s in signups).count("confirmed") == 5
    assert sorted(s.status for s in signups).count("waitlisted") == 35
    assert_consistent(act)
    assert act.taken == 5
    assert holding(act).count() == 40

    # cancels move the line up in its order, earliest first, and tell the one who moves up
    line = list(Signup.objects.filter(activity=act, status="waitlisted").order_by("created_at", "id"))
    leavers = [s.member for s in signups if s.status == "confirmed"][:3]
    for m in leavers:
        activity_cancel_signup(actor=m.user, activity=fresh(act))
    promoted = set(
        Signup.objects.filter(activity=act, promoted_at__isnull=False).values_list("pk", flat=True)
    )
    assert promoted == {s.pk for s in line[:3]}
    told = set(Notice.objects.filter(title="候补成功，您已获得活动名额").values_list("user", flat=True))
    assert told == {s.member.user_id for s in line[:3]}
    assert_consistent(act)


def test_cancels_racing_sign_ups_never_overbook(c):
    act = activity(c, places=4)
    holders = [member_in(c, f"在册{i}") for i in range(4)]
    waiting = [member_in(c, f"候补{i}") for i in range(2)]
    newcomers = [member_in(c, f"新人{i}") for i in range(6)]
    signed_up(act, *holders, *waiting)
    results = race(
        *(lambda m=m: activity_cancel_signup(actor=m.user, activity=fresh(act)) for m in holders[:3]),
        *(lambda m=m: activity_signup(actor=m.user, activity=fresh(act)) for m in newcomers),
    )
    assert not split(results)[1]
    assert_consistent(act)
    assert act.taken == 4
    assert holding(act).count() == 1 + 2 + 6
    # the two who were waiting came first in line
    assert set(Signup.objects.filter(activity=act, member__in=waiting).values_list("status", flat=True)) == {
        "confirmed"
    }


def test_cancels_racing_sign_ups_on_a_short_line(c):
    act = activity(c, places=3)
    holders = [member_in(c, f"在册{i}") for i in range(3)]
    newcomers = [member_in(c, f"新人{i}") for i in range(3)]
    signed_up(act, *holders)
    results = race(
        *(lambda m=m: activity_cancel_signup(actor=m.user, activity=fresh(act)) for m in holders),
        *(lambda m=m: activity_signup(actor=m.user, activity=fresh(act)) for m in newcomers),
    )
    assert not split(results)[1]
    assert_consistent(act)
    assert act.taken == 3
    assert set(holding(act).values_list("member", flat=True)) == {m.pk for m in newcomers}


def test_calling_off_racing_sign_ups_leaves_nobody_holding_a_place(c):
    act = activity(c, places=3)
    signed_up(act, c.member)
    newcomers = [member_in(c, f"新人{i}") for i in range(4)]
    results = race(
        lambda: activity_cancel(actor=c.admin, activity=fresh(act), reason="台风预警"),
        *(lambda m=m: activity_signup(actor=m.user, activity=fresh(act)) for m in newcomers),
    )
    for r in split(results)[1]:
        assert r.code == "illegal_transition"
    act.refresh_from_db()
    assert (act.status, act.taken) == ("cancelled", 0)
    assert not holding(act).exists()


def test_the_same_member_twice_at_once_holds_one_sign_up(c):
    act = activity(c, places=5)
    won, lost = split(
        race(*(lambda: activity_signup(actor=c.member.user, activity=fresh(act)) for _ in range(3)))
    )
    assert (len(won), len(lost)) == (1, 2)
    assert {e.code for e in lost} == {"already_signed_up"}
    act.refresh_from_db()
    assert act.taken == 1
    assert holding(act).count() == 1


def test_one_member_on_two_overlapping_activities_at_once_gets_one(c):
    first = activity(c, title="第一场")
    second = activity(c, title="第二场", starts_at=tomorrow() + timedelta(hours=1))
    won, lost = split(
        race(
            lambda: activity_signup(actor=c.member.user, activity=fresh(first)),
            lambda: activity_signup(actor=c.member.user, activity=fresh(second)),
        )
    )
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "overlap"
    assert Signup.objects.filter(member=c.member).count() == 1
    assert sorted(Activity.objects.values_list("taken", flat=True)) == [0, 1]
