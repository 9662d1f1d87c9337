"""Show a stored deadline the way the notice means it: “2022年8月24日（含）”."""

from __future__ import annotations

import datetime as dt

from django import template

from lib.deadlines import day_label

register = template.Library()


@register.filter
def deadline_day(value: dt.datetime | None) -> str:
    return day_label(value) if value is not None else ""


@register.filter
def deadline_short_day(value: dt.datetime | None) -> str:
    return day_label(value, year=False) if value is not None else ""
