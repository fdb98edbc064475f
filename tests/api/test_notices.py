"""The in-app inbox through the API: one's own notices only, the unread count, marking read."""

import pytest

from baodao.needs.services import need_close, need_publish
from baodao.notify.models import Notice
from baodao.notify.services import notify
from tests.api.need_cases import client_for, wish

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/me/notices"
READ_ALL = f"{NOTICES}/read-all"


def read_url(notice):
    return f"{NOTICES}/{notice.pk if hasattr(notice, 'pk') else notice}/read"


@pytest.fixture
def inbox(w):
    """Three notices for the community admin (oldest first), one for the resident."""
    admin = w.users["community_admin"]
    mine = [notify(users=[admin], title=f"消息{i}", body="内容", url="/needs/1/")[0] for i in range(3)]
    theirs = notify(users=[w.users["resident"]], title="居民的消息")[0]
    return {"mine": mine, "theirs": theirs}


def test_it_refuses_anonymous_callers(w, anon, inbox):
    assert anon.get(NOTICES).status_code == 401
    assert anon.post(read_url(inbox["mine"][0])).status_code == 401
    assert anon.post(READ_ALL).status_code == 401
    assert not Notice.objects.filter(read_at__isnull=False).exists()


def test_it_lists_ones_own_notices_newest_first_with_the_unread_count(w, inbox):
    r = client_for(w.users["community_admin"]).get(NOTICES)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results", "unread"}
    assert (body["count"], body["unread"]) == (3, 3)
    assert [n["title"] for n in body["results"]] == ["消息2", "消息1", "消息0"]
    first = body["results"][0]
    assert set(first) == {"id", "title", "body", "url", "created_at", "read_at", "read"}
    assert (first["body"], first["url"], first["read"], first["read_at"]) == (
        "内容",
        "/needs/1/",
        False,
        None,
    )


def test_the_unread_count_is_of_the_whole_inbox_not_the_page(w, inbox):
    body = client_for(w.users["community_admin"]).get(NOTICES, {"page_size": 1}).json()
    assert len(body["results"]) == 1
    assert body["unread"] == 3
    assert body["next"] is not None


def test_it_tells_people_what_changed_in_their_needs(w):
    wish(w)
    titles = [n["title"] for n in client_for(w.users["community_admin"]).get(NOTICES).json()["results"]]
    assert titles == ["有新的微心愿待审核"]


def test_it_tells_the_resident_why_its_need_was_terminated(w):
    need = need_publish(actor=w.users["community_admin"], need=wish(w))
    need_close(actor=w.users["community_admin"], need=need, reason="居民已搬走")
    (notice,) = [
        n
        for n in client_for(w.users["resident"]).get(NOTICES).json()["results"]
        if n["title"] == "社区终止办理了您的需求"
    ]
    assert (notice["body"], notice["url"]) == ("居民已搬走", f"/needs/{need.pk}/")


def test_it_marks_one_notice_read(w, inbox):
    client = client_for(w.users["community_admin"])
    notice = inbox["mine"][1]
    r = client.post(read_url(notice))
    assert r.status_code == 200
    assert r.json()["id"] == notice.pk
    assert r.json()["read"] is True and r.json()["read_at"] is not None
    again = client.post(read_url(notice))
    assert again.status_code == 200
    assert again.json()["read_at"] == r.json()["read_at"]
    body = client.get(NOTICES).json()
    assert body["unread"] == 2
    assert [n["title"] for n in client.get(NOTICES, {"unread": "true"}).json()["results"]] == [
        "消息2",
        "消息0",
    ]
    assert [n["title"] for n in client.get(NOTICES, {"unread": "false"}).json()["results"]] == ["消息1"]


def test_it_answers_404_for_someone_elses_notice(w, inbox):
    r = client_for(w.users["community_admin"]).post(read_url(inbox["theirs"]))
    assert r.status_code == 404
    assert r.json()["detail"] == "没有找到该消息。"
    assert client_for(w.users["community_admin"]).post(read_url(999999)).status_code == 404
    assert Notice.objects.get(pk=inbox["theirs"].pk).read_at is None
    assert [n["title"] for n in client_for(w.users["resident"]).get(NOTICES).json()["results"]] == [
        "居民的消息"
    ]


def test_it_marks_everything_read(w, inbox):
    client = client_for(w.users["community_admin"])
    r = client.post(READ_ALL)
    assert r.status_code == 200
    assert r.json() == {"read": 3, "unread": 0}
    assert client.post(READ_ALL).json() == {"read": 0, "unread": 0}
    assert Notice.objects.get(pk=inbox["theirs"].pk).read_at is None  # only one's own


def test_it_refuses_a_bad_filter(w, inbox):
    r = client_for(w.users["community_admin"]).get(NOTICES, {"unread": "maybe"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("请求数据不正确")
    assert list(r.json()["fields"]) == ["unread"]
