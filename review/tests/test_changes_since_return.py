"""changes_since_return / last_return: the reviewer sees only what the base changed after the return."""

from __future__ import annotations

import pytest

from review.queries import FieldIndex, grouped_changes
from review.services import changes_since_return, last_return, review_return, submission_submit
from review.tests.conftest import cell, rescan

pytestmark = pytest.mark.django_db


def test_nothing_before_any_return(submitted):
    assert last_return(submitted) is None
    assert changes_since_return(submitted) == []


def test_only_changes_after_the_last_return_are_listed(returned, filler, reviewer):
    assert changes_since_return(returned) == []
    cell(returned, filler, "1.1", 2021, "115")
    cell(returned, filler, "1.1", 2021, "120")
    rescan(returned, filler)
    submission_submit(submission=returned, user=filler)
    changes = changes_since_return(returned)
    assert [(c.code, c.year, c.old_raw, c.new_raw) for c in changes] == [
        ("1.1", 2021, "110", "115"),
        ("1.1", 2021, "115", "120"),
    ]
    assert all(c.changed_by == filler for c in changes)
    [row] = grouped_changes(changes, FieldIndex(returned))
    assert (row.old_text, row.new_text) == ("110", "120")
    assert row.ref.label == "汇总表 · 1.1 销售收入 · 2021年"
    assert row.ref.url.endswith("#c-summary-1_1-2021")

    # A second return starts the count again.
    review_return(submission=returned, user=reviewer, comment="再核实")
    assert changes_since_return(returned) == []
    cell(returned, filler, "1.1a", 2020, "85")
    assert [(c.code, c.year) for c in changes_since_return(returned)] == [("1.1a", 2020)]


def test_the_ministry_return_counts_as_the_last_return(approved, ministry, filler):
    from review.services import ministry_return

    ministry_return(submission=approved, user=ministry, comment="请补充")
    assert last_return(approved).action == "ministry_return"
    cell(approved, filler, "13.1", 0, "新的发展思路。")
    assert [c.code for c in changes_since_return(approved)] == ["13.1"]
