"""SQLite, the embedded default, with its writers served in turn.

SQLite lets one writer in at a time; a writer that finds the lock taken sleeps in SQLite's busy
handler, for 1, 2, 5 … then 100 ms at a time, and whoever polls when the lock is free gets it. On
deadline day a dozen server threads save at once: a save that kept losing the race waited several
hundred milliseconds for a lock that was free most of that time. Here each connection first takes
an exclusive `flock` on a file beside the database, then BEGINs: the kernel wakes a waiter the moment
the holder commits or rolls back, and a blocked waiter sleeps without the GIL or any polling. The lock
is held from BEGIN to COMMIT or ROLLBACK, exactly while SQLite's write lock (IMMEDIATE) is held, so it
adds no waiting of its own. Writers outside this backend (the sqlite3 shell, a statement in
autocommit) still meet the busy timeout as before. An in-memory database (the tests) has one
connection and needs no lock. A process that dies holding the lock loses it with its descriptor.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    # The hooks overridden below are Django's private ones: django-stubs does not declare them, hence
    # the `type: ignore` on each call to the superclass.
    _turn: int | None = None  # the lock file's descriptor, per connection (so per thread)
    _holding = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            path = f"{self.settings_dict['NAME']}-writelock"
            self._turn = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        if self._turn is not None:
            fcntl.flock(self._turn, fcntl.LOCK_EX)  # releases the GIL while it waits
            self._holding = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release()
            if self._turn is not None:
                os.close(self._turn)
                self._turn = None

    def _release(self) -> None:
        if self._holding and self._turn is not None:
            fcntl.flock(self._turn, fcntl.LOCK_UN)
        self._holding = False
