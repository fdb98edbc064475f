import uuid

from baodao.jobs.models import JobStatus
from baodao.jobs.services import job_create, job_fail, job_progress, job_start, job_succeed


def test_it_reports_progress_and_result_to_its_owner(w, api_as):
    owner = w.users["unit_admin"]
    job = job_create(kind="roster_import", created_by=owner)
    job_start(job_id=job.pk, total=200)
    job_progress(job_id=job.pk, done=50)
    r = api_as(owner).get(f"/api/v1/jobs/{job.pk}")
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["total"], body["done"], body["percent"]) == ("running", 200, 50, 25)
    job_succeed(job_id=job.pk, result={"rows": 200}, message="完成")
    body = api_as(owner).get(f"/api/v1/jobs/{job.pk}").json()
    assert (body["status"], body["percent"], body["result"]) == ("succeeded", 100, {"rows": 200})
    assert body["finished_at"] is not None


def test_it_keeps_a_failure_message(w, api_as):
    owner = w.users["unit_admin"]
    job = job_create(kind="roster_import", created_by=owner)
    job_fail(job_id=job.pk, message="文件已损坏")
    job.refresh_from_db()
    assert (job.status, job.message, job.finished) == (JobStatus.FAILED, "文件已损坏", True)


def test_it_hides_a_job_from_everyone_else(w, api_as):
    job = job_create(kind="roster_import", created_by=w.users["unit_admin"])
    r = api_as(w.users["district_admin"]).get(f"/api/v1/jobs/{job.pk}")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_it_answers_404_for_an_unknown_job(w, api_as):
    assert api_as(w.users["unit_admin"]).get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404


def test_it_needs_a_sign_in(w, api):
    job = job_create(kind="roster_import", created_by=w.users["unit_admin"])
    assert api.get(f"/api/v1/jobs/{job.pk}").status_code == 401
