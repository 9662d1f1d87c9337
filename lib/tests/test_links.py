"""lib.links.cached_reverse gives what reverse() gives, under any script prefix."""

from __future__ import annotations

import pytest
from django.urls import get_script_prefix, reverse, set_script_prefix

from lib.links import cached_reverse

CASES = [
    ("accounts:home", ()),
    ("help:index", ()),
    ("submissions:detail", (7,)),
    ("submissions:detail", (123456,)),
    ("review:submit", (42,)),
    ("submissions:section", (9, "summary", "一")),
    ("submissions:section", (9, "annex2", "companies")),
    ("submissions:section", (9, "summary", "987654321012")),  # the stand-in's digits in another argument
]


@pytest.mark.parametrize("prefix", ["/", "/sfjd/"])
def test_the_same_string_as_reverse(prefix):
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for name, args in CASES:
            assert cached_reverse(name, *args) == reverse(name, args=list(args))
            assert cached_reverse(name, *args).startswith(prefix)
    finally:
        set_script_prefix(before)
