"""Tries at the same moment, each on its own connection (as on several app servers): the limits kept in the
database hold, and a code is used once."""

from dataclasses import dataclass

import pytest

from baodao.accounts.models import User
from baodao.activation.models import ActivationAttempt
from baodao.activation.services import (
    ActivationLocked,
    Throttled,
    account_activate,
    activation_code_request,
    activation_codes_issue,
)
from baodao.lib.errors import Invalid
from baodao.notify.models import Outbox
from tests.services.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Refused:
    why: Exception


def refusals_to_values(call):
    """Expected refusals become values, so that `race` reports only the unexpected."""

    def run():
        try:
            return call()
        except (Invalid, ActivationLocked, Throttled) as exc:
            return Refused(exc)

    return run


def test_a_burst_of_guesses_gets_no_more_tries_than_the_limit(w, newcomer, settings):
    guess = refusals_to_values(
        lambda: account_activate(phone=newcomer.user.phone, code="00000000", password="Xingfu#2026")
    )
    results = race(*[guess] * 10)
    assert all(isinstance(r, Refused) for r in results)
    assert sum(isinstance(r.why, ActivationLocked) for r in results) >= 10 - settings.AXES_FAILURE_LIMIT
    assert ActivationAttempt.objects.filter(counted=True).count() <= settings.AXES_FAILURE_LIMIT


def test_a_code_is_used_once_even_at_the_same_moment(w, newcomer):
    [issued] = activation_codes_issue(actor=w.users["unit_admin"], members=[newcomer])
    passwords = ["First#Choice1", "Second#Choice2"]
    results = race(
        *[
            refusals_to_values(
                lambda p=p: account_activate(phone=newcomer.user.phone, code=issued.code, password=p)
            )
            for p in passwords
        ]
    )
    won = [r for r in results if isinstance(r, User)]
    assert len(won) == 1
    user = User.objects.get(pk=newcomer.user_id)
    assert sum(user.check_password(p) for p in passwords) == 1


def test_a_burst_of_requests_sends_one_text(w, newcomer):
    ask = refusals_to_values(lambda: activation_code_request(phone=newcomer.user.phone))
    results = race(*[ask] * 4)
    assert sum(r is None for r in results) <= 1
    assert Outbox.objects.count() <= 1
