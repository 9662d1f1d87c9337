"""The check of an upload (the job scan_upload starts) reads the QR code of every scanned page: it accepts
a scan of every page of the current version and refuses an older version, another base's print, the
other document or missing pages. Scans are made as a scanner makes them: the printed PDF rendered to
images and put back together."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from exchange.models import SealedScan
from exchange.services import scan_problems
from exchange.tests.conftest import pdf_bytes, save
from exchange.tests.printed import printed_pdf, scan_file, scanned, upload_checked
from reports.models import DevelopmentReport
from review.services import submission_blockers


def _refused(submission, user, kind, content, **kw) -> str:
    """The upload is kept, refused with its reason; the document still has no scan that counts."""
    scan = upload_checked(submission, user, kind, scan_file(content, **kw))
    assert scan.is_refused and not scan.is_verified and scan.verified_pages is None
    assert not SealedScan.objects.live().filter(submission=submission, kind=kind).exists()
    assert (
        f"缺少{scan.get_kind_display()}盖章扫描件（最近一次上传未通过核验：" in scan_problems(submission)[0]
    )
    return scan.check_message


def test_a_scan_of_every_page_of_the_current_print_is_accepted(filled, filler):
    printed = printed_pdf(filled, "summary")
    scan = upload_checked(filled, filler, "summary", scan_file(scanned(printed)))
    assert scan.is_verified and scan.verified_pages >= 5
    assert "缺少汇总表盖章扫描件" not in scan_problems(filled)


@pytest.mark.parametrize(
    ("rotate", "scale", "dpi"),
    [(1.5, 1.0, 150), (-2.0, 0.96, 200), (180.0, 1.0, 150), (90.0, 0.98, 200), (0.7, 1.03, 120)],
)
def test_a_tilted_turned_or_slightly_scaled_scan_is_accepted(filled, filler, report, rotate, scale, dpi):
    printed = printed_pdf(filled, "report")
    content = scanned(printed, rotate=rotate, scale=scale, dpi=dpi)
    scan = upload_checked(filled, filler, "report", scan_file(content))
    assert scan.is_verified


def test_the_printed_pdf_itself_is_accepted(filled, filler):
    scan = upload_checked(filled, filler, "summary", scan_file(printed_pdf(filled, "summary")))
    assert scan.is_verified


def test_a_one_page_document_may_be_a_single_photo(submission, filler):
    DevelopmentReport.objects.create(submission=submission, overview="示范基地发展概述。", revision=1)
    photo = scanned(printed_pdf(submission, "report"), as_image=True, rotate=1.0)
    scan = upload_checked(submission, filler, "report", scan_file(photo, "p.jpg", "image/jpeg"))
    assert scan.is_verified and scan.verified_pages == 1 and scan.content_type == "image/jpeg"


def test_a_scan_of_an_older_version_is_refused_with_both_versions(filled, filler):
    old = printed_pdf(filled, "summary")
    save(filled, filler, "summary", "1.2", 2021, "88")
    message = _refused(filled, filler, "summary", scanned(old))
    assert "旧版本" in message and "请重新打印" in message


def test_a_scan_with_a_page_missing_is_refused_naming_the_page(filled, filler):
    message = _refused(filled, filler, "summary", scanned(printed_pdf(filled, "summary"), skip={2}))
    assert "缺少当前版本的第2页" in message


def test_a_scan_of_another_bases_print_is_refused(filled, filler, other_submission, other_filler):
    theirs = printed_pdf(other_submission, "summary")
    message = _refused(filled, filler, "summary", scanned(theirs))
    assert "其他示范基地" in message


def test_the_report_uploaded_as_the_summary_is_refused(filled, filler, report):
    message = _refused(filled, filler, "summary", scanned(printed_pdf(filled, "report")))
    assert "发展情况报告的页面" in message


def test_a_scan_mixing_in_another_print_is_refused(filled, filler, other_submission):
    mine = printed_pdf(filled, "summary")
    message = _refused(
        filled, filler, "summary", scanned(mine, extra=printed_pdf(other_submission, "summary"))
    )
    assert "其他示范基地" in message


def test_a_pdf_without_codes_no_longer_clears_the_blocker(filled, filler):
    message = _refused(filled, filler, "summary", pdf_bytes())
    assert "未能在扫描件中识别出" in message
    assert scan_problems(filled)[0].startswith(
        "缺少汇总表盖章扫描件（最近一次上传未通过核验：未能在扫描件中识别出"
    )
    assert any(b.startswith("缺少汇总表盖章扫描件") for b in submission_blockers(filled))


def test_a_photo_of_one_page_of_a_longer_document_is_refused(filled, filler):
    photo = scanned(printed_pdf(filled, "summary"), as_image=True)
    message = _refused(filled, filler, "summary", photo, name="p1.jpg", content_type="image/jpeg")
    assert "缺少当前版本的第2页" in message


def test_the_blocker_clears_only_with_both_accepted_scans(filled, filler, report):
    for kind in ("summary", "report"):
        upload_checked(filled, filler, kind, scan_file(scanned(printed_pdf(filled, kind))))
    assert scan_problems(filled) == []


def test_a_scan_stored_before_verification_counts_as_unverified(filled, filler, report):
    for kind in ("summary", "report"):
        upload_checked(filled, filler, kind, scan_file(printed_pdf(filled, kind)))
    SealedScan.objects.filter(kind="summary").update(
        verified_pages=None
    )  # as stored before the check existed
    assert scan_problems(filled) == [
        "汇总表盖章扫描件未经二维码核验（系统启用核验前上传），请重新打印、盖章并上传"
    ]


def test_the_upload_check_still_runs_first_in_the_request(filled, filler):
    with pytest.raises(ValidationError, match="只能上传"):
        upload_checked(filled, filler, "summary", scan_file(b"PK\x03\x04" + b"\x00" * 200, name="a.pdf"))
    assert not SealedScan.objects.exists()
