"""Who sees which need, whose phone and address, and which ledger rows — for every role in the world."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from baodao.accounts.models import Role
from baodao.ledger.selectors import record_get_for_user, records_visible_to
from baodao.needs.models import OPEN_CLAIM_STATUSES, Kind
from baodao.needs.selectors import (
    claims_of,
    need_contact_visible,
    need_get_for_user,
    needs_near_member,
    needs_visible_to,
)
from baodao.needs.services import (
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_decline,
    need_publish,
    need_submit,
    need_withdraw,
)
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests import factories
from tests.needs.helpers import member_in, task, wish

pytestmark = pytest.mark.django_db


def community_task(c, community, actor, title, grid=None):
    return need_submit(
        actor=actor,
        kind=Kind.TASK,
        title=title,
        category="environment",
        community=c.r(community),
        grid=c.r(grid) if grid else None,
        publish=True,
    )


def done(c, need, member, confirmer):
    need_claim(actor=member.user, need=need)
    need_complete(actor=member.user, need=need, note="办好了", hours=1)
    need_confirm(actor=confirmer, need=need, rating=5)


@pytest.fixture
def needs(c):
    c3_admin = factories.user(Role.COMMUNITY_ADMIN, region_=c.r("C3"), name="江景社区书记")
    wish(c, title="submitted")
    need_publish(actor=c.admin, need=wish(c, title="published"))
    done(c, need_publish(actor=c.admin, need=wish(c, title="mine_closed")), c.member, c.resident)
    done(c, need_publish(actor=c.admin, need=wish(c, title="others_closed")), c.helper, c.resident)
    need_decline(actor=c.admin, need=wish(c, title="declined"), reason="不属于社区职责")
    community_task(c, "C1", c.admin, "grid2_task", grid="C1G2")
    community_task(c, "C1", c.admin, "community_task")
    need_submit(
        actor=c.grid_worker,
        kind=Kind.REQUEST,
        title="behalf",
        category="repair",
        community=c.r("C1"),
        grid=c.r("C1G1"),
        contact_name="刘奶奶",
    )
    community_task(c, "C2", c.other_community_admin, "c2")
    community_task(c, "C3", c3_admin, "c3")
    community_task(c, "C4", c.far_community_admin, "c4")
    return c


C1_ALL = {
    "submitted",
    "published",
    "mine_closed",
    "others_closed",
    "declined",
    "grid2_task",
    "community_task",
    "behalf",
}
C1_LIVE = {"published", "grid2_task", "community_task"}


def visible(user):
    return set(needs_visible_to(user).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("district_admin", C1_ALL | {"c2", "c3"}),
        ("street_admin", C1_ALL | {"c2"}),
        ("community_admin", C1_ALL),
        # its grid's needs, and what it took down for residents
        ("grid_worker", {"submitted", "published", "mine_closed", "others_closed", "declined", "behalf"}),
        ("resident", {"submitted", "published", "mine_closed", "others_closed", "declined"}),
        # live needs of its community, and the one it served even after it closed
        ("member", C1_LIVE | {"mine_closed"}),
        ("unit_admin", set()),  # U1 has not co-built with C1
        ("other_community_admin", {"c2"}),
        ("far_community_admin", {"c4"}),
        ("other_unit_admin", set()),
        ("other_member", set()),  # lives in C2, registered nowhere
    ],
)
def test_needs_visible_to_each_role(needs, who, expected):
    assert visible(needs.w.users[who]) == expected


def test_a_member_not_registered_sees_only_what_it_asked_for(needs):
    newcomer = member_in(needs, "新来的", register=False)
    assert visible(newcomer.user) == set()
    wish_of_its_own = need_submit(
        actor=newcomer.user, kind=Kind.WISH, title="own", category="repair", community=needs.r("C1")
    )
    assert visible(newcomer.user) == {"own"}
    assert need_get_for_user(newcomer.user, wish_of_its_own.pk) == wish_of_its_own


def test_a_member_keeps_seeing_a_need_it_once_claimed_after_it_closed(needs):
    need = needs_visible_to(needs.helper.user).get(title="grid2_task")
    need_claim(actor=needs.helper.user, need=need)
    need_withdraw(actor=needs.helper.user, need=need, reason="来不了")
    need_close(actor=needs.admin, need=need, reason="取消")
    assert "grid2_task" in visible(needs.helper.user)
    assert "grid2_task" not in visible(needs.member.user)


def test_a_member_registered_elsewhere_sees_that_communitys_live_needs(needs):
    there = member_in(needs, "和平社区党员", community="C2", grid="C2G1")
    assert visible(there.user) == {"c2"}


def test_a_co_building_unit_admin_sees_the_live_needs_and_what_its_unit_took(needs):
    c = needs
    unit = c.w.units["U1"]
    ur = unit_registration_apply(actor=c.unit_admin, unit=unit, community=c.r("C1"), commitments="共建")
    assert visible(c.unit_admin) == set()  # applied is not enough
    unit_registration_confirm(actor=c.admin, unit_registration=ur)
    assert visible(c.unit_admin) == C1_LIVE
    served = task(c, places=1, title="unit_served")
    done(c, served, c.member, c.admin)  # a member of the unit serving for itself does not count
    assert "unit_served" not in visible(c.unit_admin)
    by_unit = task(c, places=1, title="unit_task")
    need_claim(actor=c.unit_admin, need=by_unit, unit=unit)
    need_complete(actor=c.unit_admin, need=by_unit, note="好了", hours=1)
    need_confirm(actor=c.admin, need=by_unit, rating=5)
    assert "unit_task" in visible(c.unit_admin)  # closed, yet it served


def test_out_of_scope_is_not_found(needs):
    c = needs
    c4 = needs_visible_to(c.far_community_admin).get(title="c4")
    mine = needs_visible_to(c.resident).get(title="submitted")
    for user, pk in ((c.admin, c4.pk), (c.member.user, mine.pk), (c.other_community_admin, mine.pk)):
        with pytest.raises(Http404):
            need_get_for_user(user, pk)
    for junk in ("abc", None, 10**9):
        with pytest.raises(Http404):
            need_get_for_user(c.admin, junk)
    assert not needs_visible_to(AnonymousUser()).exists()


# ---- the resident's phone and address ----------------------------------------------------------------------


def test_contact_visible_truth_table(c):
    unit = c.w.units["U1"]
    ur = unit_registration_apply(actor=c.unit_admin, unit=unit, community=c.r("C1"), commitments="共建")
    unit_registration_confirm(actor=c.admin, unit_registration=ur)
    need = need_publish(actor=c.admin, need=wish(c), places=3)
    behalf = need_submit(
        actor=c.grid_worker,
        kind=Kind.REQUEST,
        title="代办",
        category="repair",
        community=c.r("C1"),
        grid=c.r("C1G1"),
        contact_name="刘奶奶",
        contact_phone="13700000009",
    )

    def who_sees(n):
        people = {
            "resident": c.resident,
            "member": c.member.user,
            "helper": c.helper.user,
            "community_admin": c.admin,
            "grid_worker": c.grid_worker,
            "street_admin": c.street_admin,
            "district_admin": c.district_admin,
            "unit_admin": c.unit_admin,
            "other_unit_admin": c.other_unit_admin,
            "other_member": c.other_member.user,
            "anonymous": AnonymousUser(),
        }
        return {name for name, u in people.items() if need_contact_visible(u, n)}

    assert who_sees(need) == {"resident"}
    need_claim(actor=c.member.user, need=need)
    need_claim(actor=c.unit_admin, need=need, unit=unit)
    assert who_sees(need) == {"resident", "member", "unit_admin"}
    need_complete(actor=c.member.user, need=need, note="好了", hours=1)
    need_confirm(actor=c.resident, need=need, rating=5)
    need_withdraw(actor=c.unit_admin, need=need, reason="人手不够")
    assert who_sees(need) == {"resident", "member"}  # confirmed still holds; withdrawn no longer

    assert who_sees(behalf) == {"grid_worker"}  # who took it down
    need_publish(actor=c.admin, need=behalf)
    need_claim(actor=c.helper.user, need=behalf)
    assert who_sees(behalf) == {"grid_worker", "helper"}


# ---- the ledger --------------------------------------------------------------------------------------------


@pytest.fixture
def records(c):
    unit = c.w.units["U1"]
    ur = unit_registration_apply(actor=c.unit_admin, unit=unit, community=c.r("C1"), commitments="共建")
    unit_registration_confirm(actor=c.admin, unit_registration=ur)
    done(c, need_publish(actor=c.admin, need=wish(c, title="member_wish")), c.member, c.resident)
    unit_task = task(c, places=1, title="unit_task")
    need_claim(actor=c.unit_admin, need=unit_task, unit=unit)
    need_complete(actor=c.unit_admin, need=unit_task, note="好了", hours=4)
    need_confirm(actor=c.admin, need=unit_task, rating=4)
    factories.registered(c.other_member, c.r("C2"), c.r("C2G1"), by=c.other_community_admin)
    done(
        c,
        community_task(c, "C2", c.other_community_admin, "c2_task"),
        c.other_member,
        c.other_community_admin,
    )
    return c


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("district_admin", {"member_wish", "unit_task", "c2_task"}),
        ("street_admin", {"member_wish", "unit_task", "c2_task"}),
        ("community_admin", {"member_wish", "unit_task"}),
        ("grid_worker", {"member_wish"}),  # served in its grid; the unit's task was the community's
        ("unit_admin", {"member_wish", "unit_task"}),  # its member's and its own, wherever served
        ("other_unit_admin", {"c2_task"}),  # its member's
        ("member", {"member_wish"}),
        ("other_member", {"c2_task"}),
        ("other_community_admin", {"c2_task"}),
        ("far_community_admin", set()),
        ("resident", set()),
    ],
)
def test_records_visible_to_each_role(records, who, expected):
    user = records.w.users[who]
    assert set(records_visible_to(user).values_list("title", flat=True)) == expected


def test_a_record_out_of_scope_is_not_found(records):
    c = records
    record = records_visible_to(c.district_admin).get(title="c2_task")
    assert record_get_for_user(c.other_member.user, record.pk) == record
    for user in (c.admin, c.member.user, c.far_community_admin, AnonymousUser()):
        with pytest.raises(Http404):
            record_get_for_user(user, record.pk)


# ---- what a member is offered, and its claims --------------------------------------------------------------


def test_needs_near_a_member_put_its_grid_then_its_skills_first(c):
    far = need_submit(
        actor=c.admin, kind=Kind.TASK, title="别处", category="other", community=c.r("C1"), publish=True
    )
    skilled = need_submit(
        actor=c.admin,
        kind=Kind.SERVICE,
        title="法律咨询",
        category="legal",
        community=c.r("C1"),
        skills=["legal"],
        publish=True,
    )
    in_grid = need_publish(actor=c.admin, need=wish(c, title="同网格"))
    full = need_publish(actor=c.admin, need=wish(c, title="满了"))
    need_claim(actor=c.helper.user, need=full)
    mine = need_publish(actor=c.admin, need=wish(c, title="已认领"))
    need_claim(actor=c.member.user, need=mine)
    community_task(c, "C2", c.other_community_admin, "c2")
    wish(c, title="未审核")
    assert needs_near_member(c.member) == [in_grid, skilled, far]
    assert needs_near_member(member_in(c, "未报到", register=False)) == []
    assert [cl.need for cl in claims_of(c.member.user)] == [mine]
    assert [cl.need for cl in claims_of(c.helper.user).filter(status__in=OPEN_CLAIM_STATUSES)] == [full]
