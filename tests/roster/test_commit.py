"""Committing a roster: what is written, what is not, and that it is all or nothing."""

from unittest import mock

import pytest
from django.contrib.auth.hashers import is_password_usable

from baodao.accounts.models import Grant, Role, User
from baodao.audit.models import Action, AuditEvent
from baodao.lib import crypto
from baodao.members.models import Member
from baodao.org.models import Branch
from baodao.registration.models import Registration
from baodao.roster import services
from baodao.roster.models import RosterImport, Status
from baodao.roster.services import roster_commit, roster_upload, roster_validate
from tests.roster.conftest import errors_of, id_number, row, xlsx


def counts():
    return (User.objects.count(), Grant.objects.count(), Member.objects.count(), Branch.objects.count())


def test_it_creates_members_with_accounts_that_await_activation(w, run):
    imp = run(
        xlsx(
            [
                row(
                    "张三",
                    "13900001001",
                    id_number(1),
                    "第一支部",
                    "幸福社区",
                    "网格C1G1",
                    "1栋101",
                    "法律咨询、健康医疗",
                ),
                row("李四", "13900001002", "", "第二支部", "C2", "", "", ""),
            ]
        )
    )
    assert imp.status == Status.COMMITTED
    assert (imp.rows, imp.created, imp.updated, imp.unchanged, imp.invalid) == (2, 2, 0, 0, 0)
    user = User.objects.get(phone="13900001001")
    assert user.name == "张三"
    assert not is_password_usable(user.password)
    assert Grant.objects.filter(user=user, role=Role.MEMBER, unit=w.units["U1"]).exists()
    m = user.member
    assert (m.unit, m.branch.name, m.on_roster) == (w.units["U1"], "第一支部", True)
    assert (m.community, m.grid, m.address) == (w.r("C1"), w.r("C1G1"), "1栋101")
    assert m.residence_path == w.r("C1G1").path
    assert m.skills == ["legal", "health"]
    assert m.id_number() == id_number(1)
    assert m.id_number_hash == crypto.lookup_hash(id_number(1))
    assert m.id_number_masked == "440***********" + id_number(1)[-4:]
    li = Member.objects.get(user__phone="13900001002")
    assert (li.community, li.grid, li.residence_path, li.id_number_hash) == (
        w.r("C2"),
        None,
        w.r("C2").path,
        None,
    )
    assert Branch.objects.filter(unit=w.units["U1"], name="第二支部").exists()


def test_it_records_one_audit_entry_per_commit_without_the_rows(w, run):
    before = AuditEvent.objects.filter(action=Action.ROSTER_IMPORTED).count()
    imp = run(xlsx([row(), row("李四", "13900001002")]))
    events = AuditEvent.objects.filter(action=Action.ROSTER_IMPORTED)
    assert events.count() == before + 1
    event = events.last()
    assert event.actor == w.users["unit_admin"]
    assert event.detail["sha256"] == imp.sha256
    assert event.detail["filename"] == "名册.xlsx"
    assert (event.detail["created"], event.detail["rows"]) == (2, 2)
    assert "13900001001" not in str(event.detail)


def test_a_dry_run_writes_nothing(w, run):
    before = counts()
    audit_before = AuditEvent.objects.count()
    imp = run(xlsx([row(), row("李四", "13900001002", branch="新支部")]), dry_run=True)
    assert imp.status == Status.CHECKED
    assert (imp.rows, imp.created) == (2, 2)
    assert counts() == before
    assert AuditEvent.objects.count() == audit_before


def test_uploading_the_same_file_twice_creates_no_duplicates(w, run):
    content = xlsx([row(id_no=id_number(1)), row("李四", "13900001002", community="C2", grid="", skills="")])
    run(content)
    before = counts()
    again = run(content)
    assert (again.rows, again.created, again.updated, again.unchanged, again.invalid) == (2, 0, 0, 2, 0)
    assert counts() == before


def test_it_updates_the_units_members_and_leaves_their_registrations_alone(w, run):
    member = w.members["member"]  # 李明, U1, C1/C1G1, ID_NUMBERS[0]
    registrations = list(Registration.objects.filter(member=member).values())
    imp = run(
        xlsx([row("李明明", member.user.phone, "", "第三支部", "和平社区", "网格C2G1", "9栋9", "信息技术")])
    )
    assert (imp.created, imp.updated, imp.unchanged) == (0, 1, 0)
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.user.name == "李明明"
    assert (member.branch.name, member.community, member.grid, member.address) == (
        "第三支部",
        w.r("C2"),
        w.r("C2G1"),
        "9栋9",
    )
    assert member.residence_path == w.r("C2G1").path
    assert member.skills == ["it"]
    assert member.id_number_hash == crypto.lookup_hash("11010519491231002X")  # kept: the cell was blank
    assert list(Registration.objects.filter(member=member).values()) == registrations


def test_blank_cells_keep_what_is_on_record(w, run):
    member = w.members["member"]
    imp = run(xlsx([row("李明", member.user.phone, "", "", "", "", "", "")]))
    assert (imp.updated, imp.unchanged) == (0, 1)
    member.refresh_from_db()
    assert (member.community, member.grid, member.address, member.skills) == (
        w.r("C1"),
        w.r("C1G1"),
        "1栋1单元101",
        ["legal"],
    )


def test_it_adds_an_id_number_given_for_the_first_time(w, run):
    from tests import factories

    m = factories.member(w.units["U1"], community=w.r("C1"), name="赵六", phone="13900002222")
    imp = run(xlsx([row("赵六", "13900002222", id_number(7), "", "", "", "", "")]))
    assert imp.updated == 1
    m.refresh_from_db()
    assert m.id_number() == id_number(7)


def test_an_existing_account_under_the_same_name_joins_the_roster(w, run):
    admin = w.users["unit_admin"]
    imp = run(xlsx([row("税务局党办", admin.phone)]))
    assert imp.created == 1
    assert Member.objects.get(user=admin).unit == w.units["U1"]
    assert Grant.objects.filter(user=admin, role=Role.MEMBER, unit=w.units["U1"]).count() == 1
    assert is_password_usable(User.objects.get(pk=admin.pk).password)  # its password stays


def test_all_or_nothing_refuses_a_file_with_one_bad_row(w, run):
    before = counts()
    imp = run(xlsx([row(), row("李四", "12345")]))
    assert imp.status == Status.REFUSED
    assert (imp.rows, imp.created, imp.invalid) == (2, 1, 1)
    assert errors_of(imp) == [(3, "手机号", "手机号格式不正确，应为 11 位中国大陆手机号码。")]
    assert counts() == before
    assert imp.committed_at is None


def test_all_or_nothing_is_atomic_when_a_write_fails_midway(w, run):
    before = counts()
    audit_before = AuditEvent.objects.count()
    users_before = set(User.objects.values_list("phone", flat=True))
    content = xlsx([row(phone=f"139000010{i:02d}", branch=f"支部{i}") for i in range(20)])
    real_insert = services.insert_rows
    written = []

    def insert_then_fail_on_members(model, *args, **kwargs):
        if model is Member:
            raise RuntimeError("disk full")  # after the new branches, accounts and grants were written
        written.append(model)
        return real_insert(model, *args, **kwargs)

    with mock.patch.object(services, "insert_rows", insert_then_fail_on_members), pytest.raises(RuntimeError):
        run(content)
    assert written == [User, Grant]
    assert counts() == before
    assert set(User.objects.values_list("phone", flat=True)) == users_before
    assert AuditEvent.objects.count() == audit_before
    imp = RosterImport.objects.get()
    assert imp.status == Status.FAILED
    assert imp.committed_at is None


def test_valid_only_writes_the_valid_rows_and_returns_the_others(w, run):
    import io

    from openpyxl import load_workbook

    imp = run(
        xlsx(
            [
                row("张三", "13900001001"),
                row("李四", "13900001002", "440106199001010014"),  # bad check digit
                row("王五", "13900001003", community="山前社区"),  # another district
            ]
        ),
        mode="valid_only",
    )
    assert imp.status == Status.COMMITTED
    assert (imp.rows, imp.created, imp.invalid) == (3, 1, 2)
    assert list(User.objects.filter(phone__startswith="1390000100").values_list("phone", flat=True)) == [
        "13900001001"
    ]
    sheet = load_workbook(io.BytesIO(bytes(RosterImport.objects.get().error_workbook))).active
    values = list(sheet.values)
    assert values[0][0] == "原行号" and values[0][-1] == "错误原因"
    assert [v[0] for v in values[1:]] == [3, 4]
    assert values[1][3] == "440***********0014"
    assert "身份证号" in values[1][-1] and "440106199001010014" not in str(values)
    assert "山前社区" in values[2][-1]


def test_a_committed_import_cannot_be_committed_again(w, run):
    from baodao.lib.errors import Conflict

    imp = run(xlsx([row()]))
    with pytest.raises(Conflict):
        roster_commit(actor=w.users["unit_admin"], roster_import=imp)
    assert bytes(RosterImport.objects.get().content) == b""  # the file is not kept once imported


def test_a_preview_then_a_commit_of_the_same_upload(w):
    imp = roster_upload(
        actor=w.users["unit_admin"], unit=w.units["U1"], filename="a.xlsx", content=xlsx([row()])
    )
    roster_validate(actor=w.users["unit_admin"], roster_import=imp)
    assert (imp.status, imp.created) == (Status.CHECKED, 1)
    assert not User.objects.filter(phone="13900001001").exists()
    roster_commit(actor=w.users["unit_admin"], roster_import=imp)
    assert (imp.status, imp.created) == (Status.COMMITTED, 1)
    assert User.objects.filter(phone="13900001001").exists()


def test_the_error_workbook_keeps_text_as_text(w, run):
    import io

    from openpyxl import load_workbook

    from tests.roster.conftest import csv_bytes

    run(csv_bytes([row(), row('=HYPERLINK("http://x","y")', "1")]), mode="valid_only")
    book = load_workbook(io.BytesIO(bytes(RosterImport.objects.get().error_workbook)))
    cell = book.active["B2"]
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"  # a string, never a formula


def test_rows_refused_against_the_database_are_in_the_error_workbook_too(w, run):
    import io

    from openpyxl import load_workbook

    other = w.members["other_member"]
    imp = run(xlsx([row(), row("王芳", other.user.phone, id_no="")]), mode="valid_only")
    assert (imp.created, imp.invalid) == (1, 1)
    values = list(load_workbook(io.BytesIO(bytes(RosterImport.objects.get().error_workbook))).active.values)
    assert values[1][0] == 3 and "其他单位" in values[1][-1]


def test_a_busy_import_is_not_run_twice(w):
    from baodao.lib.errors import Conflict

    imp = roster_upload(
        actor=w.users["unit_admin"], unit=w.units["U1"], filename="a.xlsx", content=xlsx([row()])
    )
    RosterImport.objects.filter(pk=imp.pk).update(status=Status.RUNNING)
    with pytest.raises(Conflict) as exc:
        roster_commit(actor=w.users["unit_admin"], roster_import=imp)
    assert exc.value.code == "busy"
    assert not User.objects.filter(phone="13900001001").exists()


def test_the_number_of_queries_does_not_grow_with_the_rows(w, run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n, first_phone):
        content = xlsx([row(f"人{i}", str(first_phone + i), branch=f"支部{i % 3}") for i in range(n)])
        with CaptureQueriesContext(connection) as captured:
            imp = run(content)
        assert imp.created == n
        return len(captured)

    queries(3, 13900000000)  # the branches exist from here on
    assert queries(40, 13911110000) == queries(400, 13922220000)


def test_a_person_is_not_found_through_another_units_member_by_name(w, run):
    """Two people of the same name are two people: only the phone number and the ID number identify."""
    imp = run(xlsx([row("李明", "13900005555")]))
    assert imp.created == 1
    assert Member.objects.filter(user__name="李明").count() == 2


def test_a_person_written_by_someone_else_meanwhile_fails_the_import_cleanly(w, run):
    from baodao.lib.errors import Conflict

    real_write = services._write

    def someone_registers_first(plan, now):
        User.objects.create_user(phone="13900001002", name="抢先注册")
        real_write(plan, now)

    before = counts()
    with mock.patch.object(services, "_write", someone_registers_first), pytest.raises(Conflict) as exc:
        run(xlsx([row(), row("李四", "13900001002")]))
    assert exc.value.code == "concurrent_change"
    assert counts() == before
    imp = RosterImport.objects.get()
    assert (imp.status, imp.message) == (Status.FAILED, exc.value.detail)


def test_an_existing_account_under_another_name_is_not_taken_over(w, run):
    resident = w.users["resident"]  # 居民张阿姨
    imp = run(xlsx([row("王五", resident.phone)]), dry_run=True)
    assert errors_of(imp) == [
        (2, "手机号", "该手机号已是系统中另一个账号的登录手机号，且姓名与本行不一致，请核对。")
    ]
    assert "张阿姨" not in str(imp.errors)


def test_it_updates_the_address_of_a_member_who_lives_outside_the_district(w, run):
    from tests import factories

    m = factories.member(
        w.units["U1"], community=w.r("C4"), grid=w.r("C4G1"), name="赵六", phone="13900002001"
    )
    imp = run(xlsx([row("赵六", "13900002001", "", "", "", "", "9栋909", "")]))
    assert imp.status == Status.COMMITTED
    assert (imp.updated, imp.invalid) == (1, 0)
    m.refresh_from_db()
    assert (m.community, m.grid, m.address) == (w.r("C4"), w.r("C4G1"), "9栋909")
    assert m.residence_path == w.r("C4G1").path
