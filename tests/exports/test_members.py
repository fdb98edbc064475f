"""`GET /api/v1/exports/members`: exactly the caller's members, the list's filters, masked, safe to open."""

import pytest

from baodao.audit.models import Action, AuditEvent
from tests import factories
from tests.exports.conftest import HOSTILE_NAMES, body, names, read_csv, read_xlsx, read_xlsx_cells, rows_of

URL = "/api/v1/exports/members"
HEADER = [
    "姓名",
    "手机号",
    "身份证号",
    "工作单位",
    "党支部",
    "居住社区",
    "网格",
    "楼栋/住址（脱敏）",
    "兴趣特长",
    "报到状态",
    "报到社区",
    "回执编号",
]
SAFE_HOSTILE = {"'" + n for n in HOSTILE_NAMES}
U1_PEOPLE = {"李明", *SAFE_HOSTILE}


def export(api_as, user, fmt="csv", **filters):
    return api_as(user).get(URL, {"format": fmt, **filters})


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("community_admin", U1_PEOPLE),  # C1: those living or registered there
        ("other_community_admin", {"王芳"}),  # C2 only, never C1's
        ("unit_admin", U1_PEOPLE),  # its unit's members, wherever they live
        ("other_unit_admin", {"王芳"}),
        ("grid_worker", {"李明"}),  # its grid
        ("street_admin", U1_PEOPLE | {"王芳"}),
        ("district_admin", U1_PEOPLE | {"王芳", "赵老师"}),
        ("far_district_admin", {"孙电工"}),  # another district: none of D1's
        ("resident", set()),
    ],
)
def test_it_exports_exactly_the_callers_members(people, api_as, role, expected):
    r = export(api_as, people.users[role])
    assert r.status_code == 200
    assert names(r) == expected


def test_it_gives_a_member_its_own_row_only(people, api_as):
    assert names(export(api_as, people.users["member"])) == {"李明"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"community": "C1"}, U1_PEOPLE),
        ({"community": "C2"}, {"王芳"}),
        ({"grid": "C1G2"}, SAFE_HOSTILE),
        ({"unit": "U2"}, {"王芳"}),
        ({"skill": "legal"}, {"李明"}),
        ({"skill": "it"}, SAFE_HOSTILE),
        ({"registered": "true"}, {"李明"}),
        ({"registered": "false"}, SAFE_HOSTILE | {"王芳", "赵老师"}),
        ({"q": "李"}, {"李明"}),
        ({"status": "pending"}, {"王芳"}),
        ({"status": "unregistered", "unit": "U1"}, SAFE_HOSTILE),
        ({"registered_in": "C1"}, {"李明"}),
        ({"community": "C4"}, set()),  # out of the district admin's scope: an empty export, as the list
    ],
)
def test_it_applies_the_lists_filters(people, api_as, filters, expected):
    r = export(api_as, people.users["district_admin"], **filters)
    assert r.status_code == 200
    assert names(r) == expected


def test_it_writes_a_csv_with_a_bom_chinese_headers_and_labels(people, api_as):
    r = export(api_as, people.users["community_admin"], "csv")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(body(r))
    assert rows[0] == HEADER
    li = next(row for row in rows if row[0] == "李明")
    receipt = people.registration.receipt_no
    assert li[3:] == [
        "区税务局",
        "",
        "幸福社区",
        "网格C1G1",
        "1栋1单****",
        "法律咨询",
        "已报到",
        "幸福社区",
        receipt,
    ]
    assert next(row for row in rows if row[0] == "'+1")[8:11] == ["信息技术", "未报到", ""]


def test_it_writes_a_workbook_that_opens_with_the_right_rows(people, api_as):
    r = export(api_as, people.users["district_admin"], "xlsx", unit="U2")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(body(r))
    assert rows[0] == HEADER
    assert rows[1][:3] == ["王芳", rows[1][1], "440***********0014"]
    assert rows[1][9:] == ["待确认", None, None]
    assert len(rows) == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_masks_phone_id_number_and_address_for_everyone(people, api_as, fmt):
    """Even for a community admin who may unmask on screen: no full value anywhere in the file."""
    member = people.members["member"]
    r = export(api_as, people.users["community_admin"], fmt)
    cells = [str(c) for row in rows_of(r) for c in row if c is not None]
    text = "\n".join(cells)
    assert member.user.phone not in text
    assert factories.ID_NUMBERS[0] not in text
    assert "1栋1单元101" not in text
    assert member.phone_masked in cells and "110***********002X" in cells
    if fmt == "csv":
        raw = body(r).decode("utf-8-sig")
        assert member.user.phone not in raw and factories.ID_NUMBERS[0] not in raw


def test_it_neutralises_formulas_in_csv(people, api_as):
    rows = read_csv(body(export(api_as, people.users["unit_admin"], "csv")))
    first_cells = {row[0] for row in rows[1:]}
    assert first_cells >= SAFE_HOSTILE
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


def test_it_writes_formulas_as_plain_text_in_workbooks(people, api_as):
    cells = read_xlsx_cells(body(export(api_as, people.users["unit_admin"], "xlsx")))
    hostile = [c for c in cells if isinstance(c.value, str) and c.value.lstrip("'") in HOSTILE_NAMES]
    assert {c.value for c in hostile} == SAFE_HOSTILE
    assert {c.data_type for c in hostile} == {"s"}
    assert not [c for c in cells if c.data_type == "f"]


def test_it_records_the_export_in_the_audit_log_without_rows(people, api_as):
    user = people.users["district_admin"]
    export(api_as, user, "xlsx", unit="U1", skill="it")
    event = AuditEvent.objects.filter(action=Action.EXPORTED).get()
    assert event.actor == user
    assert event.detail == {
        "dataset": "members",
        "format": "xlsx",
        "filters": {"unit": "U1", "skill": "it"},
        "rows": 4,
    }


def test_it_names_the_file_in_chinese_with_an_ascii_fallback(people, api_as):
    disposition = export(api_as, people.users["unit_admin"], "csv")["Content-Disposition"]
    assert disposition.startswith('attachment; filename="baodao-members-')
    assert "filename*=UTF-8''%E5%85%9A%E5%91%98%E5%90%8D%E5%8D%95-" in disposition  # 党员名单-
    assert disposition.endswith(".csv")


def test_it_defaults_to_a_workbook(people, api_as):
    r = api_as(people.users["unit_admin"]).get(URL)
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith(".xlsx")


def test_it_refuses_a_bad_format_in_chinese(people, api_as):
    r = export(api_as, people.users["unit_admin"], "pdf")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid"
    assert r.json()["fields"] == {"format": ["导出格式只能是 xlsx 或 csv。"]}
    assert not AuditEvent.objects.filter(action=Action.EXPORTED).exists()


def test_it_refuses_a_bad_filter(people, api_as):
    r = export(api_as, people.users["unit_admin"], skill="juggling")
    assert r.status_code == 400
    assert "skill" in r.json()["fields"]


def test_it_needs_a_sign_in(people, client):
    r = client.get(URL, {"format": "csv"})
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated"
    assert not AuditEvent.objects.filter(action=Action.EXPORTED).exists()


def test_it_accepts_the_session_of_the_pages(people, as_user):
    r = as_user(people.users["unit_admin"]).get(URL, {"format": "csv"})
    assert r.status_code == 200
    assert names(r) == U1_PEOPLE


def test_it_answers_404_for_an_unknown_dataset(people, api_as):
    r = api_as(people.users["district_admin"]).get("/api/v1/exports/passwords", {"format": "csv"})
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_reads_a_bounded_number_of_queries_whatever_the_rows(people, api_as, fmt):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        client = api_as(people.users["unit_admin"])
        with CaptureQueriesContext(connection) as captured:
            body(client.get(URL, {"format": fmt}))
        return len(captured)

    few = queries()
    for n in range(20):
        factories.member(
            people.units["U1"], community=people.r("C1"), name=f"党员{n}", skills=("it", "legal")
        )
    assert queries() == few
