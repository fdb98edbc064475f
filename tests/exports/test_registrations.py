"""`GET /api/v1/exports/registrations`: the caller's registrations, the list's filters, Beijing time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from baodao.audit.models import Action, AuditEvent
from baodao.registration.models import Registration
from tests.exports.conftest import body, names, read_csv, read_xlsx, rows_of

URL = "/api/v1/exports/registrations"
HEADER = [
    "姓名",
    "手机号",
    "工作单位",
    "报到社区",
    "网格",
    "状态",
    "回执编号",
    "申请时间",
    "处理时间",
    "结束时间",
    "驳回/结束原因",
]


def export(api_as, user, fmt="csv", **filters):
    return api_as(user).get(URL, {"format": fmt, **filters})


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("community_admin", {"李明"}),
        ("other_community_admin", {"王芳"}),
        ("unit_admin", {"李明"}),
        ("street_admin", {"李明", "王芳"}),
        ("district_admin", {"李明", "王芳"}),
        ("far_community_admin", {"孙电工"}),
        ("far_district_admin", {"孙电工"}),
        ("member", {"李明"}),
        ("resident", set()),
    ],
)
def test_it_exports_exactly_the_callers_registrations(people, api_as, role, expected):
    r = export(api_as, people.users[role])
    assert r.status_code == 200
    assert names(r) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "pending"}, {"王芳"}),
        ({"status": "confirmed"}, {"李明"}),
        ({"community": "C2"}, {"王芳"}),
        ({"community": "C4"}, set()),
    ],
)
def test_it_applies_the_lists_filters(people, api_as, filters, expected):
    assert names(export(api_as, people.users["district_admin"], **filters)) == expected


def test_it_writes_labels_masked_phones_and_beijing_times(people, api_as):
    reg = people.registration
    Registration.objects.filter(pk=reg.pk).update(
        applied_at=datetime(2026, 1, 5, 1, 30, tzinfo=ZoneInfo("UTC")),
        decided_at=datetime(2026, 1, 5, 16, 5, tzinfo=ZoneInfo("UTC")),
    )
    rows = read_csv(body(export(api_as, people.users["community_admin"])))
    assert rows[0] == HEADER
    member = people.members["member"]
    assert rows[1] == [
        "李明",
        member.phone_masked,
        "区税务局",
        "幸福社区",
        "网格C1G1",
        "已报到",
        reg.receipt_no,
        "2026-01-05 09:30",
        "2026-01-06 00:05",
        "",
        "",
    ]
    assert member.user.phone not in body(export(api_as, people.users["community_admin"])).decode("utf-8-sig")


def test_it_writes_a_workbook_and_audits_it(people, api_as):
    r = export(api_as, people.users["street_admin"], "xlsx", status="pending")
    rows = read_xlsx(body(r))
    assert [row[0] for row in rows[1:]] == ["王芳"]
    assert rows[1][5:7] == ["待确认", None]
    event = AuditEvent.objects.get(action=Action.EXPORTED)
    assert event.detail == {
        "dataset": "registrations",
        "format": "xlsx",
        "filters": {"status": "pending"},
        "rows": 1,
    }


def test_it_refuses_an_unknown_status(people, api_as):
    assert export(api_as, people.users["district_admin"], status="lost").status_code == 400


def test_it_needs_a_sign_in(people, client):
    assert client.get(URL).status_code == 401


def test_it_keeps_the_header_when_nothing_matches(people, api_as):
    assert rows_of(export(api_as, people.users["resident"], "xlsx")) == [HEADER]
