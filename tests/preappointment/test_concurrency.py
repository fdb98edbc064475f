"""Two asks about the same member at the same moment, each in its own thread with its own database connection
(run on SQLite and on PostgreSQL): one check is opened, the other ask is refused with `already_open`."""

import pytest

from baodao.preappointment.models import Check
from baodao.preappointment.services import check_ask
from tests.api.need_cases import client_for
from tests.services.concurrency import race, split

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/preappointment-checks"


def test_two_asks_at_once_open_one_check(w, reg):
    m = w.members["member"]
    won, lost = split(
        race(
            lambda: check_ask(actor=w.users["unit_admin"], member=m, reason="拟任科长"),
            lambda: check_ask(actor=w.users["district_admin"], member=m, reason="拟任副局长"),
        )
    )
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].code == "already_open"
    assert Check.objects.filter(member=m).count() == 1


def test_two_asks_at_once_through_the_api_give_201_and_409(w, newcomer):
    clients = [client_for(w.users["unit_admin"]), client_for(w.users["district_admin"])]
    answers = race(
        *(
            lambda c=c: c.post(URL, {"member": newcomer.pk, "reason": "拟任科长"}, format="json")
            for c in clients
        )
    )
    assert sorted(r.status_code for r in answers) == [201, 409], [r.content for r in answers]
    refused = next(r for r in answers if r.status_code == 409)
    assert refused.json()["error"] == "already_open"
    assert Check.objects.filter(member=newcomer).count() == 1
