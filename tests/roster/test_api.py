"""The roster endpoints: shapes, status codes, and the three personas (anonymous, out of scope, admin_api)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from baodao.accounts.models import Role, User
from baodao.members.models import Member
from tests import factories
from tests.roster.conftest import row, xlsx
from tests.roster.test_files import XLSM_MAIN, workbook

CONTRACT = {"rows", "created", "updated", "unchanged", "invalid", "errors"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, content, unit="U1", name="名册.xlsx", **fields):
    return client.post(
        f"/api/v1/units/{unit}/roster",
        {"file": SimpleUploadedFile(name, content), **fields},
        format="multipart",
    )


@pytest.fixture
def admin_api(w, api_as):
    return api_as(w.users["unit_admin"])


def test_it_needs_a_sign_in(w, anon):
    assert upload(anon, xlsx([row()])).status_code == 401
    assert anon.get("/api/v1/roster/template").status_code == 401
    assert anon.get("/api/v1/roster-imports/1").status_code == 401
    assert anon.get("/api/v1/roster-imports/1/errors.xlsx").status_code == 401
    assert anon.post("/api/v1/roster-imports/1/commit").status_code == 401


def test_a_dry_run_is_the_default_and_writes_nothing(w, admin_api):
    members = Member.objects.count()
    r = upload(admin_api, xlsx([row(), row("李四", "13900001002")]))
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= CONTRACT
    assert {k: body[k] for k in CONTRACT} == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "errors": [],
    }
    assert (body["dry_run"], body["status"], body["job"], body["error_workbook"]) == (
        True,
        "checked",
        None,
        None,
    )
    assert Member.objects.count() == members


def test_a_commit_writes_and_answers_the_summary(w, admin_api):
    r = upload(admin_api, xlsx([row()]), dry_run="false")
    assert r.status_code == 200
    assert (r.json()["created"], r.json()["status"], r.json()["dry_run"]) == (1, "committed", False)
    assert User.objects.filter(phone="13900001001").exists()


def test_an_all_or_nothing_commit_with_errors_answers_400_with_the_counts_and_the_errors(w, admin_api):
    r = upload(admin_api, xlsx([row(), row("李四", "1")]), dry_run="false", mode="all-or-nothing")
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "roster_invalid" and "没有导入任何数据" in body["detail"]
    assert (body["rows"], body["created"], body["invalid"]) == (2, 1, 1)
    assert body["errors"] == [
        {"row": 3, "column": "手机号", "message": "手机号格式不正确，应为 11 位中国大陆手机号码。"}
    ]
    assert not User.objects.filter(phone="13900001001").exists()


def test_valid_only_imports_the_good_rows_and_offers_the_error_workbook(w, admin_api, api_as):
    r = upload(admin_api, xlsx([row(), row("李四", "1")]), dry_run="false", mode="valid-only")
    assert r.status_code == 200
    body = r.json()
    assert (body["created"], body["invalid"], body["mode"]) == (1, 1, "valid_only")
    assert body["error_workbook"] == f"/api/v1/roster-imports/{body['id']}/errors.xlsx"
    r = admin_api.get(body["error_workbook"], HTTP_ACCEPT=XLSX)
    assert r.status_code == 200
    assert r["Content-Type"] == XLSX
    assert "attachment" in r["Content-Disposition"]
    values = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert values[1][0] == 3 and "手机号" in values[1][-1]
    outsider = api_as(w.users["other_unit_admin"])
    assert outsider.get(body["error_workbook"]).status_code == 404


def test_an_import_without_an_error_workbook_answers_404_for_it(w, admin_api):
    body = upload(admin_api, xlsx([row()]), dry_run="false").json()
    assert admin_api.get(f"/api/v1/roster-imports/{body['id']}/errors.xlsx").status_code == 404


def test_a_dry_run_then_a_commit_of_the_same_upload(w, admin_api):
    body = upload(admin_api, xlsx([row()])).json()
    r = admin_api.post(f"/api/v1/roster-imports/{body['id']}/commit", {"mode": "valid_only"}, format="json")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["created"]) == ("committed", 1)
    again = admin_api.post(f"/api/v1/roster-imports/{body['id']}/commit", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"] == "already_committed"


def test_the_import_detail(w, admin_api):
    body = upload(admin_api, xlsx([row()]), name="党员名册.xlsx").json()
    r = admin_api.get(f"/api/v1/roster-imports/{body['id']}")
    assert r.status_code == 200
    detail = r.json()
    assert set(detail) >= CONTRACT
    assert (detail["filename"], detail["kind"], detail["unit"]["code"]) == ("党员名册.xlsx", "xlsx", "U1")
    assert len(detail["sha256"]) == 64
    assert "content" not in detail


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "不是 Excel 工作簿"),
        (workbook(main=XLSM_MAIN), "带宏"),
        (workbook(sheet_xml="<worksheet><sheetData><row"), "XML 格式错误"),
    ],
    ids=["exe", "macro", "malformed"],
)
def test_a_hostile_file_answers_400_in_chinese(w, admin_api, content, words):
    r = upload(admin_api, content, dry_run="false")
    assert r.status_code == 400
    assert r.json()["error"] == "bad_file"
    assert words in r.json()["detail"]


def test_a_bad_mode_answers_400(w, admin_api):
    r = upload(admin_api, xlsx([row()]), mode="everything")
    assert r.status_code == 400
    assert "mode" in r.json()["fields"]


@pytest.mark.parametrize("role", ["other_unit_admin", "community_admin", "member", "grid_worker", "resident"])
def test_a_unit_it_does_not_administer_is_not_found(w, api_as, role):
    r = upload(api_as(w.users[role]), xlsx([row()]), dry_run="false")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert not User.objects.filter(phone="13900001001").exists()


def test_district_and_street_admins_import_into_units_of_their_subtree(w, api_as):
    street = api_as(w.users["street_admin"])
    assert upload(street, xlsx([row()]), unit="U2").status_code == 200
    assert upload(street, xlsx([row()]), unit="U3").status_code == 404  # another street
    district = api_as(w.users["district_admin"])
    assert upload(district, xlsx([row()]), unit="U3").status_code == 200
    assert upload(district, xlsx([row()]), unit="U4").status_code == 404  # another district


def test_an_import_of_another_unit_is_not_found(w, admin_api, api_as):
    body = upload(admin_api, xlsx([row()])).json()
    outsider = api_as(w.users["other_unit_admin"])
    assert outsider.get(f"/api/v1/roster-imports/{body['id']}").status_code == 404
    assert outsider.post(f"/api/v1/roster-imports/{body['id']}/commit", {}, format="json").status_code == 404
    assert admin_api.get("/api/v1/roster-imports/999999").status_code == 404


def test_rows_placed_outside_the_district_are_row_errors(w, api_as):
    u4_admin = factories.user(Role.UNIT_ADMIN, unit_=w.units["U4"])  # a unit of D2
    r = upload(api_as(u4_admin), xlsx([row(community="幸福社区", grid="")]), unit="U4")
    assert r.status_code == 200
    assert r.json()["errors"] == [
        {
            "row": 2,
            "column": "居住社区",
            "message": "社区“幸福社区”不在本单位所在的西山区，不能导入到本单位名册。",
        }
    ]


def test_the_template(w, admin_api):
    r = admin_api.get("/api/v1/roster/template")
    assert r.status_code == 200
    assert r["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(r.content))
    names = book.sheetnames
    assert names[1] == "说明"
    header, example = list(book.worksheets[0].values)[:2]
    assert list(header) == [
        "姓名",
        "手机号",
        "身份证号",
        "所在支部",
        "居住社区",
        "网格",
        "住址",
        "特长",
        "备注",
    ]
    assert example[1] == "13800000000"
    notes = " ".join(str(v) for r in book["说明"].values for v in r if v)
    assert "法律咨询" in notes and "legal" in notes and "必填" in notes


def test_the_schema_documents_the_roster_endpoints(w, anon):
    from drf_spectacular.validation import validate_schema

    schema = anon.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    paths = schema["paths"]
    for path in (
        "/api/v1/units/{code}/roster",
        "/api/v1/roster/template",
        "/api/v1/roster-imports/{id}",
        "/api/v1/roster-imports/{id}/commit",
        "/api/v1/roster-imports/{id}/errors.xlsx",
    ):
        assert path in paths, path
    upload = paths["/api/v1/units/{code}/roster"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"200", "202", "400", "401", "404"} <= set(upload["responses"])


def test_a_workbook_that_kills_the_reader_answers_400(w, admin_api):
    from tests.roster.test_files import GOOD_ROWS, cell, sheet

    rows = GOOD_ROWS + f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
    r = upload(admin_api, workbook(sheet_xml=sheet(rows)))
    assert r.status_code == 400
    assert r.json()["error"] == "bad_file"
    assert "无法读取该工作簿" in r.json()["detail"]
