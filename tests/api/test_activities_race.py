"""Thirty members sign up for a five-place activity at the same moment through the API, each request in its
own thread with its own database connection: exactly five get a place and the rest wait in one strict line;
when two of the five cancel at once, the first two in line move up and are told — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest

from baodao.activities.models import Signup, SignupStatus
from baodao.activities.selectors import waitlist_position
from baodao.notify.models import Notice
from tests.api.activity_cases import activity, client_for, members, url
from tests.services.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = 30
PLACES = 5
PROMOTED = "候补成功，您已获得活动名额"


def line_of(a):
    """The waitlisted members, first in line first (the order the product promotes in)."""
    waiting = Signup.objects.filter(activity=a, status=SignupStatus.WAITLISTED).order_by("created_at", "id")
    return list(waiting.values_list("member_id", flat=True))


def test_thirty_members_sign_up_for_five_places_at_once(w):
    a = activity(w, places=PLACES)
    people = members(w, MEMBERS)
    clients = {m.pk: client_for(m.user) for m in people}

    answers = race(*(lambda c=c: c.post(url(a, "signup"), format="json") for c in clients.values()))

    assert [r.status_code for r in answers] == [201] * MEMBERS, [
        r.content for r in answers if r.status_code != 201
    ]
    assert Counter(r.json()["status"] for r in answers) == {
        "confirmed": PLACES,
        "waitlisted": MEMBERS - PLACES,
    }
    assert len({r.json()["member"]["id"] for r in answers}) == MEMBERS
    a.refresh_from_db()
    assert a.taken == PLACES
    assert Signup.objects.filter(activity=a, status=SignupStatus.CONFIRMED).count() == PLACES

    # one strict line: positions 1…25 without ties, in the order of sign-up
    line = line_of(a)
    assert len(line) == MEMBERS - PLACES
    positions = {
        s.member_id: waitlist_position(s) for s in Signup.objects.filter(activity=a, status="waitlisted")
    }
    assert [positions[m] for m in line] == list(range(1, MEMBERS - PLACES + 1))
    shown = client_for(w.users["community_admin"]).get(url(a)).json()
    waiting = [row for row in shown["signups"] if row["status"] == "waitlisted"]
    assert [(row["member"]["id"], row["waitlist_position"]) for row in waiting] == [
        (m, n) for n, m in enumerate(line, start=1)
    ]
    assert shown["waitlisted"] == MEMBERS - PLACES

    # two with a place cancel at the same moment: the first two in line move up, and only they are told
    leaving = list(
        Signup.objects.filter(activity=a, status="confirmed").values_list("member_id", flat=True)[:2]
    )
    answers = race(*(lambda m=m: clients[m].post(url(a, "cancel"), format="json") for m in leaving))
    assert [r.status_code for r in answers] == [200, 200], [r.content for r in answers]
    assert {r.json()["status"] for r in answers} == {"cancelled"}

    a.refresh_from_db()
    assert a.taken == PLACES
    confirmed = set(Signup.objects.filter(activity=a, status="confirmed").values_list("member_id", flat=True))
    assert len(confirmed) == PLACES
    assert set(line[:2]) <= confirmed
    assert not set(leaving) & confirmed
    told = set(Notice.objects.filter(title=PROMOTED).values_list("user__member", flat=True))
    assert told == set(line[:2])
    assert line_of(a) == line[2:]
    after = client_for(w.users["community_admin"]).get(url(a)).json()
    assert (after["taken"], after["waitlisted"]) == (PLACES, MEMBERS - PLACES - 2)
    waiting = [row for row in after["signups"] if row["status"] == "waitlisted"]
    assert [row["waitlist_position"] for row in waiting] == list(range(1, MEMBERS - PLACES - 1))
