"""The audit chain while several processes write to it and while it is being checked."""

import threading

import pytest
from django.db import connection

from baodao.audit.models import Action, AuditEvent
from baodao.audit.services import audit_record, audit_verify
from tests.services.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_writers_at_once_never_fork_the_chain():
    def write(n):
        return lambda: [audit_record(action=Action.LOGIN, actor_label=f"w{n}-{i}") for i in range(10)]

    race(*(write(n) for n in range(4)))
    assert AuditEvent.objects.count() == 40
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == 40  # no two entries follow the same one
    assert audit_verify() == (True, 40, None)


def test_the_chain_checks_out_while_it_is_written():
    audit_record(action=Action.LOGIN, actor_label="first")
    done = threading.Event()

    def writer():
        try:
            for i in range(60):
                audit_record(action=Action.LOGIN, actor_label=f"w{i}")
        finally:
            done.set()
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    results = []
    while not done.is_set() or not results:
        results.append(audit_verify())
    thread.join()
    assert [r for r in results if not r[0]] == []
    assert audit_verify() == (True, 61, None)
