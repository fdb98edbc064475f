"""`/api/v1/appraisals`: runs (201 done, 202 queued, 200 again), the list and its filters, one appraisal
with what the caller may do, the five-way evaluation, finalising (one and all), the appeal and its answer —
for each role, anonymous callers and bad input. (`api_as` signs one shared client in: sign in again before
each caller's requests.)"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from baodao.appraisals import services
from baodao.appraisals.models import Appraisal, AppraisalRun, Status
from tests.appraisals.helpers import Cast, local

URL = "/api/v1/appraisals"
RUN = {"period": "2026Q3", "region": "C1"}


@pytest.fixture
def c(w):
    """李明 (U1) and 赵强 (U2) registered in C1, 李明 with a rated service in the quarter."""
    c = Cast(w=w, admin=w.users["community_admin"])
    zhao = c.member("赵强", unit="U2")
    for m in (w.members["member"], zhao):
        c.registered(m, at=local(2026, 1, 5))
    c.served(w.members["member"], local(2026, 8, 1), "2.5", rating=5)
    return c


@pytest.fixture
def ran(c):
    c.run()
    return c


def li(c):
    return c.appraisal(c.w.members["member"])


def post(client, path, body=None):
    return client.post(f"{URL}{path}", body or {}, format="json")


def test_anonymous_callers_are_refused(w, anon):
    assert anon.get(URL).status_code == 401
    assert anon.get(f"{URL}/runs").status_code == 401
    assert post(anon, "/runs", RUN).status_code == 401
    assert post(anon, "/1/finalise").status_code == 401
    assert post(anon, "/finalise-all", {"community": "C1", "period": "2026Q3"}).status_code == 401


def test_a_community_admin_runs_its_community(c, api_as):
    r = post(api_as(c.admin), "/runs", RUN)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["region"] == {"code": "C1", "name": "幸福社区"}
    assert (body["period"], body["status"], body["appraisals"]) == ("2026Q3", "done", 2)
    assert body["rules"]["grades"][0] == ["优秀", 90]
    again = post(api_as(c.admin), "/runs", RUN)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    run = api_as(c.admin).get(f"{URL}/runs/{body['id']}")
    assert run.status_code == 200 and run.json()["status"] == "done"
    assert [r["id"] for r in api_as(c.admin).get(f"{URL}/runs").json()["results"]] == [body["id"]]


@pytest.mark.django_db(transaction=True)
def test_a_big_run_answers_202_and_is_polled_until_done(c, api_as, monkeypatch):
    monkeypatch.setattr(services, "INLINE_MAX", 1)
    r = post(api_as(c.u("street_admin")), "/runs", {"period": "2026Q3", "region": "S1"})
    assert r.status_code == 202 and r.json()["status"] == "running"
    assert post(api_as(c.u("street_admin")), "/runs", {"period": "2026Q3", "region": "S1"}).status_code == 409
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    polled = api_as(c.u("street_admin")).get(f"{URL}/runs/{r.json()['id']}").json()
    assert (polled["status"], polled["appraisals"]) == ("done", 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "2026Q5", "region": "C1"}, "period"),
        ({"period": "Q3", "region": "C1"}, "period"),
        ({"region": "C1"}, "period"),
        ({"period": "2026Q3", "region": "C1G1"}, "region"),
    ],
)
def test_bad_runs_are_400_in_chinese(c, api_as, body, field):
    r = post(api_as(c.admin), "/runs", body)
    assert r.status_code == 400
    assert field in r.json()["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])


def test_runs_out_of_scope_or_not_ended(c, api_as):
    assert post(api_as(c.admin), "/runs", {"period": "2026Q3", "region": "C2"}).status_code == 404
    assert post(api_as(c.u("grid_worker")), "/runs", RUN).status_code == 404
    assert post(api_as(c.u("unit_admin")), "/runs", RUN).status_code == 404
    r = post(api_as(c.admin), "/runs", {"period": "2026Q4", "region": "C1"})
    assert r.status_code == 409 and r.json()["error"] == "period_not_ended"
    assert not AppraisalRun.objects.exists()


def test_the_list_with_its_rows_and_filters(ran, api_as):
    client = api_as(ran.admin)
    r = client.get(URL, {"period": "2026q3"})
    assert r.status_code == 200 and r.json()["count"] == 2
    row = next(x for x in r.json()["results"] if x["member"]["name"] == "李明")
    assert row == {
        "id": li(ran).pk,
        "member": {"id": ran.w.members["member"].pk, "name": "李明"},
        "unit": {"code": "U1", "name": "区税务局"},
        "community": {"code": "C1", "name": "幸福社区"},
        "period": "2026Q3",
        "registered": True,
        "services": 1,
        "hours": "2.50",
        "points": "32.00",
        "rating": "5.00",
        "minimum_met": True,
        "proposed_grade": "优秀",
        "grade": "",
        "status": "open",
    }
    assert client.get(URL, {"unit": "U2"}).json()["count"] == 1
    assert client.get(URL, {"community": "C2"}).json()["count"] == 0
    assert client.get(URL, {"member": ran.w.members["member"].pk}).json()["count"] == 1
    assert client.get(URL, {"status": "finalised"}).json()["count"] == 0
    assert client.get(URL, {"period": "2025"}).json()["count"] == 0
    for bad in ({"period": "去年"}, {"status": "done"}, {"member": "x"}):
        r = client.get(URL, bad)
        assert r.status_code == 400 and r.json()["error"] == "invalid", bad


@pytest.mark.parametrize(
    ("who", "count"),
    [
        ("community_admin", 2),
        ("other_community_admin", 0),
        ("street_admin", 2),
        ("unit_admin", 1),
        ("other_unit_admin", 1),
        ("member", 1),
        ("grid_worker", 0),
        ("resident", 0),
    ],
)
def test_each_role_lists_what_it_may_see(ran, api_as, who, count):
    assert api_as(ran.u(who)).get(URL).json()["count"] == count


def test_out_of_scope_detail_and_actions_are_404(ran, api_as):
    pk = li(ran).pk
    for who in ("other_community_admin", "other_unit_admin", "grid_worker", "other_member"):
        client = api_as(ran.u(who))
        assert client.get(f"{URL}/{pk}").status_code == 404
        assert post(client, f"/{pk}/evaluate", {"score": 80}).status_code == 404
        assert post(client, f"/{pk}/finalise").status_code == 404


def test_the_detail_with_what_each_may_do(ran, api_as):
    pk = li(ran).pk
    body = api_as(ran.admin).get(f"{URL}/{pk}").json()
    assert body["may"] == {
        "self_assess": False,
        "evaluate": ["community"],
        "finalise": True,
        "appeal": False,
        "answer": False,
    }
    assert body["evaluations"]["residents"]["score"] == 100
    assert (body["score"], body["proposed_level"], body["proposed_grade"]) == ("100.00", 1, "优秀")
    assert [g["name"] for g in body["rules"]["grades"]] == ["优秀", "合格", "基本合格", "不合格"]
    assert body["rules"]["minimum"] == "期内至少 1 次服务"
    assert body["registered_since"] == "2026-01-05"
    mine = api_as(ran.u("member")).get(f"{URL}/{pk}").json()
    assert mine["may"]["self_assess"] and mine["may"]["evaluate"] == []
    assert api_as(ran.u("unit_admin")).get(f"{URL}/{pk}").json()["may"]["evaluate"] == ["unit"]
    assert api_as(ran.u("district_admin")).get(f"{URL}/{pk}").json()["may"]["evaluate"] == ["organisation"]


def test_the_member_sees_only_its_own_evaluation_until_the_grade_is_set(ran, api_as):
    pk = li(ran).pk
    member = ran.u("member")
    assert post(api_as(member), f"/{pk}/self-assess", {"score": 90, "comment": "积极参加"}).status_code == 200
    assert post(api_as(ran.admin), f"/{pk}/evaluate", {"score": 70, "comment": "还需努力"}).status_code == 200
    body = api_as(member).get(f"{URL}/{pk}").json()
    assert body["evaluations"]["self"] == {"score": 90, "comment": "积极参加", "by": "李明"}
    assert body["evaluations"]["community"] == {"score": None, "comment": "", "by": ""}
    assert body["evaluations"]["residents"]["score"] is None
    assert (body["score"], body["proposed_grade"], body["grade"]) == (None, "", "")
    assert body["services"] == 1  # its indicators it sees
    assert api_as(member).get(URL).json()["results"][0]["proposed_grade"] == ""
    post(api_as(ran.admin), f"/{pk}/finalise", {"grade": "合格"})
    body = api_as(member).get(f"{URL}/{pk}").json()
    assert body["evaluations"]["community"] == {"score": 70, "comment": "还需努力", "by": "社区书记"}
    assert (body["grade"], body["grade_level"], body["status"]) == ("合格", 2, "finalised")
    assert body["score"] is not None and body["may"]["appeal"]


def test_evaluate_as(ran, api_as):
    pk = li(ran).pk
    r = post(api_as(ran.u("unit_admin")), f"/{pk}/evaluate", {"score": 85, "comment": "好"})
    assert r.status_code == 200 and r.json()["evaluations"]["unit"]["score"] == 85
    r = post(api_as(ran.u("street_admin")), f"/{pk}/evaluate", {"as": "organisation", "score": 80})
    assert r.status_code == 200 and r.json()["evaluations"]["organisation"]["by"] == "街道书记"
    r = post(api_as(ran.u("street_admin")), f"/{pk}/evaluate", {"as": "community", "score": 80})
    assert r.status_code == 403 and r.json()["detail"] == "只有党员报到社区的管理员可以给出社区评价。"
    r = post(api_as(ran.admin), f"/{pk}/evaluate", {"as": "self", "score": 80})
    assert r.status_code == 400
    r = post(api_as(ran.u("member")), f"/{pk}/evaluate", {"score": 80})
    assert r.status_code == 403


@pytest.mark.parametrize("score", [101, -1, "高", 85.5, None, "", "1" * 1001])
def test_bad_scores_are_400_in_chinese(ran, api_as, score):
    r = post(api_as(ran.admin), f"/{li(ran).pk}/evaluate", {"score": score})
    assert r.status_code == 400
    assert r.json()["fields"]["score"] == ["评分须为 0 到 100 之间的整数。"]
    assert li(ran).score_community is None


def test_a_missing_score_is_400_in_chinese(ran, api_as):
    r = post(api_as(ran.admin), f"/{li(ran).pk}/evaluate", {"comment": "好"})
    assert r.status_code == 400
    (message,) = r.json()["fields"]["score"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


@pytest.mark.django_db(transaction=True)
def test_a_run_again_that_is_queued_answers_202(c, api_as, monkeypatch):
    assert post(api_as(c.admin), "/runs", RUN).status_code == 201
    monkeypatch.setattr(services, "INLINE_MAX", 1)
    r = post(api_as(c.admin), "/runs", RUN)
    assert r.status_code == 202 and r.json()["status"] == "running"
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    monkeypatch.undo()
    r = post(api_as(c.admin), "/runs", RUN)
    assert r.status_code == 200 and r.json()["status"] == "done"


def test_a_run_stuck_running_may_be_run_again(c, api_as):
    from datetime import timedelta

    from django.utils import timezone

    first = post(api_as(c.admin), "/runs", RUN).json()
    AppraisalRun.objects.filter(pk=first["id"]).update(
        status="running", started_at=timezone.now() - timedelta(hours=2)
    )
    r = post(api_as(c.admin), "/runs", RUN)
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["id"] == first["id"]


def test_the_list_takes_as_many_queries_for_30_rows_as_for_2(c, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c.run()
    client = api_as(c.admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(URL, {"period": "2026Q3"})
        assert r.status_code == 200
        return r.json()["count"], len(ctx.captured_queries)

    count()  # the token's first use of the day is written down
    two, few = count()
    for i in range(28):
        c.registered(c.member(f"党员{i:02d}"), at=local(2026, 1, 5))
    c.run()
    thirty, many = count()
    assert (two, thirty) == (2, 30)
    assert many == few <= 6


def test_an_admin_who_is_the_member_neither_evaluates_nor_finalises_it(ran, api_as):
    from baodao.accounts.models import Grant, Role

    member = ran.u("member")
    Grant.objects.create(user=member, role=Role.COMMUNITY_ADMIN, region=ran.r("C1"))
    pk = li(ran).pk
    post(api_as(ran.admin), f"/{pk}/evaluate", {"score": 70, "comment": "还需努力"})
    body = api_as(member).get(f"{URL}/{pk}").json()
    assert body["may"]["evaluate"] == [] and not body["may"]["finalise"] and body["may"]["self_assess"]
    assert body["evaluations"]["community"] == {"score": None, "comment": "", "by": ""}
    assert body["score"] is None
    for path, data in (("/evaluate", {"score": 100}), ("/finalise", {"grade": 1})):
        r = post(api_as(member), f"/{pk}{path}", data)
        assert r.status_code == 403 and r.json()["detail"] == "不能评价或确定本人的考评。", path
    zhao = Appraisal.objects.exclude(pk=pk).get()
    post(api_as(ran.admin), f"/{zhao.pk}/evaluate", {"score": 75})
    r = post(api_as(member), "/finalise-all", {"community": "C1", "period": "2026Q3"})
    assert r.json() == {"finalised": 1, "demoted": 0, "skipped": 1}  # 赵强's; its own skipped
    assert li(ran).status == Status.OPEN


def test_finalise_by_name_or_level_and_the_cap(c, api_as):
    for i in range(2):  # four appraised: one 优秀
        c.registered(c.member(f"党员{i}"), at=local(2026, 1, 5))
    c.run()
    client = api_as(c.admin)
    pk = li(c).pk
    assert post(client, f"/{pk}/finalise", {"grade": "甲等"}).status_code == 400
    r = post(client, f"/{pk}/finalise")  # the proposal: 优秀
    assert r.status_code == 200 and r.json()["grade"] == "优秀"
    assert post(client, f"/{pk}/finalise").json()["error"] == "not_open"
    other = Appraisal.objects.exclude(pk=pk).first()
    r = post(client, f"/{other.pk}/finalise", {"grade": 1})
    assert r.status_code == 409 and r.json()["error"] == "excellent_cap"
    assert post(client, f"/{other.pk}/finalise", {"grade": "3"}).json()["grade"] == "基本合格"
    assert post(api_as(c.u("street_admin")), f"/{pk}/finalise").status_code == 403


def test_appeal_and_answer(ran, api_as):
    pk = li(ran).pk
    member = ran.u("member")
    r = post(api_as(member), f"/{pk}/appeal", {"reason": "不服"})
    assert r.status_code == 409 and r.json()["error"] == "not_finalised"
    post(api_as(ran.admin), f"/{pk}/finalise", {"grade": 3})
    assert post(api_as(ran.admin), f"/{pk}/answer", {"answer": "维持"}).json()["error"] == "not_appealed"
    assert post(api_as(member), f"/{pk}/appeal", {}).status_code == 400
    r = post(api_as(member), f"/{pk}/appeal", {"reason": "服务漏记"})
    assert r.status_code == 200 and r.json()["status"] == "appealed"
    assert post(api_as(member), f"/{pk}/appeal", {"reason": "再来"}).json()["error"] == "already_appealed"
    assert post(api_as(member), f"/{pk}/answer", {"answer": "自己答复"}).status_code == 403
    r = post(api_as(ran.admin), f"/{pk}/answer", {"answer": "已核实，调整为合格", "grade": "合格"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["grade"], r.json()["answer"]) == (
        "answered",
        "合格",
        "已核实，调整为合格",
    )


def test_finalise_all(ran, api_as):
    r = post(api_as(ran.admin), "/finalise-all", {"community": "C1", "period": "2026Q3"})
    # two appraised: no 优秀 at all, so the proposal of 100 points becomes 合格
    assert r.status_code == 200 and r.json() == {"finalised": 1, "demoted": 1, "skipped": 1}
    done = Appraisal.objects.get(status=Status.FINALISED)
    assert (done.score, done.grade_level) == (Decimal(100), 2)
    r = post(api_as(ran.u("street_admin")), "/finalise-all", {"community": "C1", "period": "2026Q3"})
    assert r.status_code == 403
    r = post(api_as(ran.u("other_community_admin")), "/finalise-all", {"community": "C1", "period": "2026Q3"})
    assert r.status_code == 404
    r = post(api_as(ran.admin), "/finalise-all", {"community": "C1", "period": "三季度"})
    assert r.status_code == 400


def test_the_schema_documents_the_appraisal_paths(db, anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()
    validate_schema(schema)
    paths = schema["paths"]
    for path in ("", "/runs", "/runs/{id}", "/{id}", "/finalise-all", "/{id}/evaluate", "/{id}/answer"):
        assert f"/api/v1/appraisals{path}" in paths
    evaluate = schema["components"]["schemas"]["AppraisalEvaluateInRequest"]
    assert {"as", "score", "comment"} <= set(evaluate["properties"])
    assert {"200", "201", "202", "409"} <= set(paths["/api/v1/appraisals/runs"]["post"]["responses"])
