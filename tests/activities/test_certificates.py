"""志愿服务证明: the member's standing verified service in a period, sealed when issued; anyone verifies a
genuine number, and a mistyped, unknown or tampered one is not found."""

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from baodao.activities.codes import code_accepted, code_now
from baodao.certificates.models import Certificate
from baodao.certificates.pdf import certificate_pdf
from baodao.certificates.services import (
    _new_number,
    certificate_issue,
    certificate_verify,
    number_well_formed,
)
from baodao.ledger.models import Source
from baodao.ledger.services import record_reverse, record_write
from baodao.lib.errors import Forbidden, Invalid
from baodao.needs.models import Category
from tests.activities.helpers import activity, attend, signed_up

pytestmark = pytest.mark.django_db

SPRING = (date(2025, 3, 1), date(2025, 5, 31))


def credit(c, day, hours, *, category="health", community="C1", member=None, verified_by=None):
    region = c.r(community)
    return record_write(
        source=Source.ACTIVITY,
        member=member or c.member,
        unit=None,
        community=region,
        path=region.path,
        title="服务",
        category=category,
        hours=Decimal(hours),
        served_at=timezone.make_aware(datetime.combine(day, time(10))),
        verified_by=verified_by or c.admin,
    )


@pytest.fixture
def spring(c):
    """Service in spring 2025: health 2 + 1.5 h, environment 3 h (in C2), a reversed record; and some outside
    the period, and someone else's."""
    credit(c, date(2025, 3, 1), "2")
    credit(c, date(2025, 5, 31), "1.5")
    credit(
        c,
        date(2025, 4, 10),
        "3",
        category="environment",
        community="C2",
        verified_by=c.u("other_community_admin"),
    )
    wrong = credit(c, date(2025, 4, 1), "8", category="repair")
    record_reverse(actor=c.admin, record=wrong, reason="重复登记")
    credit(c, date(2025, 2, 28), "5")
    credit(c, date(2025, 6, 1), "5")
    credit(c, date(2025, 4, 1), "7", member=c.helper)


def issue(c, period=SPRING, **kwargs):
    return certificate_issue(actor=c.member.user, period_start=period[0], period_end=period[1], **kwargs)


def test_it_certifies_the_standing_records_of_the_period(c, spring):
    cert = issue(c)
    assert (cert.member, cert.name, cert.issuing_community) == (c.member, "李明", c.r("C1"))
    assert (cert.period_start, cert.period_end) == SPRING
    assert (cert.hours, cert.services) == (Decimal("6.50"), 3)  # the reversed 8 h and its reversal: neither
    assert [(r["category"], Decimal(r["hours"]), r["services"]) for r in cert.by_category] == [
        ("health", Decimal("3.5"), 2),
        ("environment", Decimal(3), 1),
    ]
    labels = dict(Category.choices)
    assert [r["label"] for r in cert.by_category] == [labels["health"], labels["environment"]]
    assert cert.certifiers == sorted(["幸福社区", "和平社区"])
    assert cert.issued_by == c.member.user
    assert number_well_formed(cert.number)
    assert len(cert.number) == 17 and cert.number.startswith(f"ZM{timezone.localdate().year}")


def test_each_certificate_has_its_own_number(c, spring):
    assert issue(c).number != issue(c).number
    assert Certificate.objects.count() == 2


@pytest.mark.parametrize(
    "period", [(date(2024, 1, 1), date(2024, 12, 31)), (date(2025, 6, 2), date(2025, 6, 30))]
)
def test_a_period_without_standing_service_gives_no_certificate(c, spring, period):
    with pytest.raises(Invalid) as caught:
        issue(c, period)
    assert "无法开具证明" in caught.value.detail
    assert not Certificate.objects.exists()


def test_a_period_of_only_a_reversed_record_gives_no_certificate(c, spring):
    with pytest.raises(Invalid):
        issue(c, (date(2025, 4, 1), date(2025, 4, 1)))


def test_attendance_checked_out_is_certified(c):
    act = activity(c)
    signed_up(act, c.member)
    attend(c.member, act, act.starts_at, act.ends_at)
    day = timezone.localdate(act.starts_at)
    cert = certificate_issue(actor=c.member.user, period_start=timezone.localdate(), period_end=day)
    assert (cert.hours, cert.services, cert.certifiers) == (Decimal("3.00"), 1, ["幸福社区"])


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ((date(2025, 5, 1), date(2025, 4, 1)), "period_end"),
        ((date(2019, 1, 1), date(2025, 5, 1)), "period_end"),
        ((None, date(2025, 5, 1)), "period_start"),
        (("future", "future"), "period_start"),
    ],
    ids=["backwards", "too-long", "missing", "future"],
)
def test_a_period_must_make_sense(c, spring, period, field):
    if period[0] == "future":
        soon = timezone.localdate() + timedelta(days=2)
        period = (soon, soon + timedelta(days=5))
    with pytest.raises(Invalid) as caught:
        issue(c, period)
    assert list(caught.value.fields) == [field]


def test_only_the_member_itself_asks(c, spring):
    for who in ("community_admin", "district_admin", "resident"):
        with pytest.raises(Forbidden):
            certificate_issue(actor=c.u(who), period_start=SPRING[0], period_end=SPRING[1])
    with pytest.raises(Forbidden):
        certificate_issue(actor=c.helper.user, period_start=SPRING[0], period_end=SPRING[1], member=c.member)
    assert not Certificate.objects.exists()


# ---- verification --------------------------------------------------------------------------------------


@pytest.fixture
def cert(c, spring):
    return issue(c)


def test_a_genuine_number_verifies(cert):
    for typed in (cert.number, cert.number.lower(), f"  {cert.number} "):
        verification = certificate_verify(typed)
        assert verification.certificate == cert
    assert verification.masked_name == "李*"
    assert (verification.certificate.hours, verification.certificate.issuing_community.name) == (
        Decimal("6.50"),
        "幸福社区",
    )


def changed(number, i):
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return number[:i] + alphabet[(alphabet.index(number[i]) + 1) % len(alphabet)] + number[i + 1 :]


@pytest.mark.parametrize("position", [6, 10, 13, 14, 16])
def test_a_number_with_one_character_changed_is_not_found(cert, position):
    typo = changed(cert.number, position)
    assert not Certificate.objects.filter(number=typo).exists()
    with pytest.raises(Http404):
        certificate_verify(typo)


@pytest.mark.parametrize(
    "number", ["", "ZM", "ZM2025", "ZM2025ABCDEFGH", "X" * 17, "ZM2025ABCDEFGHJK!", "证明"]
)
def test_a_malformed_number_is_not_found(cert, number):
    assert not number_well_formed(number)
    with pytest.raises(Http404):
        certificate_verify(number)


def test_an_unknown_well_formed_number_is_not_found(cert):
    unknown = _new_number(2025)
    assert number_well_formed(unknown)
    with pytest.raises(Http404):
        certificate_verify(unknown)


@pytest.mark.parametrize(
    ("column", "value"),
    [("hours", 99), ("services", 9), ("name", "张三"), ("period_start", "2024-01-01"), ("by_category", "[]")],
)
def test_a_certificate_altered_in_the_database_is_not_found(cert, column, value):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE certificates_certificate SET {column} = %s WHERE id = %s", [value, cert.pk])
    with pytest.raises(Http404):
        certificate_verify(cert.number)


def test_a_certificate_moved_to_another_member_is_not_found(c, cert):
    Certificate.objects.filter(pk=cert.pk).update(member=c.helper)
    with pytest.raises(Http404):
        certificate_verify(cert.number)


# ---- the keys ------------------------------------------------------------------------------------------


def test_with_a_certificate_key_a_certificate_outlives_a_new_secret_key(c, spring, settings):
    settings.CERTIFICATE_KEY = "certificate-key-" + "k" * 48
    cert = issue(c)
    settings.SECRET_KEY = "rotated-secret-key-" + "s" * 48
    assert certificate_verify(cert.number).certificate == cert
    settings.CERTIFICATE_KEY = "another-certificate-key-" + "k" * 48
    with pytest.raises(Http404):
        certificate_verify(cert.number)


def test_without_a_certificate_key_a_new_secret_key_voids_the_certificates(c, spring, settings):
    settings.CERTIFICATE_KEY = ""
    cert = issue(c)
    assert certificate_verify(cert.number).certificate == cert
    settings.SECRET_KEY = "rotated-secret-key-" + "s" * 48
    with pytest.raises(Http404):
        certificate_verify(cert.number)


def test_check_in_codes_keep_following_the_secret_key(settings):
    settings.CERTIFICATE_KEY = "certificate-key-" + "k" * 48
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    before = code_now(7, "s" * 64, at)[0]
    settings.SECRET_KEY = "rotated-secret-key-" + "s" * 48
    assert not code_accepted(7, "s" * 64, before, at)


# ---- the PDF -------------------------------------------------------------------------------------------


def test_the_pdf_says_who_where_how_much_and_its_number(cert):
    url = f"http://testserver/verify/{cert.number}/"
    pdf = certificate_pdf(cert, url)
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())  # lines wrap anywhere
    labels = dict(Category.choices)
    for fact in (
        "志愿服务证明",
        "李明",
        "幸福社区",
        "6.5小时",
        cert.number,
        str(labels["health"]),
        "和平社区",
        url,
    ):
        assert fact in text, fact
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_whole_hours_print_as_whole_numbers(c):
    credit(c, date(2025, 3, 1), "10")
    credit(c, date(2025, 3, 2), "10", category="environment")
    pdf = certificate_pdf(issue(c), "http://testserver/verify/")
    text = "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "20小时" in text and "10小时" in text
    assert "E+" not in text
