"""Service certificates through the API: a member asks for one (audited), lists its own, and anyone checks a
number without signing in — genuine, tampered and unknown."""

import io
from datetime import timedelta

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baodao.activities.services import attendance_record
from baodao.audit.models import Action, AuditEvent
from baodao.certificates.models import Certificate
from baodao.certificates.services import _new_number, certificate_issue, number_well_formed
from tests.api.activity_cases import activity, assert_refused, client_for, ended, member_registered

pytestmark = pytest.mark.django_db

LIST = "/api/v1/certificates"


def verify_url(number):
    return f"{LIST}/{number}/verify"


def served(w, name="member", hours="2", title="楼道清扫", category="environment", hours_ahead=24):
    """The member served `hours` at an activity of C1 that ended half an hour ago."""
    member = member_registered(w, name)
    a = ended(activity(w, title=title, category=category, hours_ahead=hours_ahead))
    attendance_record(
        actor=w.users["community_admin"], activity=a, member=member, reason="现场登记", hours=hours
    )
    return member


def period(**kw):
    today = timezone.localdate()
    return {"period_start": str(today - timedelta(days=30)), "period_end": str(today), **kw}


def issued(w, name="member"):
    today = timezone.localdate()
    return certificate_issue(actor=w.users[name], period_start=today - timedelta(days=30), period_end=today)


# ---- POST /certificates -----------------------------------------------------------------------------------


def test_it_refuses_anonymous_callers(w, anon):
    served(w)
    assert_refused(anon.post(LIST, period(), format="json"), 401, "unauthenticated")
    assert_refused(anon.get(LIST), 401, "unauthenticated")
    assert not Certificate.objects.exists()


def test_a_member_gets_a_certificate_of_its_verified_service(w):
    served(w, hours="2")
    served(w, hours="1.5", title="法律咨询", category="legal", hours_ahead=30)
    r = client_for(w.users["member"]).post(LIST, period(), format="json")
    assert r.status_code == 201, r.content
    answer = r.json()
    cert = Certificate.objects.get()
    assert answer["number"] == cert.number and number_well_formed(answer["number"])
    assert answer["pdf_url"] == f"http://testserver/api/v1/certificates/{cert.number}/pdf"
    assert answer["verify_url"] == f"http://testserver/verify/{cert.number}/"
    assert set(answer) == {
        "number",
        "name",
        "issuing_community",
        "period_start",
        "period_end",
        "hours",
        "services",
        "by_category",
        "certifiers",
        "issued_at",
        "pdf_url",
        "verify_url",
    }
    assert (answer["name"], answer["hours"], answer["services"]) == ("李明", "3.50", 2)
    assert answer["issuing_community"] == {"code": "C1", "name": "幸福社区"}
    assert answer["by_category"] == [
        {"category": "environment", "label": "环境卫生", "hours": "2.00", "services": 1},
        {"category": "legal", "label": "法律咨询", "hours": "1.50", "services": 1},
    ]
    assert answer["certifiers"] == ["幸福社区"]
    assert answer["period_end"] == str(timezone.localdate())


def test_it_gives_the_public_addresses_when_there_are_some(w, settings):
    settings.PUBLIC_BASE_URL = "https://baodao.example.gov.cn"
    served(w)
    member = client_for(w.users["member"])
    answer = member.post(LIST, period(), format="json").json()
    number = answer["number"]
    assert answer["pdf_url"] == f"https://baodao.example.gov.cn/api/v1/certificates/{number}/pdf"
    assert answer["verify_url"] == f"https://baodao.example.gov.cn/verify/{number}/"
    r = member.get(f"/api/v1/certificates/{number}/pdf", HTTP_ACCEPT="application/pdf")
    pdf = pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content)))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert f"https://baodao.example.gov.cn/verify/{number}/" in text and "testserver" not in text


def test_issuing_a_certificate_is_audited(w):
    served(w)
    number = client_for(w.users["member"]).post(LIST, period(), format="json").json()["number"]
    event = AuditEvent.objects.get(action=Action.CERTIFICATE_ISSUED)
    cert = Certificate.objects.get(number=number)
    assert (event.actor, event.target_type, event.target_id) == (
        w.users["member"],
        "certificate",
        str(cert.pk),
    )
    assert event.detail["number"] == number
    assert event.detail["hours"] == "2.00"


def test_it_refuses_a_period_without_verified_service(w):
    member_registered(w)
    r = client_for(w.users["member"]).post(LIST, period(), format="json")
    assert_refused(r, 400, "invalid", "period_start")
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CERTIFICATE_ISSUED).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_start": None}, "period_start"),
        ({"period_end": "2026-13-40"}, "period_end"),
        ({"period_start": str(timezone.localdate()), "period_end": "2020-01-01"}, "period_end"),
        (
            {
                "period_start": str(timezone.localdate() + timedelta(days=3)),
                "period_end": str(timezone.localdate() + timedelta(days=10)),
            },
            "period_start",
        ),
        ({"period_start": "2001-01-01"}, "period_end"),  # longer than five years
    ],
)
def test_it_answers_400_for_a_bad_period(w, body, field):
    served(w)
    r = client_for(w.users["member"]).post(LIST, period(**body), format="json")
    assert_refused(r, 400, "invalid", field)
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", ["community_admin", "unit_admin", "resident"])
def test_it_refuses_someone_who_is_not_a_member(w, who):
    served(w)
    assert_refused(client_for(w.users[who]).post(LIST, period(), format="json"), 403, "forbidden")


# ---- GET /certificates ---------------------------------------------------------------------------------


def test_it_lists_only_the_callers_own_certificates(w):
    served(w)
    mine = issued(w)
    served(w, name="other_member", hours_ahead=30)
    issued(w, name="other_member")
    r = client_for(w.users["member"]).get(LIST)
    assert r.status_code == 200, r.content
    assert [c["number"] for c in r.json()["results"]] == [mine.number]
    assert r.json()["results"][0]["pdf_url"].startswith("http://testserver/api/v1/certificates/")
    assert client_for(w.users["community_admin"]).get(LIST).json()["results"] == []


def test_the_list_keeps_the_number_of_queries_flat(w, django_assert_max_num_queries):
    served(w)
    client = client_for(w.users["member"])
    issued(w)
    client.get(LIST)  # the first request also stamps the token's last use
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(10):
        issued(w)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(LIST)
    assert r.json()["count"] == 11


# ---- GET /certificates/{number}/verify (public) ---------------------------------------------------------


def test_anyone_verifies_a_genuine_number_without_signing_in(w, anon):
    served(w)
    cert = issued(w)
    r = anon.get(verify_url(cert.number))
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer == {
        "valid": True,
        "number": cert.number,
        "name": "李*",
        "issuing_community": {"code": "C1", "name": "幸福社区"},
        "period_start": str(cert.period_start),
        "period_end": str(cert.period_end),
        "hours": "2.00",
        "services": 1,
        "by_category": [{"category": "environment", "label": "环境卫生", "hours": "2.00", "services": 1}],
        "issued_at": answer["issued_at"],
    }
    assert "李明" not in r.content.decode()
    # typed in lower case, or with a stale token in the header: still the same answer
    assert anon.get(verify_url(cert.number.lower())).status_code == 200
    anon.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert anon.get(verify_url(cert.number)).json()["valid"] is True


def test_it_does_not_verify_a_tampered_or_unknown_number(w, anon):
    served(w)
    cert = issued(w)
    altered = cert.number[:-4] + ("A" if cert.number[-4] != "A" else "B") + cert.number[-3:]
    unknown = _new_number(2026)
    assert number_well_formed(unknown)
    for number in (altered, unknown, "ZM", "not-a-number"):
        answer = assert_refused(anon.get(verify_url(number)), 404, "not_found")
        assert answer["detail"] == "没有这份证明。"


def test_it_does_not_verify_a_certificate_altered_in_the_database(w, anon):
    served(w)
    cert = issued(w)
    Certificate.objects.filter(pk=cert.pk).update(hours="200.00")
    assert_refused(anon.get(verify_url(cert.number)), 404, "not_found")


def test_the_schema_asks_no_token_for_the_verification(anon, db):
    schema = anon.get("/api/schema/", {"format": "json"}).json()
    verify = schema["paths"]["/api/v1/certificates/{number}/verify"]["get"]
    assert "security" not in verify
    assert {"200", "404"} <= set(verify["responses"])
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/certificates"]["post"]["security"]


def test_the_pdf_comes_with_the_token_to_the_member_and_to_nobody_outside(w, anon):
    served(w, hours="2")
    member = client_for(w.users["member"])
    number = member.post(LIST, period(), format="json").json()["number"]
    r = member.get(f"/api/v1/certificates/{number}/pdf", HTTP_ACCEPT="application/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    assert_refused(anon.get(f"/api/v1/certificates/{number}/pdf"), 401, "unauthenticated")
    outsider = client_for(w.users["other_member"])
    assert_refused(
        outsider.get(f"/api/v1/certificates/{number}/pdf", HTTP_ACCEPT="application/pdf"), 404, "not_found"
    )
