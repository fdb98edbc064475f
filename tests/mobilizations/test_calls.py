"""Who is called: the holders of the emergency posts named, living in the area (or whose post serves it);
everyone registered there when no post is named or the call is widened; the neighbouring grids; never anyone
outside the area, unregistered, or registered elsewhere; and nobody twice. Each newly called member gets one
notice (and a text message through the channels)."""

import pytest
from django.core.management import call_command

from baodao.audit.models import AuditEvent
from baodao.lib.errors import Conflict, Invalid
from baodao.mobilizations.models import Call, Reason
from baodao.mobilizations.services import mobilization_fanout, mobilization_widen
from baodao.notify.models import Notice, Outbox
from baodao.posts.services import post_withdraw
from tests import factories
from tests.mobilizations.helpers import activate, called, emergency_post, hold, member_in, moved_to, widen

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(c):
    """物资配送 held by 李明 (C1G1), 赵强 (C1G2) and 孙丽 (C1G2); 环境消杀 held by 周军 (C1G1);
    吴刚 (C1G1) holds nothing; 未报到 lives in C1G1 unregistered; 和平党员 is registered in C2 and holds
    C2's 物资配送."""
    delivery = emergency_post(c, "物资配送")
    disinfect = emergency_post(c, "环境消杀")
    sun = member_in(c, "孙丽", grid="C1G2")
    zhou = member_in(c, "周军")
    member_in(c, "吴刚")
    factories.member(c.w.units["U1"], community=c.r("C1"), grid=c.r("C1G1"), name="未报到")
    heping = member_in(c, "和平党员", community="C2", grid="C2G1")
    c2_delivery = emergency_post(c, "物资配送", community="C2")
    for m in (c.member, c.helper, sun):
        hold(c, delivery, m)
    hold(c, disinfect, zhou)
    hold(c, c2_delivery, heping)
    return {"delivery": delivery, "disinfect": disinfect, "c2_delivery": c2_delivery}


def test_holders_of_the_named_posts_in_the_community_are_called(c, crowd):
    mob = activate(c, posts=[(crowd["delivery"], 3)])
    assert called(mob) == {"李明", "赵强", "孙丽"}
    calls = {
        call.member.name: call
        for call in Call.objects.filter(mobilization=mob).select_related("member__user")
    }
    assert {call.post_id for call in calls.values()} == {crowd["delivery"].pk}
    assert {call.reason for call in calls.values()} == {Reason.POST}
    assert calls["李明"].grid == c.r("C1G1") and calls["赵强"].grid == c.r("C1G2")
    assert mob.fanout_done_at is not None


def test_several_posts_each_holder_once(c, crowd):
    hold(c, crowd["disinfect"], c.member)  # 李明 holds both
    mob = activate(c, posts=[(crowd["delivery"], 3), (crowd["disinfect"], 1)])
    assert called(mob) == {"李明", "赵强", "孙丽", "周军"}
    assert Call.objects.filter(mobilization=mob, member=c.member).count() == 1


def test_pending_and_withdrawn_holders_are_not_called(c, crowd):
    from baodao.posts.services import post_claim

    late = member_in(c, "待确认")
    post_claim(actor=late.user, post=crowd["delivery"])
    post_withdraw(actor=c.helper.user, post=crowd["delivery"], reason="出差")
    mob = activate(c, posts=[(crowd["delivery"], 3)])
    assert called(mob) == {"李明", "孙丽"}


def test_a_grid_area_calls_only_the_holders_living_in_it(c, crowd):
    mob = activate(c, posts=[(crowd["delivery"], 3)], regions=["C1G1"])
    assert called(mob) == {"李明"}
    mob = activate(c, posts=[(crowd["delivery"], 3)], regions=["C1G2"], title="第二场")
    assert called(mob) == {"赵强", "孙丽"}


def test_a_grid_area_calls_the_holders_of_a_post_serving_it_wherever_they_live(c, crowd):
    gate = emergency_post(c, "卡口值守", grids=[c.r("C1G1")])
    hold(c, gate, c.helper)  # lives in C1G2, serves C1G1
    mob = activate(c, posts=[(gate, 2)], regions=["C1G1"])
    assert called(mob) == {"赵强"}
    other = emergency_post(c, "二网格卡口", grids=[c.r("C1G2")])
    hold(c, other, c.member)  # lives in C1G1, serves C1G2: not this area
    mob = activate(c, posts=[(other, 2)], regions=["C1G1"], title="第二场")
    assert called(mob) == {"李明"}  # lives here, whatever it serves


def test_a_holder_who_moved_to_another_community_is_not_called(c, crowd):
    gate = emergency_post(c, "卡口值守", grids=[c.r("C1G1")])
    hold(c, gate, c.helper)
    moved_to(c, c.helper)  # now registered in C3, still on the post's books
    moved_to(c, c.member)
    mob = activate(c, posts=[(gate, 2), (crowd["delivery"], 3)])
    assert called(mob) == {"孙丽"}


def test_a_holder_whose_registration_ended_is_not_called(c, crowd):
    from baodao.registration.services import registration_end

    registration_end(
        actor=c.member.user, registration=c.member.registrations.get(status="confirmed"), reason="退出"
    )
    mob = activate(c, posts=[(crowd["delivery"], 3)])
    assert called(mob) == {"赵强", "孙丽"}


def test_no_post_named_calls_everyone_registered_in_the_area(c, crowd):
    mob = activate(c, posts=[])
    assert called(mob) == {"李明", "赵强", "孙丽", "周军", "吴刚"}
    assert set(Call.objects.filter(mobilization=mob).values_list("reason", flat=True)) == {"all_registered"}
    assert not Call.objects.filter(mobilization=mob, post__isnull=False).exists()
    assert mob.widened == ["all_registered"]
    grid = activate(c, posts=[], regions=["C1G2"], title="二网格")
    assert called(grid) == {"赵强", "孙丽"}


def test_nobody_outside_the_area_is_called(c, crowd):
    mob = activate(c, posts=[(crowd["delivery"], 3)])
    mob = widen(c, mob, "all_registered")
    assert "和平党员" not in called(mob) and "王芳" not in called(mob) and "未报到" not in called(mob)
    assert called(mob) == {"李明", "赵强", "孙丽", "周军", "吴刚"}


def test_widening_to_all_registered_keeps_the_first_calls(c, crowd):
    mob = activate(c, posts=[(crowd["delivery"], 3)], regions=["C1G1"])
    mob = widen(c, mob, "all_registered")
    assert called(mob) == {"李明", "周军", "吴刚"}
    reasons = dict(Call.objects.filter(mobilization=mob).values_list("member__user__name", "reason"))
    assert reasons == {"李明": "post", "周军": "all_registered", "吴刚": "all_registered"}
    assert Call.objects.get(mobilization=mob, member=c.member).post == crowd["delivery"]
    assert mob.widened == ["all_registered"]
    assert AuditEvent.objects.filter(action="mobilization_widened").count() == 1


def test_widening_to_the_neighbouring_grids(c, crowd):
    mob = activate(c, posts=[(crowd["delivery"], 3)], regions=["C1G1"])
    mob = widen(c, mob, "neighbour_grids")
    assert called(mob) == {"李明", "赵强", "孙丽"}  # the other grid of C1; not C2's
    assert mob.widened == ["neighbour_grids"]
    mob = widen(c, mob, "all_registered")
    assert called(mob) == {"李明", "赵强", "孙丽", "周军", "吴刚"}
    assert mob.widened == ["neighbour_grids", "all_registered"]


def test_the_neighbours_of_a_grid_are_only_in_its_own_community(c, crowd):
    member_in(c, "二网格新人", grid="C1G2")
    mob = activate(c, posts=[], regions=["C1G1", "C2"], actor=c.u("street_admin"))
    assert called(mob) == {"李明", "周军", "吴刚", "和平党员"}
    mob = widen(c, mob, "neighbour_grids", actor=c.u("street_admin"))
    assert called(mob) == {"李明", "周军", "吴刚", "和平党员", "赵强", "孙丽", "二网格新人"}


def test_a_neighbour_registered_elsewhere_is_not_called(c, crowd):
    from baodao.members.models import Member

    away = member_in(c, "外社区党员", community="C2", grid="C2G1")
    # the roster moved its home to C1G2; its registration stays with C2
    Member.objects.filter(pk=away.pk).update(
        community=c.r("C1"), grid=c.r("C1G2"), residence_path=c.r("C1G2").path
    )
    mob = activate(c, posts=[(crowd["delivery"], 3)], regions=["C1G1"])
    mob = widen(c, mob, "neighbour_grids")
    assert called(mob) == {"李明", "赵强", "孙丽"}
    mob = widen(c, mob, "all_registered")
    assert "外社区党员" not in called(mob)


def test_a_whole_community_has_no_neighbours(c, crowd):
    mob = activate(c, posts=[(crowd["delivery"], 3)])
    with pytest.raises(Conflict) as e:
        mobilization_widen(actor=c.admin, mobilization=mob, to="neighbour_grids")
    assert e.value.code == "no_neighbours"
    with pytest.raises(Conflict):  # a grid and its whole community: still the whole community
        mobilization_widen(
            actor=c.admin,
            mobilization=activate(c, posts=[], regions=["C1G1", "C1"], title="二"),
            to="neighbour_grids",
        )
    with pytest.raises(Invalid) as e:
        mobilization_widen(actor=c.admin, mobilization=mob, to="everyone")
    assert "to" in e.value.fields
    assert mob.widened == []


def test_nobody_is_called_twice(c, crowd):
    mob = activate(c, posts=[(crowd["delivery"], 3)], regions=["C1G1"])
    assert mobilization_fanout(mobilization_id=mob.pk, reason="post") == 0  # the fan-out run again
    mob = widen(c, mob, "all_registered")
    mob = widen(c, mob, "all_registered")  # widened twice
    assert mobilization_fanout(mobilization_id=mob.pk, reason="all_registered") == 0
    mob = widen(c, mob, "neighbour_grids")
    assert mob.widened == ["all_registered", "neighbour_grids"]
    assert Call.objects.filter(mobilization=mob).count() == len(called(mob)) == 5
    for name in called(mob):
        assert Notice.objects.filter(user__name=name, title="【应急动员】暴雨防汛").count() == 1


def test_one_notice_per_member_called_saying_when_to_report(c, crowd):
    from datetime import timedelta

    from django.utils import timezone

    report_by = timezone.now() + timedelta(hours=2)
    mob = activate(c, posts=[(crowd["delivery"], 3)], report_by=report_by)
    notices = Notice.objects.filter(title="【应急动员】暴雨防汛")
    assert set(notices.values_list("user__name", flat=True)) == {"李明", "赵强", "孙丽"}
    assert notices.count() == 3
    when = timezone.localtime(report_by).strftime("%m-%d %H:%M")
    assert {n.body for n in notices} == {f"请于 {when} 前到岗报到，并在平台上响应。"}
    assert {n.url for n in notices} == {f"/emergencies/{mob.pk}/"}


def test_a_stood_down_emergency_calls_nobody_more(c, crowd):
    from baodao.mobilizations.services import mobilization_stand_down

    mob = activate(c, posts=[(crowd["delivery"], 3)], call=False)
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    assert mobilization_fanout(mobilization_id=mob.pk, reason="post") == 0
    assert not Call.objects.exists()
    with pytest.raises(Conflict) as e:
        mobilization_widen(actor=c.admin, mobilization=mob, to="all_registered")
    assert e.value.code == "illegal_transition"


@pytest.mark.django_db(transaction=True)
def test_the_call_goes_out_from_the_queue_with_a_text_message_each(c, crowd, settings):
    from baodao.mobilizations.services import mobilization_activate

    settings.NOTIFY_CHANNELS = ["baodao.notify.services.SmsChannel"]
    mob = mobilization_activate(
        actor=c.admin, title="暴雨防汛", type="flood", regions=[c.r("C1")], posts=[(crowd["delivery"], 3)]
    )
    assert not Call.objects.exists() and mob.fanout_done_at is None  # the admin is answered first
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert called(mob) == {"李明", "赵强", "孙丽"}
    phones = set(Call.objects.filter(mobilization=mob).values_list("member__user__phone", flat=True))
    sent = list(Outbox.objects.values_list("phone", "text"))
    assert sorted(p for p, _t in sent) == sorted(phones)
    assert {t for _p, t in sent} == {"【应急动员】暴雨防汛：请尽快在平台上响应：到岗或无法到岗。"}

    mobilization_widen(actor=c.admin, mobilization=mob, to="all_registered")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert called(mob) == {"李明", "赵强", "孙丽", "周军", "吴刚"}
    assert Outbox.objects.count() == 5  # the two newly called only
