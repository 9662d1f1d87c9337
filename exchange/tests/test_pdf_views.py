"""exchange:summary_pdf and exchange:report_pdf: who may print, and what comes back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import Event
from exchange.services import report_fingerprint, summary_fingerprint
from exchange.tests.conftest import pdf_streams_text
from exchange.tests.printed import print_through_queue
from lib.fingerprints import short_fingerprint

VIEWS = ["exchange:summary_pdf", "exchange:report_pdf"]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", ["filler", "reviewer", "ministry", "expert"])
def test_people_in_scope_download_the_pdf(
    client, request, filled, report, view, who, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(who))
    response = print_through_queue(
        client, reverse(view, args=[filled.pk]), django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")


def test_the_summary_pdf_shows_the_current_fingerprint_and_the_print_is_recorded(
    client, filler, filled, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    url = reverse("exchange:summary_pdf", args=[filled.pk])
    response = print_through_queue(client, url, django_capture_on_commit_callbacks)
    fingerprint = short_fingerprint(summary_fingerprint(filled))
    assert f"({fingerprint})" in pdf_streams_text(response.content)
    assert fingerprint in response["Content-Disposition"]
    event = Event.objects.get(action="exchange.print")
    assert event.data == {"kind": "summary", "fingerprint": summary_fingerprint(filled)}


def test_the_report_pdf_shows_the_report_fingerprint(
    client, filler, filled, report, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    url = reverse("exchange:report_pdf", args=[filled.pk])
    response = print_through_queue(client, url, django_capture_on_commit_callbacks)
    assert f"({short_fingerprint(report_fingerprint(filled))})" in pdf_streams_text(response.content)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin", "secadmin", "auditor"])
def test_it_is_not_found_outside_scope(client, request, filled, view, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(view, args=[filled.pk])).status_code == 404
    assert not Event.objects.filter(action="exchange.print").exists()


@pytest.mark.parametrize("view", VIEWS)
def test_an_expert_not_assigned_gets_404(client, expert, other_submission, view):
    client.force_login(expert)
    assert client.get(reverse(view, args=[other_submission.pk])).status_code == 404


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_login(client, filled, view):
    response = client.get(reverse(view, args=[filled.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_submission_is_404(client, ministry, db):
    client.force_login(ministry)
    assert client.get(reverse("exchange:summary_pdf", args=[999999])).status_code == 404
