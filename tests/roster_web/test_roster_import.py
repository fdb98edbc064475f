"""An import's page (web:roster_import) and 确认导入 (web:roster_import_commit): the preview, the commit in
either mode, the result kept for later, the errors; the error workbook (web:roster_import_errors) and the
template (web:roster_template)."""

import io
import re

import pytest
from openpyxl import load_workbook

from baodao.accounts.models import User
from baodao.audit.models import AuditEvent
from baodao.members.models import Member
from baodao.roster.models import RosterImport, Status
from baodao.roster.services import roster_import_start
from tests.roster.conftest import id_number
from tests.roster_web.conftest import imported_page, row, upload, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = [row(), row("李四", "13900001002", branch="第二支部")]
ONE_BAD = [*GOOD, row("王五", "12345")]


@pytest.fixture
def admin(w, as_user):
    return as_user(w.users["unit_admin"])


@pytest.fixture
def checked(w):
    """A dry run of U1's roster with one invalid row, all-or-nothing."""
    return roster_import_start(
        actor=w.users["unit_admin"], unit=w.units["U1"], filename="名册.xlsx", content=xlsx(ONE_BAD)
    )


def commit(client, item, **data):
    return client.post(f"/roster-imports/{item.pk}/commit/", data)


def figures(html):
    return dict(re.findall(r'id="count-(\w+)">(\d+)</span>', html))


# ---- the three personas --------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_login(client, checked):
    for r in (
        client.get(f"/roster-imports/{checked.pk}/"),
        commit(client, checked),
        client.get(f"/roster-imports/{checked.pk}/errors/"),
        client.get("/roster/template/"),
    ):
        assert r.status_code == 302 and r.url.startswith("/login/")
    assert RosterImport.objects.get().status == Status.CHECKED


@pytest.mark.parametrize("role", ["other_unit_admin", "member", "community_admin"])
def test_it_hides_an_import_of_a_unit_the_person_does_not_administer(w, as_user, checked, role):
    client = as_user(w.users[role])
    assert client.get(f"/roster-imports/{checked.pk}/").status_code == 404
    assert commit(client, checked, mode="valid_only").status_code == 404
    assert client.get(f"/roster-imports/{checked.pk}/errors/").status_code == 404
    assert RosterImport.objects.get().status == Status.CHECKED
    assert not User.objects.filter(phone="13900001001").exists()


def test_it_answers_404_for_an_import_that_does_not_exist(admin, w):
    assert admin.get("/roster-imports/999999/").status_code == 404


def test_the_street_admin_over_the_unit_sees_and_commits_it(w, as_user, checked):
    client = as_user(w.users["street_admin"])
    assert client.get(f"/roster-imports/{checked.pk}/").status_code == 200
    commit(client, checked, mode="valid_only")
    assert RosterImport.objects.get().committed_by == w.users["street_admin"]


# ---- preview → commit ----------------------------------------------------------------------------------


def test_upload_preview_commit_creates_the_members(w, admin):
    preview = imported_page(admin, upload(admin, xlsx(GOOD)))
    html = preview.content.decode()
    assert preview["Cache-Control"].startswith("max-age=0")
    assert figures(html) == {"rows": "2", "created": "2", "updated": "0", "unchanged": "0", "invalid": "0"}
    assert "还没有写入任何数据" in html
    assert '<meta http-equiv="refresh"' not in html
    item = RosterImport.objects.get()
    assert f'action="/roster-imports/{item.pk}/commit/"' in html
    assert '<button type="submit">确认导入</button>' in html
    assert not Member.objects.filter(user__phone__in=["13900001001", "13900001002"]).exists()

    result = imported_page(admin, commit(admin, item))
    html = result.content.decode()
    assert "导入结果" in html and "已导入" in html
    assert figures(html)["created"] == "2"
    assert "税务局党办" in html  # who committed
    assert 'href="/unit/U1/members/"' in html
    assert 'href="/unit/U1/activation/"' in html and "为新党员发放激活码" in html
    assert "/errors/" not in html  # nothing left out, no error workbook
    assert "确认导入" not in html
    members = Member.objects.filter(unit=w.units["U1"], user__phone__in=["13900001001", "13900001002"])
    assert sorted(m.user.name for m in members) == ["张三", "李四"]
    assert AuditEvent.objects.filter(action="roster_imported").count() == 1

    # The result is kept: the page tomorrow shows the same, and the unit's members page lists them.
    assert figures(admin.get(f"/roster-imports/{item.pk}/").content.decode())["created"] == "2"
    assert "张三" in admin.get("/unit/U1/members/").content.decode()


def test_committing_twice_changes_nothing_and_says_so(w, admin):
    imported_page(admin, upload(admin, xlsx(GOOD)))
    item = RosterImport.objects.get()
    commit(admin, item)
    page = imported_page(admin, commit(admin, item))
    assert "该名册已经导入，不能重复提交。" in page.content.decode()
    assert Member.objects.filter(user__phone="13900001001").count() == 1


def test_uploading_the_same_file_again_finds_the_members_unchanged(w, admin):
    commit(admin, RosterImport.objects.get(pk=upload(admin, xlsx(GOOD))["Location"].split("/")[2]))
    again = imported_page(admin, upload(admin, xlsx(GOOD)))
    assert figures(again.content.decode()) == {
        "rows": "2",
        "created": "0",
        "updated": "0",
        "unchanged": "2",
        "invalid": "0",
    }


# ---- all-or-nothing with an invalid row ----------------------------------------------------------------


def test_all_or_nothing_with_an_invalid_row_disables_the_commit_and_says_why(admin, checked):
    html = admin.get(f"/roster-imports/{checked.pk}/").content.decode()
    assert figures(html)["invalid"] == "1"
    assert '<button type="submit" disabled aria-describedby="commit-why">确认导入</button>' in html
    assert re.search(r'id="commit-why"[^>]*>名册中有 1 行有误。按“全部正确才导入”的方式不能导入', html)
    assert "只导入正确的行，错误行另存为表格</button>" in html
    # the error table: row number as Excel shows it, the column, the reason
    assert re.search(r'data-label="行号">4</td>\s*<td data-label="列">手机号</td>', html)
    assert "手机号格式不正确" in html


def test_all_or_nothing_commit_posted_anyway_is_refused_and_writes_nothing(w, admin, checked):
    html = imported_page(admin, commit(admin, checked)).content.decode()
    assert RosterImport.objects.get().status == Status.REFUSED
    assert "没有导入任何数据" in html and "未导入" in html
    assert "手机号格式不正确" in html
    assert not User.objects.filter(phone__in=["13900001001", "13900001002"]).exists()
    assert not AuditEvent.objects.filter(action="roster_imported").exists()


# ---- valid-only ----------------------------------------------------------------------------------------


def test_valid_only_imports_the_good_rows_and_offers_the_error_workbook(w, admin, checked):
    html = imported_page(admin, commit(admin, checked, mode="valid_only")).content.decode()
    item = RosterImport.objects.get()
    assert (item.status, item.mode, item.created, item.invalid) == (Status.COMMITTED, "valid_only", 2, 1)
    assert f'href="/roster-imports/{item.pk}/errors/"' in html
    assert "下载错误清单（1 行未导入）" in html
    assert User.objects.filter(phone__in=["13900001001", "13900001002"]).count() == 2
    assert not User.objects.filter(phone="12345").exists()

    r = admin.get(f"/roster-imports/{item.pk}/errors/")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    assert "attachment" in r["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == 4 and rows[1][1] == "王五"
    assert "手机号" in rows[1][-1]


def test_an_upload_in_valid_only_mode_commits_with_the_invalid_rows_left_out(w, admin):
    preview = imported_page(admin, upload(admin, xlsx(ONE_BAD), mode="valid_only"))
    html = preview.content.decode()
    assert '<button type="submit">确认导入</button>' in html
    assert "有误的 1 行不会导入" in html
    item = RosterImport.objects.get()
    imported_page(admin, commit(admin, item))
    assert RosterImport.objects.get().status == Status.COMMITTED


def test_there_is_no_error_workbook_before_a_valid_only_commit(admin, checked):
    assert admin.get(f"/roster-imports/{checked.pk}/errors/").status_code == 404


def test_a_bad_mode_is_refused_with_a_message(admin, checked):
    html = imported_page(admin, commit(admin, checked, mode="some")).content.decode()
    assert "导入方式只能是" in html
    assert RosterImport.objects.get().status == Status.CHECKED


# ---- errors: masked, paginated, capped -----------------------------------------------------------------


def test_id_numbers_are_never_shown_in_full(w, admin):
    number = id_number(7)
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")  # a wrong check digit
    imported_page(admin, upload(admin, xlsx([row(id_no=bad)])))
    html = admin.get(f"/roster-imports/{RosterImport.objects.get().pk}/").content.decode()
    assert "身份证号" in html
    assert bad not in html and bad[6:14] not in html


def test_the_errors_are_paginated_and_capped_with_a_note(w, admin, monkeypatch):
    monkeypatch.setattr(RosterImport, "ERRORS_KEPT", 60)
    rows = [row(f"党员{i}", f"1{i:04d}") for i in range(70)]
    imported_page(admin, upload(admin, xlsx(rows)))
    item = RosterImport.objects.get()
    assert (item.errors_total, len(item.errors)) == (70, 60)
    html = admin.get(f"/roster-imports/{item.pk}/").content.decode()
    assert "错误（共 70 处）" in html and "这里列出前 60 处错误" in html
    assert html.count('data-label="行号"') == 50
    assert "第 1 / 2 页" in html
    second = admin.get(f"/roster-imports/{item.pk}/?page=2").content.decode()
    assert second.count('data-label="行号"') == 10


# ---- a failure --------------------------------------------------------------------------------------


def test_a_failed_run_shows_its_chinese_message(w, admin):
    item = roster_import_start(
        actor=w.users["unit_admin"], unit=w.units["U1"], filename="名册.xlsx", content=xlsx(GOOD)
    )
    RosterImport.objects.filter(pk=item.pk).update(
        status=Status.FAILED, message="处理名册时发生系统错误，没有导入任何数据。请稍后重试或联系管理员。"
    )
    html = admin.get(f"/roster-imports/{item.pk}/").content.decode()
    assert "处理失败" in html and "处理名册时发生系统错误" in html
    assert 'href="/unit/U1/roster/"' in html
    assert "确认导入" not in html


# ---- the template --------------------------------------------------------------------------------------


def test_the_template_downloads_for_a_signed_in_admin(admin):
    r = admin.get("/roster/template/")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    header = next(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert header[:2] == ("姓名", "手机号")
