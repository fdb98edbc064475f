"""Every (state, action) pair of the 三单制 state machine, for the need and for the claim.

Each action is tried by the person who would be allowed to take it were the state right (the community admin
vets and closes, `member` holds the place, `helper` is a second registered member, the resident confirms), so
a refusal is about the state. A legal action goes through; an illegal one raises Conflict (409) with a stable
code and a Chinese reason — or Forbidden where the actor holds no place at all — and changes nothing: not the
need, not its claims, its timeline, the ledger, the inbox or the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from baodao.lib.errors import Conflict, DomainError, Forbidden
from baodao.needs.models import Claim, ClaimStatus, Need, Status
from baodao.needs.services import (
    claim_lapse,
    need_assign,
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_decline,
    need_dispute,
    need_merge,
    need_publish,
    need_reopen,
    need_withdraw,
)
from tests.needs.helpers import CJK, NEED_STATES, Cast, snapshot, wish, wish_in

pytestmark = pytest.mark.django_db

Action = Callable[[Cast, Need, dict[str, Any]], Any]

NEED_ACTIONS: dict[str, Action] = {
    "publish": lambda c, n, x: need_publish(actor=c.admin, need=n),
    "decline": lambda c, n, x: need_decline(actor=c.admin, need=n, reason="重复提交"),
    "merge": lambda c, n, x: need_merge(actor=c.admin, need=n, into=x["target"]),
    "assign": lambda c, n, x: need_assign(actor=c.admin, need=n, member=c.helper),
    "claim": lambda c, n, x: need_claim(actor=c.helper.user, need=n),
    "withdraw": lambda c, n, x: need_withdraw(actor=c.member.user, need=n, reason="临时出差"),
    "complete": lambda c, n, x: need_complete(actor=c.member.user, need=n, note="办好了", hours="1"),
    "confirm": lambda c, n, x: need_confirm(actor=c.resident, need=n, rating=4),
    "dispute": lambda c, n, x: need_dispute(actor=c.resident, need=n, reason="没办好"),
    "reopen": lambda c, n, x: need_reopen(actor=c.admin, need=n, note="请再去看看"),
    "close": lambda c, n, x: need_close(actor=c.admin, need=n, reason="已由物业处理"),
}

OK = "ok"
NOT_VETTED = ("illegal_transition", "尚未审核发布")
PUBLISHED_ALREADY = ("illegal_transition", "已发布")
IN_PROGRESS = ("illegal_transition", "正在办理中")
AWAITING = ("illegal_transition", "正等待确认")
DISPUTED = ("illegal_transition", "有异议")
CLOSED = ("illegal_transition", "已办结")
TERMINATED = ("illegal_transition", "终止办理")
DECLINED = ("illegal_transition", "未予受理")
MERGED = ("illegal_transition", "已合并")
FULL = ("full", "名额已满")
NO_PLACE = ("forbidden", "您没有认领")
NO_DISPUTE = ("illegal_transition", "没有待处理的异议")
NOTHING_DONE = ("illegal_transition", "还没有人报告办结")


def _final(refusal: tuple[str, str]) -> dict[str, Any]:
    """A final state refuses everything; the member never held a place on a declined or merged need."""
    row = dict.fromkeys(NEED_ACTIONS, refusal)
    row.update(withdraw=NO_PLACE, complete=NO_PLACE, reopen=NO_DISPUTE)
    return row


#: need state -> action -> OK or (code, part of the reason)
NEED_TABLE: dict[str, dict[str, Any]] = {
    "submitted": {
        "publish": OK,
        "decline": OK,
        "merge": OK,
        "assign": OK,
        "claim": NOT_VETTED,
        "withdraw": NO_PLACE,
        "complete": NO_PLACE,
        "confirm": NOT_VETTED,
        "dispute": NOT_VETTED,
        "reopen": NO_DISPUTE,
        "close": ("illegal_transition", "不予受理"),
    },
    "published": {
        "publish": PUBLISHED_ALREADY,
        "decline": OK,
        "merge": OK,
        "assign": OK,
        "claim": OK,
        "withdraw": NO_PLACE,
        "complete": NO_PLACE,
        "confirm": NOTHING_DONE,
        "dispute": NOTHING_DONE,
        "reopen": NO_DISPUTE,
        "close": OK,
    },
    "in_progress": {
        "publish": IN_PROGRESS,
        "decline": IN_PROGRESS,
        "merge": IN_PROGRESS,
        "assign": FULL,
        "claim": FULL,
        "withdraw": OK,
        "complete": OK,
        "confirm": IN_PROGRESS,
        "dispute": IN_PROGRESS,
        "reopen": NO_DISPUTE,
        "close": OK,
    },
    "completed": {
        "publish": AWAITING,
        "decline": AWAITING,
        "merge": AWAITING,
        "assign": FULL,
        "claim": FULL,
        "withdraw": AWAITING,
        "complete": AWAITING,
        "confirm": OK,
        "dispute": OK,
        "reopen": NO_DISPUTE,
        "close": ("illegal_transition", "还有待确认的办结"),
    },
    "disputed": {
        "publish": DISPUTED,
        "decline": DISPUTED,
        "merge": DISPUTED,
        "assign": FULL,
        "claim": FULL,
        "withdraw": DISPUTED,
        "complete": DISPUTED,
        "confirm": DISPUTED,
        "dispute": DISPUTED,
        "reopen": OK,
        "close": OK,
    },
    "closed": {
        **dict.fromkeys(NEED_ACTIONS, CLOSED),
        "withdraw": ("illegal_transition", "已确认办结"),
        "complete": ("illegal_transition", "已确认办结"),
        "reopen": NO_DISPUTE,
    },
    # stopped while `member` held the place: its claim was released, so it hears that the need was stopped
    "terminated": dict.fromkeys(NEED_ACTIONS, TERMINATED) | {"reopen": NO_DISPUTE},
    "declined": _final(DECLINED),
    "merged": _final(MERGED),
}

#: what each legal action leaves the single-place wish in
NEED_AFTER: dict[tuple[str, str], str] = {
    ("submitted", "publish"): Status.PUBLISHED,
    ("submitted", "decline"): Status.DECLINED,
    ("submitted", "merge"): Status.MERGED,
    ("submitted", "assign"): Status.IN_PROGRESS,
    ("published", "decline"): Status.DECLINED,
    ("published", "merge"): Status.MERGED,
    ("published", "assign"): Status.IN_PROGRESS,
    ("published", "claim"): Status.IN_PROGRESS,
    ("published", "close"): Status.TERMINATED,  # a resident's need is terminated, never closed
    ("in_progress", "withdraw"): Status.PUBLISHED,
    ("in_progress", "complete"): Status.COMPLETED,
    ("in_progress", "close"): Status.TERMINATED,
    ("completed", "confirm"): Status.CLOSED,
    ("completed", "dispute"): Status.DISPUTED,
    ("disputed", "reopen"): Status.IN_PROGRESS,
    ("disputed", "close"): Status.TERMINATED,
}


def test_the_table_covers_every_state_and_action():
    assert set(NEED_TABLE) == set(NEED_STATES) == set(Status.values)
    for state, row in NEED_TABLE.items():
        assert set(row) == set(NEED_ACTIONS), state
    legal = {(s, a) for s, row in NEED_TABLE.items() for a, v in row.items() if v == OK}
    assert legal == set(NEED_AFTER)


def _refused(call: Callable[[], Any], expected: tuple[str, str], before: dict[str, Any], need: Need) -> None:
    code, reason = expected
    with pytest.raises(DomainError) as caught:
        call()
    error = caught.value
    assert error.code == code, error.detail
    assert isinstance(error, Forbidden if code == "forbidden" else Conflict)
    assert error.status == (403 if code == "forbidden" else 409)
    assert reason in error.detail and CJK.search(error.detail), error.detail
    assert snapshot(need) == before


@pytest.mark.parametrize("action", list(NEED_ACTIONS))
@pytest.mark.parametrize("state", NEED_STATES)
def test_need_state_and_action(c, state, action):
    need = wish_in(c, state)
    extra = {"target": wish(c, title="楼下也有同样的漏水")}
    before = snapshot(need)
    expected = NEED_TABLE[state][action]
    call = lambda: NEED_ACTIONS[action](c, need, extra)  # noqa: E731
    if expected != OK:
        _refused(call, expected, before, need)
        return
    call()
    need.refresh_from_db()
    assert need.status == NEED_AFTER[(state, action)]
    assert need.events.count() == before["events"] + 1
    assert 0 <= need.taken <= need.places


# ---- the claim's states ----------------------------------------------------------------------------------

CLAIM_STATES = tuple(ClaimStatus.values)


def claim_in(c: Cast, state: str) -> Claim:
    """`member`'s claim on a single-place wish, brought to `state`."""
    base = {
        ClaimStatus.ACTIVE: "in_progress",
        ClaimStatus.COMPLETED: "completed",
        ClaimStatus.DISPUTED: "disputed",
        ClaimStatus.CONFIRMED: "closed",
        ClaimStatus.WITHDRAWN: "in_progress",
        ClaimStatus.LAPSED: "in_progress",
        ClaimStatus.RELEASED: "terminated",
    }[state]
    need = wish_in(c, base)
    claim = need.claims.get()
    if state == ClaimStatus.WITHDRAWN:
        need_withdraw(actor=c.member.user, need=need, reason="临时出差")
    if state == ClaimStatus.LAPSED:
        assert claim_lapse(claim_id=claim.pk, now=claim.lapses_at)
    claim.refresh_from_db()
    assert claim.status == state
    return claim


CLAIM_ACTIONS: dict[str, Action] = {
    "withdraw": lambda c, n, x: need_withdraw(actor=c.member.user, need=n, reason="临时出差"),
    "complete": lambda c, n, x: need_complete(actor=c.member.user, need=n, note="办好了", hours="1"),
    "confirm": lambda c, n, x: need_confirm(actor=c.resident, need=n, rating=4, claim_id=x["claim"].pk),
    "dispute": lambda c, n, x: need_dispute(
        actor=c.resident, need=n, reason="没办好", claim_id=x["claim"].pk
    ),
    "reopen": lambda c, n, x: need_reopen(actor=c.admin, need=n),
    "claim_again": lambda c, n, x: need_claim(actor=c.member.user, need=n),
    "assign_again": lambda c, n, x: need_assign(actor=c.admin, need=n, member=c.member),
}
NOT_WAITING = ("illegal_transition", "不在待确认状态")
CLAIMED = ("already_claimed", "已经认领了这项需求")

#: claim state -> action -> the claim's state after it, or (code, part of the reason)
CLAIM_TABLE: dict[str, dict[str, Any]] = {
    ClaimStatus.ACTIVE: {
        "withdraw": ClaimStatus.WITHDRAWN,
        "complete": ClaimStatus.COMPLETED,
        "confirm": NOT_WAITING,
        "dispute": NOT_WAITING,
        "reopen": NO_DISPUTE,
        "claim_again": CLAIMED,
        "assign_again": CLAIMED,
    },
    ClaimStatus.COMPLETED: {
        "withdraw": AWAITING,
        "complete": AWAITING,
        "confirm": ClaimStatus.CONFIRMED,
        "dispute": ClaimStatus.DISPUTED,
        "reopen": NO_DISPUTE,
        "claim_again": CLAIMED,
        "assign_again": CLAIMED,
    },
    ClaimStatus.DISPUTED: {
        "withdraw": DISPUTED,
        "complete": DISPUTED,
        "confirm": NOT_WAITING,
        "dispute": NOT_WAITING,
        "reopen": ClaimStatus.ACTIVE,
        "claim_again": CLAIMED,
        "assign_again": CLAIMED,
    },
    ClaimStatus.CONFIRMED: {
        "withdraw": ("illegal_transition", "已确认办结"),
        "complete": ("illegal_transition", "已确认办结"),
        "confirm": NOT_WAITING,
        "dispute": NOT_WAITING,
        "reopen": NO_DISPUTE,
        "claim_again": CLOSED,
        "assign_again": CLOSED,
    },
    ClaimStatus.WITHDRAWN: {
        "withdraw": ("illegal_transition", "您已退出认领"),
        "complete": ("illegal_transition", "您已退出认领"),
        "confirm": NOT_WAITING,
        "dispute": NOT_WAITING,
        "reopen": NO_DISPUTE,
        "claim_again": "new",
        "assign_again": "new",
    },
    # the community stopped the need while the place was held: nothing is left to do on it
    ClaimStatus.RELEASED: {
        "withdraw": TERMINATED,
        "complete": TERMINATED,
        "confirm": NOT_WAITING,
        "dispute": NOT_WAITING,
        "reopen": NO_DISPUTE,
        "claim_again": TERMINATED,
        "assign_again": TERMINATED,
    },
    ClaimStatus.LAPSED: {
        "withdraw": ("illegal_transition", "超时失效"),
        "complete": ("illegal_transition", "超时失效"),
        "confirm": NOT_WAITING,
        "dispute": NOT_WAITING,
        "reopen": NO_DISPUTE,
        "claim_again": "new",
        "assign_again": "new",
    },
}


def test_the_claim_table_covers_every_state_and_action():
    assert set(CLAIM_TABLE) == set(CLAIM_STATES)
    for state, row in CLAIM_TABLE.items():
        assert set(row) == set(CLAIM_ACTIONS), state


@pytest.mark.parametrize("action", list(CLAIM_ACTIONS))
@pytest.mark.parametrize("state", CLAIM_STATES)
def test_claim_state_and_action(c, state, action):
    claim = claim_in(c, state)
    need = claim.need
    before = snapshot(need)
    expected = CLAIM_TABLE[state][action]
    call = lambda: CLAIM_ACTIONS[action](c, need, {"claim": claim})  # noqa: E731
    if isinstance(expected, tuple):
        _refused(call, expected, before, need)
        return
    call()
    need.refresh_from_db()
    if expected == "new":  # the old claim stays as it was; a new one holds the reopened place
        claim.refresh_from_db()
        assert claim.status == state
        assert need.claims.filter(status=ClaimStatus.ACTIVE, member=c.member).exclude(pk=claim.pk).exists()
        assert need.taken == 1
    else:
        claim.refresh_from_db()
        assert claim.status == expected
    assert 0 <= need.taken <= need.places


@pytest.mark.parametrize("state", [s for s in CLAIM_STATES if s != ClaimStatus.ACTIVE])
def test_only_an_active_claim_lapses(c, state):
    claim = claim_in(c, state)
    before = snapshot(claim.need)
    far_future = claim.lapses_at.replace(year=claim.lapses_at.year + 1)
    assert claim_lapse(claim_id=claim.pk, now=far_future) is False
    assert snapshot(claim.need) == before
