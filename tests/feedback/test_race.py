"""A street and its district sending the same period's letters at the same moment, each in its own thread with
its own database connection (run on SQLite and on PostgreSQL): every unit gets exactly one letter, neither
send fails with an error, and together they send as many letters as there are units."""

import pytest

from baodao.accounts.models import Role
from baodao.feedback.models import FeedbackLetter
from baodao.feedback.services import feedback_send
from baodao.lib.periods import previous_quarter
from baodao.notify.models import Notice
from baodao.org.models import Unit
from tests import factories
from tests.services.concurrency import race, split

from .helpers import history

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_street_and_its_district_send_at_once(w):
    period = previous_quarter()
    history(w, period)
    factories.user(Role.UNIT_ADMIN, unit_=w.units["U3"], name="中学党办")
    units = Unit.objects.filter(region__path__startswith=w.r("D1").path).count()
    assert units == 3
    street, district = w.users["street_admin"], w.users["district_admin"]
    for _round in range(4):  # a few rounds: the collision is a matter of timing
        FeedbackLetter.objects.all().delete()
        Notice.objects.all().delete()
        done, refused = split(
            race(
                lambda: feedback_send(actor=street, region=w.r("S1"), period=period),
                lambda: feedback_send(actor=district, region=w.r("D1"), period=period),
            )
        )
        # the district first sends all three and leaves the street nothing; the street first leaves it U3
        assert [c.code for c in refused] in ([], ["already_sent"])
        assert sum(r.sent for r in done) == units
        assert sum(r.no_admin for r in done) == 0
        assert FeedbackLetter.objects.count() == units
        assert FeedbackLetter.objects.values("unit").distinct().count() == units
        assert Notice.objects.filter(user=w.users["unit_admin"]).count() == 1
