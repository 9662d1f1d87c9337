"""exchange:scan_file: a scan is served through the access helper, never from a public URL; a PDF as a
download, an image inline under a sandbox, and only while its stored digest still matches."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import Event
from exchange.tests.conftest import pdf_bytes, upload
from exchange.tests.printed import printed_pdf, printed_upload, scanned, upload_checked


@pytest.fixture
def pdf_scan(filled, filler):
    return upload_checked(filled, filler, "summary", printed_upload(filled, "summary"))


def file_url(scan) -> str:
    return reverse("exchange:scan_file", args=[scan.submission_id, scan.pk])


@pytest.mark.parametrize("who", ["filler", "reviewer", "ministry", "expert"])
def test_people_in_scope_download_a_pdf_as_an_attachment_under_a_sandbox(client, request, pdf_scan, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(file_url(pdf_scan))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response.content == pdf_scan.file.open("rb").read()
    event = Event.objects.get(action="exchange.scan_download")
    assert event.outcome == "success" and event.actor == request.getfixturevalue(who)


def test_a_file_altered_on_disk_is_refused_and_audited(client, filler, pdf_scan, media_root):
    (media_root / pdf_scan.file.name).write_bytes(pdf_bytes("altered"))
    client.force_login(filler)
    response = client.get(file_url(pdf_scan))
    assert response.status_code == 500
    assert "校验值（SHA-256）不一致" in response.content.decode()
    assert Event.objects.get(action="exchange.scan_download").outcome == "refused"


def test_an_image_is_served_with_its_detected_type_and_a_sandbox(client, filler, filled, short_report):
    photo = scanned(printed_pdf(filled, "report"), as_image=True, image_format="PNG")
    scan = upload_checked(filled, filler, "report", upload("a.png", photo, "image/png"))
    client.force_login(filler)
    response = client.get(file_url(scan))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin", "auditor"])
def test_it_is_not_found_outside_scope(client, request, pdf_scan, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(file_url(pdf_scan)).status_code == 404


def test_a_scan_cannot_be_reached_through_another_submission(
    client, other_filler, pdf_scan, other_submission
):
    client.force_login(other_filler)
    tampered = reverse("exchange:scan_file", args=[other_submission.pk, pdf_scan.pk])
    assert client.get(tampered).status_code == 404


def test_the_media_folder_is_not_served(client, filler, pdf_scan, settings):
    client.force_login(filler)
    assert client.get("/" + settings.MEDIA_URL + pdf_scan.file.name).status_code == 404
