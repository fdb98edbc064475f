"""Fifty members claim a five-place task at the same moment, through the real HTTP stack: a live server,
one connection per member, each request in its own server thread with its own database connection. Exactly
five get a place — on SQLite and on PostgreSQL."""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import urlsplit

import pytest

from baodao.accounts.services import token_issue
from baodao.needs.models import Claim, Need
from tests import factories
from tests.api.need_cases import task

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = 50
PLACES = 5


def connect(base_url: str) -> http.client.HTTPConnection:
    """A connection of its own, opened (and accepted by the server) before the race starts: fifty connection
    attempts in the same instant would overflow the server's listen backlog, which is not what is tested."""
    parts = urlsplit(base_url)
    for _attempt in range(10):
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        try:
            connection.connect()
        except OSError:
            connection.close()
            time.sleep(0.2)
        else:
            return connection
    raise AssertionError(f"cannot connect to {base_url}")


def claim_over_http(
    connection: http.client.HTTPConnection, path: str, token: str, barrier: threading.Barrier
) -> tuple[int | None, object]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    barrier.wait(timeout=30)
    try:
        connection.request("POST", path, body=b"{}", headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    except (OSError, ValueError) as failed:  # the test fails on it below, with what happened
        return None, repr(failed)
    finally:
        connection.close()


def test_fifty_members_claim_five_places_at_once(w, live_server):
    need = task(w, places=PLACES)
    admin = w.users["community_admin"]
    tokens = []
    for i in range(MEMBERS):
        member = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G1"), name=f"党员{i}")
        factories.registered(member, w.r("C1"), w.r("C1G1"), by=admin)
        tokens.append(token_issue(user=member.user))
    path = f"/api/v1/needs/{need.pk}/claim"
    connections = [connect(live_server.url) for _ in range(MEMBERS)]
    barrier = threading.Barrier(MEMBERS)
    results: list[tuple[int | None, object]] = [(None, "not run")] * MEMBERS

    def run(i: int) -> None:
        results[i] = claim_over_http(connections[i], path, tokens[i], barrier)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(MEMBERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    statuses = sorted(status or 0 for status, _ in results)
    assert statuses == [201] * PLACES + [409] * (MEMBERS - PLACES), [
        r for r in results if r[0] not in (201, 409)
    ]
    refusals = [body for status, body in results if status == 409]
    assert all(isinstance(body, dict) and body["error"] == "full" for body in refusals), refusals[:3]
    claims = [body for status, body in results if status == 201]
    assert len({c["member"]["id"] for c in claims if isinstance(c, dict)}) == PLACES
    need = Need.objects.get(pk=need.pk)
    assert (need.taken, need.status) == (PLACES, "in_progress")
    assert Claim.objects.filter(need=need).count() == PLACES
