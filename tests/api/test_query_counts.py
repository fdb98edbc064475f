"""Every list endpoint answers with a bounded number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.registration.services import registration_apply, registration_confirm, unit_registration_apply
from tests import factories

#: (path, query string, who asks)
LISTS = [
    ("/api/v1/members", {}, "street_admin"),
    ("/api/v1/members", {"community": "C1", "skill": "it", "registered": "false"}, "community_admin"),
    ("/api/v1/registrations", {}, "street_admin"),
    ("/api/v1/registrations", {"status": "pending"}, "community_admin"),
    ("/api/v1/units", {}, "street_admin"),
    ("/api/v1/unit-registrations", {}, "community_admin"),
    ("/api/v1/regions", {}, "member"),
    ("/api/v1/coverage", {"region": "S1"}, "street_admin"),
    ("/api/v1/coverage", {"region": "D1", "by": "community"}, "district_admin"),
    ("/api/v1/skills", {}, "member"),
]
MAX_QUERIES = 8  # token, grants, member, count, page, and a few per-endpoint lookups


def grow(w, start, n):
    """n more units, each with a member living in C1 (half of them registered), a unit registration, a grid
    and a community."""
    for i in range(start, start + n):
        unit = factories.unit(f"X{i}", w.r("S1"))
        m = factories.member(unit, community=w.r("C1"), grid=w.r("C1G2"), name=f"党员{i}", skills=("it",))
        reg = registration_apply(member=m, community=w.r("C1"), grid=w.r("C1G2"), address=f"{i}栋")
        if i % 2:
            registration_confirm(actor=w.users["community_admin"], registration=reg)
        unit_registration_apply(
            actor=w.users["street_admin"], unit=unit, community=w.r("C1"), commitments="共建"
        )
        factories.region(f"G{i}", parent=w.r("C1"))
        factories.region(f"N{i}", parent=w.r("S1"))


def queries(client, path, params):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path, params)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries), r


@pytest.mark.parametrize(("path", "params", "role"), LISTS)
def test_it_keeps_the_number_of_queries_flat(w, api_as, django_assert_max_num_queries, path, params, role):
    client = api_as(w.users[role])
    grow(w, 0, 5)
    client.get(path, params)  # the first request also stamps the token's last use
    few, _ = queries(client, path, params)
    grow(w, 5, 15)
    with django_assert_max_num_queries(MAX_QUERIES):
        many, r = queries(client, path, params)
    assert many == few
    body = r.json()
    results = body if isinstance(body, list) else body["results"]
    assert len(results) >= 10  # the rows really are there
