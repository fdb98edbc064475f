from datetime import date
from decimal import Decimal

import pytest

from baodao.policy.models import Policy
from tests import factories


@pytest.fixture
def seventy_percent(w):
    """U1 has 10 members on record living in C1, 7 of them registered there (the world's member included)."""
    admin = w.users["community_admin"]
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=admin)
    for i in range(9):
        m = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name=f"党员{i}")
        if i < 6:
            factories.registered(m, w.r("C1"), w.r("C1G2"), by=admin)


def test_it_refuses_anonymous_callers(w, anon):
    assert anon.get("/api/v1/units/U1/coverage").status_code == 401
    assert anon.get("/api/v1/coverage", {"region": "S1"}).status_code == 401


def test_it_gives_a_units_coverage_as_fractions(w, api_as, seventy_percent):
    r = api_as(w.users["unit_admin"]).get("/api/v1/units/U1/coverage")
    assert r.status_code == 200
    assert r.json() == {
        "members": 10,
        "registered": 7,
        "rate": 0.7,
        "threshold": 0.9,
        "below_threshold": True,
    }


def test_it_reads_the_threshold_from_the_districts_policy(w, api_as, seventy_percent):
    Policy.objects.create(
        district=w.r("D1"), effective_from=date(2020, 1, 1), coverage_threshold=Decimal("0.6")
    )
    body = api_as(w.users["street_admin"]).get("/api/v1/units/U1/coverage").json()
    assert (body["threshold"], body["below_threshold"]) == (0.6, False)


def test_it_has_no_rate_without_members(w, api_as):
    body = api_as(w.users["district_admin"]).get("/api/v1/units/U3/coverage").json()
    assert body == {"members": 0, "registered": 0, "rate": None, "threshold": 0.9, "below_threshold": False}


def test_it_does_not_find_another_units_coverage(w, api_as):
    assert api_as(w.users["unit_admin"]).get("/api/v1/units/U2/coverage").status_code == 404
    assert api_as(w.users["street_admin"]).get("/api/v1/units/U4/coverage").status_code == 404


def test_it_ranks_units_worst_first(w, api_as, seventy_percent):
    r = api_as(w.users["street_admin"]).get("/api/v1/coverage", {"region": "S1"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    assert body["results"] == [
        {
            "code": "U2",
            "name": "区人民医院",
            "members": 1,
            "registered": 0,
            "rate": 0.0,
            "threshold": 0.9,
            "below_threshold": True,
        },
        {
            "code": "U1",
            "name": "区税务局",
            "members": 10,
            "registered": 7,
            "rate": 0.7,
            "threshold": 0.9,
            "below_threshold": True,
        },
    ]


def test_it_ranks_communities_worst_first(w, api_as, seventy_percent):
    r = api_as(w.users["district_admin"]).get("/api/v1/coverage", {"region": "D1", "by": "community"})
    assert r.status_code == 200
    rows = [(x["code"], x["members"], x["registered"], x["rate"]) for x in r.json()["results"]]
    assert rows == [("C2", 1, 0, 0.0), ("C1", 10, 7, 0.7), ("C3", 0, 0, None)]


def test_it_paginates_the_ranking(w, api_as, seventy_percent):
    body = api_as(w.users["district_admin"]).get("/api/v1/coverage", {"region": "D1", "page_size": 1}).json()
    assert body["count"] == 3
    assert body["next"] is not None
    assert body["previous"] is None
    assert [x["code"] for x in body["results"]] == ["U2"]


def test_it_does_not_find_a_region_the_caller_does_not_oversee(w, api_as):
    assert api_as(w.users["street_admin"]).get("/api/v1/coverage", {"region": "S2"}).status_code == 404
    assert api_as(w.users["community_admin"]).get("/api/v1/coverage", {"region": "S1"}).status_code == 404
    assert api_as(w.users["district_admin"]).get("/api/v1/coverage", {"region": "D2"}).status_code == 404
    assert api_as(w.users["unit_admin"]).get("/api/v1/coverage", {"region": "S1"}).status_code == 404


def test_it_explains_bad_parameters_in_chinese(w, api_as):
    client = api_as(w.users["district_admin"])
    missing = client.get("/api/v1/coverage")
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"region": ["该字段是必填项。"]}
    bad_by = client.get("/api/v1/coverage", {"region": "D1", "by": "grid"})
    assert bad_by.status_code == 400
    assert bad_by.json()["fields"]["by"] == ["“grid” 不是合法选项。"]
