"""Large files go to the task queue and are run there for real (`db_worker --batch`)."""

import pytest
from django.core.management import call_command

from baodao.accounts.models import User
from baodao.jobs.models import Job, JobStatus
from baodao.roster import tasks, validation
from baodao.roster.models import RosterImport, Status
from baodao.roster.services import roster_import_start
from tests import factories
from tests.roster.conftest import row, xlsx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def big(settings):
    settings.ROSTER_SYNC_MAX_ROWS = 5
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return factories.world()


def rows(n, bad=()):
    return [row(f"党员{i}", "12345" if i in bad else f"139000{i:05d}") for i in range(n)]


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_file_over_the_sync_limit_is_queued_and_run_by_the_worker(big, monkeypatch):
    monkeypatch.setattr(validation, "PROGRESS_EVERY", 4)
    reported = []
    real_progress = tasks.job_progress

    def spy(**kwargs):
        reported.append(kwargs["done"])
        real_progress(**kwargs)

    monkeypatch.setattr(tasks, "job_progress", spy)
    admin = big.users["unit_admin"]
    imp = roster_import_start(
        actor=admin, unit=big.units["U1"], filename="big.xlsx", content=xlsx(rows(12)), dry_run=False
    )
    assert imp.status == Status.QUEUED
    job = imp.job
    assert (job.status, job.kind, job.created_by) == (JobStatus.QUEUED, "roster_import", admin)
    assert not User.objects.filter(phone="13900000000").exists()

    work()

    job.refresh_from_db()
    imp.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (12, 12, 100)
    assert reported[:3] == [4, 8, 12]
    assert job.result["created"] == 12 and job.result["id"] == imp.pk and job.result["errors"] == []
    assert (imp.status, imp.created) == (Status.COMMITTED, 12)
    assert User.objects.filter(phone__startswith="1390000").count() == 12


def test_a_refused_all_or_nothing_run_fails_its_job_with_the_errors(big):
    imp = roster_import_start(
        actor=big.users["unit_admin"],
        unit=big.units["U1"],
        filename="big.xlsx",
        content=xlsx(rows(8, bad={3})),
        dry_run=False,
    )
    work()
    job = Job.objects.get(pk=imp.job_id)
    assert job.status == JobStatus.FAILED
    assert "1 行有误" in job.message
    assert job.result["invalid"] == 1 and job.result["errors"][0]["row"] == 5
    assert RosterImport.objects.get().status == Status.REFUSED
    assert not User.objects.filter(phone__startswith="1390000").exists()


def test_a_broken_file_fails_its_job_with_the_reason(big):
    from tests.roster.test_files import GOOD_ROWS, sheet, workbook

    content = workbook(
        sheet_xml=sheet(GOOD_ROWS + "".join(f"<row r='{i}'></row>" for i in range(3, 12)))[:-40]
    )
    imp = roster_import_start(
        actor=big.users["unit_admin"], unit=big.units["U1"], filename="x.xlsx", content=content, dry_run=True
    )
    assert imp.status == Status.QUEUED
    work()
    job = Job.objects.get(pk=imp.job_id)
    assert job.status == JobStatus.FAILED
    assert "XML 格式错误" in job.message


def test_the_api_answers_202_and_the_job_carries_the_summary(big, api_as):
    client = api_as(big.users["unit_admin"])
    r = client.post(
        "/api/v1/units/U1/roster", {"file": _file(xlsx(rows(9))), "dry_run": "false"}, format="multipart"
    )
    assert r.status_code == 202
    body = r.json()
    assert {k: body[k] for k in ("rows", "created", "updated", "unchanged", "invalid", "errors")} == {
        "rows": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "errors": [],
    }
    job = client.get(f"/api/v1/jobs/{body['job']}").json()
    assert job["status"] == "queued"
    work()
    job = client.get(f"/api/v1/jobs/{body['job']}").json()
    assert (job["status"], job["percent"], job["result"]["created"]) == ("succeeded", 100, 9)
    detail = client.get(f"/api/v1/roster-imports/{body['id']}").json()
    assert (detail["status"], detail["created"]) == ("committed", 9)


def _file(content, name="roster.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
