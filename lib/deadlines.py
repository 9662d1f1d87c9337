"""Deadlines as people read them: a date in Beijing time and the whole days left until it.

Pure functions of an aware deadline and an aware "now", so the home pages, reminders and exports
all count the same way and tests need no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Countdown:
    """Where a deadline stands at one moment."""

    deadline: dt.datetime  # in Asia/Shanghai
    passed: bool
    # Calendar days from today to the deadline's day in Beijing time: 0 on the day itself.
    # None once the deadline has passed.
    days_left: int | None

    @property
    def date(self) -> dt.date:
        return self.deadline.date()

    @property
    def date_label(self) -> str:
        """2022年8月24日"""
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    @property
    def short_date_label(self) -> str:
        """8月24日"""
        return f"{self.date.month}月{self.date.day}日"

    @property
    def label(self) -> str:
        """已截止 / 今天截止 / 还剩 N 天"""
        if self.passed:
            return "已截止"
        if self.days_left == 0:
            return "今天截止"
        return f"还剩 {self.days_left} 天"

    @property
    def urgency(self) -> str:
        """A badge class: err once passed, warn in the last week, ok before."""
        if self.passed:
            return "err"
        if self.days_left is not None and self.days_left <= 7:
            return "warn"
        return "ok"


def countdown(deadline: dt.datetime, now: dt.datetime) -> Countdown:
    """How a deadline stands at `now`. Both must be timezone-aware.

    The deadline is still open at its exact instant (submitting at 23:59:59 on the last day counts).
    """
    if deadline.tzinfo is None or now.tzinfo is None:
        raise ValueError("deadline and now must be timezone-aware")
    local_deadline = deadline.astimezone(SHANGHAI)
    if now > deadline:
        return Countdown(deadline=local_deadline, passed=True, days_left=None)
    days = (local_deadline.date() - now.astimezone(SHANGHAI).date()).days
    return Countdown(deadline=local_deadline, passed=False, days_left=days)
