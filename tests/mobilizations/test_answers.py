"""A called member answers 到岗 (with when it expects to arrive) or 无法到岗 (with a reason); the same answer
again changes nothing, another replaces it, until the stand-down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baodao.lib.errors import Conflict, Invalid
from baodao.mobilizations.models import Call
from baodao.mobilizations.services import call_respond, mobilization_stand_down
from tests.mobilizations.helpers import activate, check_in, emergency_post, hold, member_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def mob(c):
    post = emergency_post(c)
    hold(c, post, c.member)
    hold(c, post, c.helper)
    return activate(c, posts=[(post, 2)])


def call_of(mob, member):
    return Call.objects.get(mobilization=mob, member=member)


def respond(mob, member, answer, **kw):
    return call_respond(actor=member.user, mobilization=mob, answer=answer, **kw)


def test_yes_with_an_expected_arrival(c, mob):
    now = timezone.now()
    call = respond(mob, c.member, "yes", eta=now + timedelta(minutes=30), now=now)
    assert (call.answer, call.eta, call.no_reason, call.answered_at) == (
        "yes",
        now + timedelta(minutes=30),
        "",
        now,
    )
    assert respond(mob, c.helper, "yes").eta is None  # the arrival time is optional


@pytest.mark.parametrize(
    ("offset", "ok"),
    [
        (timedelta(minutes=-6), False),
        (timedelta(minutes=-5), True),  # a slow thumb
        (timedelta(0), True),
        (timedelta(hours=48), True),
        (timedelta(hours=48, minutes=1), False),
    ],
)
def test_the_expected_arrival_lies_within_48_hours(c, mob, offset, ok):
    now = timezone.now()
    if ok:
        assert respond(mob, c.member, "yes", eta=now + offset, now=now).eta == now + offset
    else:
        with pytest.raises(Invalid) as e:
            respond(mob, c.member, "yes", eta=now + offset, now=now)
        assert "eta" in e.value.fields
        assert call_of(mob, c.member).answer == ""


def test_no_needs_a_reason(c, mob):
    for blank in ("", "  ", None):
        with pytest.raises(Invalid) as e:
            respond(mob, c.member, "no", reason=blank)
        assert "reason" in e.value.fields
    with pytest.raises(Invalid):
        respond(mob, c.member, "no", reason="因" * 301)
    assert call_of(mob, c.member).answer == ""
    call = respond(mob, c.member, "no", reason=" 在外地出差 ", eta=timezone.now())
    assert (call.answer, call.no_reason, call.eta) == ("no", "在外地出差", None)


@pytest.mark.parametrize("answer", ["", "maybe", "YES", None])
def test_the_answer_is_yes_or_no(c, mob, answer):
    with pytest.raises(Invalid) as e:
        respond(mob, c.member, answer, reason="x")
    assert "answer" in e.value.fields


def test_the_same_answer_twice_changes_nothing(c, mob):
    first = timezone.now() - timedelta(minutes=10)
    eta = first + timedelta(hours=1)
    respond(mob, c.member, "yes", eta=eta, now=first)
    again = respond(mob, c.member, "yes", eta=eta, now=first + timedelta(minutes=5))
    assert (again.answer, again.answered_at) == ("yes", first)
    respond(mob, c.helper, "no", reason="生病", now=first)
    assert respond(mob, c.helper, "no", reason=" 生病 ", now=timezone.now()).answered_at == first


def test_an_answer_can_be_changed(c, mob):
    t0 = timezone.now() - timedelta(minutes=20)
    respond(mob, c.member, "no", reason="在加班", now=t0)
    call = respond(mob, c.member, "yes", eta=t0 + timedelta(hours=1), now=t0 + timedelta(minutes=5))
    assert (call.answer, call.no_reason, call.answered_at) == ("yes", "", t0 + timedelta(minutes=5))
    call = respond(mob, c.member, "yes", eta=t0 + timedelta(hours=2), now=t0 + timedelta(minutes=10))
    assert (call.eta, call.answered_at) == (t0 + timedelta(hours=2), t0 + timedelta(minutes=10))
    call = respond(mob, c.member, "no", reason="家中有事", now=t0 + timedelta(minutes=15))
    assert (call.answer, call.eta, call.no_reason) == ("no", None, "家中有事")


def test_no_answer_after_the_stand_down(c, mob):
    respond(mob, c.member, "yes")
    mobilization_stand_down(actor=c.admin, mobilization=mob)
    for answer, kw in (("yes", {}), ("no", {"reason": "晚了"})):
        with pytest.raises(Conflict) as e:
            respond(mob, c.member, answer, **kw)
        assert e.value.code == "illegal_transition"
    with pytest.raises(Conflict):  # not even the same answer
        respond(mob, c.member, "yes")
    assert call_of(mob, c.member).answer == "yes"


def test_only_a_member_called_answers(c, mob):
    stranger = member_in(c, "未被呼叫")
    for user in (stranger.user, c.admin, c.u("other_member")):
        with pytest.raises(Conflict) as e:
            call_respond(actor=user, mobilization=mob, answer="yes")
        assert e.value.code == "not_called"
    assert not Call.objects.filter(member=stranger).exists()


def test_a_member_on_duty_cannot_say_no(c, mob):
    check_in(mob, c.member)
    with pytest.raises(Conflict) as e:
        respond(mob, c.member, "no", reason="要走了")
    assert e.value.code == "on_duty"
    assert call_of(mob, c.member).answer == "yes"
