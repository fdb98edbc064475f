"""An activity once, through the services: sign up → check in and out with the code → ledger, points,
certificate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.codes import code_now
from baodao.activities.models import Attendance, SignupStatus
from baodao.activities.services import activity_checkin, activity_checkout, activity_create, activity_signup
from baodao.certificates.pdf import certificate_pdf
from baodao.certificates.services import certificate_issue, certificate_verify
from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.ledger.points import points_balance
from tests.factories import registered

pytestmark = pytest.mark.django_db


def test_it_credits_attended_hours_and_certifies_them(w):
    member = w.members["member"]
    registered(member, w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    start = timezone.now() + timedelta(hours=1)
    activity = activity_create(
        actor=w.users["community_admin"],
        community=w.r("C1"),
        title="楼道清扫",
        category="environment",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        location="3栋",
        places=2,
    )
    signup = activity_signup(actor=w.users["member"], activity=activity)
    assert signup.status == SignupStatus.CONFIRMED
    arrive = start + timedelta(minutes=10)
    code, _ = code_now(activity.pk, activity.secret, arrive)
    activity_checkin(actor=w.users["member"], activity=activity, code=code, now=arrive)
    leave = start + timedelta(hours=2, minutes=50)
    code, _ = code_now(activity.pk, activity.secret, leave)
    signup = activity_checkout(actor=w.users["member"], activity=activity, code=code, now=leave)
    assert signup.attendance == Attendance.ATTENDED
    assert signup.hours == Decimal("2.50")  # 2 h 40 min, rounded down to the half hour
    record = ServiceRecord.objects.get()
    assert (record.activity, record.hours) == (activity, Decimal("2.5"))
    assert PointEntry.objects.get().points == Decimal("25.00")
    assert points_balance(member.pk) == Decimal(25)

    cert = certificate_issue(
        actor=w.users["member"],
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + timedelta(1),
    )
    assert certificate_verify(cert.number).certificate == cert
    pdf = certificate_pdf(cert, "http://testserver/verify/" + cert.number + "/")
    assert pdf.startswith(b"%PDF")
