"""Run service calls at the same moment, each in its own thread with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from baodao.lib.errors import Conflict


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Start the calls together, one thread each. Returns each call's value or the Conflict it raised; any
    other exception fails the test."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except BaseException as exc:  # a Conflict is expected; anything else fails the test below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    assert not unexpected, unexpected
    return results


def split(results: list[Any]) -> tuple[list[Any], list[Conflict]]:
    """(the calls that went through, the Conflicts)."""
    return (
        [r for r in results if not isinstance(r, Conflict)],
        [r for r in results if isinstance(r, Conflict)],
    )
