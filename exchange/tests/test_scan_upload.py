"""scan_file_check, scan_upload and scan_problems: what a sealed scan must be, and when it is current."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from exchange.models import SealedScan
from exchange.services import (
    MAX_SCAN_BYTES,
    scan_file_check,
    scan_problems,
    scan_states,
    summary_fingerprint,
)
from exchange.tests.conftest import image_bytes, pdf_bytes, save, upload
from exchange.tests.printed import printed_pdf, printed_upload, scan_file, scanned, upload_checked
from jobs.models import Job
from reports.services import report_save
from submissions.models import Submission


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("盖章.pdf", pdf_bytes(), "application/pdf"),
        ("盖章.PNG", image_bytes("PNG"), "image/png"),
        ("盖章.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("盖章.jpeg", image_bytes("JPEG"), "image/jpeg"),
    ],
)
def test_it_accepts_real_pdf_png_and_jpg(name, content, mime):
    checked = scan_file_check(upload(name, content, "application/octet-stream"))
    assert checked.content_type == mime
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as exc:
        scan_file_check(upload(name, content))
    return exc.value.messages[0]


def test_it_refuses_a_zip_named_pdf():
    message = _refusal("汇总表.pdf", b"PK\x03\x04" + b"\x00" * 200)
    assert "只能上传 PDF、JPG 或 PNG" in message and "ZIP" in message


def test_it_refuses_html_and_an_exe_named_pdf():
    assert "只能上传" in _refusal("汇总表.pdf", b"<html><script>alert(1)</script></html>")
    assert "只能上传" in _refusal("汇总表.pdf", b"MZ\x90\x00" + b"\x00" * 200)


def test_it_refuses_a_png_named_pdf():
    message = _refusal("汇总表.pdf", image_bytes("PNG"))
    assert "扩展名为 .pdf" in message and "PNG" in message


def test_it_refuses_a_forged_pdf_header_and_a_truncated_image():
    assert "损坏" in _refusal("汇总表.pdf", b"%PDF-1.4\n<html>not a pdf</html>")
    assert "损坏" in _refusal("汇总表.png", image_bytes("PNG")[:60])


def test_it_refuses_an_empty_file():
    assert "文件为空" in _refusal("汇总表.pdf", b"")


def test_it_refuses_more_than_ten_megabytes():
    big = pdf_bytes() + b"%" * (MAX_SCAN_BYTES + 1)
    assert "超过 10MB" in _refusal("汇总表.pdf", big)
    ok = pdf_bytes()
    padded = ok[:-6] + b" " * (MAX_SCAN_BYTES - len(ok)) + ok[-6:]
    assert scan_file_check(upload("汇总表.pdf", padded)).size == MAX_SCAN_BYTES


def test_upload_stamps_the_current_fingerprint_and_records_an_event(filled, filler, media_root):
    content = printed_pdf(filled, "summary")
    scan = upload_checked(filled, filler, "summary", upload("../../etc/盖章.pdf", content))
    assert scan.fingerprint == summary_fingerprint(filled)
    assert scan.original_name == "盖章.pdf"
    assert scan.file.name.startswith("scans/") and scan.file.name.endswith(".pdf")
    assert "盖章" not in scan.file.name
    assert (media_root / scan.file.name).read_bytes() == content
    event = Event.objects.get(action="exchange.scan_upload")
    assert event.data["sha256"] == scan.sha256 and event.base_id == filled.base_id
    check = Event.objects.get(action="exchange.scan_check")
    assert check.outcome == "success" and check.actor == filler
    assert check.data["verified_pages"] == scan.verified_pages and check.data["sha256"] == scan.sha256


def test_a_new_upload_supersedes_the_previous_one_which_is_kept(filled, filler):
    first = upload_checked(filled, filler, "summary", printed_upload(filled, "summary"))
    second = upload_checked(filled, filler, "summary", scan_file(scanned(printed_pdf(filled, "summary"))))
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    state = next(s for s in scan_states(filled) if s.kind == "summary")
    assert state.scan == second
    assert [s.pk for s in state.history] == [second.pk, first.pk]


def test_a_scan_is_outdated_after_a_value_changes_and_current_after_a_new_upload(filled, filler, report):
    upload_checked(filled, filler, "summary", printed_upload(filled, "summary"))
    upload_checked(filled, filler, "report", printed_upload(filled, "report"))
    assert scan_problems(filled) == []
    save(filled, filler, "summary", "1.2", 2021, "88")
    assert scan_problems(filled) == ["汇总表盖章扫描件已过期（材料在盖章后被修改，请重新打印盖章并上传）"]
    state = next(s for s in scan_states(filled) if s.kind == "summary")
    assert state.is_outdated and not state.is_current
    upload_checked(filled, filler, "summary", printed_upload(filled, "summary"))
    assert scan_problems(filled) == []


def test_a_report_scan_is_outdated_after_the_report_changes(filled, filler, report):
    upload_checked(filled, filler, "report", printed_upload(filled, "report"))
    report_save(
        submission=filled,
        user=filler,
        revision=report.revision,
        overview=report.overview,
        highlights=report.highlights,
        practices=report.practices,
        problems="新的问题及建议。",
    )
    problems = scan_problems(filled)
    assert "缺少汇总表盖章扫描件" in problems
    assert "发展情况报告盖章扫描件已过期（材料在盖章后被修改，请重新打印盖章并上传）" in problems


def test_an_upload_refused_at_once_stores_nothing_and_starts_no_job(filled, filler):
    with pytest.raises(ValidationError, match="只能上传"):
        upload_checked(filled, filler, "summary", upload("a.pdf", b"PK\x03\x04" + b"\x00" * 200))
    assert not SealedScan.objects.exists() and not Job.objects.exists()


def test_scan_problems_lists_both_missing(submission):
    assert scan_problems(submission) == ["缺少汇总表盖章扫描件", "缺少发展情况报告盖章扫描件"]


def test_it_refuses_a_report_scan_before_a_report_is_written(submission, filler):
    with pytest.raises(ValidationError, match="尚未编写发展情况报告"):
        upload_checked(submission, filler, "report", upload("b.pdf", pdf_bytes()))
    assert not SealedScan.objects.exists()


def test_it_refuses_uploads_once_submitted(filled, filler, media_root):
    Submission.objects.filter(pk=filled.pk).update(status=Submission.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="不能上传扫描件"):
        upload_checked(filled, filler, "summary", printed_upload(filled, "summary"))
    assert not SealedScan.objects.exists()
    assert not (media_root / "scans").exists() or not any((media_root / "scans").iterdir())
