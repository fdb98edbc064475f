"""The needs pages answer with a bounded number of queries: more needs and records, not more queries. And they
work offline under the Content Security Policy, with every input labelled."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baodao.needs.models import Need
from baodao.needs.services import (
    need_claim,
    need_complete,
    need_confirm,
    need_dispute,
    need_escalate,
    need_publish,
    need_submit,
)
from tests import factories
from tests.web.test_queries import MAX_QUERIES

PAGES = [
    ("community_admin", "/community/C1/needs/"),
    ("community_admin", "/community/C1/needs/?kind=wish&status=closed&grid=C1G1&overdue=on"),
    ("street_admin", "/community/C1/needs/?since=2020-01-01"),
    ("community_admin", "/community/C1/needs/vetting/"),
    ("community_admin", "/community/C1/records/"),
    ("street_admin", "/community/C1/records/?since=2020-01-01"),
    ("grid_worker", "/grid/C1G1/needs/"),
    ("street_admin", "/needs/stats/S1/"),
    ("district_admin", "/needs/stats/D1/?until=2099-01-01"),
    (None, "/c/C1/board/"),
]


def grow(w, start, count):
    """Per round: a member registered in C1 who fulfils a resident's wish (closed, rated, commented, on the
    ledger); a request waiting to be vetted past its time (escalated); one taken down by the grid worker and
    reported done; and one disputed."""
    admin, resident, worker = w.users["community_admin"], w.users["resident"], w.users["grid_worker"]
    where = {"community": w.r("C1"), "grid": w.r("C1G1")}
    for i in range(start, start + count):
        m = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name=f"党员{i}")
        factories.registered(m, w.r("C1"), w.r("C1G1"), by=admin)
        for title, by, extra in (
            (f"心愿{i}", resident, {}),
            (f"代办{i}", worker, {"contact_name": f"居民{i}"}),
            (f"异议{i}", resident, {}),
        ):
            need = need_submit(actor=by, kind="wish", title=title, category="repair", **where, **extra)
            need_publish(actor=admin, need=need)
            need_claim(actor=m.user, need=need)
            need_complete(actor=m.user, need=need, note="好了", hours="1")
            if title.startswith("心愿"):
                need_confirm(actor=resident, need=need, rating=4, comment=f"谢谢{i}")
            elif title.startswith("异议"):
                need_dispute(actor=resident, need=need, reason="没修好")
        late = need_submit(actor=resident, kind="request", title=f"诉求{i}", category="safety", **where)
        Need.objects.filter(pk=late.pk).update(respond_by=timezone.now() - timedelta(hours=1))
        need_escalate(need_id=late.pk)


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_it_keeps_the_number_of_queries_flat(client, as_user, w, django_assert_max_num_queries, role, url):
    if role:
        client = as_user(w.users[role])
    grow(w, 0, 2)
    client.get(url)  # warm up
    few = queries(client, url)
    grow(w, 2, 6)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"


ASSET_PAGES = [*PAGES, ("community_admin", "/community/C1/needs/new/")]


@pytest.mark.parametrize(("role", "url"), ASSET_PAGES)
def test_it_uses_only_local_assets_no_inline_code_and_labels_every_input(client, as_user, w, role, url):
    if role:
        client = as_user(w.users[role])
    grow(w, 0, 1)
    r = client.get(url)
    html = r.text
    assert '<link rel="stylesheet" href="/static/web/site.css">' in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert "<script" not in html and " style=" not in html and "<style" not in html
    ids = set(re.findall(r'<label for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        field_id = re.search(r'id="([^"]+)"', tag)
        assert field_id and field_id.group(1) in ids, f"unlabelled {tag} on {url}"
