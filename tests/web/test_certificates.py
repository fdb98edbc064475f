"""志愿服务证明 through the pages: a member issues one for a period and downloads the PDF (Chinese text that
a reader extracts intact); the PDF only for the member and the region admins over its issuing community; the
public check of a number — genuine, or plainly not (malformed, unknown, tampered) — with no sign-in."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.utils import timezone

from baodao.certificates.models import Certificate
from baodao.certificates.services import _new_number, certificate_issue
from baodao.ledger.models import Source
from baodao.ledger.services import record_write
from tests.web import activities_member_data as d


def served(w, member, hours="2.5", category="elderly", title="陪老人就医"):
    return record_write(
        source=Source.NEED,
        member=member,
        unit=None,
        community=w.r("C1"),
        path=w.r("C1").path,
        title=title,
        category=category,
        hours=Decimal(hours),
        served_at=timezone.now() - timedelta(hours=1),
        verified_by=w.users["community_admin"],
    )


@pytest.fixture
def cert(w):
    """李明's certificate of this year: two services of two kinds, 4 hours."""
    member = d.with_member(w)
    served(w, member, "2.5")
    served(w, member, "1.5", category="legal", title="法律咨询")
    today = timezone.localdate()
    return certificate_issue(actor=member.user, period_start=date(today.year, 1, 1), period_end=today)


def body(r) -> bytes:
    return b"".join(r.streaming_content)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


# ---- my certificates -----------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client, w):
    r = client.get("/me/certificates/")
    assert r.status_code == 302 and r.url.startswith("/login/")
    r = client.get("/certificates/ZM2026AAAAAAAAAAA/pdf/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_it_is_not_found_for_someone_without_a_member_profile(as_user, w):
    assert as_user(w.users["community_admin"]).get("/me/certificates/").status_code == 404


def test_it_offers_this_year_by_default(as_user, w):
    d.with_member(w)
    today = timezone.localdate()
    html = as_user(w.users["member"]).get("/me/certificates/").text
    assert f'name="period_start" value="{today.year}-01-01"' in html
    assert f'name="period_end" value="{today.isoformat()}"' in html
    assert "还没有开具过证明。" in html


def test_it_issues_a_certificate_and_links_its_pdf(as_user, w):
    member = d.with_member(w)
    served(w, member, "2.5")
    today = timezone.localdate()
    r = as_user(member.user).post(
        "/me/certificates/",
        {"period_start": f"{today.year}-01-01", "period_end": today.isoformat()},
        follow=True,
    )
    cert = Certificate.objects.get(member=member)
    assert r.redirect_chain[-1][0] == f"/me/certificates/?new={cert.number}"
    assert f"已开具志愿服务证明，编号 {cert.number}。" in r.text
    assert f"证明 {cert.number} 已开具" in r.text and "共 1 次服务，2.5 小时。" in r.text
    assert f'href="/certificates/{cert.number}/pdf/"' in r.text
    assert f'href="/verify/{cert.number}/"' in r.text


def test_it_refuses_a_period_without_verified_service(as_user, w):
    d.with_member(w)
    today = timezone.localdate()
    r = as_user(w.users["member"]).post(
        "/me/certificates/", {"period_start": f"{today.year}-01-01", "period_end": today.isoformat()}
    )
    assert r.status_code == 200
    assert "无服务记录。" in r.text
    assert not Certificate.objects.exists()


def test_it_refuses_a_period_that_ends_before_it_starts(as_user, w):
    member = d.with_member(w)
    served(w, member)
    r = as_user(member.user).post(
        "/me/certificates/", {"period_start": "2026-03-01", "period_end": "2026-02-01"}
    )
    assert "早于起始日期。" in r.text
    assert not Certificate.objects.exists()


# ---- the PDF ---------------------------------------------------------------------------------------------


def test_it_serves_the_member_its_pdf_with_the_chinese_intact(as_user, w, cert):
    r = as_user(w.users["member"]).get(f"/certificates/{cert.number}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    content = body(r)
    assert content.startswith(b"%PDF")
    assert cert.number in r["Content-Disposition"] and ".pdf" in r["Content-Disposition"]
    assert "private" in r["Cache-Control"]
    text = pdf_text(content)
    assert "志愿服务证明" in text
    assert "李明" in text and "幸福社区" in text
    assert cert.number in text
    assert f"http://testserver/verify/{cert.number}/" in text
    assert "助老助残" in text and "法律咨询" in text


def test_the_pdf_prints_the_public_address_when_there_is_one(as_user, w, cert, settings):
    settings.PUBLIC_BASE_URL = "https://baodao.example.gov.cn/"
    text = pdf_text(body(as_user(w.users["member"]).get(f"/certificates/{cert.number}/pdf/")))
    assert f"https://baodao.example.gov.cn/verify/{cert.number}/" in text and "testserver" not in text


def test_the_pdf_writes_hours_as_people_do(as_user, w, cert):
    text = pdf_text(body(as_user(w.users["member"]).get(f"/certificates/{cert.number}/pdf/")))
    assert "累计服务时长 4 小时" in text and "2.5 小时" in text and "1.5 小时" in text
    assert "4.00" not in text and "2.50" not in text


def test_it_takes_a_number_in_small_letters(as_user, w, cert):
    r = as_user(w.users["member"]).get(f"/certificates/{cert.number.lower()}/pdf/")
    assert r.status_code == 200


@pytest.mark.parametrize("who", ["community_admin", "street_admin", "district_admin"])
def test_it_serves_the_pdf_to_the_region_admins_over_the_issuing_community(as_user, w, cert, who):
    r = as_user(w.users[who]).get(f"/certificates/{cert.number}/pdf/")
    assert r.status_code == 200 and body(r).startswith(b"%PDF")


@pytest.mark.parametrize(
    "who", ["other_member", "other_community_admin", "far_community_admin", "unit_admin", "resident"]
)
def test_it_does_not_find_the_pdf_for_anyone_else(as_user, w, cert, who):
    assert as_user(w.users[who]).get(f"/certificates/{cert.number}/pdf/").status_code == 404


def test_it_does_not_find_an_unknown_number(as_user, w):
    d.with_member(w)
    assert as_user(w.users["member"]).get("/certificates/ZM2026ABCDEFGHJKL/pdf/").status_code == 404


# ---- the public check ----------------------------------------------------------------------------------


def test_it_offers_anyone_the_lookup_form(client, w):
    r = client.get("/verify/")
    assert r.status_code == 200
    assert '<form method="get" action="/verify/"' in r.text and 'name="number"' in r.text
    assert 'name="robots" content="noindex, nofollow"' in r.text


def test_it_goes_from_a_typed_number_to_its_page(client, w, cert):
    spaced = f" {cert.number[:6].lower()} {cert.number[6:10]}-{cert.number[10:]} "
    r = client.get("/verify/", {"number": spaced})
    assert r.status_code == 302 and r.url == f"/verify/{cert.number}/"


def test_it_refuses_a_number_with_other_characters(client, w):
    r = client.get("/verify/", {"number": "ZM2026/../etc"})
    assert r.status_code == 200 and "编号只含字母和数字" in r.text


def test_it_shows_anyone_a_genuine_certificates_minimal_facts(client, w, cert):
    r = client.get(f"/verify/{cert.number}/")
    assert r.status_code == 200
    html = r.text
    assert "证明真实有效" in html
    assert "<dd>李*</dd>" in html and "李明" not in html
    assert "<dd>幸福社区</dd>" in html
    assert f"{timezone.localdate().year}-01-01 至 {timezone.localdate().isoformat()}" in html
    assert "4 小时" in html and "<dd>2 次</dd>" in html
    assert "助老助残" in html and "法律咨询" in html
    assert f'<time datetime="{timezone.localtime(cert.issued_at).isoformat()}">' in html
    assert "13800" not in html  # never a phone number


def test_it_verifies_a_number_typed_in_small_letters(client, w, cert):
    assert client.get(f"/verify/{cert.number.lower()}/").status_code == 200


def not_genuine(r) -> bool:
    return (
        r.status_code == 404
        and "不是真实的证明" in r.text
        and "不是本平台开具的真实证明" in r.text
        and "找不到这个页面" not in r.text  # not the generic 404 page
    )


def test_it_says_a_malformed_number_is_not_a_genuine_certificate(client, w, cert):
    altered = cert.number[:-1] + ("A" if cert.number[-1] != "A" else "B")
    assert not_genuine(client.get(f"/verify/{altered}/"))
    assert not_genuine(client.get("/verify/ZM123/"))
    r = client.get("/verify/%3Cscript%3E/")
    assert not_genuine(r) and "<script>" not in r.text


def test_it_says_an_unknown_number_is_not_a_genuine_certificate(client, w):
    number = _new_number(2026)  # well formed, never issued
    r = client.get(f"/verify/{number}/")
    assert not_genuine(r) and number in r.text
    assert 'name="number"' in r.text  # try again


def test_it_says_a_tampered_certificate_is_not_genuine(client, w, cert):
    Certificate.objects.filter(pk=cert.pk).update(hours=Decimal("400.00"))
    r = client.get(f"/verify/{cert.number}/")
    assert not_genuine(r) and "400" not in r.text


def test_the_pdfs_qr_code_leads_to_the_verification(as_user, client, w, cert):
    text = pdf_text(body(as_user(w.users["member"]).get(f"/certificates/{cert.number}/pdf/")))
    url = re.search(r"http://testserver(/verify/\w+/)", text).group(1)
    client.logout()
    assert "证明真实有效" in client.get(url).text
