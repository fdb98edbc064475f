"""Needs through the API: submission, the scoped list and its filters, the detail and its contract, contact
masking, and photos."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baodao.needs.models import Need, Photo
from baodao.needs.services import PHOTO_MAX_BYTES, need_photo_add
from tests.api.need_cases import (
    ADDRESS,
    JPEG,
    LIST,
    PNG,
    WEBP,
    claimed_wish,
    client_for,
    completed_wish,
    member_registered,
    published_wish,
    task,
    unit_co_builds,
    url,
    wish,
)
from tests.factories import registered

pytestmark = pytest.mark.django_db


def submit(client, **body):
    data = {"kind": "wish", "title": "修水龙头", "category": "repair", "community": "C1", "grid": "C1G1"}
    return client.post(LIST, {**data, **body}, format="json")


# ---- POST /needs ----------------------------------------------------------------------------------------


def test_it_refuses_anonymous_callers(w, anon):
    need = published_wish(w)
    assert anon.get(LIST).status_code == 401
    assert submit(anon).status_code == 401
    assert anon.get(url(need)).status_code == 401
    r = anon.get(url(need, f"photos/{1}"))
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated"
    assert Need.objects.count() == 1


def test_it_lets_a_resident_submit_a_wish(w):
    resident = w.users["resident"]
    r = submit(client_for(resident), description="厨房水龙头漏水", address=ADDRESS, location="5栋")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "wish"
    assert body["kind_label"] == "微心愿"
    assert body["status"] == "submitted"
    assert body["status_label"] == "待审核"
    assert body["category"] == "repair"
    assert body["category_label"] == "设施维修"
    assert body["community"] == {"code": "C1", "name": "幸福社区"}
    assert body["grid"] == {"code": "C1G1", "name": "网格C1G1"}
    assert (body["places"], body["claimed"], body["free_places"]) == (1, 0, 1)
    assert body["on_behalf"] is False
    assert body["contact_visible"] is True
    assert (body["contact_name"], body["contact_phone"], body["address"]) == (
        "居民张阿姨",
        resident.phone,
        ADDRESS,
    )
    assert body["respond_by"] is not None and body["resolve_by"] is not None
    assert body["overdue"] is False
    assert [(e["kind"], e["kind_label"], e["actor"]) for e in body["timeline"]] == [
        ("submitted", "提交", "居民张阿姨")
    ]
    assert body["claims"] == [] and body["photos"] == []
    need = Need.objects.get(pk=body["id"])
    assert (need.requester, need.submitted_by) == (resident, resident)


def test_it_answers_with_the_whole_contract(w):
    body = submit(client_for(w.users["resident"])).json()
    assert set(body) == {
        "id",
        "kind",
        "kind_label",
        "title",
        "category",
        "category_label",
        "community",
        "grid",
        "location",
        "skills",
        "places",
        "claimed",
        "free_places",
        "status",
        "status_label",
        "starts_at",
        "due_at",
        "respond_by",
        "resolve_by",
        "overdue",
        "escalated",
        "rating",
        "created_at",
        "description",
        "on_behalf",
        "contact_visible",
        "contact_name",
        "contact_phone",
        "address",
        "decline_reason",
        "merged_into",
        "responded_at",
        "closed_at",
        "escalated_at",
        "timeline",
        "claims",
        "photos_visible",
        "photos",
    }
    assert set(body["timeline"][0]) == {"kind", "kind_label", "actor", "note", "at"}


def test_it_lets_a_community_admin_publish_a_task_at_once(w):
    due = (timezone.now() + timedelta(days=3)).isoformat()
    r = client_for(w.users["community_admin"]).post(
        LIST,
        {
            "kind": "task",
            "title": "周末清理楼道",
            "category": "environment",
            "community": "C1",
            "skills": ["environment", "维修技能"],
            "places": 5,
            "due_at": due,
            "publish": True,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "published"
    assert body["places"] == 5
    assert body["skills"] == ["environment", "repair"]
    assert body["grid"] is None
    assert body["due_at"] is not None and body["resolve_by"] == body["due_at"]
    assert [e["kind"] for e in body["timeline"]] == ["created", "published"]


def test_it_keeps_a_task_unpublished_unless_asked(w):
    r = client_for(w.users["community_admin"]).post(
        LIST,
        {"kind": "service", "title": "加装电梯协调", "category": "elevator", "community": "C1"},
        format="json",
    )
    assert r.status_code == 201
    assert r.json()["status"] == "submitted"


def test_it_lets_a_grid_worker_submit_for_a_resident(w):
    client = client_for(w.users["grid_worker"])
    missing = submit(client, kind="request", title="楼道灯坏了", category="repair")
    assert missing.status_code == 400
    assert missing.json()["fields"] == {"contact_name": ["必填。"]}
    r = submit(
        client,
        kind="request",
        title="楼道灯坏了",
        contact_name="王大爷",
        contact_phone="13912345678",
        address="2栋101",
    )
    assert r.status_code == 201
    body = r.json()
    assert body["on_behalf"] is True
    assert (body["contact_name"], body["contact_phone"]) == ("王大爷", "13912345678")
    assert Need.objects.get(pk=body["id"]).requester is None


def test_it_refuses_who_may_not_create_the_kind(w):
    r = submit(client_for(w.users["member"]), kind="task", category="environment", title="清理楼道")
    assert r.status_code == 403
    assert r.json()["detail"] == "服务清单和任务清单由社区管理员发布。"
    r = submit(client_for(w.users["resident"]), community="C2", grid="C2G1")
    assert r.status_code == 403
    r = submit(client_for(w.users["resident"]), publish=True)
    assert r.status_code == 403
    assert r.json()["detail"] == "需求须经社区审核后发布。"
    assert not Need.objects.exists()


def test_it_refuses_bad_input_in_chinese(w):
    client = client_for(w.users["resident"])
    empty = client.post(LIST, {}, format="json")
    assert empty.status_code == 400
    body = empty.json()
    assert body["error"] == "invalid"
    assert body["detail"].startswith("请求数据不正确")
    assert set(body["fields"]) == {"kind", "title", "category", "community"}
    assert body["fields"]["title"] == ["该字段是必填项。"]
    kind = submit(client, kind="favour")
    assert kind.status_code == 400 and "kind" in kind.json()["fields"]
    past = submit(client, due_at=(timezone.now() - timedelta(days=1)).isoformat())
    assert past.status_code == 400
    assert past.json()["fields"] == {"due_at": ["截止时间须晚于现在。"]}
    grid = submit(client, grid="C2G1")
    assert grid.status_code == 400
    assert "grid" in grid.json()["fields"]
    skills = submit(client, skills=["唱歌跳舞"])
    assert skills.status_code == 400 and "skills" in skills.json()["fields"]
    places = submit(client, places=0)
    assert places.status_code == 400 and "places" in places.json()["fields"]
    assert not Need.objects.exists()


def test_it_answers_400_on_the_field_for_a_community_or_grid_it_cannot_find(w):
    client = client_for(w.users["resident"])
    for code in ("NOPE", "S1", "C1G1"):  # none, a street, a grid
        r = submit(client, community=code)
        assert r.status_code == 400, code
        assert r.json()["error"] == "invalid"
        assert r.json()["fields"] == {"community": ["没有找到该社区。"]}
    for code in ("NOPE", "C1"):
        r = submit(client, grid=code)
        assert r.status_code == 400, code
        assert r.json()["fields"] == {"grid": ["没有找到该网格。"]}
    assert not Need.objects.exists()


# ---- GET /needs -----------------------------------------------------------------------------------------


def ids(r):
    assert r.status_code == 200, r.content
    return {row["id"] for row in r.json()["results"]}


@pytest.fixture
def spread(w):
    """Needs in several places and states: a submitted wish (C1G1), a published request (C1G2), a published
    task (C1), a task in C2."""
    return {
        "wish": wish(w),
        "request": published_wish(w, kind="request", grid="C1G2", title="噪音扰民", category="dispute"),
        "task": task(w),
        "c2_task": task(w, community="C2", admin="other_community_admin", title="和平社区任务"),
    }


def test_it_lists_what_each_role_may_see(w, spread):
    c1 = {spread["wish"].pk, spread["request"].pk, spread["task"].pk}
    assert ids(client_for(w.users["community_admin"]).get(LIST)) == c1
    assert ids(client_for(w.users["street_admin"]).get(LIST)) == {*c1, spread["c2_task"].pk}
    assert ids(client_for(w.users["other_community_admin"]).get(LIST)) == {spread["c2_task"].pk}
    assert ids(client_for(w.users["far_community_admin"]).get(LIST)) == set()
    assert ids(client_for(w.users["grid_worker"]).get(LIST)) == {spread["wish"].pk}
    assert ids(client_for(w.users["resident"]).get(LIST)) == {spread["wish"].pk, spread["request"].pk}
    # a member sees the live needs of the community it is registered in — none before it registers
    assert ids(client_for(w.users["member"]).get(LIST)) == set()
    member_registered(w)
    assert ids(client_for(w.users["member"]).get(LIST)) == {spread["request"].pk, spread["task"].pk}
    assert ids(client_for(w.users["unit_admin"]).get(LIST)) == set()
    unit_co_builds(w)
    assert ids(client_for(w.users["unit_admin"]).get(LIST)) == {spread["request"].pk, spread["task"].pk}


def test_it_filters_the_list(w, spread):
    client = client_for(w.users["street_admin"])
    assert ids(client.get(LIST, {"kind": "task"})) == {spread["task"].pk, spread["c2_task"].pk}
    assert ids(client.get(LIST, {"status": "submitted"})) == {spread["wish"].pk}
    assert ids(client.get(LIST, {"community": "C2"})) == {spread["c2_task"].pk}
    assert ids(client.get(LIST, {"grid": "C1G2"})) == {spread["request"].pk}
    assert ids(client.get(LIST, {"category": "dispute"})) == {spread["request"].pk}
    assert ids(client.get(LIST, {"kind": "wish", "community": "C2"})) == set()
    assert ids(client.get(LIST, {"overdue": "true"})) == set()
    Need.objects.filter(pk=spread["wish"].pk).update(respond_by=timezone.now() - timedelta(hours=1))
    assert ids(client.get(LIST, {"overdue": "true"})) == {spread["wish"].pk}
    assert ids(client.get(LIST, {"overdue": "是"})) == {spread["wish"].pk}
    assert spread["wish"].pk not in ids(client.get(LIST, {"overdue": "false"}))
    assert len(ids(client.get(LIST, {"overdue": "false"}))) == 3
    listed = {row["id"]: row for row in client.get(LIST).json()["results"]}
    assert listed[spread["wish"].pk]["overdue"] is True
    assert listed[spread["task"].pk]["overdue"] is False


def test_it_refuses_bad_filters(w):
    client = client_for(w.users["community_admin"])
    for params, field in (
        ({"kind": "favour"}, "kind"),
        ({"status": "x"}, "status"),
        ({"overdue": "也许"}, "overdue"),
    ):
        r = client.get(LIST, params)
        assert r.status_code == 400
        assert r.json()["detail"].startswith("请求数据不正确")
        assert list(r.json()["fields"]) == [field]


def test_it_shows_no_contact_details_in_the_list(w):
    need = published_wish(w)
    row = client_for(w.users["resident"]).get(LIST).json()["results"][0]
    assert row["id"] == need.pk
    assert not {"contact_name", "contact_phone", "address", "timeline"} & set(row)


def test_it_keeps_the_list_to_a_few_queries(w, django_assert_max_num_queries):
    client = client_for(w.users["community_admin"])
    for i in range(3):
        published_wish(w, title=f"心愿{i}")
    client.get(LIST)  # the first request also stamps the token's last use
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, {"kind": "wish", "overdue": "false"}).status_code == 200
    for i in range(15):
        published_wish(w, title=f"更多{i}", grid="C1G2")
        task(w, title=f"任务{i}")
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        r = client.get(LIST, {"kind": "wish", "overdue": "false"})
    assert len(r.json()["results"]) == 18
    assert len(many.captured_queries) == len(few.captured_queries)


# ---- GET /needs/{id}: scope and masking -------------------------------------------------------------------


def test_it_answers_404_out_of_scope(w):
    need = wish(w)
    for name in (
        "other_community_admin",
        "far_community_admin",
        "other_member",
        "member",
        "other_unit_admin",
    ):
        r = client_for(w.users[name]).get(url(need))
        assert r.status_code == 404, name
        assert r.json() == {"error": "not_found", "detail": "没有找到该需求。", "fields": {}}
    assert client_for(w.users["community_admin"]).get(url(999999)).status_code == 404


def test_it_masks_the_residents_contact_for_everyone_but_those_who_act(w):
    resident = w.users["resident"]
    need = published_wish(w)
    member_registered(w)

    def seen_by(user):
        r = client_for(user).get(url(need))
        assert r.status_code == 200
        return r

    for user in (w.users["community_admin"], w.users["street_admin"], w.users["member"]):
        r = seen_by(user)
        body = r.json()
        assert body["contact_visible"] is False
        assert body["contact_name"] == "居****"
        assert body["contact_phone"] == resident.phone[:3] + "****" + resident.phone[-4:]
        assert body["address"] == ADDRESS[: len(ADDRESS) // 2] + "****"
        assert body["timeline"][0]["actor"] == "居****"
        text = r.content.decode()
        assert resident.phone not in text and ADDRESS not in text and "居民张阿姨" not in text

    body = seen_by(resident).json()
    assert (body["contact_name"], body["contact_phone"], body["address"]) == (
        "居民张阿姨",
        resident.phone,
        ADDRESS,
    )


def test_it_shows_the_contact_to_the_claimer_only_while_it_holds_a_place(w):
    need = claimed_wish(w)
    body = client_for(w.users["member"]).get(url(need)).json()
    assert body["contact_visible"] is True
    assert body["timeline"][0]["actor"] == "居民张阿姨"
    assert body["contact_phone"] == w.users["resident"].phone
    assert body["address"] == ADDRESS
    assert body["claimed"] == 1
    claim = body["claims"][0]
    assert claim["member"]["name"] == "李明"
    assert claim["unit"] is None
    assert claim["status"] == "active"
    client_for(w.users["member"]).post(url(need, "withdraw"), {"reason": "临时出差"}, format="json")
    body = client_for(w.users["member"]).get(url(need)).json()
    assert body["contact_visible"] is False
    assert body["address"] != ADDRESS
    assert body["timeline"][0]["actor"] == "居****"


def test_it_shows_the_contact_to_the_admin_of_a_claiming_unit(w):
    need = published_wish(w)
    unit_co_builds(w)
    assert client_for(w.users["unit_admin"]).get(url(need)).json()["contact_visible"] is False
    r = client_for(w.users["unit_admin"]).post(url(need, "claim"), {"unit": "U1"}, format="json")
    assert r.status_code == 201
    body = client_for(w.users["unit_admin"]).get(url(need)).json()
    assert body["contact_visible"] is True
    assert body["claims"][0]["unit"] == {"code": "U1", "name": "区税务局"}
    assert body["claims"][0]["member"] is None


def test_it_keeps_the_name_a_grid_worker_took_down_out_of_the_timeline(w):
    r = submit(
        client_for(w.users["grid_worker"]), kind="request", contact_name="王大爷", contact_phone="13912345678"
    )
    body = r.json()
    assert (body["timeline"][0]["note"], body["timeline"][0]["actor"]) == ("代居民提交", "网格员")
    assert body["contact_name"] == "王大爷"  # the grid worker who took it down sees it
    seen = client_for(w.users["community_admin"]).get(url(body["id"]))
    assert "王大爷" not in seen.content.decode() and "13912345678" not in seen.content.decode()
    assert seen.json()["contact_name"] == "王**"


def test_it_shows_the_timeline_oldest_first_with_claims(w):
    need = completed_wish(w)
    body = client_for(w.users["resident"]).get(url(need)).json()
    assert [e["kind"] for e in body["timeline"]] == ["submitted", "published", "claimed", "completed"]
    assert body["timeline"][1]["actor"] == "社区书记"
    assert body["timeline"][3]["note"] == "换了阀芯"
    assert body["status"] == "completed"
    (claim,) = body["claims"]
    assert (claim["status"], claim["hours"], claim["note"], claim["rating"]) == (
        "completed",
        "1.5",
        "换了阀芯",
        None,
    )
    # the claimer's own phone is masked for the resident
    assert claim["member"]["phone"] != w.users["member"].phone


# ---- photos ---------------------------------------------------------------------------------------------


def upload(client, need, content, name="photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url(need, "photos"), {"file": SimpleUploadedFile(name, content)}, format="multipart")


def test_it_takes_the_residents_photos_and_serves_them(w):
    need = wish(w)
    client = client_for(w.users["resident"])
    r = upload(client, need, JPEG)
    assert r.status_code == 201, r.content
    photo = r.json()
    assert (photo["stage"], photo["stage_label"], photo["content_type"]) == (
        "submitted",
        "提交时",
        "image/jpeg",
    )
    assert photo["url"] == f"{url(need)}/photos/{photo['id']}"
    got = client_for(w.users["community_admin"]).get(photo["url"], HTTP_ACCEPT="image/*")
    assert got.status_code == 200
    assert got["Content-Type"] == "image/jpeg"
    assert got.content == JPEG
    client = client_for(w.users["resident"])
    assert upload(client, need, PNG, "x.png").json()["content_type"] == "image/png"
    assert upload(client, need, WEBP, "x.webp").json()["content_type"] == "image/webp"
    fourth = upload(client, need, JPEG)
    assert fourth.status_code == 400
    assert fourth.json()["fields"] == {"file": ["每个阶段最多上传 3 张照片。"]}
    body = client.get(url(need)).json()
    assert [p["stage"] for p in body["photos"]] == ["submitted"] * 3


def test_it_refuses_files_that_are_not_pictures_or_too_large(w):
    need = wish(w)
    client = client_for(w.users["resident"])
    script = upload(client, need, b"<script>alert(1)</script>", "photo.jpg")
    assert script.status_code == 400
    assert script.json()["detail"] == "只能上传 JPEG、PNG 或 WebP 格式的照片。"
    big = upload(client, need, JPEG + b"\x00" * PHOTO_MAX_BYTES)
    assert big.status_code == 400
    assert big.json()["fields"] == {"file": ["照片不能超过 5 MB。"]}
    missing = client.post(url(need, "photos"), {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["fields"]
    assert not Photo.objects.exists()


def test_it_files_the_claimers_photos_as_completion(w):
    need = claimed_wish(w)
    r = upload(client_for(w.users["member"]), need, JPEG)
    assert r.status_code == 201
    assert r.json()["stage"] == "completed"


def test_it_refuses_photos_from_those_who_only_look(w):
    need = claimed_wish(w)
    r = upload(client_for(w.users["community_admin"]), need, JPEG)
    assert r.status_code == 403
    assert r.json()["detail"] == "只有需求的提交人或认领人可以上传照片。"
    assert upload(client_for(w.users["other_member"]), need, JPEG).status_code == 404


def test_it_refuses_the_residents_photos_once_the_work_is_reported(w):
    need = completed_wish(w)
    r = upload(client_for(w.users["resident"]), need, JPEG)
    assert r.status_code == 409
    assert r.json()["error"] == "illegal_transition"


def test_it_lists_photos_only_to_those_who_act_or_administer_the_place(w):
    need = published_wish(w)
    photo = need_photo_add(actor=w.users["resident"], need=need, content=JPEG)
    path = f"{url(need)}/photos/{photo.pk}"
    member_registered(w)
    member = client_for(w.users["member"])
    body = member.get(url(need)).json()  # it sees the need, to decide whether to take it on
    assert (body["photos_visible"], body["photos"]) == (False, [])
    assert member.get(path, HTTP_ACCEPT="image/*").status_code == 404
    for name in ("community_admin", "grid_worker", "street_admin"):
        body = client_for(w.users[name]).get(url(need)).json()
        assert (body["photos_visible"], [p["id"] for p in body["photos"]]) == (True, [photo.pk]), name
    assert member.post(url(need, "claim"), {}, format="json").status_code == 201
    body = member.get(url(need)).json()
    assert (body["photos_visible"], [p["id"] for p in body["photos"]]) == (True, [photo.pk])
    got = member.get(path, HTTP_ACCEPT="image/*")
    assert (got.status_code, got.content) == (200, JPEG)
    assert "private" in got["Cache-Control"] and "max-age=3600" in got["Cache-Control"]


def test_it_hides_photos_out_of_scope(w):
    need = wish(w)
    photo = need_photo_add(actor=w.users["resident"], need=need, content=JPEG)
    path = f"{url(need)}/photos/{photo.pk}"
    for name in ("other_community_admin", "member", "other_member"):
        r = client_for(w.users[name]).get(path, HTTP_ACCEPT="image/jpeg")
        assert r.status_code == 404, name
        assert r.json()["error"] == "not_found"
    other = wish(w, title="另一个心愿")
    assert client_for(w.users["resident"]).get(f"{url(other)}/photos/{photo.pk}").status_code == 404
    assert client_for(w.users["resident"]).get(path).status_code == 200


def test_a_member_registered_elsewhere_cannot_see_a_c1_need(w):
    need = published_wish(w)
    registered(w.members["other_member"], w.r("C2"), w.r("C2G1"), by=w.users["other_community_admin"])
    assert client_for(w.users["other_member"]).get(url(need)).status_code == 404
