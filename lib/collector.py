"""Python's cycle collector held off while a long loop allocates many short-lived containers.

The national export of 500 full bases reads some 110,000 saved cells, a tuple or two each, builds
a list per row of the 260,000 cells it writes, and frees them a slice later. Refcounting frees every
one of them (they hold no cycles), but each also counts towards the collector's thresholds: every
few hundred allocations it scans the young objects, and now and then the whole heap, which in a
process holding much else (the benchmark's, after importing 500 files) took 0.34 s of one export
and 0.02 s of the next. Held off, the
collector resumes where it was when the loop ends. The collector is the process's, shared by its
threads: the pauses nest, and the last to end switches it back on (only if it was on before).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
