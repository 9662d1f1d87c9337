"""exchange:scans: both documents, their fingerprints, uploads by the base's filler, and history."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from exchange.models import SealedScan
from exchange.services import summary_fingerprint
from exchange.tests.conftest import image_bytes, pdf_bytes, save, upload
from exchange.tests.printed import printed_pdf, printed_upload, scanned, upload_checked
from jobs.models import Job
from lib.fingerprints import short_fingerprint
from submissions.models import Submission

OUTDATED = "已过期（材料在盖章后被修改，请重新打印盖章并上传）"


def url(submission) -> str:
    return reverse("exchange:scans", args=[submission.pk])


def post(client, submission, kind, file, *, run_check: bool = True):
    """The upload form sent; with `run_check`, the check it starts runs once the request's transaction
    commits, as the queue's consumer would run it (huey runs tasks at once in tests)."""
    with TestCase.captureOnCommitCallbacks(execute=run_check):
        return client.post(url(submission), {"kind": kind, f"{kind}-file": file})


def test_the_filler_sees_both_documents_with_print_links_and_upload_forms(client, filler, filled):
    client.force_login(filler)
    response = client.get(url(filled))
    assert response.status_code == 200
    html = response.content.decode()
    assert short_fingerprint(summary_fingerprint(filled)) in html
    assert reverse("exchange:summary_pdf", args=[filled.pk]) in html
    assert reverse("exchange:report_pdf", args=[filled.pk]) in html
    assert html.count('enctype="multipart/form-data"') == 2
    assert html.count("未上传") == 2


def test_the_filler_uploads_a_pdf_and_sees_it_current(client, filler, filled):
    client.force_login(filler)
    response = post(
        client, filled, "summary", upload("汇总表盖章.pdf", scanned(printed_pdf(filled, "summary")))
    )
    assert response.status_code == 302
    scan = SealedScan.objects.get()
    assert scan.kind == "summary" and scan.uploaded_by == filler
    html = client.get(url(filled)).content.decode()
    assert "已上传，与当前材料一致" in html
    assert reverse("exchange:scan_file", args=[filled.pk, scan.pk]) in html
    # A PDF is offered as a download, never rendered inside the site's pages.
    assert "下载查看扫描件（PDF）" in html and "<iframe" not in html


def test_an_image_scan_is_shown_as_an_image(client, filler, filled, short_report):
    client.force_login(filler)
    photo = scanned(printed_pdf(filled, "report"), as_image=True)
    assert post(client, filled, "report", upload("报告.jpg", photo, "image/jpeg")).status_code == 302
    html = client.get(url(filled)).content.decode()
    assert '<img src="' + reverse("exchange:scan_file", args=[filled.pk, SealedScan.objects.get().pk]) in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("汇总表.pdf", b"PK\x03\x04" + b"\x00" * 100, "只能上传 PDF、JPG 或 PNG"),
        ("汇总表.pdf", b"<!DOCTYPE html><html><body>hi</body></html>", "只能上传 PDF、JPG 或 PNG"),
        ("汇总表.pdf", image_bytes("PNG"), "内容实际是 PNG 图片"),
        ("汇总表.pdf", b"", "文件为空"),
    ],
)
def test_bad_files_are_refused_at_the_field(client, filler, filled, name, content, message):
    client.force_login(filler)
    response = post(client, filled, "summary", upload(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SealedScan.objects.exists() and not Job.objects.exists()


def test_an_oversize_file_is_refused(client, filler, filled):
    client.force_login(filler)
    response = post(client, filled, "summary", upload("大.pdf", pdf_bytes() + b"%" * (10 * 1024 * 1024)))
    assert "超过 10MB" in response.content.decode()
    assert not SealedScan.objects.exists()


def test_the_page_shows_outdated_after_a_value_changes_and_keeps_history(client, filler, filled):
    client.force_login(filler)
    post(client, filled, "summary", upload("第一次.pdf", printed_pdf(filled, "summary")))
    save(filled, filler, "summary", "1.3", 2021, "500")
    html = client.get(url(filled)).content.decode()
    assert OUTDATED in html
    post(client, filled, "summary", upload("第二次.pdf", scanned(printed_pdf(filled, "summary"))))
    html = client.get(url(filled)).content.decode()
    assert OUTDATED not in html
    assert "第一次.pdf" in html and "第二次.pdf" in html and "已被替换" in html


def test_the_page_uses_a_fixed_number_of_queries(
    client, filler, filled, report, django_assert_max_num_queries
):
    printed = printed_pdf(filled, "summary")
    for n in range(5):
        upload_checked(filled, filler, "summary", upload(f"{n}.pdf", printed))
    client.force_login(filler)
    with django_assert_max_num_queries(10):
        assert client.get(url(filled)).status_code == 200


@pytest.mark.parametrize("who", ["reviewer", "ministry", "expert"])
def test_reviewers_view_but_cannot_upload(client, request, filler, filled, who):
    upload_checked(filled, filler, "summary", printed_upload(filled, "summary"))
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(filled))
    assert response.status_code == 200
    html = response.content.decode()
    assert "下载查看扫描件（PDF）" in html and 'enctype="multipart/form-data"' not in html
    assert post(client, filled, "summary", upload("b.pdf", pdf_bytes())).status_code == 403
    assert SealedScan.objects.count() == 1


def test_the_filler_cannot_upload_once_submitted(client, filler, filled):
    Submission.objects.filter(pk=filled.pk).update(status=Submission.Status.SUBMITTED)
    client.force_login(filler)
    assert 'enctype="multipart/form-data"' not in client.get(url(filled)).content.decode()
    assert post(client, filled, "summary", upload("a.pdf", pdf_bytes())).status_code == 403


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin", "secadmin", "auditor"])
def test_it_is_not_found_outside_scope(client, request, filled, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(filled)).status_code == 404
    assert post(client, filled, "summary", upload("a.pdf", pdf_bytes())).status_code == 404
    assert not SealedScan.objects.exists()


def test_the_filler_of_another_base_cannot_reach_ours_by_changing_the_id(
    client, other_filler, filled, other_submission
):
    client.force_login(other_filler)
    assert client.get(url(other_submission)).status_code == 200
    assert client.get(url(filled)).status_code == 404


def test_an_unknown_kind_is_refused(client, filler, filled):
    client.force_login(filler)
    response = client.post(
        url(filled), {"kind": "other", "other-file": upload("a.pdf", pdf_bytes())}, follow=True
    )
    assert "未知的文件类别" in response.content.decode()
    assert not SealedScan.objects.exists()


def test_a_scan_of_an_older_print_is_refused_by_the_check_with_the_reason_and_the_file_kept(
    client, filler, filled
):
    old = scanned(printed_pdf(filled, "summary"))
    save(filled, filler, "summary", "1.3", 2021, "500")
    client.force_login(filler)
    response = post(client, filled, "summary", upload("旧版.pdf", old))
    assert response.status_code == 302
    scan = SealedScan.objects.get()
    assert scan.is_refused and "旧版本" in scan.check_message
    html = client.get(url(filled)).content.decode()
    assert "扫描件未通过核验" in html and "旧版本" in html
    # The refused upload is still shown, with its file, beside the form to upload again.
    assert "旧版.pdf" in html and reverse("exchange:scan_file", args=[filled.pk, scan.pk]) in html
    assert 'enctype="multipart/form-data"' in html
    assert client.get(reverse("exchange:scan_file", args=[filled.pk, scan.pk])).content == old
