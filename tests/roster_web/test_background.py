"""A file over ROSTER_SYNC_MAX_ROWS: its dry run and its import run on the task queue, run here for real
(`db_worker --batch`); the import's page shows the progress and reloads itself until the result is there."""

import re

import pytest
from django.core.management import call_command

from baodao.jobs.models import JobStatus
from baodao.jobs.services import job_progress, job_start
from baodao.members.models import Member
from baodao.roster.models import RosterImport, Status
from tests import factories
from tests.roster_web.conftest import row, upload, xlsx

pytestmark = pytest.mark.django_db(transaction=True)
REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.fixture
def big(settings):
    settings.ROSTER_SYNC_MAX_ROWS = 5
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return factories.world()


def rows(n, bad=()):
    return [row(f"党员{i}", "12345" if i in bad else f"139000{i:05d}") for i in range(n)]


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def figures(html):
    return dict(re.findall(r'id="count-(\w+)">(\d+)</span>', html))


def test_the_page_shows_progress_then_the_preview_then_the_result(big, as_user):
    client = as_user(big.users["unit_admin"])
    r = upload(client, xlsx(rows(12)))
    item = RosterImport.objects.get()
    assert r["Location"] == f"/roster-imports/{item.pk}/"
    assert item.status == Status.QUEUED and item.job.status == JobStatus.QUEUED

    html = client.get(r["Location"]).content.decode()
    assert REFRESH in html
    assert "正在预检名册" in html and "排队等待处理" in html
    assert re.search(r'<progress id="roster-progress" max="12" value="0">', html)
    assert "已处理 0 / 12 行" in html
    assert "确认导入" not in html

    # Half-way (as the worker reports it between two batches of rows).
    job_start(job_id=item.job_id, message="正在读取和校验名册……")
    job_progress(job_id=item.job_id, done=6)
    html = client.get(r["Location"]).content.decode()
    assert REFRESH in html and "已处理 6 / 12 行" in html and 'value="6"' in html

    work()
    html = client.get(r["Location"]).content.decode()
    assert REFRESH not in html
    assert "预检结果" in html and figures(html)["created"] == "12"
    assert not Member.objects.filter(user__phone__startswith="1390000").exists()

    r = client.post(f"/roster-imports/{item.pk}/commit/")
    html = client.get(r["Location"]).content.decode()
    item.refresh_from_db()
    assert item.status == Status.QUEUED and not item.dry_run
    assert REFRESH in html and "正在导入名册" in html and "已处理 0 / 12 行" in html

    work()
    html = client.get(r["Location"]).content.decode()
    assert REFRESH not in html
    assert "导入结果" in html and figures(html)["created"] == "12"
    assert "导入时间" in html
    assert Member.objects.filter(unit=big.units["U1"], user__phone__startswith="1390000").count() == 12

    # Kept for later: the unit's list of imports shows the result.
    listed = client.get("/unit/U1/roster/").content.decode()
    assert "已导入" in listed and "共 12 行：新增 12" in listed


def test_a_refused_background_import_shows_the_errors_and_stops_refreshing(big, as_user):
    client = as_user(big.users["unit_admin"])
    r = upload(client, xlsx(rows(8, bad={3})))
    work()
    item = RosterImport.objects.get()
    r = client.post(f"/roster-imports/{item.pk}/commit/", {"mode": "all_or_nothing"})
    work()
    html = client.get(r["Location"]).content.decode()
    assert REFRESH not in html
    assert "1 行有误" in html and "没有导入任何数据" in html
    assert re.search(r'data-label="行号">5</td>', html)
    assert not Member.objects.filter(user__phone__startswith="1390000").exists()


def test_a_failed_background_run_shows_its_chinese_message(big, as_user):
    from tests.roster.test_files import GOOD_ROWS, sheet, workbook

    content = workbook(
        sheet_xml=sheet(GOOD_ROWS + "".join(f"<row r='{i}'></row>" for i in range(3, 12)))[:-40]
    )
    client = as_user(big.users["unit_admin"])
    r = upload(client, content, name="坏文件.xlsx")
    assert r.status_code == 302
    work()
    html = client.get(r["Location"]).content.decode()
    assert REFRESH not in html
    assert "处理失败" in html and "XML 格式错误" in html
