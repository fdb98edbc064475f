"""Stand-down: only a commander, once; every open shift closes and is credited; those who came or said they
would are told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.audit.models import AuditEvent
from baodao.ledger.models import ServiceRecord
from baodao.lib.errors import Conflict, Forbidden
from baodao.mobilizations.models import Shift
from baodao.mobilizations.services import call_respond, mobilization_stand_down
from baodao.notify.models import Notice
from tests.mobilizations.helpers import activate, check_in, check_out, emergency_post, hold, member_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def mob(c):
    post = emergency_post(c)
    for m in (c.member, c.helper):
        hold(c, post, m)
    return activate(c, posts=[(post, 2)])


@pytest.mark.parametrize(
    "who", ["far_community_admin", "other_community_admin", "grid_worker", "member", "resident"]
)
def test_only_commanders_stand_down(c, mob, who):
    with pytest.raises(Forbidden):
        mobilization_stand_down(actor=c.u(who), mobilization=mob)
    mob.refresh_from_db()
    assert mob.status == "active"


@pytest.mark.parametrize("who", ["community_admin", "street_admin", "district_admin"])
def test_commanders_above_the_area_stand_down(c, mob, who):
    result = mobilization_stand_down(actor=c.u(who), mobilization=mob)
    assert (result.mobilization.status, result.mobilization.stood_down_by) == ("stood_down", c.u(who))
    assert result.mobilization.stood_down_at is not None


def test_a_street_emergency_is_not_stood_down_by_one_of_its_communities(c):
    mob = activate(c, posts=[], regions=["C1", "C2"], actor=c.u("street_admin"))
    with pytest.raises(Forbidden):
        mobilization_stand_down(actor=c.admin, mobilization=mob)
    assert (
        mobilization_stand_down(actor=c.u("street_admin"), mobilization=mob).mobilization.status
        == "stood_down"
    )


def test_standing_down_once(c, mob):
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    with pytest.raises(Conflict) as e:
        mobilization_stand_down(actor=c.admin, mobilization=mob)
    assert e.value.code == "illegal_transition"
    assert AuditEvent.objects.filter(action="mobilization_stood_down").count() == 1


def test_open_shifts_are_closed_and_credited(c, mob):
    now = timezone.now()
    third = member_in(c, "第三人")
    check_in(mob, c.member, now - timedelta(hours=3, minutes=10))
    check_in(mob, c.helper, now - timedelta(hours=5))
    check_out(mob, c.helper, now - timedelta(hours=4))
    result = mobilization_stand_down(actor=c.admin, mobilization=mob, now=now)
    assert result.shifts_closed == 1
    shift = Shift.objects.get(call__member=c.member)
    assert (shift.ended_at, shift.ended_how, shift.hours) == (now, "stand_down", Decimal("3.00"))
    hours = dict(ServiceRecord.objects.values_list("member__user__name", "hours"))
    assert hours == {"李明": Decimal("3.00"), "赵强": Decimal("1.00")}
    assert not Shift.objects.filter(ended_at__isnull=True).exists()
    assert AuditEvent.objects.get(action="mobilization_stood_down").detail == {
        "shifts_closed": 1,
        "shifts_pending": 0,
    }
    assert third.pk  # not called, nothing to close


def test_a_shift_left_open_for_days_is_capped(c, mob):
    now = timezone.now()
    check_in(mob, c.member, now - timedelta(days=2))
    mobilization_stand_down(actor=c.admin, mobilization=mob, now=now)
    shift = Shift.objects.get()
    assert (shift.ended_how, shift.hours) == ("capped", Decimal("12.00"))
    assert ServiceRecord.objects.get().hours == Decimal("12.00")


def test_those_who_came_or_said_they_would_are_told(c, mob):
    post = emergency_post(c, "环境消杀")
    silent, declined, changed = (member_in(c, name) for name in ("沉默者", "请假者", "改主意者"))
    for m in (c.member, c.helper, silent, declined, changed):
        hold(c, post, m)
    mob = activate(c, posts=[(post, 5)], title="第二场")
    call_respond(actor=declined.user, mobilization=mob, answer="no", reason="病假")
    call_respond(actor=changed.user, mobilization=mob, answer="yes")
    call_respond(actor=changed.user, mobilization=mob, answer="no", reason="家中有事")
    call_respond(actor=c.member.user, mobilization=mob, answer="yes")
    check_in(mob, c.helper)  # came without answering
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    told = set(Notice.objects.filter(title="【应急解除】第二场").values_list("user", flat=True))
    assert told == {c.member.user_id, c.helper.user_id}
    assert Notice.objects.filter(title="【应急解除】第二场").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_stand_down_with_very_many_on_duty_leaves_the_rest_to_the_queue(c, monkeypatch):
    """Past `SETTLE_INLINE` open shifts the request closes that many and the worker the rest, at the same
    end time, each credited once."""
    from django.core.management import call_command

    from baodao.mobilizations import services
    from tests.mobilizations.helpers import activate

    monkeypatch.setattr(services, "SETTLE_INLINE", 1)
    monkeypatch.setattr(services, "SETTLE_BATCH", 1)
    mob = activate(c, posts=[], title="寒潮防冻", type="weather")
    third = member_in(c, "第三人")
    services.mobilization_fanout(mobilization_id=mob.pk, reason="all_registered")
    now = timezone.now()
    for m in (c.member, c.helper, third):
        check_in(mob, m, now - timedelta(hours=2))
    result = mobilization_stand_down(actor=c.admin, mobilization=mob, now=now)
    assert (result.shifts_closed, result.shifts_pending) == (1, 2)
    assert Shift.objects.filter(ended_at__isnull=True).count() == 2
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert not Shift.objects.filter(ended_at__isnull=True).exists()
    assert set(Shift.objects.values_list("ended_at", "ended_how")) == {(now, "stand_down")}
    assert ServiceRecord.objects.filter(source="emergency").count() == 3
    assert services.mobilization_settle(mobilization_id=mob.pk) == 0  # again: nothing left, nothing twice
