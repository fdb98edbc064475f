"""The report a community answers with, checked against a crafted history, and its fixed query count."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baodao.appraisals.models import Appraisal, AppraisalRun
from baodao.appraisals.models import Status as AppraisalStatus
from baodao.mobilizations.models import Answer, Call, Mobilization, Reason, Type
from baodao.posts.models import HolderStatus, Kind, Post, PostHolder
from baodao.preappointment.selectors import check_report
from baodao.preappointment.services import check_ask
from tests.preappointment.helpers import local, reversed_, served

GRADES = [["优秀", 90], ["合格", 60], ["基本合格", 50], ["不合格", 0]]


def _appraisal(w, m, period, *, status, level, comment=""):
    year = int(period[:4])
    run, _ = AppraisalRun.objects.get_or_create(
        region=w.r("C1"),
        period=period,
        defaults={
            "period_start": date(year, 1, 1),
            "period_end": date(year, 12, 31),
            "status": "done",
            "rules": {"grades": GRADES},
            "created_by": w.users["community_admin"],
        },
    )
    return Appraisal.objects.create(
        run=run,
        period=period,
        member=m,
        community=w.r("C1"),
        unit=m.unit,
        registered=True,
        services=4,
        hours=Decimal("9.5"),
        computed_at=timezone.now(),
        status=status,
        grade_level=level,
        score=Decimal("91.5") if level else None,
        comment_community=comment,
    )


def _history(w, m, year):
    # this year: two standing services (one rated 5, one 4) and one reversed; last year one (rated 3); two
    # years ago one; four years ago one (in the total only)
    served(w, m, local(year, 2, 1, 10), hours="2", rating=5, points="2")
    served(w, m, local(year, 3, 1, 10), hours="1.5", rating=4, points="1.5")
    wrong = served(w, m, local(year, 3, 2, 10), hours="4", rating=1)
    reversed_(w, wrong)
    served(w, m, local(year - 1, 12, 31, 23, 30), hours="3", rating=3, points="3")
    served(w, m, local(year - 2, 1, 1, 0, 10), hours="1")
    served(w, m, local(year - 4, 5, 1, 9), hours="10", points="10")
    post = Post.objects.create(
        community=w.r("C1"),
        kind=Kind.REGULAR,
        title="政策宣传岗",
        headcount=3,
        created_by=w.users["community_admin"],
    )
    other = Post.objects.create(
        community=w.r("C1"),
        kind=Kind.EMERGENCY,
        title="防汛抢险",
        headcount=3,
        created_by=w.users["community_admin"],
    )
    PostHolder.objects.create(
        post=post, member=m, status=HolderStatus.CONFIRMED, decided_at=local(year, 1, 5)
    )
    PostHolder.objects.create(
        post=other, member=m, status=HolderStatus.REJECTED, decided_at=local(year, 1, 6)
    )
    mob = Mobilization.objects.create(
        title="防汛", type=Type.FLOOD, secret="x", created_by=w.users["community_admin"]
    )
    mob2 = Mobilization.objects.create(
        title="防疫", type=Type.FLOOD, secret="y", created_by=w.users["community_admin"]
    )
    Call.objects.create(
        mobilization=mob,
        member=m,
        reason=Reason.POST,
        called_at=timezone.now(),
        answer=Answer.YES,
        arrived_at=timezone.now(),
    )
    Call.objects.create(
        mobilization=mob2, member=m, reason=Reason.POST, called_at=timezone.now(), answer=Answer.NO
    )
    _appraisal(w, m, f"{year - 1}", status=AppraisalStatus.FINALISED, level=1, comment="服务积极")
    _appraisal(w, m, f"{year - 2}", status=AppraisalStatus.OPEN, level=None)


def test_the_report_adds_up_the_history(w, reg):
    m = w.members["member"]
    year = timezone.localdate().year
    _history(w, m, year)
    check = check_ask(actor=w.users["unit_admin"], member=m, reason="拟任科长")
    report = check_report(check)
    assert report["member"] == {"id": m.pk, "name": "李明"}
    assert report["unit"] == "区税务局"
    assert [(r["community"], r["until"]) for r in report["registrations"]] == [("幸福社区", None)]
    assert report["years"] == [
        {"year": year, "services": 2, "hours": "3.50", "points": "3.50"},
        {"year": year - 1, "services": 1, "hours": "3.00", "points": "3.00"},
        {"year": year - 2, "services": 1, "hours": "1.00", "points": "0.00"},
    ]
    assert report["total"] == {"services": 5, "hours": "17.50", "points": "16.50"}
    assert report["rating"] == {"average": "4.00", "count": 3}
    assert [(p["title"], p["until"]) for p in report["posts"]] == [("政策宣传岗", None)]
    assert report["emergency"] == {"calls": 2, "answers": 1, "arrivals": 1}
    assert report["appraisals"] == [
        {
            "period": f"{year - 1}",
            "grade": "优秀",
            "score": "91.50",
            "services": 4,
            "hours": "9.50",
            "comment": "服务积极",
        }
    ]


def test_the_report_of_a_member_without_history_is_empty_not_missing(w, reg):
    check = check_ask(actor=w.users["unit_admin"], member=w.members["member"], reason="拟任科长")
    report = check_report(check)
    assert report["total"] == {"services": 0, "hours": "0.00", "points": "0.00"}
    assert report["rating"] == {"average": None, "count": 0}
    assert report["posts"] == [] and report["appraisals"] == []
    assert report["emergency"] == {"calls": 0, "answers": 0, "arrivals": 0}


def test_the_report_takes_a_fixed_number_of_queries(w, reg):
    m = w.members["member"]
    year = timezone.localdate().year
    check = check_ask(actor=w.users["unit_admin"], member=m, reason="拟任科长")
    with CaptureQueriesContext(connection) as small:
        check_report(check)
    _history(w, m, year)
    for i in range(5):
        served(w, m, local(year, 4, 1 + i, 10), hours="1", points="1")
    _appraisal(w, m, f"{year - 3}", status=AppraisalStatus.ANSWERED, level=2)
    with CaptureQueriesContext(connection) as big:
        check_report(check)
    assert len(small) == len(big) == 6


def test_a_long_history_takes_no_more_queries(w, reg, django_assert_max_num_queries):
    """Ten years of weekly service, many posts, calls and appraisals: still six queries."""
    m = w.members["member"]
    year = timezone.localdate().year
    for y in range(year - 9, year + 1):
        for week in range(0, 50, 2):
            served(w, m, local(y, 1 + week // 5, 1 + week % 5 * 5, 10), hours="1.5", rating=4, points="1")
        _appraisal(w, m, f"{y}", status=AppraisalStatus.FINALISED, level=2)
    for i in range(15):
        post = Post.objects.create(
            community=w.r("C1"),
            kind=Kind.REGULAR,
            title=f"岗位{i}",
            headcount=3,
            created_by=w.users["community_admin"],
        )
        PostHolder.objects.create(
            post=post, member=m, status=HolderStatus.CONFIRMED, decided_at=local(year, 1, 5)
        )
        mob = Mobilization.objects.create(
            title=f"动员{i}", type=Type.FLOOD, secret=f"s{i}", created_by=w.users["community_admin"]
        )
        Call.objects.create(
            mobilization=mob, member=m, reason=Reason.POST, called_at=timezone.now(), answer=Answer.YES
        )
    check = check_ask(actor=w.users["unit_admin"], member=m, reason="拟任科长")
    check = type(check).objects.select_related("member__user", "unit").get(pk=check.pk)
    with django_assert_max_num_queries(6):
        report = check_report(check)
    assert report["total"]["services"] == 250
    assert len(report["posts"]) == 15 and len(report["appraisals"]) == 10
    assert report["emergency"]["answers"] == 15
