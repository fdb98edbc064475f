"""The indicators a run computes for crafted histories: who is appraised and where, registration and since
when, services and hours (reversals net out), points, ratings, posts, emergency calls, no-shows."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.activities.models import Activity, Attendance, Signup, SignupStatus
from baodao.appraisals.models import Appraisal
from baodao.ledger.models import PointEntry, Rule
from baodao.mobilizations.models import Answer, Call, Mobilization, Reason
from baodao.posts.models import HolderStatus, Kind, Post, PostHolder

from .helpers import local

pytestmark = pytest.mark.django_db


def appraised(c, region="C1"):
    c.run(region, actor=c.admin if region == "C1" else c.u("street_admin"))
    return {a.member.user.name: a for a in Appraisal.objects.select_related("member__user", "community")}


def test_who_is_appraised_is_whoever_stood_registered_during_the_quarter(c):
    mid = c.member("年中报到")
    c.registered(mid, at=local(2026, 8, 15, 10))
    c.registered(c.member("期满后报到"), at=local(2026, 10, 1, 0, 0))
    c.registered(c.member("期前结束"), at=local(2026, 1, 5), ended=local(2026, 6, 30, 23, 59))
    c.registered(c.member("期初结束"), at=local(2026, 1, 5), ended=local(2026, 7, 1, 0, 0))
    c.registered(c.member("期满后结束"), at=local(2026, 1, 5), ended=local(2026, 10, 1, 0, 0))
    found = appraised(c)
    assert set(found) == {"年中报到", "期初结束", "期满后结束"}
    assert (found["年中报到"].registered, found["年中报到"].registered_since) == (True, date(2026, 8, 15))
    assert (found["期初结束"].registered, found["期初结束"].registered_since) == (False, None)
    assert (found["期满后结束"].registered, found["期满后结束"].registered_since) == (True, date(2026, 1, 5))
    assert {a.unit.code for a in found.values()} == {"U1"}


def test_registered_since_is_the_local_date(c):
    m = c.member()
    c.registered(m, at=local(2026, 7, 31, 23, 30))  # 15:30 UTC: still the 31st in Shanghai
    assert appraised(c)["党员"].registered_since == date(2026, 7, 31)


def test_a_member_who_moved_is_appraised_where_it_ended_up_and_all_its_service_counts(c):
    moved = c.member("搬家")
    c.registered(moved, at=local(2026, 1, 5), ended=local(2026, 8, 1))
    c.registered(moved, at=local(2026, 8, 2), community="C2")
    c.served(moved, local(2026, 7, 10), "2")
    c.served(moved, local(2026, 9, 1), "3", community="C2")
    assert "搬家" not in appraised(c, "C1")  # C1's own run leaves it to C2
    found = appraised(c, "S1")
    assert found["搬家"].community.code == "C2"
    assert (found["搬家"].services, found["搬家"].hours) == (2, Decimal("5.00"))
    assert found["搬家"].registered


def test_a_member_who_left_mid_quarter_is_appraised_where_it_was(c):
    left = c.member("离开")
    c.registered(left, at=local(2026, 1, 5), ended=local(2026, 8, 1))
    a = appraised(c)["离开"]
    assert (a.community.code, a.registered) == ("C1", False)


def test_only_reversed_records_count_nothing(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    c.reverse(c.served(m, local(2026, 8, 1), "4", rating=5))
    a = appraised(c)["党员"]
    assert (a.services, a.hours, a.points, a.rating, a.ratings) == (0, 0, 0, None, 0)
    assert not a.minimum_met
    assert a.score_residents is None


def test_services_hours_points_and_ratings(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    c.served(m, local(2026, 7, 1, 0, 0), "2", rating=5)  # 20 + 5 + 2 points
    c.served(m, local(2026, 9, 30, 23, 59), "1.5", rating=4)  # 15 + 5 + 2
    c.served(m, local(2026, 8, 1), "1", rating=4)  # 10 + 5 + 2
    c.served(m, local(2026, 8, 2), "1")  # 10 + 5, no rating
    c.reverse(c.served(m, local(2026, 8, 3), "3", rating=1))  # nets to nothing
    c.served(m, local(2026, 6, 30, 23, 59), "5", rating=1)  # before
    c.served(m, local(2026, 10, 1, 0, 0), "5", rating=1)  # after
    a = appraised(c)["党员"]
    assert (a.services, a.hours) == (4, Decimal("5.50"))
    assert a.points == Decimal(20 + 7 + 15 + 7 + 10 + 7 + 10 + 5)
    assert (a.rating, a.ratings) == (Decimal("4.33"), 3)
    assert a.score_residents == 87  # 4.33 × 20 = 86.6
    assert a.minimum_met


def test_no_show_deductions_count_in_the_quarter_they_were_written(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    activity = _activity(c, local(2026, 9, 20, 9))
    signup = Signup.objects.create(
        activity=activity, member=m, status=SignupStatus.CONFIRMED, attendance=Attendance.NO_SHOW
    )
    with mock.patch("django.utils.timezone.now", return_value=local(2026, 9, 21)):  # written then
        PointEntry.objects.create(member=m, signup=signup, rule=Rule.NO_SHOW, rate=5, points=-5, year=2026)
    later = Signup.objects.create(
        activity=_activity(c, local(2026, 10, 2, 9)),
        member=m,
        status=SignupStatus.CONFIRMED,
        attendance=Attendance.NO_SHOW,
    )
    PointEntry.objects.create(member=m, signup=later, rule=Rule.NO_SHOW, rate=5, points=-5, year=2026)
    Signup.objects.create(
        activity=_activity(c, local(2026, 8, 1, 9)),
        member=m,
        status=SignupStatus.CONFIRMED,
        attendance=Attendance.ATTENDED,
    )
    a = appraised(c)["党员"]
    assert (a.no_shows, a.points) == (1, Decimal(-5))


def _activity(c, starts_at):
    return Activity.objects.create(
        community=c.r("C1"),
        path=c.r("C1").path,
        title="活动",
        category="elderly",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        location="广场",
        places=10,
        secret="s",
        created_by=c.admin,
    )


def test_posts_held_during_the_quarter(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    holdings = [
        (HolderStatus.CONFIRMED, local(2026, 6, 1), None),  # held all along: counts
        (HolderStatus.WITHDRAWN, local(2026, 6, 1), local(2026, 6, 30)),  # left before: no
        (HolderStatus.WITHDRAWN, local(2026, 7, 1), local(2026, 8, 1)),  # held a while: counts
        (HolderStatus.CONFIRMED, local(2026, 10, 2), None),  # after: no
        (HolderStatus.REJECTED, local(2026, 8, 1), None),  # turned down: no
        (HolderStatus.PENDING, None, None),  # never confirmed: no
        (HolderStatus.WITHDRAWN, None, local(2026, 8, 1)),  # withdrew a claim: no
    ]
    for i, (status, decided, ended) in enumerate(holdings):
        post = Post.objects.create(
            community=c.r("C1"), kind=Kind.REGULAR, title=f"岗位{i}", headcount=5, created_by=c.admin
        )
        PostHolder.objects.create(post=post, member=m, status=status, decided_at=decided, ended_at=ended)
    assert appraised(c)["党员"].posts_held == 2


def test_emergency_calls_answers_and_arrivals(c):
    m = c.member()
    c.registered(m, at=local(2026, 1, 5))
    calls = [
        (local(2026, 7, 5), Answer.YES, local(2026, 7, 5, 1)),
        (local(2026, 8, 5), Answer.YES, None),
        (local(2026, 9, 5), Answer.NO, None),
        (local(2026, 9, 6), Answer.NONE, None),
        (local(2026, 10, 5), Answer.YES, local(2026, 10, 5, 1)),  # after
    ]
    for i, (called, answer, arrived) in enumerate(calls):
        mob = Mobilization.objects.create(title=f"应急{i}", type="flood", secret="s", created_by=c.admin)
        Call.objects.create(
            mobilization=mob,
            member=m,
            reason=Reason.POST,
            called_at=called,
            answer=answer,
            arrived_at=arrived,
        )
    a = appraised(c)["党员"]
    assert (a.emergency_calls, a.emergency_answers, a.emergency_arrivals) == (4, 2, 1)


def test_the_run_needs_a_fixed_number_of_queries_whatever_the_number_of_members(c):
    def queries(n):
        Appraisal.objects.all().delete()
        from baodao.appraisals.models import AppraisalRun

        AppraisalRun.objects.all().delete()
        for _ in range(n):
            m = c.member()
            c.registered(m, at=local(2026, 1, 5))
            c.served(m, local(2026, 8, 1), rating=5)
        with CaptureQueriesContext(connection) as ctx:
            c.run()
        return len(ctx.captured_queries)

    queries(1)  # the first write of the audit chain and the like
    few = queries(2)
    assert queries(12) == few
    assert few <= 26
