"""On site: the rotating code proves arrival and opens a shift; the check-out closes it and credits its
hours (rounded down to the policy's step, at most 12 a shift) to the ledger once, as verified emergency
service that earns points; a guessed code is locked out."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baodao.activities.codes import CODE_LOCKOUT, MAX_CODE_FAILURES
from baodao.ledger.models import PointEntry, ServiceRecord, Source
from baodao.ledger.services import record_reverse
from baodao.lib.errors import Conflict, Forbidden, Invalid, Throttled
from baodao.mobilizations.models import Call, Shift
from baodao.mobilizations.services import (
    call_checkin,
    call_checkout,
    call_respond,
    checkin_code_for,
    mobilization_stand_down,
)
from baodao.policy.models import Policy
from tests.mobilizations.helpers import (
    activate,
    check_in,
    check_out,
    code_at,
    emergency_post,
    hold,
    member_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mob(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    hold(c, post, c.helper)
    return activate(c, posts=[(post, 2)])


def wrong_code(mob, when):
    good = {code_at(mob, when), code_at(mob, when - timedelta(seconds=45))}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in good)


def call_of(mob, member):
    return Call.objects.get(mobilization=mob, member=member)


def test_checking_in_opens_a_shift_and_records_the_arrival(c, mob):
    call_respond(actor=c.member.user, mobilization=mob, answer="no", reason="以为来不了")
    at = timezone.now() - timedelta(minutes=30)
    shift = check_in(mob, c.member, at)
    assert (shift.started_at, shift.ended_at, shift.hours) == (at, None, None)
    call = call_of(mob, c.member)
    assert (call.arrived_at, call.answer, call.no_reason, call.answered_at) == (at, "yes", "", at)


def test_checking_in_twice_returns_the_same_shift(c, mob):
    at = timezone.now() - timedelta(minutes=30)
    first = check_in(mob, c.member, at)
    again = check_in(mob, c.member, at + timedelta(minutes=10))
    assert again.pk == first.pk
    assert Shift.objects.filter(call__member=c.member).count() == 1
    assert call_of(mob, c.member).arrived_at == at


def test_a_wrong_code_is_refused(c, mob):
    at = timezone.now()
    with pytest.raises(Invalid) as e:
        call_checkin(actor=c.member.user, mobilization=mob, code=wrong_code(mob, at), now=at)
    assert "code" in e.value.fields
    assert not Shift.objects.exists()
    assert call_of(mob, c.member).arrived_at is None
    # the code of another emergency does not pass either
    other = activate(c, posts=[], title="第二场")
    with pytest.raises(Invalid):
        call_checkin(actor=c.member.user, mobilization=mob, code=code_at(other, at), now=at)


def test_five_wrong_codes_lock_the_member_out_for_five_minutes(c, mob):
    at = timezone.now()
    for _ in range(MAX_CODE_FAILURES):
        with pytest.raises(Invalid):
            call_checkin(actor=c.member.user, mobilization=mob, code=wrong_code(mob, at), now=at)
    with pytest.raises(Throttled):  # even with the right code
        call_checkin(actor=c.member.user, mobilization=mob, code=code_at(mob, at), now=at)
    later = at + CODE_LOCKOUT - timedelta(seconds=1)
    with pytest.raises(Throttled):
        call_checkin(actor=c.member.user, mobilization=mob, code=code_at(mob, later), now=later)
    assert not Shift.objects.exists()
    # another member is not held up
    assert check_in(mob, c.helper, at).pk
    after = at + CODE_LOCKOUT + timedelta(seconds=1)
    assert check_in(mob, c.member, after).started_at == after


def test_a_member_not_registered_in_the_area_cannot_check_in(c, mob):
    elsewhere = member_in(c, "外社区", community="C2", grid="C2G1")
    at = timezone.now()
    for who in (elsewhere.user, c.u("resident")):
        with pytest.raises(Conflict) as e:
            call_checkin(actor=who, mobilization=mob, code=code_at(mob, at), now=at)
        assert e.value.code == "not_called"
    assert not Call.objects.filter(member=elsewhere).exists()


def test_a_registered_member_of_the_area_who_was_not_called_may_come_anyway(c, mob):
    walk_in = member_in(c, "路过")
    at = timezone.now()
    wrong = "000000" if code_at(mob, at) != "000000" else "111111"
    with pytest.raises(Invalid):
        call_checkin(actor=walk_in.user, mobilization=mob, code=wrong, now=at)
    assert not Call.objects.filter(member=walk_in).exists()  # a wrong code writes nothing
    shift = call_checkin(actor=walk_in.user, mobilization=mob, code=code_at(mob, at), now=at)
    call = Call.objects.get(member=walk_in)
    assert (call.reason, call.answer, call.arrived_at, shift.call_id) == ("walk_in", "yes", at, call.pk)
    assert call_checkin(actor=walk_in.user, mobilization=mob, code=code_at(mob, at), now=at).pk == shift.pk


def test_wrong_codes_of_a_walk_in_are_limited_too(c, mob):
    walk_in = member_in(c, "路过")
    at = timezone.now()
    wrong = "000000" if code_at(mob, at) != "000000" else "111111"
    for _ in range(MAX_CODE_FAILURES):
        with pytest.raises(Invalid):
            call_checkin(actor=walk_in.user, mobilization=mob, code=wrong, now=at)
    with pytest.raises(Throttled):
        call_checkin(actor=walk_in.user, mobilization=mob, code=code_at(mob, at), now=at)


def test_nobody_is_on_duty_in_two_emergencies_at_once(c, mob):
    from tests.mobilizations.helpers import activate

    other = activate(c, posts=[], title="寒潮防冻", type="weather")
    at = timezone.now() - timedelta(hours=2)
    check_in(mob, c.member, at)
    with pytest.raises(Conflict) as e:
        check_in(other, c.member, at + timedelta(minutes=5))
    assert e.value.code == "on_duty_elsewhere"
    check_out(mob, c.member, at + timedelta(hours=1))
    assert check_in(other, c.member, at + timedelta(hours=1, minutes=5)).call.mobilization_id == other.pk


def test_checking_out_credits_the_hours_once(c, mob):
    start = timezone.now() - timedelta(hours=3)
    shift = check_in(mob, c.member, start)
    closed = check_out(mob, c.member, start + timedelta(hours=2, minutes=59))
    assert (closed.pk, closed.ended_how, closed.hours) == (shift.pk, "checkout", Decimal("2.50"))
    assert closed.ended_at == start + timedelta(hours=2, minutes=59)
    record = ServiceRecord.objects.get()
    assert (record.source, record.member, record.category, record.hours, record.shift) == (
        Source.EMERGENCY,
        c.member,
        "emergency",
        Decimal("2.50"),
        shift,
    )
    assert (record.community, record.path, record.served_at, record.verified_by) == (
        c.r("C1"),
        c.r("C1G1").path,
        start,
        c.admin,
    )
    assert record.title == "暴雨防汛"
    entries = list(PointEntry.objects.filter(record=record).values_list("rule", "points"))
    assert entries == [("per_hour", Decimal("25.00"))]  # 10 a verified hour by default
    with pytest.raises(Conflict) as e:
        check_out(mob, c.member, start + timedelta(hours=3))
    assert e.value.code == "not_on_duty"
    assert ServiceRecord.objects.count() == 1


def test_the_hours_are_rounded_down_to_the_policys_step(c, mob):
    Policy.objects.create(
        district=c.r("D1"), effective_from=date(2020, 1, 1), hours_rounding=Decimal("0.25"), points_per_hour=4
    )
    start = timezone.now() - timedelta(hours=2)
    check_in(mob, c.member, start)
    assert check_out(mob, c.member, start + timedelta(hours=1, minutes=44)).hours == Decimal("1.50")
    record = ServiceRecord.objects.get()
    assert PointEntry.objects.get(record=record).points == Decimal("6.00")


def test_a_shift_shorter_than_the_step_credits_nothing(c, mob):
    start = timezone.now() - timedelta(minutes=20)
    check_in(mob, c.member, start)
    shift = check_out(mob, c.member, start + timedelta(minutes=29))
    assert (shift.hours, shift.ended_how) == (Decimal("0.00"), "checkout")
    assert not ServiceRecord.objects.exists()


def test_a_shift_is_capped_at_twelve_hours(c, mob):
    start = timezone.now() - timedelta(hours=15)
    check_in(mob, c.member, start)
    shift = check_out(mob, c.member, start + timedelta(hours=14, minutes=30))
    assert (shift.hours, shift.ended_how, shift.ended_at) == (
        Decimal("12.00"),
        "capped",
        start + timedelta(hours=12),
    )
    assert ServiceRecord.objects.get().hours == Decimal("12.00")


def test_several_shifts_each_credited(c, mob):
    t = timezone.now() - timedelta(hours=8)
    check_in(mob, c.member, t)
    check_out(mob, c.member, t + timedelta(hours=2))
    check_in(mob, c.member, t + timedelta(hours=4))
    check_out(mob, c.member, t + timedelta(hours=5))
    assert sorted(ServiceRecord.objects.values_list("hours", flat=True)) == [Decimal("1.00"), Decimal("2.00")]
    assert call_of(mob, c.member).arrived_at == t  # the first arrival


def test_checking_out_needs_the_code(c, mob):
    start = timezone.now() - timedelta(hours=2)
    check_in(mob, c.member, start)
    at = timezone.now()
    with pytest.raises(Invalid):
        call_checkout(actor=c.member.user, mobilization=mob, code=wrong_code(mob, at), now=at)
    assert Shift.objects.get().ended_at is None
    assert not ServiceRecord.objects.exists()


def test_an_emergency_record_can_be_reversed(c, mob):
    start = timezone.now() - timedelta(hours=3)
    check_in(mob, c.member, start)
    check_out(mob, c.member, start + timedelta(hours=2))
    record = ServiceRecord.objects.get()
    with pytest.raises(Forbidden):
        record_reverse(actor=c.u("other_community_admin"), record=record, reason="不在现场")
    reversal = record_reverse(actor=c.admin, record=record, reason="不在现场")
    assert (reversal.hours, reversal.reverses, reversal.shift, reversal.source) == (
        Decimal("-2.00"),
        record,
        record.shift,
        Source.EMERGENCY,
    )
    assert sum(PointEntry.objects.filter(member=c.member).values_list("points", flat=True)) == 0


def test_the_code_is_shown_to_commanders_and_the_grid_workers_of_the_area(c, mob):
    at = timezone.now()
    for who in ("community_admin", "street_admin", "district_admin", "grid_worker"):
        assert checkin_code_for(actor=c.u(who), mobilization=mob, now=at).code == code_at(mob, at)
    shown = checkin_code_for(actor=c.admin, mobilization=mob, now=at)
    assert shown.url_path == f"/emergencies/{mob.pk}/checkin/?code={shown.code}"
    for who in ("other_community_admin", "far_community_admin", "member", "resident"):
        with pytest.raises(Forbidden):
            checkin_code_for(actor=c.u(who), mobilization=mob, now=at)
    elsewhere = activate(c, posts=[], regions=["C1G2"], title="二网格")
    with pytest.raises(Forbidden):
        checkin_code_for(actor=c.u("grid_worker"), mobilization=elsewhere, now=at)


def test_nothing_on_site_after_the_stand_down(c, mob):
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    mob.refresh_from_db()
    at = timezone.now()
    with pytest.raises(Conflict) as e:
        call_checkin(actor=c.member.user, mobilization=mob, code=code_at(mob, at), now=at)
    assert e.value.code == "illegal_transition"
    with pytest.raises(Conflict):
        checkin_code_for(actor=c.admin, mobilization=mob, now=at)
    assert not Shift.objects.exists()
