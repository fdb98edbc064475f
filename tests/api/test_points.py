"""The caller's points through the API, `GET /api/v1/me/points`: the balance and the entries behind it, each
traceable to its rule and its record or activity."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.activities.services import activity_close, activity_signup, attendance_record
from baodao.ledger.models import ServiceRecord
from baodao.ledger.services import record_reverse
from baodao.needs.services import need_confirm
from tests.api.activity_cases import activity, assert_refused, client_for, ended, member_registered
from tests.api.need_cases import completed_wish

pytestmark = pytest.mark.django_db

POINTS = "/api/v1/me/points"


def attended(w, hours="2", title="楼道清扫", **kw):
    """The world's member served `hours` at an activity of C1, recorded by the organiser."""
    member = member_registered(w)
    a = ended(activity(w, title=title, **kw))
    attendance_record(
        actor=w.users["community_admin"], activity=a, member=member, reason="现场登记", hours=hours
    )
    return a


def test_it_refuses_anonymous_callers(anon, w):
    assert_refused(anon.get(POINTS), 401, "unauthenticated")


def test_someone_who_is_not_a_member_has_no_points(w):
    attended(w)
    r = client_for(w.users["community_admin"]).get(POINTS)
    assert r.status_code == 200, r.content
    assert r.json() == {"balance": "0.00", "count": 0, "next": None, "previous": None, "entries": []}


def test_a_member_sees_only_its_own_points(w):
    attended(w)
    r = client_for(w.users["other_member"]).get(POINTS)
    assert (r.json()["balance"], r.json()["entries"]) == ("0.00", [])


def test_it_traces_each_entry_to_its_rule_and_activity(w):
    a = attended(w, hours="2.5")
    r = client_for(w.users["member"]).get(POINTS)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer["balance"] == "25.00"
    (entry,) = answer["entries"]
    record = ServiceRecord.objects.get()
    assert set(entry) == {
        "id",
        "rule",
        "rule_label",
        "rate",
        "points",
        "year",
        "record",
        "activity",
        "created_at",
    }
    assert (entry["rule"], entry["rule_label"], entry["rate"], entry["points"]) == (
        "per_hour",
        "服务时长",
        "10.00",
        "25.00",
    )
    assert entry["record"] == {"id": record.pk, "title": "楼道清扫"}
    assert entry["activity"] == {"id": a.pk, "title": "楼道清扫"}
    assert entry["year"] == record.served_at.year


def test_it_shows_a_needs_points_a_no_show_and_a_reversal(w):
    need = completed_wish(w)  # the member's claim, reported done
    need_confirm(actor=w.users["resident"], need=need, rating=5)
    absent = activity(w, title="缺席的活动")
    activity_signup(actor=w.users["member"], activity=absent)
    ended(absent)
    activity_close(actor=w.users["community_admin"], activity=absent, forgotten_checkout="end")
    served = attended(w, hours="1", title="被冲销的活动", hours_ahead=30)
    record = ServiceRecord.objects.get(activity=served)
    record_reverse(actor=w.users["community_admin"], record=record, reason="未实际到场")

    answer = client_for(w.users["member"]).get(POINTS).json()
    rows = [
        (e["rule"], e["points"], e["record"] and e["record"]["title"], e["activity"])
        for e in answer["entries"]
    ]
    by_rule = {}
    for rule, points, title, act in rows:
        by_rule.setdefault(rule, []).append((points, title, act and act["title"]))
    assert by_rule["per_need"] == [("5.00", "修水龙头", None)]
    assert by_rule["rating_bonus"] == [("2.00", "修水龙头", None)]
    assert by_rule["no_show"] == [("-5.00", None, "缺席的活动")]
    assert ("10.00", "被冲销的活动", "被冲销的活动") in by_rule["per_hour"]
    assert by_rule["reversal"] == [("-10.00", "被冲销的活动", "被冲销的活动")]
    total = sum(Decimal(e["points"]) for e in answer["entries"])
    assert Decimal(answer["balance"]) == total
    assert answer["count"] == len(answer["entries"])


def test_it_pages_the_entries_newest_first(w):
    for i in range(3):
        attended(w, hours="1", title=f"活动{i}", hours_ahead=24 * (i + 1))
    client = client_for(w.users["member"])
    first = client.get(POINTS, {"page_size": 2}).json()
    assert (first["balance"], first["count"], len(first["entries"])) == ("30.00", 3, 2)
    assert [e["activity"]["title"] for e in first["entries"]] == ["活动2", "活动1"]
    assert first["next"].startswith("http://testserver/api/v1/me/points?")
    second = client.get(first["next"]).json()
    assert [e["activity"]["title"] for e in second["entries"]] == ["活动0"]
    assert second["next"] is None and second["previous"] is not None
    assert_refused(client.get(POINTS, {"page": 9}), 404, "not_found")


def test_it_keeps_the_number_of_queries_flat(w, django_assert_max_num_queries):
    client = client_for(w.users["member"])
    attended(w, hours="1", title="活动0", hours_ahead=24)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(POINTS)
        assert r.status_code == 200
        return len(ctx.captured_queries), r

    client.get(POINTS)  # the first request also stamps the token's last use
    few, _ = count()
    for i in range(1, 8):
        attended(w, hours="1", title=f"活动{i}", hours_ahead=24 * (i + 1))
    absent = activity(w, title="缺席", hours_ahead=24 * 20)
    activity_signup(actor=w.users["member"], activity=absent)
    ended(absent)
    activity_close(actor=w.users["community_admin"], activity=absent, forgotten_checkout="none")
    with django_assert_max_num_queries(8):
        many, r = count()
    assert many == few
    assert r.json()["count"] == 9
