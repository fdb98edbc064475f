"""分类台账 (the community's ledger of needs) with its filters, counts and export links; the vetting queue;
and the community's own service and task items."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.needs.models import Need, Status
from baodao.needs.services import need_close
from tests.web.needs_admin_data import ledger

LEDGER = "/community/C1/needs/"
VETTING = "/community/C1/needs/vetting/"
NEW = "/community/C1/needs/new/"
PAGES = [LEDGER, VETTING, NEW, "/community/C1/needs/export/"]
C1_TITLES = {"修水龙头", "楼道灯坏了", "小区积水", "陪老人就医", "辅导孩子功课", "噪音扰民", "环境整治"}


@pytest.fixture
def needs(w):
    return ledger(w)


def titles(response) -> list[str]:
    """The titles in the ledger's table, in order."""
    return re.findall(r'<td data-label="标题"><a href="/needs/\d+/">([^<]+)</a>', response.text)


def counts(response) -> dict[str, int]:
    found = re.findall(
        r'<span class="count-label">([^<]+)</span> <span class="figure">(\d+)</span>', response.text
    )
    return {label: int(n) for label, n in found}


@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "role",
    ["other_community_admin", "far_community_admin", "grid_worker", "unit_admin", "member", "resident"],
)
def test_it_is_not_found_outside_the_community(as_user, w, url, role):
    assert as_user(w.users[role]).get(url).status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_it_is_not_found_for_an_unknown_community_or_a_grid(as_user, w, url):
    client = as_user(w.users["community_admin"])
    assert client.get(url.replace("C1", "NOPE")).status_code == 404
    assert client.get(url.replace("C1", "C1G1")).status_code == 404


@pytest.mark.parametrize("role", ["community_admin", "street_admin", "district_admin"])
def test_it_lists_the_communitys_needs_newest_first(as_user, w, needs, role):
    r = as_user(w.users[role]).get(LEDGER)
    assert r.status_code == 200
    assert set(titles(r)) == C1_TITLES
    assert titles(r)[0] == "环境整治" and titles(r)[-1] == "小区积水"
    assert "和平社区义诊" not in r.text
    assert f'href="/needs/{needs.fixed.pk}/"' in r.text
    assert (
        'href="/community/C1/needs/new/"' in r.text
        if role == "community_admin"
        else "/needs/new/" not in r.text
    )


def row_of(html: str, title: str) -> str:
    return next(r for r in html.split("<tr") if f">{title}<" in r)


def test_each_row_says_what_the_ledger_keeps(as_user, w, needs):
    html = as_user(w.users["community_admin"]).get(LEDGER).text
    for shown in ("微心愿", "设施维修", "网格C1G1", "已办结", "1/1", "5 星"):
        assert shown in row_of(html, "修水龙头")
    cleanup = row_of(html, "环境整治")
    assert "任务清单" in cleanup and "0/3" in cleanup and "全社区" in cleanup and "前办结" in cleanup


def test_an_overdue_need_is_highlighted_in_words(as_user, w, needs):
    html = as_user(w.users["community_admin"]).get(LEDGER).text
    late = row_of(html, "小区积水")
    assert 'class="overdue-row"' in late and "已超时" in late and "前响应" in late
    assert "已超时" not in row_of(html, "楼道灯坏了")


def on_the_day(query):
    """Dates named "today" / "yesterday" in a parametrised query, resolved when the test runs: resolved at
    collection, they go stale when the run crosses midnight (in the site's time zone)."""
    today = timezone.localdate()
    days = {"today": today.isoformat(), "yesterday": (today - timedelta(days=1)).isoformat()}
    return {key: days.get(value, value) for key, value in query.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "request"}, {"楼道灯坏了", "小区积水", "噪音扰民"}),
        ({"kind": "task"}, {"环境整治"}),
        ({"category": "repair"}, {"修水龙头", "楼道灯坏了"}),
        ({"status": "submitted"}, {"楼道灯坏了", "小区积水"}),
        ({"status": "disputed"}, {"辅导孩子功课"}),
        ({"grid": "C1G2"}, {"楼道灯坏了"}),
        ({"overdue": "on"}, {"小区积水"}),
        ({"kind": "wish", "status": "completed"}, {"陪老人就医"}),
        ({"until": "yesterday"}, {"小区积水"}),
        ({"since": "today"}, C1_TITLES - {"小区积水"}),
        ({"since": "today", "until": "today"}, C1_TITLES - {"小区积水"}),
    ],
)
def test_it_filters(as_user, w, needs, query, expected):
    r = as_user(w.users["community_admin"]).get(LEDGER, on_the_day(query))
    assert set(titles(r)) == expected


def test_it_ignores_filters_it_cannot_read_and_says_why(as_user, w, needs):
    client = as_user(w.users["community_admin"])
    r = client.get(LEDGER, {"since": "2026-05-02", "until": "2026-05-01"})
    assert r.status_code == 200 and "截止日期不能早于起始日期。" in r.text
    assert set(titles(r)) == C1_TITLES
    assert set(titles(client.get(LEDGER, {"status": "lost", "grid": "C2G1"}))) == C1_TITLES


def test_it_counts_each_status_of_the_filtered_set(as_user, w, needs):
    client = as_user(w.users["community_admin"])
    everything = counts(client.get(LEDGER))
    assert everything == {
        "待审核": 2,
        "待认领": 1,
        "办理中": 0,
        "待确认": 1,
        "有异议": 1,
        "已办结": 1,
        "终止办理": 0,
        "未受理": 1,
        "已合并": 0,
    }
    requests = counts(client.get(LEDGER, {"kind": "request"}))
    assert (requests["待审核"], requests["未受理"], requests["已办结"]) == (2, 1, 0)
    # the status filter narrows the table, not the figures: each says how many its link will show
    r = client.get(LEDGER, {"kind": "request", "status": "declined"})
    assert counts(r) == requests and titles(r) == ["噪音扰民"]


def test_a_terminated_need_has_its_figure_filter_and_words(as_user, w, needs):
    need_close(actor=w.users["community_admin"], need=needs.tutoring, reason="居民已搬走")
    client = as_user(w.users["community_admin"])
    r = client.get(LEDGER)
    assert counts(r)["终止办理"] == 1 and counts(r)["有异议"] == 0
    assert 'href="/community/C1/needs/?status=terminated"' in r.text
    assert '<option value="terminated">终止办理</option>' in r.text
    r = client.get(LEDGER, {"status": "terminated"})
    assert titles(r) == ["辅导孩子功课"]
    row = row_of(r.text, "辅导孩子功课")
    assert '<span class="badge bad">终止办理</span>' in row and " 终止办理" in row and "前办结" not in row


def test_each_figure_links_to_the_ledger_filtered_by_its_status(as_user, w, needs):
    html = as_user(w.users["community_admin"]).get(LEDGER, {"kind": "request", "page": "1"}).text
    assert 'href="/community/C1/needs/?kind=request&amp;status=submitted"' in html
    assert 'href="/community/C1/needs/?kind=request" aria-current="true"' in html
    html = as_user(w.users["community_admin"]).get(LEDGER, {"status": "closed"}).text
    assert 'href="/community/C1/needs/?status=closed" aria-current="true"' in html


def test_the_export_links_keep_the_filters(as_user, w, needs):
    html = as_user(w.users["community_admin"]).get(LEDGER, {"kind": "request", "overdue": "on"}).text
    assert 'href="/community/C1/needs/export/?format=xlsx&amp;kind=request&amp;overdue=on"' in html
    assert 'href="/community/C1/needs/export/?format=csv&amp;kind=request&amp;overdue=on"' in html


def test_it_pages_a_long_ledger(as_user, w, needs):
    for i in range(50):
        Need.objects.create(
            kind="task", title=f"任务{i}", category="other", community=w.r("C1"), path=w.r("C1").path
        )
    client = as_user(w.users["community_admin"])
    first, second = client.get(LEDGER), client.get(LEDGER, {"page": 2})
    assert len(titles(first)) == 50 and len(titles(second)) == 7
    assert "第 1 / 2 页，共 57 条" in first.text


# ---- the vetting queue --------------------------------------------------------------------------------


def test_the_queue_holds_submitted_needs_oldest_first_with_their_time_to_answer(as_user, w, needs):
    r = as_user(w.users["community_admin"]).get(VETTING)
    html = r.text
    assert r.status_code == 200
    assert "待审核 2 条（先到先办）" in html and "待社区处理 2 条" in html
    queue = html[: html.index('id="awaiting-title"')]
    assert queue.index("小区积水") < queue.index("楼道灯坏了")
    late = queue[queue.index("小区积水") : queue.index("楼道灯坏了")]
    assert re.search(r"已超时 3\s小时", late) and "overdue-card" in queue
    assert re.search(r"还剩 23\s小时", queue)
    assert f'href="/needs/{needs.late.pk}/"' in queue and f'href="/needs/{needs.lamp.pk}/"' in queue
    assert ">审核办理<" in queue


def test_the_queue_holds_what_waits_for_the_communitys_decision(as_user, w, needs):
    html = as_user(w.users["community_admin"]).get(VETTING).text
    awaiting = html[html.index('id="awaiting-title"') :]
    assert "陪老人就医" in awaiting and "已报告办结：由社区确认并评价" in awaiting
    assert "辅导孩子功课" in awaiting and "服务对象提出异议：退回重办或终止办理" in awaiting
    for elsewhere in ("修水龙头", "噪音扰民", "环境整治", "楼道灯坏了"):
        assert elsewhere not in awaiting


def test_the_street_sees_the_queue_without_the_communitys_buttons(as_user, w, needs):
    html = as_user(w.users["street_admin"]).get(VETTING).text
    assert "审核、指派和确认由社区党委办理" in html and "小区积水" in html
    assert ">审核办理<" not in html


def test_the_queue_is_empty_when_nothing_waits(as_user, w):
    html = as_user(w.users["community_admin"]).get(VETTING).text
    assert "没有待审核的需求。" in html and "没有待社区处理的需求。" in html


# ---- the community's own service and task items -----------------------------------------------------


def test_the_form_offers_what_a_task_needs(as_user, w):
    html = as_user(w.users["community_admin"]).get(NEW).text
    for field in (
        "kind",
        "title",
        "category",
        "description",
        "grid",
        "location",
        "places",
        "starts_at",
        "due_at",
    ):
        assert f'name="{field}"' in html
    assert re.search(r'type="checkbox" name="skills" value="legal"[^>]*>\s*法律咨询</label>', html)
    assert 'type="checkbox" name="publish"' in html
    assert '<option value="C1G2">网格C1G2</option>' in html and "C2G1" not in html
    assert 'value="service"' in html and 'value="wish"' not in html


def task_form(**changes):
    due = timezone.localtime() + timedelta(days=5)
    return {
        "kind": "task",
        "title": "重阳节敬老活动",
        "category": "elderly",
        "description": "陪老人包饺子",
        "grid": "C1G2",
        "location": "党群服务中心",
        "skills": ["assistance", "culture"],
        "places": "4",
        "starts_at": (due - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "publish": "on",
        **changes,
    }


def test_it_publishes_a_task_at_once(as_user, w):
    r = as_user(w.users["community_admin"]).post(NEW, task_form(), follow=False)
    need = Need.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/needs/{need.pk}/"
    assert (need.kind, need.status, need.places, need.grid, need.community) == (
        "task",
        Status.PUBLISHED,
        4,
        w.r("C1G2"),
        w.r("C1"),
    )
    assert need.skills == ["assistance", "culture"] and need.location == "党群服务中心"
    assert need.resolve_by == need.due_at and need.starts_at < need.due_at
    assert [e.kind for e in need.events.all()] == ["created", "published"]


def test_it_keeps_an_item_for_later_when_not_published(as_user, w):
    form = task_form(kind="service", grid="", publish="")
    del form["publish"]
    as_user(w.users["community_admin"]).post(NEW, form)
    need = Need.objects.get()
    assert (need.kind, need.status, need.grid) == ("service", Status.SUBMITTED, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "该字段是必填项。"),
        ({"places": "0"}, "确保该值大于或等于1。"),
        ({"kind": "wish"}, "选择一个有效的选项"),
        ({"due_at": "2020-01-01T08:00", "starts_at": ""}, "截止时间须晚于现在。"),
        ({"grid": "C2G1"}, "选择一个有效的选项"),
    ],
)
def test_it_explains_what_is_wrong_and_creates_nothing(as_user, w, changes, message):
    r = as_user(w.users["community_admin"]).post(NEW, task_form(**changes))
    assert r.status_code == 200 and message in r.text
    assert not Need.objects.exists()


@pytest.mark.parametrize("role", ["street_admin", "district_admin"])
def test_only_the_communitys_admins_create_its_items(as_user, w, role):
    client = as_user(w.users[role])
    assert client.get(NEW).status_code == 403
    r = client.post(NEW, task_form())
    assert r.status_code == 403 and "服务清单和任务清单由社区管理员发布。" in r.text
    assert not Need.objects.exists()


def test_another_community_cannot_post_here(as_user, w):
    assert as_user(w.users["other_community_admin"]).post(NEW, task_form()).status_code == 404
    assert not Need.objects.exists()
