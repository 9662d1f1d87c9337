"""Sealed scans are read in a threaded server (gunicorn's gthread workers): PDFium, which renders a
scan's pages, is not thread-safe, so scans read at once in threads must neither crash nor differ."""

from __future__ import annotations

import threading

from exchange.scans import scan_read
from exchange.tests.printed import printed_pdf


def test_scans_read_at_once_in_threads_read_as_alone(filled):
    data = printed_pdf(filled, "summary")
    alone = scan_read(data, "application/pdf")
    assert alone.pages and all(alone.pages)
    readings, errors = [], []

    def read() -> None:
        try:
            for _ in range(4):
                readings.append(scan_read(data, "application/pdf"))
        except Exception as exc:  # every failure is reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert readings == [alone] * 16
