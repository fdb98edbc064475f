"""党员名册导入 (web:unit_roster): the columns, the template link, the upload form and the recent imports; an
upload runs the dry run and shows the import's page; a hostile file is refused on the form."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baodao.accounts.models import Role, User
from baodao.roster.models import RosterImport, Status
from baodao.roster.services import roster_import_start
from tests import factories
from tests.roster_web.conftest import imported_page, row, upload, xlsx

URL = "/unit/U1/roster/"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def test_it_sends_anonymous_visitors_to_login(client, w):
    for r in (client.get(URL), upload(client, xlsx([row()]))):
        assert r.status_code == 302 and r.url.startswith("/login/")
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize("role", ["other_unit_admin", "member", "community_admin", "resident"])
def test_it_hides_the_unit_from_those_who_do_not_administer_it(as_user, w, role):
    client = as_user(w.users[role])
    assert client.get(URL).status_code == 404
    assert upload(client, xlsx([row()])).status_code == 404
    assert not RosterImport.objects.exists()


def test_it_hides_a_unit_outside_the_street_admins_street(as_user, w):
    assert as_user(w.users["street_admin"]).get("/unit/U3/roster/").status_code == 404


def test_it_explains_the_columns_and_offers_the_template_and_the_form(as_user, w):
    r = as_user(w.users["unit_admin"]).get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'aria-current="page">党员名册导入</a>' in html
    for column in ("姓名", "手机号", "身份证号", "所在支部", "居住社区", "网格", "住址", "特长", "备注"):
        assert f'<td data-label="列名"><strong>{column}</strong></td>' in html
    assert "其中姓名、手机号必填，其余选填。" in html
    assert 'href="/roster/template/"' in html and "下载导入模板" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">名册文件（.xlsx 或 .csv）</label>' in html
    assert "全部正确才导入（推荐）" in html and "只导入正确的行，错误行另存为表格" in html
    assert re.search(r'value="all_or_nothing"[^>]*checked', html)
    assert ">上传并预检</button>" in html
    assert "还没有导入过名册。" in html


@pytest.mark.parametrize("role,unit", [("district_admin", "U3"), ("street_admin", "U1")])
def test_district_and_street_admins_reach_it_from_the_units_members_page(as_user, w, role, unit):
    client = as_user(w.users[role])
    members_page = client.get(f"/unit/{unit}/members/").content.decode()
    assert f'href="/unit/{unit}/roster/"' in members_page
    assert client.get(f"/unit/{unit}/roster/").status_code == 200


def test_an_upload_runs_the_dry_run_and_shows_its_preview(as_user, w):
    client = as_user(w.users["unit_admin"])
    content = xlsx([row(), row("李四", "13900001002"), row("王五", "139000010")])
    r = upload(client, content)
    item = RosterImport.objects.get()
    assert r["Location"] == f"/roster-imports/{item.pk}/"
    assert (item.status, item.dry_run, item.uploaded_by, item.unit) == (
        Status.CHECKED,
        True,
        w.users["unit_admin"],
        w.units["U1"],
    )
    html = imported_page(client, r).content.decode()
    assert "预检结果" in html
    assert '<span class="figure" id="count-rows">3</span>' in html
    assert '<span class="figure" id="count-created">2</span>' in html
    assert 'id="count-invalid">1</span>' in html
    assert not User.objects.filter(phone="13900001001").exists()  # a dry run writes nothing


def test_the_chosen_mode_is_kept_with_the_upload(as_user, w):
    r = upload(as_user(w.users["unit_admin"]), xlsx([row()]), mode="valid_only")
    assert r.status_code == 302
    assert RosterImport.objects.get().mode == "valid_only"


def test_a_png_renamed_xlsx_is_refused_on_the_form_and_nothing_is_stored(as_user, w):
    r = upload(as_user(w.users["unit_admin"]), PNG, name="名册.xlsx")
    assert r.status_code == 400
    html = r.content.decode()
    assert "文件内容不是 Excel 工作簿（.xlsx）或 CSV 表格" in html
    assert '<label for="id_file">名册文件（.xlsx 或 .csv）</label>' in html  # the form again
    assert 'aria-invalid="true"' in html
    assert not RosterImport.objects.exists()
    assert not User.objects.filter(phone="13900001001").exists()


def test_a_missing_file_or_a_bad_mode_is_a_form_error(as_user, w):
    client = as_user(w.users["unit_admin"])
    assert client.post(URL, {"mode": "all_or_nothing"}).status_code == 400
    assert upload(client, xlsx([row()]), mode="everything").status_code == 400
    assert not RosterImport.objects.exists()


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(as_user, w, settings):
    settings.ROSTER_MAX_BYTES = 1024
    r = upload(as_user(w.users["unit_admin"]), xlsx([row()]))
    assert r.status_code == 400
    assert "文件太大，上限为" in r.content.decode()
    assert not RosterImport.objects.exists()


def test_it_lists_the_units_recent_imports_only(as_user, w):
    roster_import_start(
        actor=w.users["unit_admin"], unit=w.units["U1"], filename="一月名册.xlsx", content=xlsx([row()])
    )
    roster_import_start(
        actor=w.users["other_unit_admin"],
        unit=w.units["U2"],
        filename="医院名册.xlsx",
        content=xlsx([row(phone="13900009999")]),
    )
    html = as_user(w.users["street_admin"]).get(URL).content.decode()
    mine = RosterImport.objects.get(unit=w.units["U1"])
    assert f'href="/roster-imports/{mine.pk}/">一月名册.xlsx</a>' in html
    assert "税务局党办" in html and "已预检" in html
    assert "共 1 行：新增 1，更新 0，无变化 0，有误 0" in html
    assert "医院名册.xlsx" not in html


def test_the_list_of_imports_takes_a_bounded_number_of_queries(as_user, w, django_assert_max_num_queries):
    client = as_user(w.users["unit_admin"])

    def grow(n):
        for _ in range(n):
            uploader = factories.user(Role.UNIT_ADMIN, unit_=w.units["U1"], name="党办干事")
            roster_import_start(
                actor=uploader, unit=w.units["U1"], filename="名册.xlsx", content=xlsx([row()])
            )

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx)

    grow(2)
    client.get(URL)  # warm up
    few = queries()
    grow(10)
    with django_assert_max_num_queries(15):
        many = queries()
    assert many == few


def test_a_file_without_the_roster_header_is_refused_on_the_form(as_user, w):
    from tests.roster.conftest import csv_bytes

    client = as_user(w.users["unit_admin"])
    r = upload(client, csv_bytes([["a", "b"]], header=["名字", "电话"]), name="名册.csv")
    assert r.status_code == 400
    assert "文件中没有找到名册表头。" in r.content.decode()
    assert not User.objects.filter(phone="13900001001").exists()
    # The core keeps the attempt, failed with its reason, in the unit's recent imports.
    assert RosterImport.objects.get().status == Status.FAILED
    assert "处理失败" in client.get(URL).content.decode()
