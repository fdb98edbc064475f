"""What the review of the first version taught: the secretary of one community in a street-wide emergency
runs its own site (board, code, calling its members again) and sees only its members; a holder is called
for its community's post wherever the roster says it lives; a widening that ran before the post call does not
hide the holders from their posts; the call is "under way" until the last queued call-out has run; the list
of emergencies counts only what it shows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.lib.errors import Forbidden
from baodao.members.models import Member
from baodao.mobilizations.models import Call, Reason
from baodao.mobilizations.selectors import rollcall, silent_calls
from baodao.mobilizations.services import (
    may_command,
    may_run_site,
    mobilization_activate,
    mobilization_fanout,
    mobilization_recall,
    mobilization_widen,
    site_scope,
)
from tests.mobilizations.helpers import activate, called, emergency_post, hold, member_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_wide(c):
    """The street activates over C1 and C2 with no posts named: everyone registered in both is called."""
    far = member_in(c, "和平党员", community="C2", grid="C2G1")
    mob = activate(
        c, posts=[], regions=["C1", "C2"], actor=c.u("street_admin"), title="台风防御", type="weather"
    )
    return mob, far


def test_the_secretary_of_one_community_runs_its_own_site(c, street_wide, client):
    mob, far = street_wide
    secretary = c.admin  # C1's
    assert not may_command(secretary, mob) and may_run_site(secretary, mob)
    assert not may_run_site(c.u("far_community_admin"), mob)
    within = site_scope(secretary, mob)
    assert within is not None and site_scope(c.u("street_admin"), mob) is None
    assert rollcall(mob).totals.called == 3
    mine = rollcall(mob, within=within)
    assert (mine.totals.called, {g.name for g in mine.grids}) == (2, {"网格C1G1", "网格C1G2"})
    assert far.pk not in {call.member_id for call in silent_calls(mob, within=within)}

    client.force_login(secretary, backend="django.contrib.auth.backends.ModelBackend")
    board = client.get(f"/emergencies/{mob.pk}/board/")
    assert board.status_code == 200 and "和平党员" not in board.text and "李明" in board.text
    assert client.get(f"/emergencies/{mob.pk}/code/").status_code == 200


def test_site_staff_call_only_their_own_members_again(c, street_wide):
    mob, far = street_wide
    Call.objects.filter(mobilization=mob).update(called_at=timezone.now() - timedelta(minutes=10))
    assert mobilization_recall(actor=c.admin, mobilization=mob) == 2  # 李明 and 赵强, not 和平党员
    assert mobilization_recall(actor=c.admin, mobilization=mob, member_ids=[far.pk]) == 0
    assert Call.objects.get(mobilization=mob, member=far).recalls == 0
    with pytest.raises(Forbidden):
        mobilization_recall(actor=c.u("far_community_admin"), mobilization=mob)


def test_a_holder_is_called_for_its_communitys_post_wherever_the_roster_says_it_lives(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    # a roster re-import moved its home to another street; its registration in C1 stands
    Member.objects.filter(pk=c.member.pk).update(
        community=c.r("C3"), grid=c.r("C3G1"), residence_path=c.r("C3G1").path
    )
    assert called(activate(c, posts=[(post, 2)])) == {"李明"}
    # a grid-sized area still asks where it lives (or which grids its post serves)
    assert called(activate(c, posts=[(post, 2)], regions=["C1G1"], title="停电")) == set()


def test_a_widening_run_before_the_post_call_leaves_the_holders_on_their_posts(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    mob = activate(c, posts=[(post, 2)], call=False)
    mobilization_widen(actor=c.admin, mobilization=mob, to=Reason.ALL_REGISTERED)
    assert mobilization_fanout(mobilization_id=mob.pk, reason=Reason.ALL_REGISTERED) == 2  # ran first
    mob.refresh_from_db()
    assert (mob.fanouts_pending, mob.fanout_done_at) == (1, None)  # the post call is still queued
    assert mobilization_fanout(mobilization_id=mob.pk, reason=Reason.POST) == 0  # nobody new …
    assert Call.objects.get(mobilization=mob, member=c.member).post_id == post.pk  # … but on its post
    assert Call.objects.get(mobilization=mob, member=c.helper).post_id is None
    mob.refresh_from_db()
    assert (mob.fanouts_pending, mob.fanout_done_at is not None) == (0, True)
    assert [(p.title, p.called) for p in rollcall(mob).posts] == [("物资配送", 1), ("", 1)]


def test_activation_queues_one_call_out(c):
    mob = mobilization_activate(actor=c.admin, title="暴雨", type="flood", regions=[c.r("C1")], posts=[])
    assert (mob.fanouts_pending, mob.fanout_done_at) == (1, None)


def test_the_list_of_emergencies_counts_the_calls_of_the_emergencies_shown(
    c, client, django_assert_max_num_queries
):
    post = emergency_post(c)
    hold(c, post, c.member)
    for n in range(3):
        activate(c, posts=[(post, 2)], title=f"演练{n}")
    client.force_login(c.admin, backend="django.contrib.auth.backends.ModelBackend")
    r = client.get("/emergencies/")
    assert r.status_code == 200
    assert r.text.count("呼叫 1 人，到岗 0 人，已到岗 0 人") == 3
