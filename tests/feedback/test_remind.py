"""One-click reminders: every member of the list, by inbox (and SMS through the channels), with a link;
once per unit, list and period in 24 hours; an empty list refused; members registered since left out; only the
unit's admins and the district or street admins over it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.audit.models import Action, AuditEvent
from baodao.feedback.models import Reminder
from baodao.feedback.services import members_remind
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.lib.periods import Period, previous_quarter
from baodao.notify.models import Notice
from tests import factories

from .helpers import history

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return previous_quarter()


def remind(w, period, who, actor="unit_admin"):
    return members_remind(actor=w.users[actor], unit=w.units["U1"], period=period, who=who)


def test_the_unregistered_are_reminded_to_register(w, period):
    people = history(w, period)
    assert remind(w, period, "unregistered") == 1
    notice = Notice.objects.get(user=people["unregistered"].user)
    assert notice.url == "/me/apply/"
    assert "报到" in notice.title
    assert "手机号" in notice.body and "激活码" in notice.body  # those who never signed in
    assert not Notice.objects.filter(user__in=[people["served"].user, people["idle"].user]).exists()
    reminder = Reminder.objects.get()
    assert (reminder.who, reminder.count, reminder.period, reminder.by) == (
        "unregistered",
        1,
        period.code,
        w.users["unit_admin"],
    )
    assert AuditEvent.objects.get(action=Action.MEMBERS_REMINDED).detail["count"] == 1


def test_the_unserved_are_reminded_to_serve(w, period):
    people = history(w, period)
    assert remind(w, period, "unserved", actor="street_admin") == 1
    notice = Notice.objects.get(user=people["idle"].user)
    assert notice.url == "/needs/"
    assert period.label in notice.body


def test_once_a_day_per_list(w, period):
    history(w, period)
    remind(w, period, "unregistered")
    with pytest.raises(Conflict) as exc:
        remind(w, period, "unregistered")
    assert exc.value.code == "reminded_recently"
    assert exc.value.fields["at"]
    remind(w, period, "unserved")  # the other list is its own
    Reminder.objects.update(at=timezone.now() - timedelta(hours=25))
    assert remind(w, period, "unregistered") == 1
    assert Reminder.objects.count() == 3


def test_nobody_to_remind(w, period):
    with pytest.raises(Conflict) as exc:
        remind(w, period, "unserved")
    assert exc.value.code == "nobody_to_remind"
    assert not Reminder.objects.exists()


def test_members_registered_since_are_not_asked_to_register(w, period):
    factories.registered(w.members["member"], w.r("C1"), by=w.users["community_admin"])  # registered today
    with pytest.raises(Conflict) as exc:
        remind(w, period, "unregistered")
    assert exc.value.code == "nobody_to_remind"


def test_a_period_not_started(w):
    future = Period(timezone.localdate().year + 1, 1)
    with pytest.raises(Conflict) as exc:
        remind(w, future, "unregistered")
    assert exc.value.code == "period_not_started"


def test_an_unknown_list(w, period):
    with pytest.raises(Invalid):
        remind(w, period, "everyone")


@pytest.mark.parametrize("who", ["other_unit_admin", "community_admin", "member", "resident"])
def test_only_the_units_admins_remind(w, period, who):
    with pytest.raises(Forbidden):
        remind(w, period, "unregistered", actor=who)
    assert not Notice.objects.exists()


def test_switching_periods_does_not_get_round_the_daily_limit(w, period):
    history(w, period)
    remind(w, period, "unregistered")
    with pytest.raises(Conflict) as exc:
        remind(w, Period(period.year), "unregistered")
    assert exc.value.code == "reminded_recently"
    assert Reminder.objects.count() == 1
    assert Notice.objects.count() == 1
