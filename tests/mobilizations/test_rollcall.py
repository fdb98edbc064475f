"""The roll call for a crafted history — several posts, two grids, answers yes / no / none, arrivals, a
widened call — counted exactly, in all, per post and per grid; the silent called again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.lib.errors import Conflict, Forbidden
from baodao.mobilizations.models import Call
from baodao.mobilizations.selectors import calls_of, post_needs_of, rollcall, silent_calls
from baodao.mobilizations.services import (
    RECALL_COOLDOWN,
    call_respond,
    mobilization_recall,
    mobilization_stand_down,
)
from baodao.notify.models import Notice
from tests.mobilizations.helpers import activate, check_in, check_out, emergency_post, hold, member_in, widen

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(c):
    """物资配送 (3 needed): 李明 C1G1 yes and on duty; 赵强 C1G2 no; 孙丽 C1G2 silent.
    环境消杀 (2 needed): 周军 C1G1 yes, not yet there.
    Widened to all registered: 吴刚 C1G1 came without answering, checked in and out."""
    delivery = emergency_post(c, "物资配送")
    disinfect = emergency_post(c, "环境消杀")
    sun = member_in(c, "孙丽", grid="C1G2")
    zhou = member_in(c, "周军")
    wu = member_in(c, "吴刚")
    for m in (c.member, c.helper, sun):
        hold(c, delivery, m)
    hold(c, disinfect, zhou)
    mob = activate(c, posts=[(delivery, 3), (disinfect, 2)])
    mob = widen(c, mob, "all_registered")
    now = timezone.now()
    call_respond(actor=c.member.user, mobilization=mob, answer="yes", eta=now + timedelta(minutes=20))
    check_in(mob, c.member, now - timedelta(minutes=30))
    call_respond(actor=c.helper.user, mobilization=mob, answer="no", reason="出差")
    call_respond(actor=zhou.user, mobilization=mob, answer="yes")
    check_in(mob, wu, now - timedelta(hours=2))
    check_out(mob, wu, now - timedelta(hours=1))
    return {"mob": mob, "delivery": delivery, "disinfect": disinfect, "sun": sun, "zhou": zhou, "wu": wu}


def test_the_totals(c, history):
    t = rollcall(history["mob"]).totals
    assert (t.called, t.yes, t.no, t.silent, t.arrived, t.on_duty) == (5, 3, 1, 1, 2, 1)


def test_per_post_needed_yes_arrived(c, history):
    lines = [
        (p.post_id, p.title, p.needed, p.called, p.yes, p.arrived) for p in rollcall(history["mob"]).posts
    ]
    assert lines == [
        (history["delivery"].pk, "物资配送", 3, 3, 1, 1),
        (history["disinfect"].pk, "环境消杀", 2, 1, 1, 0),
        (None, "", None, 1, 1, 1),  # the widened call
    ]


def test_per_grid(c, history):
    lines = [(g.name, g.called, g.yes, g.no, g.silent, g.arrived) for g in rollcall(history["mob"]).grids]
    assert lines == [("网格C1G1", 3, 3, 0, 0, 2), ("网格C1G2", 2, 0, 1, 1, 0)]


def test_a_post_named_nobody_holds_shows_zero(c):
    post = emergency_post(c, "防汛抢险")
    board = rollcall(activate(c, posts=[(post, 4)]))
    assert [(p.title, p.needed, p.called, p.yes, p.arrived) for p in board.posts] == [
        ("防汛抢险", 4, 0, 0, 0)
    ]
    assert (board.totals.called, board.grids) == (0, [])


def test_the_silent_and_the_lists(c, history):
    mob = history["mob"]
    assert [call.member for call in silent_calls(mob)] == [history["sun"]]
    assert {call.member.name for call in calls_of(mob, answer="yes")} == {"李明", "周军", "吴刚"}
    assert {call.member.name for call in calls_of(mob, grid=c.r("C1G2"))} == {"赵强", "孙丽"}
    assert [n.post.title for n in post_needs_of(mob)] == ["物资配送", "环境消杀"]


def test_calling_the_silent_again(c, history):
    mob = history["mob"]
    # "all the silent" skips those called moments ago: a second click does not text everyone twice
    assert mobilization_recall(actor=c.admin, mobilization=mob) == 0
    later = timezone.now() + RECALL_COOLDOWN
    assert mobilization_recall(actor=c.admin, mobilization=mob, now=later) == 1
    assert mobilization_recall(actor=c.admin, mobilization=mob, now=later) == 0
    call = Call.objects.get(mobilization=mob, member=history["sun"])
    assert (call.recalls, call.recalled_at is not None) == (1, True)
    # naming members: only the silent among them
    named = [c.member.pk, c.helper.pk, history["sun"].pk]
    assert mobilization_recall(actor=c.u("street_admin"), mobilization=mob, member_ids=named) == 1
    assert Call.objects.get(pk=call.pk).recalls == 2
    assert mobilization_recall(actor=c.admin, mobilization=mob, member_ids=[c.member.pk]) == 0
    assert Call.objects.filter(mobilization=mob, recalls__gt=0).count() == 1
    assert Notice.objects.filter(title="【再次呼叫】暴雨防汛").count() == 2
    assert set(Notice.objects.filter(title="【再次呼叫】暴雨防汛").values_list("user", flat=True)) == {
        history["sun"].user_id
    }
    # once it answers, it is not silent any more
    call_respond(actor=history["sun"].user, mobilization=mob, answer="yes")
    assert mobilization_recall(actor=c.admin, mobilization=mob, now=later + RECALL_COOLDOWN) == 0
    assert not silent_calls(mob).exists()


def test_only_staff_of_the_area_call_again_and_not_after_the_stand_down(c, history):
    mob = history["mob"]
    for who in ("other_community_admin", "member", "unit_admin"):
        with pytest.raises(Forbidden):
            mobilization_recall(actor=c.u(who), mobilization=mob)
    # the grid worker of C1G1 calls its own silent members again, and only them: 孙丽 lives in C1G2
    named = [history["sun"].pk]
    assert mobilization_recall(actor=c.u("grid_worker"), mobilization=mob, member_ids=named) == 0
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    with pytest.raises(Conflict) as e:
        mobilization_recall(actor=c.admin, mobilization=mob)
    assert e.value.code == "illegal_transition"
    assert not Call.objects.filter(recalls__gt=0).exists()
