"""心愿公示墙: public, per community — open wishes and the fulfilled ones with their ratings: title, category,
grid and rating only — nothing that names or locates a person, and none of the residents' own words."""

import re

import pytest

from baodao.needs.services import need_claim, need_close, need_publish
from tests.web.needs_admin_data import ELDER, RESIDENT_ADDRESS, _wish, ledger

BOARD = "/c/C1/board/"


@pytest.fixture
def needs(w):
    return ledger(w)


def board_titles(html: str, section: str) -> set[str]:
    start = html.index(f'id="{section}-title"')
    part = html[start:]
    if section == "open":
        part = part[: part.index('id="done-title"')]
    return set(re.findall(r'<h3 class="board-title">([^<]+)</h3>', part))


def test_it_is_public(client, needs):
    r = client.get(BOARD)
    assert r.status_code == 200 and "幸福社区 · 心愿公示墙" in r.text


def test_it_is_not_found_for_an_unknown_community_or_a_grid(client, w):
    assert client.get("/c/NOPE/board/").status_code == 404
    assert client.get("/c/C1G1/board/").status_code == 404
    assert client.get("/c/S1/board/").status_code == 404


def test_it_shows_open_wishes_and_the_fulfilled_ones(client, needs):
    html = client.get(BOARD).text
    assert board_titles(html, "open") == {"陪老人就医", "辅导孩子功课"}
    assert board_titles(html, "done") == {"修水龙头"}
    done = html[html.index('id="done-title"') :]
    assert "居民评价" in done and "★★★★★</span> 5 星" in done
    assert "党员师傅很耐心" not in html  # the resident's comment is its own words: not published
    for hidden in ("楼道灯坏了", "小区积水", "噪音扰民", "环境整治", "和平社区义诊"):
        assert hidden not in html  # requests, the community's own, another community


def test_it_never_publishes_requests_nor_ended_wishes(w, client, needs):
    need_publish(actor=w.users["community_admin"], need=needs.lamp)  # a request: a complaint, not a wish
    ended = need_publish(actor=w.users["community_admin"], need=_wish(w, "陪练英语口语"))
    need_close(actor=w.users["community_admin"], need=ended, reason="居民已搬走")
    html = client.get(BOARD).text
    assert "楼道灯坏了" not in html and "陪练英语口语" not in html


def test_an_open_wish_says_how_many_places_are_free(w, client, needs):
    wish = need_publish(actor=w.users["community_admin"], need=_wish(w, "搬家具", grid="C1G2"), places=3)
    need_claim(actor=w.users["member"], need=wish)
    html = client.get(BOARD).text
    card = next(c for c in html.split('<li class="card">') if "搬家具" in c)
    assert "还需 2 人" in card and "设施维修 · 网格C1G2" in card


@pytest.mark.parametrize("signed_in", [None, "community_admin", "resident"])
def test_nothing_personal_leaks(client, as_user, w, needs, signed_in):
    if signed_in:
        client = as_user(w.users[signed_in])
    html = client.get(BOARD).text
    resident, member, worker = w.users["resident"], w.users["member"], w.users["grid_worker"]
    leaks = [
        resident.phone,
        RESIDENT_ADDRESS,
        "5栋",
        *ELDER.values(),
        member.phone,
        member.name,
        worker.phone,
        w.users["community_admin"].phone,
        "家住",  # the description the resident typed
        "陪同到区医院复诊",  # the claimer's note
        "只来了十分钟",  # the dispute's reason
        "党员师傅很耐心",  # the resident's comment
    ]
    if signed_in != "resident":
        leaks.append(resident.name)
    for leak in leaks:
        assert leak not in html, leak
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", html)  # no phone number at all


def test_the_public_page_links_to_the_board(client, w):
    assert 'href="/c/C1/board/"' in client.get("/c/C1/").text


def test_an_empty_board_says_so(client, w):
    html = client.get(BOARD).text
    assert "目前没有正在办理的微心愿。" in html and "还没有办结并评价的微心愿。" in html
