"""The service ledger through the API: a member's own rows (`/me/records`), its claims (`/me/claims`), and the
correction of a row by a reversing entry — never an edit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.ledger.models import ServiceRecord
from baodao.needs.services import need_claim, need_complete, need_confirm
from tests import factories
from tests.api.need_cases import client_for, completed_wish, member_registered, task, unit_co_builds, url

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/me/records"
CLAIMS = "/api/v1/me/claims"


def reverse_url(record):
    return f"/api/v1/records/{record.pk if hasattr(record, 'pk') else record}/reverse"


@pytest.fixture
def record(w):
    """The world's member fixed a resident's tap; the resident confirmed it with 5 stars."""
    need = completed_wish(w)
    need_confirm(actor=w.users["resident"], need=need, rating=5, comment="谢谢")
    return ServiceRecord.objects.get()


def test_it_refuses_anonymous_callers(w, anon, record):
    assert anon.get(RECORDS).status_code == 401
    assert anon.get(CLAIMS).status_code == 401
    r = anon.post(reverse_url(record), {"reason": "录错了"}, format="json")
    assert r.status_code == 401
    assert ServiceRecord.objects.count() == 1


def test_it_lists_the_members_own_records(w, record):
    r = client_for(w.users["member"]).get(RECORDS)
    assert r.status_code == 200
    (row,) = r.json()["results"]
    assert row["id"] == record.pk
    assert row["need"] == {"id": record.need_id, "title": "修水龙头"}
    assert row["activity"] is None and row["mobilization"] is None
    assert row["hours"] == "1.5"
    assert row["verified_by"] == "服务对象确认"  # the resident served is never named in the ledger
    assert (row["title"], row["category"], row["rating"]) == ("修水龙头", "repair", 5)
    assert row["reverses"] is None and row["reversed_by"] is None
    assert row["member"] == {"id": w.members["member"].pk, "name": "李明"}
    assert row["community"] == {"code": "C1", "name": "幸福社区"}
    assert row["created_at"] and row["served_at"]


def test_it_names_the_staff_who_verified_a_row(w):
    need = task(w, places=1)
    member_registered(w)
    need_claim(actor=w.users["member"], need=need)
    need_complete(actor=w.users["member"], need=need, note="完成", hours=1)
    need_confirm(actor=w.users["community_admin"], need=need, rating=5)
    (row,) = client_for(w.users["member"]).get(RECORDS).json()["results"]
    assert row["verified_by"] == "社区书记"


def test_it_shows_nobody_elses_records(w, record):
    for name in ("other_member", "resident", "community_admin"):
        r = client_for(w.users[name]).get(RECORDS)
        assert r.status_code == 200
        assert r.json()["results"] == [], name


def test_it_lets_the_community_reverse_a_record(w, record):
    r = client_for(w.users["community_admin"]).post(
        reverse_url(record), {"reason": "时长录错了"}, format="json"
    )
    assert r.status_code == 201, r.content
    reversal = r.json()
    assert reversal["reverses"] == record.pk
    assert reversal["hours"] == "-1.5"
    assert reversal["reason"] == "时长录错了"
    assert reversal["verified_by"] == "社区书记"
    rows = client_for(w.users["member"]).get(RECORDS).json()["results"]
    assert {row["id"] for row in rows} == {record.pk, reversal["id"]}
    original = next(row for row in rows if row["id"] == record.pk)
    assert original["reversed_by"] == reversal["id"]
    assert original["hours"] == "1.5"  # the row itself never changes
    assert sum(float(row["hours"]) for row in rows) == 0


def test_reverse_refusals(w, record):
    admin = client_for(w.users["community_admin"])
    missing = admin.post(reverse_url(record), {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"reason": ["该字段是必填项。"]}
    blank = admin.post(reverse_url(record), {"reason": "  "}, format="json")
    assert blank.status_code == 400
    for name in ("street_admin", "member"):  # they see the record, but did not verify it
        r = client_for(w.users[name]).post(reverse_url(record), {"reason": "不对"}, format="json")
        assert r.status_code == 403, name
        assert r.json()["detail"] == "只有记录所在社区的管理员可以冲销服务记录。"
    for name in ("other_community_admin", "far_community_admin", "other_member"):
        r = client_for(w.users[name]).post(reverse_url(record), {"reason": "不对"}, format="json")
        assert r.status_code == 404, name
        assert r.json()["detail"] == "没有找到该服务记录。"
    assert admin.post(reverse_url(999999), {"reason": "不对"}, format="json").status_code == 404
    assert ServiceRecord.objects.count() == 1
    reversal = admin.post(reverse_url(record), {"reason": "录错了"}, format="json").json()
    twice = admin.post(reverse_url(record), {"reason": "再冲一次"}, format="json")
    assert twice.status_code == 409
    assert twice.json()["error"] == "already_reversed"
    of_reversal = admin.post(reverse_url(reversal["id"]), {"reason": "冲销冲销"}, format="json")
    assert of_reversal.status_code == 409
    assert of_reversal.json()["error"] == "illegal_transition"
    assert ServiceRecord.objects.count() == 2


def test_it_offers_no_way_to_edit_or_delete_a_record(w, record):
    admin = client_for(w.users["community_admin"])
    for method in ("put", "patch", "delete"):
        assert getattr(admin, method)(reverse_url(record), {"hours": "9"}, format="json").status_code == 405
    assert admin.get(f"/api/v1/records/{record.pk}").status_code == 404


# ---- /me/claims -----------------------------------------------------------------------------------------


def test_it_lists_the_callers_claims_with_their_needs(w):
    need = completed_wish(w)
    other = task(w, places=3)
    need_claim(actor=w.users["member"], need=other)
    r = client_for(w.users["member"]).get(CLAIMS)
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["need"]["id"] for row in rows] == [other.pk, need.pk]  # newest first
    assert rows[1]["need"] == {
        "id": need.pk,
        "title": "修水龙头",
        "kind": "wish",
        "kind_label": "微心愿",
        "status": "completed",
        "status_label": "待确认",
        "community": {"code": "C1", "name": "幸福社区"},
        "due_at": None,
    }
    assert (rows[1]["status"], rows[1]["hours"]) == ("completed", "1.5")
    filtered = client_for(w.users["member"]).get(CLAIMS, {"status": "active"}).json()["results"]
    assert [row["need"]["id"] for row in filtered] == [other.pk]
    bad = client_for(w.users["member"]).get(CLAIMS, {"status": "nope"})
    assert bad.status_code == 400 and "status" in bad.json()["fields"]
    for name in ("other_member", "resident", "community_admin"):
        assert client_for(w.users[name]).get(CLAIMS).json()["results"] == [], name


def test_it_lists_the_claims_of_a_unit_admins_units(w):
    need = task(w)
    unit_co_builds(w)
    need_claim(actor=w.users["unit_admin"], need=need, unit=w.units["U1"])
    rows = client_for(w.users["unit_admin"]).get(CLAIMS).json()["results"]
    assert [(row["need"]["id"], row["unit"]["code"]) for row in rows] == [(need.pk, "U1")]
    assert client_for(w.users["other_unit_admin"]).get(CLAIMS).json()["results"] == []


# ---- a bounded number of queries ------------------------------------------------------------------------


def serve_many(w, n, start):
    """n more tasks, each claimed, done and confirmed by the world's member, with a notice each."""
    for i in range(start, start + n):
        need = task(w, places=1, title=f"任务{i}")
        need_claim(actor=w.users["member"], need=need)
        need_complete(actor=w.users["member"], need=need, note="完成", hours=1)
        need_confirm(actor=w.users["community_admin"], need=need, rating=5)


@pytest.mark.parametrize("path", [RECORDS, CLAIMS, "/api/v1/me/notices"])
def test_it_keeps_the_number_of_queries_flat(w, path, django_assert_max_num_queries):
    member_registered(w)
    client = client_for(w.users["member"])
    serve_many(w, 3, 0)
    client.get(path)  # the first request also stamps the token's last use
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    serve_many(w, 12, 3)
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        r = client.get(path)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(r.json()["results"]) >= 15


def test_a_unit_that_served_as_a_whole_is_not_in_a_members_records(w):
    need = task(w, places=1)
    unit_co_builds(w)
    need_claim(actor=w.users["unit_admin"], need=need, unit=w.units["U1"])
    need_complete(actor=w.users["unit_admin"], need=need, note="单位集体完成", hours=4)
    need_confirm(actor=w.users["community_admin"], need=need, rating=4)
    member = factories.member(w.units["U1"], community=w.r("C1"), name="税务局党员")
    assert client_for(member.user).get(RECORDS).json()["results"] == []
    assert client_for(w.users["community_admin"]).get(url(need)).json()["status"] == "closed"


def test_rows_of_an_activity_and_of_an_emergency_name_where_the_service_was(w):
    from datetime import timedelta

    from django.utils import timezone

    from baodao.activities.services import attendance_record
    from tests.activities.helpers import activity as make_activity
    from tests.activities.helpers import cast_of, into_the_past, signed_up
    from tests.mobilizations.helpers import activate, check_in, check_out, emergency_post, hold

    c = cast_of(w)
    act = make_activity(c, title="周末清洁")
    signed_up(act, c.member)
    into_the_past(act)
    attendance_record(actor=c.admin, activity=act, member=c.member, reason="现场登记", hours="2")
    post = emergency_post(c)
    hold(c, post, c.member)
    mob = activate(c, posts=[(post, 3)], title="暴雨防汛")
    start = timezone.now() - timedelta(hours=2)
    check_in(mob, c.member, start)
    check_out(mob, c.member, start + timedelta(hours=1))

    rows = client_for(w.users["member"]).get(RECORDS).json()["results"]
    by_source = {row["source"]: row for row in rows}
    assert by_source["activity"]["activity"] == {"id": act.pk, "title": "周末清洁"}
    assert by_source["activity"]["mobilization"] is None
    assert by_source["emergency"]["mobilization"] == {"id": mob.pk, "title": "暴雨防汛"}
    assert by_source["emergency"]["activity"] is None and by_source["emergency"]["need"] is None
    assert by_source["emergency"]["hours"] == "1.0"
