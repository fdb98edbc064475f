"""The needs pages of members, residents and units answer with a bounded number of queries: more rows, not
more queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.needs.services import need_claim, need_complete, need_confirm, need_photo_add
from baodao.notify.services import notify
from tests import factories
from tests.web import needs_web_data as d

#: a member's pages also look up its calls to emergencies still on, for the banner (one query)
MAX_QUERIES = 16


@pytest.fixture
def scene(w):
    d.with_member(w)
    d.co_build(w)
    return {"detail": d.task(w, "环境整治", places=100)}


def grow(w, scene, start, count):
    """Add `count` of everything the pages show: needs to take, claims in every state, ledger rows, photos,
    notices, timeline events, and registered members to assign."""
    task = scene["detail"]
    for i in range(start, start + count):
        d.published(w, f"心愿{i}", skills=("legal",))
        d.task(w, f"任务{i}", places=2)
        need = d.claimed(w, f"认领{i}")
        if i % 2:
            need_complete(actor=w.users["member"], need=need, note="好了", hours="1")
            need_confirm(actor=w.users["resident"], need=need, rating=5)
        unit_need = d.task(w, f"单位任务{i}")
        need_claim(actor=w.users["unit_admin"], need=unit_need, unit=w.units["U1"])
        need_photo_add(actor=w.users["resident"], need=d.wish(w, f"照片{i}"), content=d.PNG)
        notify(users=[w.users["member"], w.users["resident"]], title=f"消息{i}", url="/needs/")
        helper = factories.member(w.units["U2"], community=w.r("C1"), name=f"党员{i}")
        factories.registered(helper, w.r("C1"), by=w.users["community_admin"])
        need_claim(actor=helper.user, need=task)


PAGES = [
    ("member", "/needs/"),
    ("member", "/needs/?kind=wish"),
    ("member", "/me/claims/"),
    ("member", "/me/records/"),
    ("member", "/inbox/"),
    ("unit_admin", "/needs/"),
    ("unit_admin", "/me/claims/"),
    ("resident", "/me/needs/"),
    ("resident", "/inbox/"),
    ("community_admin", "detail"),
    ("member", "detail"),
]


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("role,url", PAGES)
def test_it_keeps_the_number_of_queries_flat(as_user, w, scene, django_assert_max_num_queries, role, url):
    if url == "detail":
        url = f"/needs/{scene['detail'].pk}/"
    client = as_user(w.users[role])
    grow(w, scene, 0, 2)
    client.get(url)  # warm up
    few = queries(client, url)
    grow(w, scene, 2, 8)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"
