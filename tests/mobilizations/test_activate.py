"""Activating an emergency: who may (the community over its own area, the street over several of its
communities), over which area, and what it must say."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.audit.models import AuditEvent
from baodao.lib.errors import Forbidden, Invalid
from baodao.mobilizations.models import Area, Call, Mobilization, PostNeed
from baodao.mobilizations.services import mobilization_activate
from baodao.posts.models import Kind
from baodao.posts.services import post_close, post_create
from tests.mobilizations.helpers import activate, called, emergency_post, hold, member_in

pytestmark = pytest.mark.django_db


def start(c, actor=None, **kw):
    kw.setdefault("title", "暴雨防汛")
    kw.setdefault("type", "flood")
    kw.setdefault("regions", [c.r("C1")])
    return mobilization_activate(actor=actor or c.admin, **kw)


def test_activation_writes_the_emergency_its_area_and_needs(c):
    post = emergency_post(c)
    report_by = timezone.now() + timedelta(hours=1)
    mob = start(
        c,
        posts=[(post, "4")],
        description=" 低洼处积水 ",
        report_by=report_by,
        regions=[c.r("C1G1"), c.r("C1G2")],
    )
    assert (mob.title, mob.type, mob.description, mob.status, mob.report_by) == (
        "暴雨防汛",
        "flood",
        "低洼处积水",
        "active",
        report_by,
    )
    assert len(mob.secret) == 32 and mob.widened == []
    assert list(Area.objects.filter(mobilization=mob).values_list("path", flat=True)) == [
        c.r("C1G1").path,
        c.r("C1G2").path,
    ]
    assert list(PostNeed.objects.filter(mobilization=mob).values_list("post", "headcount")) == [(post.pk, 4)]
    event = AuditEvent.objects.get(action="mobilization_activated")
    assert event.detail == {"areas": ["C1G1", "C1G2"], "posts": {str(post.pk): 4}}
    assert not Call.objects.exists()  # the call is the queue's job


def test_a_grid_inside_a_whole_community_of_the_area_adds_nothing(c):
    mob = start(c, regions=[c.r("C1G1"), c.r("C1"), c.r("C1")])
    assert list(Area.objects.filter(mobilization=mob).values_list("region__code", flat=True)) == ["C1"]


def test_the_street_activates_across_its_communities(c):
    c1 = emergency_post(c, "物资配送")
    c2 = emergency_post(c, "物资配送", community="C2")
    hold(c, c1, c.member)
    heping = member_in(c, "和平党员", community="C2", grid="C2G1")
    hold(c, c2, heping)
    mob = activate(c, posts=[(c1, 2), (c2, 2)], regions=["C1", "C2"], actor=c.u("street_admin"))
    assert called(mob) == {"李明", "和平党员"}
    assert start(c, actor=c.u("district_admin"), regions=[c.r("C1"), c.r("C2G1")]).pk


def test_a_community_admin_commands_only_its_own_area(c):
    for regions in ([c.r("C2")], [c.r("C1"), c.r("C2")], [c.r("C2G1")], [c.r("C4")]):
        with pytest.raises(Forbidden):
            start(c, regions=regions)
    assert not Mobilization.objects.exists()


@pytest.mark.parametrize("who", ["grid_worker", "member", "unit_admin", "resident", "other_community_admin"])
def test_others_activate_nothing_here(c, who):
    with pytest.raises(Forbidden):
        start(c, actor=c.u(who))
    assert not Mobilization.objects.exists()


def test_an_area_across_two_streets_is_refused(c):
    with pytest.raises(Invalid) as e:
        start(c, actor=c.u("district_admin"), regions=[c.r("C1"), c.r("C3")])
    assert "regions" in e.value.fields
    assert not Mobilization.objects.exists()


@pytest.mark.parametrize("codes", [[], ["S1"], ["D1"], ["C1", "S1"]])
def test_the_area_is_communities_or_grids(c, codes):
    with pytest.raises(Invalid) as e:
        start(c, actor=c.u("district_admin"), regions=[c.r(code) for code in codes])
    assert "regions" in e.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "war"}, "type"),
        ({"type": ""}, "type"),
        ({"title": " "}, "title"),
        ({"title": "事" * 81}, "title"),
        ({"description": "说" * 2001}, "description"),
    ],
)
def test_what_an_emergency_must_say(c, changes, field):
    with pytest.raises(Invalid) as e:
        start(c, **changes)
    assert field in e.value.fields
    assert not Mobilization.objects.exists()


def test_report_by_lies_between_now_and_a_week(c):
    now = timezone.now()
    for bad in (now - timedelta(minutes=1), now + timedelta(days=7, minutes=1)):
        with pytest.raises(Invalid) as e:
            start(c, report_by=bad, now=now)
        assert "report_by" in e.value.fields
    assert start(c, report_by=now, now=now).report_by == now
    assert start(c, report_by=now + timedelta(days=7), now=now, title="第二").pk


def test_the_posts_named_are_active_emergency_posts_of_the_area_once_each(c):
    regular = post_create(
        actor=c.admin, community=c.r("C1"), kind=Kind.REGULAR, title="政策宣传", headcount=2
    )
    closed = post_close(actor=c.admin, post=emergency_post(c, "已撤岗位"), reason="撤")
    theirs = emergency_post(c, "物资配送", community="C2")
    post = emergency_post(c)
    for posts in (
        [(regular, 1)],
        [(closed, 1)],
        [(theirs, 1)],
        [(post, 1), (post, 2)],
        [(post, 0)],
        [(post, 10001)],
        [(post, "两个")],
        [(post, None)],
    ):
        with pytest.raises(Invalid) as e:
            start(c, posts=posts)
        assert "posts" in e.value.fields, posts
    assert not Mobilization.objects.exists()
    assert start(c, posts=[(post, 10000)]).pk
    # a post of a community of the area when the area is one of its grids
    assert start(c, posts=[(post, 1)], regions=[c.r("C1G2")], title="二网格").pk
