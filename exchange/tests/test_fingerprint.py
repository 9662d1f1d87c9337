"""data_fingerprint: a hash of exactly the printed material, nothing more, nothing less."""

from __future__ import annotations

from types import SimpleNamespace

from exchange.services import data_fingerprint, report_fingerprint, summary_fingerprint
from exchange.tests.conftest import save
from lib.fingerprints import short_fingerprint
from reports.services import report_save


def value(form="summary", code="1.1", year=2021, raw="12.5", currency="", **extra):
    return SimpleNamespace(form=form, code=code, year=year, raw=raw, entered_currency=currency, **extra)


def report(**changes):
    fields = {
        "overview": "概述",
        "highlights": [{"lead": "领句", "content": "内容"}],
        "practices": [{"lead": "做法", "content": "经验"}],
        "problems": "问题",
    }
    fields.update(changes)
    return SimpleNamespace(**fields)


def test_it_is_a_sha256_hex_and_groups_the_short_form():
    fingerprint = data_fingerprint(submission_values=[value()], report=None)
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0
    short = short_fingerprint(fingerprint)
    assert short == "-".join([fingerprint[0:4], fingerprint[4:8], fingerprint[8:12]]).upper()
    assert short_fingerprint("3f2a9c1b77d0ffff") == "3F2A-9C1B-77D0"


def test_it_ignores_order_revisions_and_who_typed():
    a = [value(code="1.1", revision=1, updated_by="张三"), value(code="1.2", raw="3", revision=4)]
    b = [value(code="1.2", raw="3", revision=9), value(code="1.1", revision=2, updated_by="李四")]
    assert data_fingerprint(submission_values=a, report=None) == data_fingerprint(
        submission_values=b, report=None
    )


def test_it_changes_with_any_printed_part_of_a_value():
    before = data_fingerprint(submission_values=[value()], report=None)
    for changed in (
        value(raw="12.6"),
        value(year=2020),
        value(code="1.2"),
        value(form="annex1"),
        value(currency="USD"),
    ):
        assert data_fingerprint(submission_values=[changed], report=None) != before


def test_a_cleared_cell_prints_like_an_empty_one():
    empty = data_fingerprint(submission_values=[], report=None)
    assert (
        data_fingerprint(submission_values=[value(raw=None), value(code="13.1", raw="  ")], report=None)
        == empty
    )
    assert data_fingerprint(submission_values=[value(raw="0")], report=None) != empty


def test_it_changes_with_each_report_field_and_not_otherwise():
    base = data_fingerprint(submission_values=[], report=report())
    assert data_fingerprint(submission_values=[], report=report(revision=7, updated_at="x")) == base
    for changes in (
        {"overview": "概述。"},
        {"highlights": [{"lead": "领句", "content": "内容2"}]},
        {"highlights": [{"lead": "领句2", "content": "内容"}]},
        {"practices": []},
        {"problems": "问题及建议"},
    ):
        assert data_fingerprint(submission_values=[], report=report(**changes)) != base
    assert data_fingerprint(submission_values=[], report=None) != base


def test_summary_fingerprint_follows_saved_values(filled, filler):
    before = summary_fingerprint(filled)
    save(filled, filler, "summary", "1.1", 2021, "1234.56")  # the same value again: unchanged
    assert summary_fingerprint(filled) == before
    save(filled, filler, "summary", "1.1", 2021, "1234.57")
    changed = summary_fingerprint(filled)
    assert changed != before
    save(filled, filler, "summary", "1.1", 2021, "1234.56")  # back to what was printed
    assert summary_fingerprint(filled) == before


def test_the_two_documents_have_separate_fingerprints(filled, report, filler):
    summary_before, report_before = summary_fingerprint(filled), report_fingerprint(filled)
    assert summary_before != report_before
    report_save(
        submission=filled,
        user=filler,
        revision=report.revision,
        overview=report.overview + "补充一句。",
        highlights=report.highlights,
        practices=report.practices,
        problems=report.problems,
    )
    assert report_fingerprint(filled) != report_before
    assert summary_fingerprint(filled) == summary_before
    save(filled, filler, "summary", "2.1", 2021, "15")
    assert summary_fingerprint(filled) != summary_before
