"""The embedded default's writers take turns through a lock file the kernel hands on (config.sqlite3).

Each Django connection to a SQLite file holds an exclusive flock on `<database>-writelock` from BEGIN
to COMMIT or ROLLBACK, so a waiting writer is woken when the holder ends instead of polling in
SQLite's busy handler. These tests open their own file database, whatever the suite runs on.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture
def files(tmp_path: Path) -> Iterator[tuple[ConnectionHandler, Path]]:
    database = tmp_path / "writers.sqlite3"
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "config.sqlite3",
                "NAME": str(database),
                "OPTIONS": {"transaction_mode": "IMMEDIATE"},
            }
        }
    )
    with handler["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE cell (raw TEXT)")
    yield handler, Path(f"{database}-writelock")
    handler.close_all()


def _begin(connection) -> None:
    """What transaction.atomic() does first on an outermost block (it works on the global connections)."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _taken(lock: Path) -> bool:
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_transaction_holds_the_writers_turn_until_it_commits(files) -> None:
    handler, lock = files
    connection = handler["default"]
    assert not _taken(lock)
    _begin(connection)
    try:
        connection.cursor().execute("INSERT INTO cell VALUES ('12.5')")
        assert _taken(lock)
        connection.commit()
        assert not _taken(lock)
    finally:
        connection.set_autocommit(True)


def test_a_rolled_back_transaction_gives_the_turn_back(files) -> None:
    handler, lock = files
    connection = handler["default"]
    _begin(connection)
    connection.cursor().execute("INSERT INTO cell VALUES ('3')")
    assert _taken(lock)
    connection.rollback()
    connection.set_autocommit(True)
    assert not _taken(lock)
    assert connection.cursor().execute("SELECT COUNT(*) FROM cell").fetchone() == (0,)


def test_a_waiting_writer_goes_on_when_the_holder_commits(files) -> None:
    handler, lock = files
    first = handler["default"]
    _begin(first)
    first.cursor().execute("INSERT INTO cell VALUES ('first')")
    began, wrote = threading.Event(), threading.Event()

    def second_writer() -> None:
        other = ConnectionHandler({"default": dict(handler.settings["default"])})["default"]
        began.set()
        _begin(other)  # waits here, on the lock file, while the first holds it
        other.cursor().execute("INSERT INTO cell VALUES ('second')")
        other.commit()
        other.set_autocommit(True)
        other.close()
        wrote.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    began.wait(5)
    assert not wrote.wait(0.3)  # still the first's turn: the second has not written
    first.commit()
    first.set_autocommit(True)
    thread.join(10)
    assert wrote.is_set()
    rows = [r[0] for r in first.cursor().execute("SELECT raw FROM cell").fetchall()]
    assert rows == ["first", "second"]
    assert not _taken(lock)
