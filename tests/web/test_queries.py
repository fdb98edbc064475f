"""Every list page answers with a bounded number of queries: more rows, not more queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.accounts.models import Role
from baodao.registration.services import registration_apply, registration_end, unit_registration_apply
from tests import factories

MAX_QUERIES = 15

LIST_PAGES = [
    ("community_admin", "/community/C1/registrations/"),
    ("community_admin", "/community/C1/members/"),
    ("community_admin", "/community/C1/members/?skill=repair&grid=C1G1"),
    ("community_admin", "/community/C1/unit-registrations/"),
    ("community_admin", "/grid/C1G1/members/"),
    ("grid_worker", "/grid/C1G1/members/?status=registered"),
    ("unit_admin", "/unit/U1/members/"),
    ("unit_admin", "/unit/U1/unit-registrations/"),
    ("street_admin", "/coverage/S1/"),
    ("street_admin", "/coverage/S1/?by=community"),
    ("district_admin", "/coverage/D1/"),
    ("member", "/me/"),
    (None, "/c/C1/"),
]


def grow(w, start, count):
    """Add `count` of everything the list pages show: members (half registered, half pending), units with a
    unit registration, communities, and a past registration of the world's member."""
    admin = w.users["community_admin"]
    for i in range(start, start + count):
        m = factories.member(
            w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name=f"党员{i}", skills=("repair",)
        )
        if i % 2:
            factories.registered(m, w.r("C1"), w.r("C1G1"), by=admin)
        else:
            registration_apply(member=m, community=w.r("C1"), grid=w.r("C1G1"))
        unit = factories.unit(f"X{i}", w.r("S1"), f"共建单位{i}")
        unit_admin = factories.user(Role.UNIT_ADMIN, unit_=unit)
        unit_registration_apply(actor=unit_admin, unit=unit, community=w.r("C1"), commitments="共建")
        factories.region(f"N{i}", f"新社区{i}", w.r("S1"))
        mine = registration_apply(member=w.members["member"], community=w.r("C1"), grid=w.r("C1G1"))
        registration_end(actor=w.users["member"], registration=mine, reason="测试")


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("role,url", LIST_PAGES)
def test_it_keeps_the_number_of_queries_flat(client, as_user, w, django_assert_max_num_queries, role, url):
    if role:
        client = as_user(w.users[role])
    grow(w, 0, 2)
    client.get(url)  # warm up
    few = queries(client, url)
    grow(w, 2, 12)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"
