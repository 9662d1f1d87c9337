"""The countdown counts Beijing calendar days and treats the deadline's own instant as still open."""

import datetime as dt

import pytest

from lib.deadlines import closes_at, countdown, day_label, deadline_open

BJ = dt.timezone(dt.timedelta(hours=8))
DEADLINE = dt.datetime(2022, 8, 24, 23, 59, 59, tzinfo=BJ)


def test_days_left_counts_calendar_days_in_beijing():
    c = countdown(DEADLINE, dt.datetime(2022, 8, 14, 9, 0, tzinfo=BJ))
    assert (c.passed, c.days_left, c.label) == (False, 10, "还剩 10 天")


def test_late_evening_utc_is_already_next_day_in_beijing():
    # 2022-08-23 17:00 UTC is 2022-08-24 01:00 in Beijing: the last day, not one day left.
    c = countdown(DEADLINE, dt.datetime(2022, 8, 23, 17, 0, tzinfo=dt.UTC))
    assert (c.days_left, c.label) == (0, "今天截止")


def test_deadline_instant_is_still_open():
    c = countdown(DEADLINE, DEADLINE)
    assert not c.passed
    assert c.label == "今天截止"


def test_one_second_after_is_closed():
    c = countdown(DEADLINE, DEADLINE + dt.timedelta(seconds=1))
    assert (c.passed, c.days_left, c.label, c.urgency) == (True, None, "已截止", "err")


def test_date_is_shown_in_beijing_even_if_stored_in_utc():
    c = countdown(DEADLINE.astimezone(dt.UTC), dt.datetime(2022, 8, 1, tzinfo=BJ))
    assert (c.date_label, c.short_date_label) == ("2022年8月24日", "8月24日")


@pytest.mark.parametrize(("days_before", "urgency"), [(30, "ok"), (8, "ok"), (7, "warn"), (0, "warn")])
def test_urgency_turns_to_warning_in_the_last_week(days_before, urgency):
    now = DEADLINE - dt.timedelta(days=days_before, hours=1)
    assert countdown(DEADLINE, now).urgency == urgency


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        countdown(DEADLINE.replace(tzinfo=None), dt.datetime(2022, 8, 1, tzinfo=BJ))


# “8月24日前” is the whole of 8月24日 in Beijing, whatever time the deadline was stored with.


def test_half_a_second_before_midnight_is_still_in_time():
    assert deadline_open(DEADLINE, dt.datetime(2022, 8, 24, 23, 59, 59, 500000, tzinfo=BJ))
    assert not countdown(DEADLINE, dt.datetime(2022, 8, 24, 23, 59, 59, 999999, tzinfo=BJ)).passed


def test_midnight_of_the_next_day_is_too_late():
    assert not deadline_open(DEADLINE, dt.datetime(2022, 8, 25, 0, 0, tzinfo=BJ))
    assert closes_at(DEADLINE) == dt.datetime(2022, 8, 25, tzinfo=BJ)


def test_a_deadline_stored_at_midnight_or_noon_still_covers_its_whole_day():
    for stored in (dt.datetime(2022, 8, 24, tzinfo=BJ), dt.datetime(2022, 8, 24, 12, 0, tzinfo=BJ)):
        assert deadline_open(stored, dt.datetime(2022, 8, 24, 23, 59, 59, 900000, tzinfo=BJ))
        assert not deadline_open(stored, dt.datetime(2022, 8, 25, 0, 0, tzinfo=BJ))


def test_the_day_is_the_beijing_day_even_when_stored_in_utc():
    # 2022-08-24 15:59:59 UTC is 23:59:59 in Beijing; 16:30 UTC is already 8月25日 there.
    stored = dt.datetime(2022, 8, 24, 15, 59, 59, tzinfo=dt.UTC)
    assert deadline_open(stored, dt.datetime(2022, 8, 24, 15, 59, 59, 500000, tzinfo=dt.UTC))
    assert not deadline_open(stored, dt.datetime(2022, 8, 24, 16, 30, tzinfo=dt.UTC))


def test_it_is_shown_with_the_day_included():
    c = countdown(DEADLINE, dt.datetime(2022, 8, 1, tzinfo=BJ))
    assert (c.day_label, c.short_day_label) == ("2022年8月24日（含）", "8月24日（含）")
    assert day_label(DEADLINE, year=False) == "8月24日（含）"
