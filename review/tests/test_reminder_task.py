"""The daily 催报 runs as a periodic task of the queue, doing what `send_reminders` does."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import HUEY

from review.tasks import send_reminders_daily


def _due(at: dt.datetime) -> list[str]:
    return [t.name for t in HUEY.read_periodic(at)]


def test_it_is_scheduled_daily_at_nine_beijing_time():
    assert any(n.endswith("send_reminders_daily") for n in _due(dt.datetime(2022, 8, 17, 1, 0)))  # UTC
    assert not any(n.endswith("send_reminders_daily") for n in _due(dt.datetime(2022, 8, 17, 9, 0)))


def test_running_it_reminds_like_the_command(monkeypatch):
    calls = []
    monkeypatch.setattr("review.tasks.reminders_auto_open", lambda: calls.append(1) or [])
    send_reminders_daily.call_local()
    assert calls == [1]
