"""lib.fingerprints: the data versions of the authority's summary, a case and bound documents change
with exactly what is printed."""

from __future__ import annotations

from types import SimpleNamespace

from lib.fingerprints import case_fingerprint, combined_fingerprint, summary_fingerprint

SUMMARY = SimpleNamespace(progress="进展。", difficulties="困难。", next_steps="")
CASE = SimpleNamespace(
    title="标题", background="背景。", practices=[{"lead": "做法", "content": "内容"}], results="成效。"
)


def test_a_summary_changes_its_version_with_any_part_and_an_unwritten_one_has_its_own():
    versions = {
        summary_fingerprint(SUMMARY),
        summary_fingerprint(SimpleNamespace(**{**vars(SUMMARY), "next_steps": "思路。"})),
        summary_fingerprint(None),
    }
    assert len(versions) == 3
    # What is not printed (who saved, when, which revision) does not change it.
    assert summary_fingerprint(SimpleNamespace(**vars(SUMMARY), revision=9)) == summary_fingerprint(SUMMARY)


def test_a_case_changes_its_version_with_its_practices_and_its_aspects():
    edited = SimpleNamespace(**{**vars(CASE), "practices": [{"lead": "做法", "content": "内容。"}]})
    assert case_fingerprint(CASE) != case_fingerprint(edited)
    assert case_fingerprint(CASE) != case_fingerprint(CASE, ["数字化转型"])


def test_bound_documents_change_their_version_when_a_part_changes_or_moves():
    assert combined_fingerprint(["a", "b"]) != combined_fingerprint(["b", "a"])
    assert combined_fingerprint(["a", "b"]) != combined_fingerprint(["a", "c"])
    assert combined_fingerprint(["a"]) != combined_fingerprint(["a", "b"])
