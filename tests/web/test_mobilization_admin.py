"""The commanders' pages of an emergency: the list of one's scope, 启动应急 (the form writes the emergency,
its area and the posts needed; the call goes out in the background), the live roll call and its fragment,
the code on site, and the actions — widen, recall one and all, stand down — with who may do what."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.mobilizations.models import Answer, Area, Call, Mobilization, PostNeed, Reason, Status
from baodao.mobilizations.services import call_respond, mobilization_fanout, mobilization_widen
from tests.mobilizations.helpers import activate, member_in
from tests.web.mobilization_data import scene

ADMIN_PAGES = ["board/", "code/"]
ACTIONS = ["widen/", "recall/", "stand-down/"]


def url(s, suffix=""):
    return f"/emergencies/{s.mobilization.pk}/{suffix}"


@pytest.mark.parametrize("path", ["/emergencies/", "/emergencies/new/"])
def test_it_sends_anonymous_visitors_to_sign_in(client, w, path):
    r = client.get(path)
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("suffix", ADMIN_PAGES + ACTIONS)
def test_it_sends_anonymous_visitors_from_an_emergency_to_sign_in(client, w, suffix):
    s = scene(w)
    r = client.post(url(s, suffix)) if suffix in ACTIONS else client.get(url(s, suffix))
    assert r.status_code == 302 and r.url.startswith("/login/")


@pytest.mark.parametrize("suffix", ADMIN_PAGES)
def test_an_admin_of_another_community_does_not_find_it(as_user, w, suffix):
    s = scene(w)
    assert as_user(w.users["other_community_admin"]).get(url(s, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", ACTIONS)
def test_an_admin_of_another_community_cannot_act_on_it(as_user, w, suffix):
    s = scene(w)
    r = as_user(w.users["other_community_admin"]).post(
        url(s, suffix), {"to": "all_registered", "confirm": "on"}
    )
    assert r.status_code == 404
    s.mobilization.refresh_from_db()
    assert s.mobilization.status == Status.ACTIVE and s.mobilization.widened == []


@pytest.mark.parametrize("suffix", ADMIN_PAGES)
def test_a_called_member_may_not_open_the_board_or_the_code(as_user, w, suffix):
    s = scene(w)
    assert as_user(s.c.member.user).get(url(s, suffix)).status_code == 403


def test_a_grid_worker_of_the_area_sees_the_board_but_may_not_stand_down(as_user, w):
    s = scene(w)
    client = as_user(w.users["grid_worker"])
    r = client.get(url(s, "board/"))
    # its own members, whom it may call again; not the commander's actions
    assert r.status_code == 200 and "解除应急" not in r.text and "人手不够时扩大呼叫范围" not in r.text
    assert "全部再次呼叫" in r.text and "您负责的社区、网格" in r.text
    r = client.post(url(s, "stand-down/"), {"confirm": "on"})
    assert r.status_code == 403
    s.mobilization.refresh_from_db()
    assert s.mobilization.status == Status.ACTIVE


# ---- the list and the new emergency ------------------------------------------------------------------


def test_the_list_shows_the_scope_active_first_with_the_new_link(as_user, w):
    s = scene(w)
    r = as_user(s.c.admin).get("/emergencies/")
    assert r.status_code == 200
    assert "暴雨防汛" in r.text and 'href="/emergencies/new/"' in r.text
    assert "呼叫 2 人" in r.text
    assert 'aria-current="page">应急动员' in r.text  # the community's tabs
    other = as_user(w.users["other_community_admin"]).get("/emergencies/")
    assert "暴雨防汛" not in other.text


def test_the_list_sends_a_member_to_its_calls_and_hides_the_new_link_from_grid_workers(as_user, w):
    scene(w)
    r = as_user(w.users["member"]).get("/emergencies/")
    assert r.status_code == 302 and r.url == "/me/emergencies/"
    r = as_user(w.users["grid_worker"]).get("/emergencies/")
    assert r.status_code == 200 and "暴雨防汛" in r.text and 'href="/emergencies/new/"' not in r.text


def test_only_commanders_open_the_new_form(as_user, w):
    assert as_user(w.users["grid_worker"]).get("/emergencies/new/").status_code == 403
    assert as_user(w.users["member"]).get("/emergencies/new/").status_code == 403


def test_the_form_offers_the_communities_grids_and_emergency_posts_commanded(as_user, w):
    s = scene(w)
    html = as_user(w.users["street_admin"]).get("/emergencies/new/").text
    assert 'value="C1"' in html and 'value="C1G2"' in html and 'value="C2"' in html
    assert 'value="C4"' not in html
    assert f'name="need_{s.post.pk}"' in html
    html = as_user(s.c.admin).get("/emergencies/new/").text
    assert 'value="C1"' in html and 'value="C2"' not in html


def test_it_activates_an_emergency_from_the_form(as_user, w, django_capture_on_commit_callbacks):
    s = scene(w)
    data = {
        "title": "寒潮防冻",
        "type": "weather",
        "regions": ["C1G1", "C1G2"],
        "description": "供暖管道冻裂",
        f"need_{s.post.pk}": "3",
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = as_user(s.c.admin).post("/emergencies/new/", data)
    m = Mobilization.objects.get(title="寒潮防冻")
    assert r.status_code == 302 and r.url == f"/emergencies/{m.pk}/board/"
    assert sorted(Area.objects.filter(mobilization=m).values_list("region__code", flat=True)) == [
        "C1G1",
        "C1G2",
    ]
    assert list(PostNeed.objects.filter(mobilization=m).values_list("post_id", "headcount")) == [
        (s.post.pk, 3)
    ]
    assert len(callbacks) == 1  # the call goes out from the queue
    assert not Call.objects.filter(mobilization=m).exists()
    board = as_user(s.c.admin).get(r.url).text
    assert "正在呼叫…" in board
    mobilization_fanout(mobilization_id=m.pk, reason=Reason.POST)
    board = as_user(s.c.admin).get(r.url).text
    assert "正在呼叫…" not in board
    assert Call.objects.filter(mobilization=m).count() == 2


def test_the_form_refuses_bad_input_with_400(as_user, w):
    s = scene(w)
    r = as_user(s.c.admin).post("/emergencies/new/", {"title": "", "type": "weather", "regions": []})
    assert r.status_code == 400
    assert "请选择动员区域" in r.text
    r = as_user(w.users["street_admin"]).post(
        "/emergencies/new/", {"title": "跨社区", "type": "fire", "regions": ["C2"], f"need_{s.post.pk}": "1"}
    )
    assert r.status_code == 400 and "不在动员区域的社区内" in r.text
    assert Mobilization.objects.count() == 1


# ---- the board ----------------------------------------------------------------------------------------


def test_the_board_shows_the_roll_call_and_polls_its_fragment(as_user, w):
    s = scene(w)
    call_respond(actor=s.c.member.user, mobilization=s.mobilization, answer="no", reason="在外地出差")
    r = as_user(s.c.admin).get(url(s, "board/"))
    assert r.status_code == 200
    html = r.text
    assert 'aria-live="polite"' in html
    assert f'data-poll-url="/emergencies/{s.mobilization.pk}/board/?fragment=1"' in html
    assert '<script src="/static/web/poll.js" defer></script>' in html
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in html
    assert 'data-figure="called">2<' in html and 'data-figure="no">1<' in html
    assert 'data-figure="silent">1<' in html
    assert "在外地出差" in html and "赵强" in html
    assert "缺 2 人" in html  # 物资配送 needs 2, nobody said yes
    assert s.c.helper.phone_masked in html and s.c.helper.user.phone not in html
    fragment = as_user(s.c.admin).get(url(s, "board/") + "?fragment=1")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'data-figure="called">2<' in fragment.text
    assert "解除应急" not in fragment.text


def test_the_fragment_changes_when_a_member_answers(as_user, w):
    s = scene(w)
    client = as_user(s.c.admin)
    assert 'data-figure="yes">0<' in client.get(url(s, "board/") + "?fragment=1").text
    call_respond(actor=s.c.member.user, mobilization=s.mobilization, answer="yes")
    assert 'data-figure="yes">1<' in client.get(url(s, "board/") + "?fragment=1").text


def test_the_silent_are_paginated_twenty_a_page(as_user, w):
    s = scene(w)
    for i in range(25):
        member_in(s.c, f"党员{i:02d}")
    mobilization_widen(actor=s.c.admin, mobilization=s.mobilization, to=Reason.ALL_REGISTERED)
    mobilization_fanout(mobilization_id=s.mobilization.pk, reason=Reason.ALL_REGISTERED)
    client = as_user(s.c.admin)
    first = client.get(url(s, "board/")).text
    assert first.count('name="member"') == 20
    second = client.get(url(s, "board/") + "?page=2").text
    assert second.count('name="member"') == 27 - 20
    assert "fragment" not in first.split("未响应名单分页")[1].split("</nav>")[0]


def test_the_code_page_shows_the_code_and_its_qr(as_user, w):
    s = scene(w)
    r = as_user(s.c.admin).get(url(s, "code/"))
    assert r.status_code == 200
    assert "<svg" in r.text and "data-checkin-code=" in r.text
    assert f"/emergencies/{s.mobilization.pk}/checkin/?code=" in r.text
    r = as_user(w.users["grid_worker"]).get(url(s, "code/"))
    assert r.status_code == 200


# ---- the actions ----------------------------------------------------------------------------------------


def test_it_widens_to_all_registered(as_user, w, django_capture_on_commit_callbacks):
    s = scene(w)
    member_in(s.c, "钱七")
    with django_capture_on_commit_callbacks(execute=False):
        r = as_user(s.c.admin).post(url(s, "widen/"), {"to": "all_registered"}, follow=True)
    assert "正在呼叫动员区域内全体报到党员" in r.text
    s.mobilization.refresh_from_db()
    assert s.mobilization.widened == ["all_registered"] and s.mobilization.fanout_done_at is None
    mobilization_fanout(mobilization_id=s.mobilization.pk, reason=Reason.ALL_REGISTERED)  # the worker
    assert Call.objects.filter(mobilization=s.mobilization, reason=Reason.ALL_REGISTERED).count() == 1


def test_it_refuses_neighbour_grids_for_a_whole_community(as_user, w):
    s = scene(w)
    r = as_user(s.c.admin).post(url(s, "widen/"), {"to": "neighbour_grids"}, follow=True)
    assert "没有相邻网格可扩大" in r.text
    s.mobilization.refresh_from_db()
    assert s.mobilization.widened == []


def test_it_recalls_one_and_then_all_the_silent(as_user, w):
    s = scene(w)
    client = as_user(s.c.admin)
    Call.objects.filter(mobilization=s.mobilization).update(called_at=timezone.now() - timedelta(minutes=10))
    r = client.post(url(s, "recall/"), {"member": s.c.member.pk}, follow=True)
    assert "已再次呼叫 1 人" in r.text
    recalls = dict(Call.objects.filter(mobilization=s.mobilization).values_list("member_id", "recalls"))
    assert recalls == {s.c.member.pk: 1, s.c.helper.pk: 0}
    r = client.post(url(s, "recall/"), {}, follow=True)
    assert "已再次呼叫 1 人" in r.text  # 李明 was called again a moment ago
    recalls = dict(Call.objects.filter(mobilization=s.mobilization).values_list("member_id", "recalls"))
    assert recalls == {s.c.member.pk: 1, s.c.helper.pk: 1}


def test_it_stands_down_only_with_the_box_ticked(as_user, w):
    s = scene(w)
    client = as_user(s.c.admin)
    r = client.post(url(s, "stand-down/"), {}, follow=True)
    assert "请勾选确认后再解除应急" in r.text
    s.mobilization.refresh_from_db()
    assert s.mobilization.status == Status.ACTIVE
    r = client.post(url(s, "stand-down/"), {"confirm": "on"}, follow=True)
    assert "应急已解除" in r.text
    s.mobilization.refresh_from_db()
    assert s.mobilization.status == Status.STOOD_DOWN and s.mobilization.stood_down_at <= timezone.now()
    assert "data-poll-url" not in r.text  # nothing to refresh any more
    r = client.post(url(s, "stand-down/"), {"confirm": "on"}, follow=True)
    assert "应急动员已经解除" in r.text
    r = client.post(url(s, "recall/"), {}, follow=True)
    assert "应急动员已解除" in r.text
    assert not Call.objects.filter(mobilization=s.mobilization, recalls__gt=0).exists()


def test_a_street_admin_commands_an_emergency_of_its_community(as_user, w):
    s = scene(w)
    Call.objects.filter(mobilization=s.mobilization).update(called_at=timezone.now() - timedelta(minutes=10))
    r = as_user(w.users["street_admin"]).post(url(s, "recall/"), {}, follow=True)
    assert "已再次呼叫 2 人" in r.text
    assert Call.objects.filter(mobilization=s.mobilization, answer=Answer.NONE, recalls=1).count() == 2


def test_an_emergency_over_grids_widens_to_the_neighbours(as_user, w, django_capture_on_commit_callbacks):
    s = scene(w)
    m = activate(s.c, posts=[(s.post, 1)], regions=["C1G1"], title="楼栋停电")
    assert Call.objects.filter(mobilization=m).count() == 1  # 李明 only
    with django_capture_on_commit_callbacks(execute=False):
        as_user(s.c.admin).post(f"/emergencies/{m.pk}/widen/", {"to": "neighbour_grids"})
    mobilization_fanout(mobilization_id=m.pk, reason=Reason.NEIGHBOUR_GRIDS)  # the worker
    assert set(Call.objects.filter(mobilization=m).values_list("member_id", flat=True)) == {
        s.c.member.pk,
        s.c.helper.pk,
    }
