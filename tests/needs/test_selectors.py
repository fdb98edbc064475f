"""What each person is shown of a need: the timeline with the resident's name masked for those who may not
see its details, the photos only for those who act on the need, and the member's list of needs near it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from baodao.needs.models import Kind, Need, Status
from baodao.needs.selectors import (
    NEAR_LIMIT,
    mask_name,
    need_get_for_user,
    need_timeline,
    needs_near_member,
    photo_get_for_user,
    photos_visible,
)
from baodao.needs.services import (
    need_claim,
    need_photo_add,
    need_publish,
    need_submit,
    need_withdraw,
)
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests.factories import user
from tests.needs.helpers import member_in, task, wish, wish_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def co_build(c, unit_code):
    unit = c.w.units[unit_code]
    admin = c.unit_admin if unit_code == "U1" else c.other_unit_admin
    ur = unit_registration_apply(actor=admin, unit=unit, community=c.r("C1"), commitments="结对共建")
    unit_registration_confirm(actor=c.admin, unit_registration=ur)
    return unit


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("张桂英", "张**"), ("欧阳明明", "欧***"), ("张", "张*"), (" ", "")]
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# ---- the timeline ------------------------------------------------------------------------------------------


def test_the_timeline_names_the_resident_only_to_those_who_may_see_its_details(c):
    need = wish_in(c, "disputed")
    resident = c.resident.name
    masked = mask_name(resident)
    assert masked == "居****" and masked != resident

    def actors(viewer):
        return [(e.kind, e.actor_name) for e in need_timeline(viewer, need)]

    def steps(requester):
        return [
            ("submitted", requester),
            ("published", "社区书记"),
            ("claimed", "李明"),
            ("completed", "李明"),
            ("disputed", requester),
        ]

    assert actors(c.resident) == steps(resident)
    assert actors(c.member.user) == steps(resident)  # the claimer
    for viewer in (c.admin, c.street_admin, c.district_admin, c.grid_worker, c.helper.user, AnonymousUser()):
        assert actors(viewer) == steps(masked), viewer


def test_the_timeline_is_oldest_first_with_labels_and_notes(c):
    need = wish_in(c, "disputed")
    entries = need_timeline(c.resident, need)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert [e.kind_label for e in entries] == ["提交", "审核通过并发布", "认领", "报告办结", "提出异议"]
    claim = need.claims.get()
    assert [(e.note, e.claim_id) for e in entries[2:]] == [
        ("李明", claim.pk),
        ("换了阀芯", claim.pk),
        ("还在漏水", claim.pk),
    ]


def test_a_claimer_who_withdrew_no_longer_sees_the_residents_name(c):
    need = wish_in(c, "in_progress")
    need_withdraw(actor=c.member.user, need=need, reason="临时出差")
    assert need_timeline(c.member.user, need)[0].actor_name == mask_name(c.resident.name)


def test_a_unit_that_holds_a_place_sees_the_residents_name(c):
    unit = co_build(c, "U1")
    need = need_publish(actor=c.admin, need=wish(c))
    assert need_timeline(c.unit_admin, need)[0].actor_name == mask_name(c.resident.name)
    need_claim(actor=c.unit_admin, need=need, unit=unit)
    assert need_timeline(c.unit_admin, need)[0].actor_name == c.resident.name


def test_a_need_taken_down_for_a_resident_never_names_it_on_the_timeline(c):
    need = need_submit(
        actor=c.grid_worker,
        kind=Kind.REQUEST,
        title="楼道灯坏了",
        category="repair",
        community=c.r("C1"),
        grid=c.r("C1G1"),
        contact_name="独居的刘奶奶",
    )
    need_publish(actor=c.admin, need=need)
    for viewer in (c.admin, c.street_admin, c.member.user, c.grid_worker):
        entries = need_timeline(viewer, need)
        assert [(e.kind, e.actor_name, e.note) for e in entries] == [
            ("submitted", "网格员", "代居民提交"),
            ("published", "社区书记", ""),
        ]
        assert not any("刘奶奶" in f"{e.actor_name}{e.note}" for e in entries)


# ---- photos ------------------------------------------------------------------------------------------------


def test_photos_are_for_those_who_act_on_the_need_and_the_regions_admins(c):
    unit = co_build(c, "U1")
    co_build(c, "U2")
    need = need_publish(actor=c.admin, need=wish(c), places=3)
    photo = need_photo_add(actor=c.resident, need=need, content=PNG)
    need_claim(actor=c.member.user, need=need)
    need_claim(actor=c.unit_admin, need=need, unit=unit)
    other_grid_worker = user("grid_worker", region_=c.r("C1G2"), name="二网格员")
    people = {
        "resident": c.resident,
        "member": c.member.user,
        "unit_admin": c.unit_admin,
        "community_admin": c.admin,
        "grid_worker": c.grid_worker,
        "street_admin": c.street_admin,
        "district_admin": c.district_admin,
        # these see the need (a live need of their community, one they co-build with) but not its photos
        "helper": c.helper.user,
        "other_unit_admin": c.other_unit_admin,
        # these do not even see the need
        "other_grid_worker": other_grid_worker,
        "other_community_admin": c.other_community_admin,
        "far_community_admin": c.far_community_admin,
        "other_member": c.other_member.user,
        "anonymous": AnonymousUser(),
    }
    sees_need = {n for n, u in people.items() if needs_visible(u, need)}
    assert sees_need == set(list(people)[:9])
    sees_photos = set()
    for name, person in people.items():
        try:
            got = photo_get_for_user(person, need.pk, photo.pk)
        except Http404:
            assert not (name in sees_need and photos_visible(person, need)), name
            continue
        assert got == photo and bytes(got.data) == PNG
        assert photos_visible(person, need), name
        sees_photos.add(name)
    assert sees_photos == set(list(people)[:7])


def needs_visible(person, need):
    try:
        return need_get_for_user(person, need.pk) == need
    except Http404:
        return False


def test_a_claimer_who_withdrew_sees_the_need_but_no_longer_its_photos(c):
    need = need_publish(actor=c.admin, need=wish(c))
    photo = need_photo_add(actor=c.resident, need=need, content=PNG)
    need_claim(actor=c.member.user, need=need)
    assert photo_get_for_user(c.member.user, need.pk, photo.pk) == photo
    need_withdraw(actor=c.member.user, need=need, reason="临时出差")
    assert need_get_for_user(c.member.user, need.pk) == need
    with pytest.raises(Http404):
        photo_get_for_user(c.member.user, need.pk, photo.pk)


def test_a_photo_is_found_only_under_its_own_need(c):
    need = wish(c)
    other = wish(c, title="另一条")
    photo = need_photo_add(actor=c.resident, need=need, content=PNG)
    for need_pk, photo_pk in ((other.pk, photo.pk), (need.pk, "abc"), (need.pk, 10**9), ("abc", photo.pk)):
        with pytest.raises(Http404):
            photo_get_for_user(c.resident, need_pk, photo_pk)


# ---- needs near a member -----------------------------------------------------------------------------------


def test_a_member_who_withdrew_sees_the_need_again_after_someone_else_claims_it(c):
    need = task(c, places=3)
    need_claim(actor=c.member.user, need=need)
    assert need not in needs_near_member(c.member)
    need_withdraw(actor=c.member.user, need=need, reason="临时出差")
    need_claim(actor=c.helper.user, need=need)
    assert need in needs_near_member(c.member)
    assert need not in needs_near_member(c.helper)


def test_needs_past_their_deadline_are_not_offered(c):
    soon = task(c, title="明天", due_at=timezone.now() + timedelta(days=1))
    past = task(c, title="已过期", due_at=timezone.now() + timedelta(days=1))
    Need.objects.filter(pk=past.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    open_ended = task(c, title="长期")
    assert set(needs_near_member(c.member)) == {soon, open_ended}


def test_a_member_is_never_offered_its_own_request(c):
    own = need_publish(
        actor=c.admin,
        need=need_submit(
            actor=c.member.user, kind=Kind.REQUEST, title="自己的", category="repair", community=c.r("C1")
        ),
    )
    assert own.status == Status.PUBLISHED
    assert needs_near_member(c.member) == []
    assert needs_near_member(c.helper) == [own]


def test_its_grids_needs_come_first_even_beyond_the_newest_ones_it_ranks(c):
    in_grid = need_publish(actor=c.admin, need=wish(c, title="同网格的老需求"))
    community = c.r("C1")
    grid = c.r("C1G2")
    Need.objects.bulk_create(
        Need(
            kind=Kind.TASK,
            title=f"别的网格{i}",
            category="environment",
            community=community,
            grid=grid,
            path=grid.path,
            status=Status.PUBLISHED,
        )
        for i in range(NEAR_LIMIT + 5)
    )
    Need.objects.filter(pk=in_grid.pk).update(created_at=timezone.now() - timedelta(days=30))
    near = needs_near_member(c.member)
    assert len(near) == NEAR_LIMIT
    assert near[0] == in_grid
    newcomer = member_in(c, "另一网格的党员", grid="C1G2")
    assert in_grid not in needs_near_member(newcomer)  # ranked after the newest of its own grid
