"""下单: the community vets — publishes, declines, merges, assigns. Only the need's own community admin may;
street and district admins see the need but may not vet it; outsiders do not even find it."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baodao.audit.models import Action, AuditEvent
from baodao.audit.services import audit_verify
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.needs.models import ClaimStatus, Status
from baodao.needs.selectors import need_get_for_user
from baodao.needs.services import (
    need_assign,
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_decline,
    need_merge,
    need_publish,
    need_reopen,
    need_submit,
)
from baodao.notify.models import Notice
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests.factories import user
from tests.needs.helpers import CJK, member_in, snapshot, wish, wish_in

pytestmark = pytest.mark.django_db

VETTING = {
    "publish": lambda c, n: need_publish(actor=c.actor, need=n),
    "decline": lambda c, n: need_decline(actor=c.actor, need=n, reason="重复"),
    "merge": lambda c, n: need_merge(actor=c.actor, need=n, into=c.target),
    "assign": lambda c, n: need_assign(actor=c.actor, need=n, member=c.helper),
    "close": lambda c, n: need_close(actor=c.actor, need=n, reason="居民已搬走"),
    "reopen": lambda c, n: need_reopen(actor=c.actor, need=n),
}
#: the state each vetting action is legal in
LEGAL_IN = {
    "publish": "submitted",
    "decline": "submitted",
    "merge": "submitted",
    "assign": "submitted",
    "close": "published",
    "reopen": "disputed",
}


@pytest.mark.parametrize("action", list(VETTING))
@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("street_admin", True),
        ("district_admin", True),
        ("grid_worker", True),
        ("resident", True),  # its own wish
        ("member", True),
        ("unit_admin", False),
        ("other_community_admin", False),
        ("far_community_admin", False),
        ("other_unit_admin", False),
        ("other_member", False),
    ],
)
def test_only_the_community_admin_vets(c, action, who, sees):
    need = wish_in(c, LEGAL_IN[action])
    c.target = wish(c, title="另一条")
    c.actor = c.w.users[who]
    if who == "member" and need.status == Status.SUBMITTED:
        sees = False  # a member sees live needs only, until it holds a place
    if sees:
        assert need_get_for_user(c.actor, need.pk) == need
    else:
        with pytest.raises(Http404):
            need_get_for_user(c.actor, need.pk)
    before = snapshot(need)
    with pytest.raises(Forbidden) as caught:
        VETTING[action](c, need)
    assert caught.value.status == 403 and CJK.search(caught.value.detail)
    assert snapshot(need) == before


@pytest.mark.parametrize("action", list(VETTING))
def test_the_community_admin_vets(c, action):
    need = wish_in(c, LEGAL_IN[action])
    c.target = wish(c, title="另一条")
    c.actor = c.admin
    VETTING[action](c, need)


def test_publish_sets_places_skills_and_deadline_and_tells_the_resident(c):
    need = wish(c)
    due = timezone.now() + timedelta(days=2)
    need = need_publish(actor=c.admin, need=need, places="2", skills=["法律咨询", "legal"], due_at=due)
    assert (need.status, need.places, need.skills, need.due_at) == (Status.PUBLISHED, 2, ["legal"], due)
    assert need.responded_at is not None
    assert Notice.objects.filter(user=c.resident, title="您的需求已受理并发布").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"places": 0}, "places"), ({"skills": ["不存在"]}, "skills"), ({"due_at": -1}, "due_at")],
)
def test_publish_checks_what_it_is_given(c, kwargs, field):
    need = wish(c)
    if kwargs.get("due_at") == -1:
        kwargs = {"due_at": timezone.now() - timedelta(hours=1)}
    before = snapshot(need)
    with pytest.raises(Invalid) as caught:
        need_publish(actor=c.admin, need=need, **kwargs)
    assert field in caught.value.fields
    assert snapshot(need) == before


def test_decline_tells_the_resident_why_and_is_audited(c):
    need = need_decline(actor=c.admin, need=wish(c), reason="属于物业维修范围，已转物业")
    assert (need.status, need.decline_reason) == (Status.DECLINED, "属于物业维修范围，已转物业")
    assert need.closed_at is not None and need.responded_at is not None
    notice = Notice.objects.get(user=c.resident, title="您的需求未予受理")
    assert notice.body == "属于物业维修范围，已转物业"
    event = AuditEvent.objects.get(action=Action.NEED_DECLINED)
    assert (event.actor, event.target_id) == (c.admin, str(need.pk))
    assert audit_verify()[0]


def test_decline_needs_a_reason(c):
    need = wish(c)
    with pytest.raises(Invalid) as caught:
        need_decline(actor=c.admin, need=need, reason=" ")
    assert "reason" in caught.value.fields


def test_a_need_somebody_holds_a_place_on_is_not_declined_or_merged(c):
    need = need_publish(actor=c.admin, need=wish(c), places=2)
    need_assign(actor=c.admin, need=need, member=c.helper)
    need.refresh_from_db()
    assert need.status == Status.PUBLISHED  # one place of two is still free
    target = wish(c, title="另一条")
    before = snapshot(need)
    with pytest.raises(Conflict) as declined:
        need_decline(actor=c.admin, need=need, reason="重复")
    with pytest.raises(Conflict) as merged:
        need_merge(actor=c.admin, need=need, into=target)
    assert "已有人认领" in declined.value.detail and "已有人认领" in merged.value.detail
    assert snapshot(need) == before


def test_merge_sends_the_resident_to_the_other_need_and_tells_it_when_that_is_terminated(c):
    first = wish(c, title="3栋门口积水")
    duplicate = need_merge(actor=c.admin, need=wish(c, title="3栋积水"), into=first)
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, first)
    assert Notice.objects.filter(user=c.resident, title="您的需求已与相同事项合并办理").count() == 1
    need_publish(actor=c.admin, need=first)
    need_close(actor=c.admin, need=first, reason="已由物业疏通")
    notice = Notice.objects.get(user=c.resident, title="与您的需求合并办理的事项已终止办理")
    assert (notice.body, notice.url) == ("已由物业疏通", f"/needs/{first.pk}/")
    assert not Notice.objects.filter(title="您反映的事项已办结").exists()  # stopped is not done


def test_the_merged_resident_also_hears_when_the_other_need_is_confirmed(c):
    neighbour = user("resident", region_=c.r("C1"), name="邻居")
    first = wish(c, title="3栋门口积水")
    duplicate = need_submit(
        actor=neighbour, kind="request", title="积水", category="repair", community=c.r("C1")
    )
    need_merge(actor=c.admin, need=duplicate, into=first)
    need_publish(actor=c.admin, need=first)
    need_claim(actor=c.member.user, need=first)
    need_complete(actor=c.member.user, need=first, note="疏通了", hours=1)
    need_confirm(actor=c.resident, need=first, rating=5)
    notice = Notice.objects.get(user=neighbour, title="您反映的事项已办结")
    assert notice.body == "与您的需求合并办理的“3栋门口积水”已办结。"
    assert notice.url == f"/needs/{first.pk}/"


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("self", Invalid),
        ("C2", Invalid),
        ("declined", Conflict),
        ("merged", Conflict),
        ("closed", Conflict),
        ("terminated", Conflict),
    ],
)
def test_merge_goes_only_into_a_live_need_of_the_same_community(c, target, error):
    need = wish(c)
    if target == "self":
        into = need
    elif target == "C2":
        into = need_submit(
            actor=c.other_member.user, kind="wish", title="修门", category="repair", community=c.r("C2")
        )
    else:
        into = wish_in(c, target)
    before = snapshot(need)
    with pytest.raises(error) as caught:
        need_merge(actor=c.admin, need=need, into=into)
    assert CJK.search(caught.value.detail)
    assert snapshot(need) == before


def _three_residents(c):
    """Three residents of C1 each asking about the same thing: (their needs A, B, C), all waiting."""
    first, second = (user("resident", region_=c.r("C1"), name=name) for name in ("邻居甲", "邻居乙"))
    a, b = (
        need_submit(actor=u, kind="request", title=t, category="repair", community=c.r("C1"))
        for u, t in ((first, "积水"), (second, "门口积水"))
    )
    return a, b, wish(c, title="3栋门口积水"), (first, second)


def test_a_need_merged_into_one_that_is_merged_on_follows_it_to_the_end(c):
    a, b, target, (first, second) = _three_residents(c)
    need_merge(actor=c.admin, need=a, into=b)
    need_merge(actor=c.admin, need=b, into=target)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.merged_into, b.status, b.merged_into) == (
        Status.MERGED,
        target,
        Status.MERGED,
        target,
    )
    need_publish(actor=c.admin, need=target)
    need_claim(actor=c.member.user, need=target)
    need_complete(actor=c.member.user, need=target, note="疏通了", hours=1)
    need_confirm(actor=c.resident, need=target, rating=5)
    told = Notice.objects.filter(title="您反映的事项已办结", url=f"/needs/{target.pk}/")
    assert sorted(told.values_list("user", flat=True)) == sorted([first.pk, second.pk])


def test_a_chain_of_merges_hears_when_the_last_need_is_terminated(c):
    a, b, target, (first, second) = _three_residents(c)
    need_merge(actor=c.admin, need=a, into=b)
    need_merge(actor=c.admin, need=b, into=target)
    need_publish(actor=c.admin, need=target)
    need_close(actor=c.admin, need=target, reason="已由市政疏通")
    told = Notice.objects.filter(title="与您的需求合并办理的事项已终止办理", body="已由市政疏通")
    assert sorted(told.values_list("user", flat=True)) == sorted([first.pk, second.pk])


def test_declining_a_need_tells_the_residents_merged_into_it(c):
    a, b, target, (first, second) = _three_residents(c)
    need_merge(actor=c.admin, need=a, into=target)
    need_merge(actor=c.admin, need=b, into=target)
    need_decline(actor=c.admin, need=target, reason="属于物业维修范围")
    told = Notice.objects.filter(title="与您的需求合并办理的事项未予受理", body="属于物业维修范围")
    assert sorted(told.values_list("user", flat=True)) == sorted([first.pk, second.pk])
    assert Notice.objects.filter(user=c.resident, title="您的需求未予受理").count() == 1


def test_a_need_is_not_merged_into_one_that_became_final_meanwhile(c):
    need = wish(c)
    target = wish(c, title="另一条")
    stale = type(target).objects.get(pk=target.pk)  # loaded while still waiting
    need_decline(actor=c.admin, need=target, reason="重复")
    before = snapshot(need)
    with pytest.raises(Conflict) as caught:
        need_merge(actor=c.admin, need=need, into=stale)
    assert caught.value.code == "illegal_transition" and "不能再合并" in caught.value.detail
    assert snapshot(need) == before


def test_assign_to_a_member_publishes_takes_a_place_and_is_audited(c):
    need = wish(c)
    claim = need_assign(actor=c.admin, need=need, member=c.helper)
    need.refresh_from_db()
    assert (need.status, need.taken, need.responded_at is not None) == (Status.IN_PROGRESS, 1, True)
    assert (claim.member, claim.assigned, claim.claimed_by, claim.status) == (
        c.helper,
        True,
        c.admin,
        ClaimStatus.ACTIVE,
    )
    assert [e.kind for e in need.events.all()] == ["submitted", "assigned"]
    assert AuditEvent.objects.filter(action=Action.NEED_ASSIGNED, target_id=str(need.pk)).count() == 1
    assert Notice.objects.filter(user=c.helper.user, title="社区指派给您一项需求").count() == 1
    assert Notice.objects.get(user=c.resident, title="您的需求已有人承接").body == "由 赵强 承接。"
    assert audit_verify()[0]


def test_assign_to_a_co_building_unit(c):
    unit = c.w.units["U1"]
    ur = unit_registration_apply(actor=c.unit_admin, unit=unit, community=c.r("C1"), commitments="结对共建")
    unit_registration_confirm(actor=c.admin, unit_registration=ur)
    claim = need_assign(actor=c.admin, need=wish(c), unit=unit)
    assert (claim.unit, claim.member) == (unit, None)
    assert Notice.objects.filter(user=c.unit_admin, title="社区指派给您一项需求").exists()


@pytest.mark.parametrize(
    "who", ["unregistered", "registered_elsewhere", "unit_without_agreement", "both", "none"]
)
def test_assign_only_to_someone_who_may_serve_here(c, who):
    need = wish(c)
    kwargs = {
        "unregistered": {"member": member_in(c, "未报到", register=False)},
        "registered_elsewhere": {"member": member_in(c, "在和平社区报到", community="C2", grid="C2G1")},
        "unit_without_agreement": {"unit": c.w.units["U2"]},
        "both": {"member": c.helper, "unit": c.w.units["U1"]},
        "none": {},
    }[who]
    before = snapshot(need)
    with pytest.raises((Forbidden, Invalid)) as caught:
        need_assign(actor=c.admin, need=need, **kwargs)
    assert isinstance(caught.value, Invalid if who in ("both", "none") else Forbidden)
    assert CJK.search(caught.value.detail)
    assert snapshot(need) == before
