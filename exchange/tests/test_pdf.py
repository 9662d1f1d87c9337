"""The printed documents: valid PDFs, every page footed with the fingerprint and page numbers."""

from __future__ import annotations

import datetime as dt

from exchange.pdf import report_pdf, summary_pdf
from exchange.services import report_fingerprint, summary_fingerprint
from exchange.tests.conftest import pdf_page_count, pdf_streams_text, save
from lib.fingerprints import short_fingerprint
from submissions.services import profile_for

PRINTED_AT = dt.datetime(2022, 8, 20, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing


def _summary(submission):
    fingerprint = short_fingerprint(summary_fingerprint(submission))
    data = summary_pdf(
        submission=submission,
        values=list(submission.values.all()),
        profile=profile_for(submission.base),
        fingerprint=fingerprint,
        generated_at=PRINTED_AT,
    )
    return data, fingerprint


def test_summary_pdf_carries_the_fingerprint_on_every_page(filled):
    data, fingerprint = _summary(filled)
    assert data.startswith(b"%PDF-")
    pages = pdf_page_count(data)
    assert pages >= 5  # sections 一 to 二十五 of the notice do not fit on fewer landscape pages
    text = pdf_streams_text(data)
    assert text.count(f"({fingerprint})") == pages


def test_summary_pdf_changes_when_a_value_changes(filled, filler):
    _, fp_before = _summary(filled)
    save(filled, filler, "summary", "1.1", 2019, "981")
    after, fp_after = _summary(filled)
    assert fp_before != fp_after
    assert f"({fp_after})" in pdf_streams_text(after)


def test_summary_pdf_includes_the_annex_for_a_software_base(other_submission):
    data, _ = _summary(other_submission)
    with_annex = pdf_page_count(data)
    other_submission.annex_definition = None
    without_annex, _ = _summary(other_submission)
    assert with_annex > pdf_page_count(without_annex)


def test_summary_pdf_prints_an_empty_submission(submission):
    data, fingerprint = _summary(submission)
    assert data.startswith(b"%PDF-") and f"({fingerprint})" in pdf_streams_text(data)


def test_report_pdf_carries_its_own_fingerprint(filled, report):
    fingerprint = short_fingerprint(report_fingerprint(filled))
    data = report_pdf(submission=filled, report=report, fingerprint=fingerprint, generated_at=PRINTED_AT)
    assert data.startswith(b"%PDF-")
    pages = pdf_page_count(data)
    assert pages >= 2
    assert pdf_streams_text(data).count(f"({fingerprint})") == pages


def test_report_pdf_without_a_report_still_prints(submission):
    data = report_pdf(
        submission=submission, report=None, fingerprint="0000-0000-0000", generated_at=PRINTED_AT
    )
    assert data.startswith(b"%PDF-") and pdf_page_count(data) == 1


def test_text_extraction_finds_fingerprint_and_footer(filled, report):
    import io

    from pypdf import PdfReader

    fingerprint = short_fingerprint(report_fingerprint(filled))
    data = report_pdf(submission=filled, report=report, fingerprint=fingerprint, generated_at=PRINTED_AT)
    pages = PdfReader(io.BytesIO(data)).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert fingerprint in text
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        assert "2022-08-20 09:30" in text
