"""Sign-ups, cancels, attendance and codes at the same moment, each in its own thread with its own database
connection (run on SQLite and on PostgreSQL): the places are never overbooked, the line keeps its order,
nobody waits while a place is free, one person never holds two sign-ups that clash, an attendance is credited
once per attempt, the yearly cap holds, and a burst of guessed codes gets no more tries than one after
another."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from baodao.activities.codes import MAX_CODE_FAILURES
from baodao.activities.models import Activity, Signup, SignupStatus
from baodao.activities.services import (
    activity_cancel,
    activity_cancel_signup,
    activity_checkin,
    activity_signup,
    attendance_record,
)
from baodao.ledger.models import PointEntry, ServiceRecord, Source
from baodao.ledger.points import points_balance
from baodao.ledger.services import record_reverse, record_write
from baodao.lib.errors import DomainError, Invalid, Throttled
from baodao.notify.models import Notice
from tests.activities.helpers import (
    activity,
    attend,
    code_at,
    district_policy,
    into_the_past,
    member_in,
    signed_up,
    tomorrow,
)
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


# ---- attendance, points and codes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Caught:
    error: Exception


def caught(call, *errors):
    """The call's value, or the error it raised wrapped (`race` lets only a Conflict through)."""
    try:
        return call()
    except errors as exc:
        return Caught(exc)


def test_two_credits_of_the_same_attempt_at_once_the_database_keeps_one(c):
    act = activity(c)
    signed_up(act, c.member)
    attend(c.member, act, act.starts_at, act.ends_at)
    first = ServiceRecord.objects.get()
    record_reverse(actor=c.admin, record=first, reason="不在现场")
    fields = {
        f: getattr(first, f)
        for f in ("source", "member", "community", "path", "activity", "signup", "title", "category")
    }

    def credit():
        with transaction.atomic():
            return ServiceRecord.objects.create(
                **fields, hours=Decimal(2), served_at=first.served_at, verified_by=c.admin, attempt=1
            )

    results = race(*(lambda: caught(credit, IntegrityError) for _ in range(2)))
    refused = [r for r in results if isinstance(r, Caught)]
    assert (len(refused), type(refused[0].error)) == (1, IntegrityError)
    assert ServiceRecord.objects.filter(signup=first.signup, attempt=1).count() == 1


def test_the_same_attendance_recorded_by_hand_twice_at_once_is_credited_once(c):
    act = into_the_past(activity(c, places=1))  # the member walks in
    won, lost = split(
        race(
            *(
                lambda h=h: attendance_record(
                    actor=c.admin,
                    activity=Activity.objects.get(pk=act.pk),
                    member=c.member,
                    hours=h,
                    reason="补录",
                )
                for h in ("1", "2", "3")
            )
        )
    )
    assert (len(won), {e.code for e in lost}) == (1, {"already_recorded"})
    assert ServiceRecord.objects.get().hours == won[0].hours
    assert Signup.objects.filter(activity=act, member=c.member).count() == 1
    assert Activity.objects.get(pk=act.pk).taken == 1


def test_walk_ins_at_once_take_only_the_places_free(c):
    act = activity(c, places=2)
    signed_up(act, c.member)
    act = into_the_past(act)
    crowd = [member_in(c, f"现场{i}") for i in range(4)]
    won, lost = split(
        race(
            *(
                lambda m=m: attendance_record(
                    actor=c.admin,
                    activity=Activity.objects.get(pk=act.pk),
                    member=m,
                    hours=1,
                    reason="现场报名",
                )
                for m in crowd
            )
        )
    )
    assert (len(won), lost) == (4, [])
    act.refresh_from_db()
    assert (act.places, act.taken) == (2, 2)
    assert ServiceRecord.objects.count() == 4


def test_records_at_once_never_pass_the_yearly_cap(c):
    district_policy(c, date(2020, 1, 1), points_yearly_cap=30)
    day = timezone.now() - timedelta(days=1)

    def credit(title, hours):
        return record_write(
            source=Source.ACTIVITY,
            member=c.member,
            unit=None,
            community=c.r("C1"),
            path=c.r("C1").path,
            title=title,
            category="health",
            hours=Decimal(hours),
            served_at=day,
            verified_by=c.admin,
        )

    credit("义诊", 2)  # 20 of the 30 points of the year already earned
    won, lost = split(race(*(lambda i=i: credit(f"第{i}场", 1) for i in range(4))))
    assert (len(won), lost) == (4, [])
    assert points_balance(c.member.pk) == Decimal(30)  # one of them got the last 10 points, the others none
    assert PointEntry.objects.filter(member=c.member, year=timezone.localdate(day).year).count() == 2


def test_a_burst_of_wrong_codes_gets_no_more_tries_than_one_after_another(c):
    act = activity(c)
    signed_up(act, c.member)
    at = act.starts_at + timedelta(minutes=5)
    wrong = next(
        f"{n:06d}"
        for n in range(10**6)
        if f"{n:06d}" not in {code_at(act, at), code_at(act, at - timedelta(seconds=45))}
    )
    results = race(
        *(
            lambda: caught(
                lambda: activity_checkin(actor=c.member.user, activity=act, code=wrong, now=at), DomainError
            )
            for _ in range(2 * MAX_CODE_FAILURES)
        )
    )
    errors = [r.error for r in results]
    assert all(isinstance(e, Invalid | Throttled) for e in errors), errors
    assert sum(isinstance(e, Invalid) for e in errors) <= MAX_CODE_FAILURES, errors
    with pytest.raises(Throttled):  # and the member waits, even with the right code
        activity_checkin(actor=c.member.user, activity=act, code=code_at(act, at), now=at)
