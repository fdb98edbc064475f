"""导出 the community's classified ledger of needs (分类台账): the page's needs and filters, labels instead of
codes, the resident's phone and address masked for everyone, audited, large workbooks in the background."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from baodao.audit.models import Action, AuditEvent
from baodao.jobs.models import Job
from baodao.lib.idnumber import mask_phone
from baodao.needs.models import Need
from baodao.needs.services import need_close, need_escalate, need_submit
from tests.exports.conftest import body, read_csv, read_xlsx, rows_of
from tests.web.needs_admin_data import ELDER, RESIDENT_ADDRESS, ledger

URL = "/community/C1/needs/export/"
HEADER = [
    "编号",
    "提交时间",
    "类型",
    "分类",
    "标题",
    "社区",
    "网格",
    "状态",
    "名额",
    "已认领",
    "响应时限",
    "办结时限",
    "是否超时",
    "上报街道时间",
    "结束时间",
    "评价（星）",
    "网格员代办",
    "联系人（脱敏）",
    "联系电话（脱敏）",
    "地址（脱敏）",
    "未受理原因",
]
C1_TITLES = {"修水龙头", "楼道灯坏了", "小区积水", "陪老人就医", "辅导孩子功课", "噪音扰民", "环境整治"}


@pytest.fixture
def needs(w):
    return ledger(w)


def export(client, fmt="csv", **filters):
    return client.get(URL, {"format": fmt, **filters})


def by_title(rows) -> dict[str, list]:
    return {row[4]: row for row in rows[1:]}


def test_it_exports_the_communitys_ledger_as_csv(as_user, w, needs):
    r = export(as_user(w.users["community_admin"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = read_csv(body(r))
    assert rows[0] == HEADER
    assert set(by_title(rows)) == C1_TITLES
    fixed = by_title(rows)["修水龙头"]
    assert fixed[:10] == [
        str(needs.fixed.pk),
        timezone.localtime(needs.fixed.created_at).strftime("%Y-%m-%d %H:%M"),
        "微心愿",
        "设施维修",
        "修水龙头",
        "幸福社区",
        "网格C1G1",
        "已办结",
        "1",
        "1",
    ]
    assert fixed[12] == "否" and fixed[15] == "5" and fixed[16] == "否"
    assert by_title(rows)["噪音扰民"][20] == "属于城管职责，已转交"


def test_it_masks_the_residents_name_phone_and_address_and_leaves_out_descriptions(as_user, w, needs):
    content = body(export(as_user(w.users["community_admin"]))).decode("utf-8-sig")
    rows = by_title(read_csv(content.encode("utf-8-sig")))
    resident = w.users["resident"]
    assert rows["修水龙头"][17:20] == ["居****", mask_phone(resident.phone), "5栋1单****"]
    assert rows["陪老人就医"][16:20] == ["是", "孙**", "137****5678", "7栋2单****"]
    secrets = (resident.name, resident.phone, RESIDENT_ADDRESS, *ELDER.values(), "家住")
    for secret in secrets:
        assert secret not in content, secret


def test_it_says_when_a_need_ended_and_how(as_user, w, needs):
    need_close(actor=w.users["community_admin"], need=needs.tutoring, reason="居民已搬走")
    needs.tutoring.refresh_from_db()
    rows = by_title(rows_of(export(as_user(w.users["community_admin"]))))
    ended = rows["辅导孩子功课"]
    assert (ended[7], ended[14]) == (
        "终止办理",
        timezone.localtime(needs.tutoring.closed_at).strftime("%Y-%m-%d %H:%M"),
    )
    assert by_title(rows_of(export(as_user(w.users["community_admin"]), status="terminated"))).keys() == {
        "辅导孩子功课"
    }


def test_a_reminder_to_confirm_is_not_reported_as_escalated(as_user, w, needs):
    Need.objects.filter(pk=needs.escort.pk).update(resolve_by=timezone.now() - timedelta(hours=1))
    need_escalate(need_id=needs.escort.pk)  # reported done: the resident is reminded, the street is not told
    row = by_title(rows_of(export(as_user(w.users["community_admin"]))))["陪老人就医"]
    assert (row[12], row[13]) == ("是", "")


def test_it_writes_a_workbook_and_audits_the_export(as_user, w, needs):
    r = export(as_user(w.users["street_admin"]), "xlsx", kind="request")
    rows = read_xlsx(body(r))
    assert rows[0] == HEADER
    assert set(by_title(rows)) == {"楼道灯坏了", "小区积水", "噪音扰民"}
    late = by_title(rows)["小区积水"]
    assert (late[0], late[7], late[12]) == (needs.late.pk, "待审核", "是")
    assert late[13] == timezone.localtime(needs.late.escalated_at).strftime("%Y-%m-%d %H:%M")
    event = AuditEvent.objects.get(action=Action.EXPORTED)
    assert event.detail == {
        "dataset": "needs",
        "format": "xlsx",
        "filters": {"community": "C1", "kind": "request"},
        "rows": 3,
    }


def on_the_day(query):
    """Dates named "today" / "yesterday" in a parametrised query, resolved when the test runs: resolved at
    collection, they go stale when the run crosses midnight (in the site's time zone)."""
    today = timezone.localdate()
    days = {"today": today.isoformat(), "yesterday": (today - timedelta(days=1)).isoformat()}
    return {key: days.get(value, value) for key, value in query.items()}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "task"}, {"环境整治"}),
        ({"category": "repair"}, {"修水龙头", "楼道灯坏了"}),
        ({"status": "disputed"}, {"辅导孩子功课"}),
        ({"grid": "C1G2"}, {"楼道灯坏了"}),
        ({"overdue": "on"}, {"小区积水"}),
        ({"until": "yesterday"}, {"小区积水"}),
        ({"since": "today"}, C1_TITLES - {"小区积水"}),
        ({"page": "3", "kind": ""}, C1_TITLES),
    ],
)
def test_it_applies_the_pages_filters(as_user, w, needs, filters, expected):
    filters = on_the_day(filters)
    assert set(by_title(rows_of(export(as_user(w.users["community_admin"]), **filters)))) == expected


def test_the_audit_keeps_the_days_as_text(as_user, w, needs):
    export(as_user(w.users["community_admin"]), since="2026-01-01", until="2099-12-31", overdue="on")
    assert AuditEvent.objects.get(action=Action.EXPORTED).detail["filters"] == {
        "community": "C1",
        "since": "2026-01-01",
        "until": "2099-12-31",
        "overdue": True,
    }


@pytest.mark.parametrize(
    "filters",
    [
        {"format": "pdf"},
        {"kind": "juggling"},
        {"since": "yesterday"},
        {"since": "2026-02-02", "until": "2026-02-01"},
    ],
)
def test_it_refuses_a_bad_format_or_filter(as_user, w, needs, filters):
    assert as_user(w.users["community_admin"]).get(URL, {"format": "csv", **filters}).status_code == 400


@pytest.mark.parametrize("role", ["other_community_admin", "grid_worker", "unit_admin", "member", "resident"])
def test_it_is_not_found_where_the_ledger_is_not(as_user, w, needs, role):
    assert export(as_user(w.users[role])).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORTED).exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, w):
    r = export(client)
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_it_neutralises_titles_a_spreadsheet_would_read_as_formulas(as_user, w):
    need_submit(
        actor=w.users["community_admin"],
        kind="task",
        title='=HYPERLINK("http://x")',
        category="other",
        community=w.r("C1"),
    )
    for fmt in ("csv", "xlsx"):
        rows = rows_of(export(as_user(w.users["community_admin"]), fmt))
        assert rows[1][4] == '\'=HYPERLINK("http://x")'


@pytest.mark.django_db(transaction=True)
def test_a_large_workbook_is_written_in_the_background(settings, as_user, w):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    ledger(w)
    client = as_user(w.users["community_admin"])
    r = export(client, "xlsx", kind="wish")
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/exports/jobs/{job.pk}/"
    assert job.total == 3
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    download = client.get(f"/exports/files/{job.result['file']}/")
    rows = read_xlsx(body(download))
    assert rows[0] == HEADER and set(by_title(rows)) == {"修水龙头", "陪老人就医", "辅导孩子功课"}
    assert job.result["filename"].startswith("需求台账-C1-")
