"""The inbox (站内消息): each person's notices newest first, the unread count in the header, marking read."""

from baodao.notify.models import Notice
from baodao.notify.services import notify
from tests.web import needs_web_data as d


def test_it_sends_anonymous_visitors_to_login(client):
    r = client.get("/inbox/")
    assert r.status_code == 302 and r.url.startswith("/login/")
    r = client.post("/inbox/read/")
    assert r.status_code == 302 and r.url.startswith("/login/")


def test_it_has_no_inbox_link_for_anonymous_visitors(client):
    assert 'href="/inbox/"' not in client.get("/login/").text


def test_it_shows_the_unread_count_in_the_header(as_user, w):
    client = as_user(w.users["resident"])
    html = client.get("/me/needs/").text
    assert '<a class="inbox-link" href="/inbox/">消息</a>' in html
    notify(users=[w.users["resident"]], title="您的需求已受理并发布", url="/needs/1/")
    notify(users=[w.users["resident"]], title="需求已被认领")
    html = client.get("/me/needs/").text
    assert '消息 <span class="count">2</span><span class="sr-only">条未读</span>' in html


def test_it_lists_the_persons_notices_newest_first_unread_marked(as_user, w):
    need = d.wish(w)
    notify(users=[w.users["resident"]], title="较早的消息", body="第一条")
    notify(users=[w.users["resident"]], title="较新的消息", url=f"/needs/{need.pk}/")
    notify(users=[w.users["member"]], title="别人的消息")
    html = as_user(w.users["resident"]).get("/inbox/").text
    assert html.index("较新的消息") < html.index("较早的消息")
    assert f'<a href="/needs/{need.pk}/">较新的消息</a>' in html
    assert "别人的消息" not in html
    assert html.count('<span class="badge info">未读</span>') == 2
    assert 'aria-current="page">消息' in html


def test_it_marks_one_notice_read(as_user, w):
    first, second = (notify(users=[w.users["resident"]], title=t)[0] for t in ("一", "二"))
    client = as_user(w.users["resident"])
    r = client.post("/inbox/read/", {"notice": first.pk}, follow=True)
    assert r.redirect_chain[-1][0] == "/inbox/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert '<span class="count">1</span>' in r.text


def test_it_marks_all_read(as_user, w):
    for t in ("一", "二", "三"):
        notify(users=[w.users["resident"]], title=t)
    r = as_user(w.users["resident"]).post("/inbox/read/", follow=True)
    assert "已将 3 条消息标为已读。" in r.text
    assert not Notice.objects.filter(read_at__isnull=True).exists()
    assert 'class="count"' not in r.text


def test_it_does_not_touch_someone_elses_notice(as_user, w):
    theirs = notify(users=[w.users["member"]], title="别人的消息")[0]
    client = as_user(w.users["resident"])
    client.post("/inbox/read/", {"notice": theirs.pk})
    assert client.post("/inbox/read/", {"notice": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_only_marks_read_by_post(as_user, w):
    assert as_user(w.users["resident"]).get("/inbox/read/").status_code == 405


def test_the_loop_tells_the_resident(as_user, w):
    d.with_member(w)
    need = d.claimed(w)
    html = as_user(w.users["resident"]).get("/inbox/").text
    assert "您的需求已受理并发布" in html and "需求已被认领" in html
    assert f'href="/needs/{need.pk}/"' in html
