"""The printed documents: valid PDFs, every page footed with the fingerprint and page numbers."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
import zxingcpp
from pypdf import PdfReader

from exchange.pdf import report_pdf, summary_pdf
from exchange.services import report_fingerprint, summary_fingerprint
from exchange.tests.conftest import pdf_page_count, save
from lib.fingerprints import short_fingerprint
from lib.linebreak import NO_LINE_START
from lib.seals import PageSeal, seal_parse
from submissions.services import profile_for

PRINTED_AT = dt.datetime(2022, 8, 20, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing


def _summary(submission):
    full = summary_fingerprint(submission)
    data = summary_pdf(
        submission=submission,
        values=list(submission.values.all()),
        profile=profile_for(submission.base),
        fingerprint=full,
        generated_at=PRINTED_AT,
    )
    return data, short_fingerprint(full)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_summary_pdf_carries_the_fingerprint_on_every_page(filled):
    data, fingerprint = _summary(filled)
    assert data.startswith(b"%PDF-")
    pages = pdf_page_count(data)
    assert pages >= 5  # sections 一 to 二十五 of the notice do not fit on fewer landscape pages
    texts = page_texts(data)
    assert all(t.count(fingerprint) == 2 for t in texts)  # the header's data version and the footer's
    assert all(filled.base.name in t for t in texts)


def test_summary_pdf_changes_when_a_value_changes(filled, filler):
    _, fp_before = _summary(filled)
    save(filled, filler, "summary", "1.1", 2019, "981")
    after, fp_after = _summary(filled)
    assert fp_before != fp_after
    assert fp_after in page_texts(after)[0]


def test_summary_pdf_includes_the_annex_for_a_software_base(other_submission):
    data, _ = _summary(other_submission)
    with_annex = pdf_page_count(data)
    other_submission.annex_definition = None
    without_annex, _ = _summary(other_submission)
    assert with_annex > pdf_page_count(without_annex)


def test_summary_pdf_prints_an_empty_submission(submission):
    data, fingerprint = _summary(submission)
    assert data.startswith(b"%PDF-") and fingerprint in page_texts(data)[0]


def test_report_pdf_carries_its_own_fingerprint(filled, report):
    full = report_fingerprint(filled)
    data = report_pdf(submission=filled, report=report, fingerprint=full, generated_at=PRINTED_AT)
    assert data.startswith(b"%PDF-")
    pages = pdf_page_count(data)
    assert pages >= 2
    assert all(short_fingerprint(full) in t for t in page_texts(data))


def test_report_pdf_without_a_report_still_prints(submission):
    data = report_pdf(submission=submission, report=None, fingerprint="0" * 64, generated_at=PRINTED_AT)
    assert data.startswith(b"%PDF-") and pdf_page_count(data) == 1


def test_text_extraction_finds_fingerprint_and_footer(filled, report):
    fingerprint = short_fingerprint(report_fingerprint(filled))
    data = report_pdf(
        submission=filled, report=report, fingerprint=report_fingerprint(filled), generated_at=PRINTED_AT
    )
    pages = PdfReader(io.BytesIO(data)).pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert fingerprint in text
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        assert "2022-08-20 09:30" in text


def _fonts(data: bytes) -> list[dict]:
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    return list(fonts.values())


def test_every_font_is_embedded_as_a_subset(filled, report):
    for data in (_summary(filled)[0], report_pdf(
        submission=filled, report=report, fingerprint=report_fingerprint(filled), generated_at=PRINTED_AT
    )):  # fmt: skip
        fonts = _fonts(data)
        assert fonts
        for font in fonts:
            assert "/FontDescriptor" in font, font["/BaseFont"]  # not one of the 14 standard fonts
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]  # TrueType outlines inside
            assert font["/BaseFont"][7] == "+", font["/BaseFont"]  # ABCDEF+Name: a subset


def test_every_page_carries_a_qr_code_of_the_document_fingerprint_and_page(filled):
    data, _ = _summary(filled)
    document = pdfium.PdfDocument(data)
    total = len(document)
    for index in range(total):
        image = document[index].render(scale=2).to_pil()
        seals = [seal_parse(r.text) for r in zxingcpp.read_barcodes(image)]
        assert seals == [PageSeal("summary", filled.pk, summary_fingerprint(filled), index + 1, total)]


def test_no_printed_line_begins_with_a_closing_mark(filled, report):
    data = report_pdf(
        submission=filled, report=report, fingerprint=report_fingerprint(filled), generated_at=PRINTED_AT
    )
    lines = [line for text in page_texts(data) for line in text.split("\n") if line.strip()]
    assert len(lines) > 30
    assert all(line.strip()[0] not in NO_LINE_START for line in lines), [
        line for line in lines if line.strip()[0] in NO_LINE_START
    ]


def test_the_report_title_breaks_between_words(filled, report):
    data = report_pdf(
        submission=filled, report=report, fingerprint=report_fingerprint(filled), generated_at=PRINTED_AT
    )
    first = [line.strip() for line in page_texts(data)[0].split("\n")]
    title_lines = first[first.index("附件2") + 1 : first.index("一、示范基地发展概述")]
    assert "".join(title_lines) == f"{filled.base.name}2021年发展情况报告"
    assert len(title_lines) == 2 and title_lines[-1] in ("发展情况报告", "2021年发展情况报告")
