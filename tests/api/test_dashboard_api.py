"""`GET /api/v1/dashboard`: exact figures for a crafted quarter, drill-down, trend, scope for every role, and
no read of the ledger."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.stats.helpers import at, crafted, enrol, serve

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard"


@pytest.fixture
def data(w):
    return crafted(w)


def get(api_as, user, **params):
    return api_as(user).get(URL, params)


def test_the_active_are_a_part_of_the_registered(w, api_as):
    """Two unregistered members serve in an emergency and one registered member stays idle: none of the
    registered is active (0 %, never 200 %)."""
    from baodao.ledger.models import Source

    for name in ("未报到甲", "未报到乙"):
        m = factories.member(w.units["U1"], community=w.r("C3"), grid=w.r("C3G1"), name=name)
        serve(w, m, at(2026, 7, 3), source=Source.EMERGENCY)
    idle = factories.member(w.units["U1"], community=w.r("C3"), grid=w.r("C3G1"), name="已报到")
    enrol(w, idle)
    body = get(api_as, w.users["district_admin"], region="C3", period="2026Q3").json()
    assert (body["registered"], body["active"], body["active_rate"], body["services"]) == (1, 0, 0.0, 2)


def test_the_district_figures_for_a_crafted_quarter(w, data, api_as):
    answer = get(api_as, w.users["district_admin"], region="D1", period="2026Q3")
    assert answer.status_code == 200
    body = answer.json()
    assert body["region"] == {"code": "D1", "name": "东湖区", "level": "district"}
    assert body["period"] == "2026Q3"
    assert (body["members"], body["registered"], body["coverage"]) == (3, 2, 0.6667)
    assert (body["active"], body["active_rate"]) == (2, 1.0)
    assert (body["services"], body["hours"], body["rating"]) == (3, 7.0, 4.0)
    assert body["needs"] == {"closed": 2, "on_time": 1, "on_time_rate": 0.5}
    assert body["emergency"] == {
        "called": 3,
        "answered": 2,
        "arrived": 1,
        "response_rate": 0.6667,
        "arrival_rate": 0.3333,
    }


def test_drill_down_gives_each_child_its_share(w, data, api_as):
    body = get(api_as, w.users["district_admin"], region="D1", period="2026Q3").json()
    children = {c["code"]: c for c in body["children"]}
    assert set(children) == {"S1", "S2"}
    assert (children["S1"]["services"], children["S1"]["members"], children["S1"]["active"]) == (3, 3, 2)
    assert (children["S2"]["services"], children["S2"]["members"], children["S2"]["coverage"]) == (0, 0, None)
    c1 = get(api_as, w.users["community_admin"], region="C1", period="2026Q3").json()
    grids = {c["code"]: c for c in c1["children"]}
    assert (grids["C1G1"]["services"], grids["C1G1"]["hours"], grids["C1G1"]["rating"]) == (2, 3.0, 4.0)
    assert (grids["C1G2"]["members"], grids["C1G2"]["registered"], grids["C1G2"]["active"]) == (1, 0, 0)
    assert grids["C1G1"]["needs"]["closed"] == 2


def test_the_trend_shows_the_twelve_months_to_the_quarters_end(w, data, api_as):
    trend = get(api_as, w.users["district_admin"], region="D1", period="2026Q3").json()["trend"]
    assert [t["month"] for t in trend][:1] + [t["month"] for t in trend][-1:] == ["2025-10", "2026-09"]
    assert len(trend) == 12
    by = {t["month"]: (t["services"], t["hours"], t["active"]) for t in trend}
    assert by["2026-06"] == (1, 1.5, 1)
    assert by["2026-07"] == (2, 3.0, 1)
    assert by["2026-08"] == (0, 0.0, 0)
    assert by["2026-09"] == (1, 4.0, 1)
    year = get(api_as, w.users["district_admin"], region="D1", period="2026").json()
    assert [t["month"] for t in year["trend"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert (year["services"], year["active"]) == (4, 2)


def test_a_unit_dashboard(w, data, api_as):
    body = get(api_as, w.users["unit_admin"], unit="U1", period="2026Q3").json()
    assert body["unit"]["code"] == "U1"
    assert (body["members"], body["registered"], body["active"], body["services"]) == (2, 1, 1, 2)
    assert body["children"] == []
    assert body["emergency"]["called"] == 2


def test_the_dashboard_reads_no_ledger_and_a_bounded_number_of_queries(w, data, api_as):
    client = api_as(w.users["district_admin"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"region": "D1", "period": "2026Q3"}).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "ledger_servicerecord" not in sql
    assert len(queries) <= 16


@pytest.mark.parametrize(
    ("who", "params", "status"),
    [
        ("district_admin", {"region": "C1"}, 200),
        ("street_admin", {"region": "S1"}, 200),
        ("street_admin", {"region": "S2"}, 404),
        ("street_admin", {"region": "D1"}, 404),
        ("community_admin", {"region": "C1"}, 200),
        ("community_admin", {"region": "C2"}, 404),
        ("grid_worker", {"region": "C1G1"}, 200),
        ("grid_worker", {"region": "C1"}, 404),
        ("far_community_admin", {"region": "C1"}, 404),
        ("unit_admin", {"unit": "U1"}, 200),
        ("unit_admin", {"unit": "U2"}, 404),
        ("street_admin", {"unit": "U1"}, 200),
        ("member", {"region": "C1"}, 404),
        ("resident", {"region": "C1"}, 404),
        ("district_admin", {"region": "NOPE"}, 404),
    ],
)
def test_scope(w, api_as, who, params, status):
    assert get(api_as, w.users[who], **params).status_code == status


def test_defaults_are_the_callers_own_region_or_unit_and_the_current_quarter(w, api_as):
    body = get(api_as, w.users["street_admin"]).json()
    assert body["region"]["code"] == "S1"
    assert body["period"][4] == "Q"
    assert get(api_as, w.users["unit_admin"]).json()["unit"]["code"] == "U1"
    assert get(api_as, w.users["member"]).status_code == 404


@pytest.mark.parametrize(
    "params", [{"period": "2026Q5"}, {"period": "abc"}, {"region": "C 1"}, {"region": "C1", "unit": "U1"}]
)
def test_bad_parameters_are_400_in_chinese(w, api_as, params):
    answer = get(api_as, w.users["district_admin"], **params)
    assert answer.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["detail"])


def test_anonymous_is_refused(api):
    assert api.get(URL).status_code in (401, 403)


def test_coverage_agrees_with_the_coverage_page(w, data, api_as):
    from baodao.members.models import Member
    from baodao.registration.selectors import coverage_by_community

    # lives in C1, holds a registration in C2 (moved after registering): not one of C1's registered
    moved = factories.member(w.units["U2"], community=w.r("C1"), grid=w.r("C1G1"), name="搬家")
    Member.objects.filter(pk=moved.pk).update(registered_community=w.r("C2"))
    page = {row.code: (row.members, row.registered) for row in coverage_by_community(w.r("S1"))}
    body = get(api_as, w.users["district_admin"], region="S1", period="2026Q3").json()
    board = {c["code"]: (c["members"], c["registered"]) for c in body["children"]}
    assert board["C1"] == page["C1"] == (3, 1)


def test_the_members_are_counted_from_the_covering_index_alone(w, data):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan")
    from django.db.models import Count, F, Q

    from baodao.members.models import Member

    query = (
        Member.objects.filter(on_roster=True, residence_path__startswith=w.r("D1").path)
        .values("residence_path")
        .annotate(n=Count("pk"), registered=Count("pk", filter=Q(registered_community=F("community"))))
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "COVERING INDEX member_residence_cover_idx" in plan


def test_what_lies_in_no_child_has_a_row_of_its_own(w, data, api_as):
    """A member living in C1 in no grid, serving at the community itself: the grids add up to C1 only with
    a row "未划分网格/直属" (no code, no drill-down)."""
    direct = factories.member(w.units["U1"], community=w.r("C1"), name="无网格")
    enrol(w, direct)
    serve(w, direct, at(2026, 7, 8), hours="3", path=w.r("C1").path)
    body = get(api_as, w.users["district_admin"], region="C1", period="2026Q3").json()
    rest = body["children"][-1]
    assert (rest["code"], rest["name"], rest["level"]) == ("", "未划分网格/直属", "direct")
    assert (rest["members"], rest["registered"], rest["active"], rest["services"]) == (1, 1, 1, 1)
    for name in ("members", "registered", "active", "services", "hours"):
        assert sum(c[name] for c in body["children"]) == body[name]
    html = get(api_as, w.users["district_admin"], region="D1", period="2026Q3").json()
    assert all(c["code"] for c in html["children"])  # the streets add up to the district already
