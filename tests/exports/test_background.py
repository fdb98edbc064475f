"""A workbook over EXPORT_SYNC_MAX_ROWS is written by the task worker (run for real: `db_worker --batch`),
kept in the database, and downloaded by its creator only."""

import pytest
from django.core.management import call_command

from baodao.audit.models import Action, AuditEvent
from baodao.exports import services
from baodao.exports.models import ExportFile, ExportFilePart
from baodao.jobs.models import Job, JobStatus
from tests.exports.conftest import body, names, read_xlsx

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/exports/members"


@pytest.fixture
def big(settings, people):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    return people


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_large_workbook_is_queued_run_and_downloaded_by_its_creator(big, api_as, monkeypatch):
    monkeypatch.setattr(services, "PART_BYTES", 1000)  # several parts, sent back in order
    admin = big.users["district_admin"]
    r = api_as(admin).get(URL, {"format": "xlsx", "unit": "U1"})
    assert r.status_code == 202
    job = Job.objects.get(pk=r.json()["job"])
    assert r["Location"] == f"/api/v1/jobs/{job.pk}"
    assert (job.kind, job.status, job.total, job.created_by) == ("export", JobStatus.QUEUED, 5, admin)
    event = AuditEvent.objects.get(action=Action.EXPORTED)
    assert event.detail["job"] == str(job.pk) and event.detail["rows"] == 5

    work()

    progress = api_as(admin).get(f"/api/v1/jobs/{job.pk}").json()
    assert (progress["status"], progress["percent"]) == ("succeeded", 100)
    result = progress["result"]
    stored = ExportFile.objects.get(pk=result["file"])
    assert result["url"] == f"/api/v1/exports/files/{stored.pk}"
    assert result["rows"] == 5 and result["filename"].startswith("党员名单-")
    assert ExportFilePart.objects.filter(file=stored).count() > 1

    download = api_as(admin).get(result["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="baodao-members-')
    content = body(download)
    assert len(content) == int(download["Content-Length"]) == stored.size
    rows = read_xlsx(content)
    assert {row[0] for row in rows[1:]} == {"李明", '\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)"}


def test_someone_else_cannot_download_it(big, api_as, client):
    r = api_as(big.users["district_admin"]).get(URL, {"format": "xlsx"})
    work()
    url = Job.objects.get(pk=r.json()["job"]).result["url"]
    assert api_as(big.users["street_admin"]).get(url).status_code == 404
    assert client.get(url).status_code == 401
    assert api_as(big.users["district_admin"]).get("/api/v1/exports/files/999999").status_code == 404


def test_csv_always_streams(big, api_as):
    r = api_as(big.users["district_admin"]).get(URL, {"format": "csv"})
    assert r.status_code == 200 and r.streaming
    assert len(names(r)) == 7
    assert not Job.objects.exists()


def test_the_page_follows_the_job_and_offers_the_file(big, as_user):
    admin = big.users["unit_admin"]
    page = as_user(admin)
    r = page.get("/unit/U1/members/export/", {"format": "xlsx", "status": "unregistered"})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/exports/jobs/{job.pk}/"

    waiting = page.get(r["Location"])
    assert waiting.status_code == 200 and waiting["Refresh"] == "2"
    assert "排队中" in waiting.content.decode()

    work()

    done = page.get(r["Location"])
    assert "Refresh" not in done
    html = done.content.decode()
    stored = ExportFile.objects.get()
    assert f'href="/exports/files/{stored.pk}/"' in html and "导出完成，共 4 行。" in html
    download = page.get(f"/exports/files/{stored.pk}/")
    rows = read_xlsx(body(download))
    assert len(rows) == 5 and all(row[9] == "未报到" for row in rows[1:])

    as_user(big.users["district_admin"])
    assert page.get(r["Location"]).status_code == 404
    assert page.get(f"/exports/files/{stored.pk}/").status_code == 404


def test_a_failure_fails_the_job_with_a_reason(big, api_as, monkeypatch):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "export_store", broken)
    r = api_as(big.users["district_admin"]).get(URL, {"format": "xlsx"})
    work()
    job = Job.objects.get(pk=r.json()["job"])
    assert (job.status, job.message) == (JobStatus.FAILED, "导出时发生系统错误，请稍后重试。")
    assert not ExportFile.objects.exists()


def test_files_are_kept_for_a_week(big, api_as):
    from datetime import timedelta

    from django.utils import timezone

    client = api_as(big.users["district_admin"])
    client.get(URL, {"format": "xlsx"})
    work()
    old = ExportFile.objects.get()
    ExportFile.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    client.get(URL, {"format": "xlsx", "unit": "U1"})
    work()
    assert list(ExportFile.objects.values_list("rows", flat=True)) == [5]
    assert not ExportFilePart.objects.filter(file_id=old.pk).exists()
