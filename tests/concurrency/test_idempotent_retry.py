"""Two calls with the same Idempotency-Key at the same moment: the second waits on the first's row
and then returns its stored response, so the action runs once (PostgreSQL: row locks between
connections; the SQLite test database serialises writers another way and is covered by the replay
tests)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from api.models import IdempotentResponse
from api.services import idempotent_call

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL")
def test_a_concurrent_retry_waits_and_gets_the_first_response(filler):
    runs: list[str] = []
    started = threading.Event()
    results: dict[str, object] = {}

    def slow() -> tuple[int, dict]:
        runs.append("first")
        started.set()
        time.sleep(0.5)
        return 200, {"status": "submitted"}

    def again() -> tuple[int, dict]:
        runs.append("second")
        return 200, {"status": "twice"}

    def call(name: str, run) -> None:
        try:
            results[name] = idempotent_call(user=filler, key="same", fingerprint="f", run=run)
        finally:
            connections.close_all()

    first = threading.Thread(target=call, args=("first", slow))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=call, args=("second", again))
    began = time.monotonic()
    second.start()
    first.join(10)
    second.join(10)
    assert runs == ["first"]
    assert results["second"].replayed and results["second"].body == {"status": "submitted"}
    assert time.monotonic() - began >= 0.3  # it waited for the first to commit
    assert IdempotentResponse.objects.count() == 1
