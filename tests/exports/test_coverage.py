"""`GET /api/v1/exports/coverage`: 报到率 by unit or by community, as `/api/v1/coverage`, in percent."""

import pytest

from baodao.audit.models import Action, AuditEvent
from tests import factories
from tests.exports.conftest import body, read_csv, read_xlsx

URL = "/api/v1/exports/coverage"


def export(api_as, user, fmt="csv", **filters):
    return api_as(user).get(URL, {"format": fmt, **filters})


def test_it_exports_coverage_by_unit_worst_first(people, api_as):
    rows = read_csv(body(export(api_as, people.users["district_admin"], region="D1")))
    assert rows == [
        ["单位编码", "单位", "在册党员", "已报到", "报到率（%）", "达标线（%）", "低于达标线"],
        ["U2", "区人民医院", "1", "0", "0.00", "90.00", "是"],
        ["U3", "区实验中学", "1", "0", "0.00", "90.00", "是"],
        ["U1", "区税务局", "5", "1", "20.00", "90.00", "是"],
    ]


def test_it_exports_coverage_by_community_with_numbers_in_the_workbook(people, api_as):
    factories.region("C5", "新建社区", people.r("S2"))
    r = export(api_as, people.users["district_admin"], "xlsx", region="D1", by="community")
    rows = read_xlsx(body(r))
    assert rows[0] == ["社区编码", "社区", "在册党员", "已报到", "报到率（%）", "达标线（%）", "低于达标线"]
    assert rows[1:] == [
        ["C2", "和平社区", 1, 0, 0, 90, "是"],
        ["C3", "江景社区", 1, 0, 0, 90, "是"],
        ["C1", "幸福社区", 5, 1, 20, 90, "是"],
        ["C5", "新建社区", 0, 0, None, 90, "否"],
    ]
    assert "%E6%8C%89%E7%A4%BE%E5%8C%BA" in r["Content-Disposition"]  # 按社区


def test_a_street_admin_gets_its_street_only(people, api_as):
    rows = read_csv(body(export(api_as, people.users["street_admin"], region="S1")))
    assert [row[0] for row in rows[1:]] == ["U2", "U1"]


@pytest.mark.parametrize(
    ("role", "region"),
    [
        ("street_admin", "D1"),  # above its street
        ("street_admin", "S2"),  # a sibling street
        ("community_admin", "S1"),  # coverage is for streets and districts
        ("far_district_admin", "D1"),  # another district
        ("district_admin", "NOPE"),
    ],
)
def test_a_region_out_of_reach_is_not_found(people, api_as, role, region):
    r = export(api_as, people.users[role], region=region)
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert not AuditEvent.objects.filter(action=Action.EXPORTED).exists()


def test_it_needs_a_region(people, api_as):
    r = export(api_as, people.users["district_admin"])
    assert r.status_code == 400
    assert "region" in r.json()["fields"]


def test_it_audits_the_export(people, api_as):
    export(api_as, people.users["district_admin"], "xlsx", region="D1", by="community")
    event = AuditEvent.objects.get(action=Action.EXPORTED)
    assert event.detail == {
        "dataset": "coverage",
        "format": "xlsx",
        "filters": {"region": "D1", "by": "community"},
        "rows": 3,
    }
