import re

import pytest
from drf_spectacular.validation import validate_schema

PATHS = [
    "/api/v1/auth/token",
    "/api/v1/me",
    "/api/v1/me/profile",
    "/api/v1/users",
    "/api/v1/regions",
    "/api/v1/regions/{code}",
    "/api/v1/units",
    "/api/v1/units/{code}",
    "/api/v1/units/{code}/coverage",
    "/api/v1/coverage",
    "/api/v1/skills",
    "/api/v1/members",
    "/api/v1/members/{id}",
    "/api/v1/members/{id}/unmask",
    "/api/v1/registrations",
    "/api/v1/registrations/{id}",
    "/api/v1/registrations/{id}/confirm",
    "/api/v1/registrations/{id}/reject",
    "/api/v1/registrations/{id}/end",
    "/api/v1/unit-registrations",
    "/api/v1/unit-registrations/{id}",
    "/api/v1/unit-registrations/{id}/confirm",
    "/api/v1/unit-registrations/{id}/reject",
    "/api/v1/unit-registrations/{id}/end",
    "/api/v1/needs",
    "/api/v1/needs/{id}",
    *(
        f"/api/v1/needs/{{id}}/{action}"
        for action in (
            "publish",
            "decline",
            "merge",
            "assign",
            "claim",
            "withdraw",
            "complete",
            "confirm",
            "dispute",
            "reopen",
            "close",
            "photos",
        )
    ),
    "/api/v1/needs/{id}/photos/{photo_pk}",
    "/api/v1/me/claims",
    "/api/v1/me/records",
    "/api/v1/records/{id}/reverse",
    "/api/v1/me/notices",
    "/api/v1/me/notices/{id}/read",
    "/api/v1/me/notices/read-all",
    "/api/v1/activities",
    "/api/v1/activities/{id}",
    *(
        f"/api/v1/activities/{{id}}/{action}"
        for action in (
            "signup",
            "cancel",
            "checkin-code",
            "checkin",
            "checkout",
            "attendance",
            "close",
            "call-off",
        )
    ),
    "/api/v1/me/points",
    "/api/v1/certificates",
    "/api/v1/certificates/{number}/verify",
    "/api/v1/certificates/{number}/pdf",
]


PATHS += [
    "/api/v1/policy",
    "/api/v1/circulars",
    "/api/v1/appraisals/runs",
    "/api/v1/appraisals",
    *(
        f"/api/v1/appraisals/{{id}}/{action}"
        for action in ("self-assess", "evaluate", "finalise", "appeal", "answer")
    ),
    "/api/v1/units/{code}/feedback",
    "/api/v1/preappointment-checks",
    "/api/v1/preappointment-checks/{id}/answer",
    "/api/v1/dashboard",
]


@pytest.fixture
def schema(db, anon):
    r = anon.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    return r.json()


def test_it_publishes_a_valid_openapi_document_with_every_path(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert set(PATHS) <= set(schema["paths"])


def test_it_documents_requests_responses_and_errors(schema):
    paths = schema["paths"]
    token = paths["/api/v1/auth/token"]["post"]
    assert token["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TokenInRequest")
    assert {"200", "400", "401", "429"} <= set(token["responses"])
    assert "security" not in token  # signing in needs no token
    members = paths["/api/v1/members"]["get"]
    assert {"bearerAuth": []} in members["security"]
    assert {p["name"] for p in members["parameters"]} >= {
        "community",
        "unit",
        "skill",
        "registered",
        "grid",
        "page",
    }
    assert members["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PaginatedMemberOutList"
    )
    apply = paths["/api/v1/registrations"]["post"]
    assert {"201", "400", "401", "404", "409"} <= set(apply["responses"])
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"error", "detail", "fields"}
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "POST /api/v1/auth/token 取得的令牌",
    }


def test_it_renders_the_docs_without_external_assets(db, anon):
    r = anon.get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "the docs must not load anything from a CDN"
    script = re.search(r'<script src="([^"]+\?[^"]*script[^"]*)"', html)
    assert script is not None, "the start-up script is served as a file (no inline script under our CSP)"
    js = anon.get(script.group(1).replace("&amp;", "&"))
    assert js.status_code == 200
    assert "/api/schema/" in js.content.decode()
    assert "http://" not in js.content.decode() and "https://" not in js.content.decode()


def test_the_schema_generates_without_a_warning(db):
    """Two components with one name, or two operations with one id, make clients generated from the document
    wrong: drf-spectacular only warns, so the suite fails on its warnings."""
    from io import StringIO

    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO(), stderr=StringIO())
