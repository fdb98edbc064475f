"""The rotating check-in code: the code of now and of the window before are accepted; older ones, another
activity's, and anything made up are not — nothing is stored per code, and a used code cannot be replayed
once its window is gone. Five wrong codes in a row lock the member out of checking in and out for five
minutes."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from baodao.activities.codes import (
    CODE_DIGITS,
    CODE_LOCKOUT,
    CODE_PERIOD,
    MAX_CODE_FAILURES,
    code_accepted,
    code_now,
)
from baodao.activities.models import Signup
from baodao.activities.services import (
    activity_cancel,
    activity_checkin,
    activity_checkout,
    checkin_code_for,
)
from baodao.ledger.models import ServiceRecord
from baodao.lib.errors import Conflict, Forbidden, Invalid, Throttled
from tests.activities.helpers import activity, checkin, checkout, code_at, signed_up, tomorrow

pytestmark = pytest.mark.django_db

PERIOD = timedelta(seconds=CODE_PERIOD)


def window_start(when: datetime) -> datetime:
    return datetime.fromtimestamp(int(when.timestamp()) // CODE_PERIOD * CODE_PERIOD, tz=UTC)


# ---- the codes themselves (no database) --------------------------------------------------------------


def test_a_code_is_six_digits_shown_until_its_window_ends():
    at = datetime(2026, 5, 1, 8, 0, 7, tzinfo=UTC)
    code, expires_at = code_now(7, "s" * 64, at)
    assert len(code) == CODE_DIGITS and code.isdigit()
    assert expires_at == window_start(at) + PERIOD
    assert timedelta(0) < expires_at - at <= PERIOD
    assert code_now(7, "s" * 64, expires_at - timedelta(microseconds=1))[0] == code  # the same all window
    assert code_now(7, "s" * 64, expires_at)[0] != code  # then the next


def test_the_code_of_now_and_of_the_window_before_are_accepted_no_older():
    start = window_start(datetime(2026, 5, 1, 8, 0, tzinfo=UTC))
    code, _ = code_now(7, "s" * 64, start)
    assert code_accepted(7, "s" * 64, code, start)
    assert code_accepted(7, "s" * 64, f"  {code} ", start + PERIOD / 2)  # typed with spaces
    assert code_accepted(7, "s" * 64, code, start + 2 * PERIOD - timedelta(seconds=1))  # the next window
    assert not code_accepted(7, "s" * 64, code, start + 2 * PERIOD)  # expired
    assert not code_accepted(7, "s" * 64, code, start + 10 * PERIOD)
    assert not code_accepted(7, "s" * 64, code, start - PERIOD)  # nor ahead of its time


def test_a_code_belongs_to_one_activity_and_one_secret():
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    code, _ = code_now(7, "s" * 64, at)
    assert not code_accepted(8, "s" * 64, code, at)
    assert not code_accepted(7, "t" * 64, code, at)


@pytest.mark.parametrize("garbage", ["", None, "abcdef", "12345", "1234567", "12 345", "' OR 1=1 --"])
def test_garbage_is_refused(garbage):
    assert not code_accepted(7, "s" * 64, garbage, datetime(2026, 5, 1, 8, 0, tzinfo=UTC))


def test_a_code_with_one_digit_changed_is_refused():
    at = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    real, _ = code_now(7, "s" * 64, at)
    previous, _ = code_now(7, "s" * 64, at - PERIOD)
    for i in range(CODE_DIGITS):
        changed = real[:i] + str((int(real[i]) + 1) % 10) + real[i + 1 :]
        assert code_accepted(7, "s" * 64, changed, at) is (changed == previous)


# ---- through check-in --------------------------------------------------------------------------------


@pytest.fixture
def act(c):
    act = activity(c)
    signed_up(act, c.member, c.helper)
    return act


def arrival(act):
    return window_start(act.starts_at + timedelta(minutes=5))


def refused(act, m, code, when, *, out=False):
    service = activity_checkout if out else activity_checkin
    with pytest.raises(Invalid) as caught:
        service(actor=m.user, activity=act, code=code, now=when)
    assert list(caught.value.fields) == ["code"]
    assert "签到码不正确或已过期" in caught.value.detail


def test_the_right_code_now_checks_in(c, act):
    at = arrival(act)
    signup = checkin(c.member, act, at)
    assert (signup.attendance, signup.checked_in_at) == ("checked_in", at)


def test_the_previous_windows_code_still_checks_in(c, act):
    at = arrival(act)
    signup = activity_checkin(actor=c.member.user, activity=act, code=code_at(act, at - PERIOD), now=at)
    assert signup.attendance == "checked_in"


def test_an_older_code_is_refused(c, act):
    at = arrival(act)
    refused(act, c.member, code_at(act, at - 2 * PERIOD), at)
    assert Signup.objects.get(activity=act, member=c.member).checked_in_at is None


def test_another_activitys_code_is_refused(c, act):
    other = activity(c, starts_at=tomorrow(14), title="另一场")
    at = arrival(act)
    refused(act, c.member, code_at(other, at), at)


@pytest.mark.parametrize("garbage", ["", "abcdef", "12345", "9999999"])
def test_a_made_up_code_is_refused(c, act, garbage):
    refused(act, c.member, garbage, arrival(act))


def test_a_used_code_cannot_be_replayed_once_expired(c, act):
    at = arrival(act)
    used = code_at(act, at)
    checkin(c.member, act, at)
    refused(act, c.helper, used, at + 2 * PERIOD)  # passed on to someone arriving later
    later = at + timedelta(hours=2)
    refused(act, c.member, used, later, out=True)  # nor to check out
    assert not ServiceRecord.objects.exists()
    assert Signup.objects.get(activity=act, member=c.helper).checked_in_at is None


def test_the_organiser_sees_the_code_of_now(c, act):
    at = arrival(act)
    shown = checkin_code_for(actor=c.admin, activity=act, now=at)
    assert shown.code == code_at(act, at)
    assert shown.expires_at == at + PERIOD
    assert shown.url_path == reverse("web:activity_checkin", args=[act.pk]) + f"?code={shown.code}"
    signup = activity_checkin(actor=c.member.user, activity=act, code=shown.code, now=at + PERIOD)
    assert signup.attendance == "checked_in"


@pytest.mark.parametrize(
    "who", ["member", "other_community_admin", "street_admin", "grid_worker", "unit_admin"]
)
def test_only_the_organiser_sees_the_code(c, act, who):
    with pytest.raises(Forbidden):
        checkin_code_for(actor=c.u(who), activity=act)


def test_no_code_for_a_called_off_activity(c, act):
    activity_cancel(actor=c.admin, activity=act, reason="下雨")
    with pytest.raises(Conflict) as caught:
        checkin_code_for(actor=c.admin, activity=act)
    assert caught.value.code == "illegal_transition"


# ---- too many wrong codes ----------------------------------------------------------------------------


def wrong_code(act, when):
    """A code of six digits that is not accepted at `when`."""
    taken = {code_at(act, when), code_at(act, when - PERIOD)}
    return next(f"{n:06d}" for n in range(123456, 10**6) if f"{n:06d}" not in taken)


def guesses(act, m, start, *, n=MAX_CODE_FAILURES, out=False):
    """`n` wrong codes a second apart from `start`, each refused as wrong; the moment of the last."""
    when = start
    for i in range(n):
        when = start + timedelta(seconds=i)
        refused(act, m, wrong_code(act, when), when, out=out)
    return when


def throttled(act, m, when, *, out=False):
    service = activity_checkout if out else activity_checkin
    with pytest.raises(Throttled) as caught:
        service(actor=m.user, activity=act, code=code_at(act, when), now=when)  # even the right code
    assert (caught.value.status, caught.value.code) == (429, "too_many_attempts")
    assert "5 分钟" in caught.value.detail


def test_five_wrong_codes_lock_the_member_out_for_five_minutes(c, act):
    # each wrong code is counted although its request fails: the count is not rolled back with it
    last = guesses(act, c.member, arrival(act))
    throttled(act, c.member, last + timedelta(seconds=1))
    throttled(act, c.member, last + CODE_LOCKOUT - timedelta(seconds=1))
    assert Signup.objects.get(activity=act, member=c.member).checked_in_at is None
    assert checkin(c.helper, act, last).attendance == "checked_in"  # nobody else is locked out
    signup = checkin(c.member, act, last + CODE_LOCKOUT)
    assert (signup.attendance, signup.checked_in_at) == ("checked_in", last + CODE_LOCKOUT)


def test_after_the_lock_five_more_tries(c, act):
    last = guesses(act, c.member, arrival(act))
    last = guesses(act, c.member, last + CODE_LOCKOUT)
    throttled(act, c.member, last + timedelta(seconds=1))


def test_four_wrong_codes_do_not_lock(c, act):
    last = guesses(act, c.member, arrival(act), n=MAX_CODE_FAILURES - 1)
    assert checkin(c.member, act, last + timedelta(seconds=1)).attendance == "checked_in"


def test_the_right_code_resets_the_count(c, act):
    last = guesses(act, c.member, arrival(act), n=MAX_CODE_FAILURES - 1)
    checkin(c.member, act, last + timedelta(seconds=1))
    leaving = act.ends_at - timedelta(minutes=1)
    last = guesses(act, c.member, leaving, n=MAX_CODE_FAILURES - 1, out=True)  # counted from nought again
    signup = checkout(c.member, act, last + timedelta(seconds=1))
    assert (signup.attendance, signup.hours) == ("attended", Decimal("2.50"))


def test_wrong_codes_at_check_out_lock_it_too(c, act):
    checkin(c.member, act, act.starts_at)
    last = guesses(act, c.member, act.ends_at, out=True)
    throttled(act, c.member, last + timedelta(minutes=3), out=True)
    assert not ServiceRecord.objects.exists()
    signup = checkout(c.member, act, last + CODE_LOCKOUT)
    assert (signup.attendance, signup.hours) == ("attended", Decimal("3.00"))
    assert ServiceRecord.objects.get().hours == Decimal("3.0")


def test_checking_in_again_while_locked_changes_nothing(c, act):
    checkin(c.member, act, act.starts_at)
    last = guesses(act, c.member, act.starts_at + timedelta(hours=1), out=True)
    again = activity_checkin(actor=c.member.user, activity=act, code="", now=last + timedelta(seconds=1))
    assert (again.attendance, again.checked_in_at) == ("checked_in", act.starts_at)
