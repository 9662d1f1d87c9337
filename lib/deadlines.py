"""Deadlines as people read them: a date in Beijing time and the whole days left until it.

The notice says “请于2022年8月24日前报送”: the deadline is a day, and that day counts in full in
Asia/Shanghai. Whatever time a stored deadline carries (23:59:59, 00:00 or a reopening window's
18:00), it stays open until the start of the next Beijing day: `deadline_open` is the one test for
“is this deadline still open” used by bases, authorities, reopening windows and reminders alike.

Pure functions of an aware deadline and an aware "now", so the home pages, reminders and exports
all count the same way and tests need no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _require_aware(*moments: dt.datetime) -> None:
    if any(m.tzinfo is None for m in moments):
        raise ValueError("deadline and now must be timezone-aware")


def deadline_day(deadline: dt.datetime) -> dt.date:
    """The Beijing calendar day a deadline falls on."""
    _require_aware(deadline)
    return deadline.astimezone(SHANGHAI).date()


def closes_at(deadline: dt.datetime) -> dt.datetime:
    """The first instant no longer in time: the start of the Beijing day after the deadline's day."""
    day = deadline_day(deadline) + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def deadline_open(deadline: dt.datetime, now: dt.datetime) -> bool:
    """Is a deadline still open at `now`? Through the whole of its Beijing day (23:59:59.999 is in time)."""
    _require_aware(deadline, now)
    return now < closes_at(deadline)


def day_label(deadline: dt.datetime, *, year: bool = True) -> str:
    """2022年8月24日（含） — the deadline as the notice means it, the whole day included."""
    day = deadline_day(deadline)
    text = f"{day.month}月{day.day}日（含）"
    return f"{day.year}年{text}" if year else text


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
    def day_label(self) -> str:
        """2022年8月24日（含）"""
        return day_label(self.deadline)

    @property
    def short_day_label(self) -> str:
        """8月24日（含）"""
        return day_label(self.deadline, year=False)

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

    The deadline's whole Beijing day is still open (submitting at 23:59:59.5 on the last day counts).
    """
    _require_aware(deadline, now)
    local_deadline = deadline.astimezone(SHANGHAI)
    if not deadline_open(deadline, now):
        return Countdown(deadline=local_deadline, passed=True, days_left=None)
    days = (local_deadline.date() - now.astimezone(SHANGHAI).date()).days
    return Countdown(deadline=local_deadline, passed=False, days_left=days)
