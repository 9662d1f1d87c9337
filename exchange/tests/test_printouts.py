"""Printing on the task queue (exchange.printouts, exchange:summary_pdf / report_pdf / printout_state):
one render per version, shared by whoever prints it, never a version other than the one asked for."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from audit.models import Event
from exchange.models import Printout
from exchange.printouts import STALE_TEXT, printout_request
from exchange.services import summary_fingerprint
from exchange.tasks import printout_render_task
from exchange.tests.conftest import pdf_streams_text, save
from exchange.tests.printed import print_through_queue
from jobs.models import Job
from lib.fingerprints import short_fingerprint


def summary_url(submission) -> str:
    return reverse("exchange:summary_pdf", args=[submission.pk])


def state_url(printout) -> str:
    return reverse("exchange:printout_state", args=[printout.submission_id, printout.pk])


def test_the_first_print_queues_a_render_and_shows_its_progress(client, filler, filled):
    client.force_login(filler)
    response = client.get(summary_url(filled))  # the queue has not run: nothing committed yet
    assert response.status_code == 202
    html = response.content.decode()
    printout = Printout.objects.get()
    assert printout.status == Printout.Status.RENDERING and not printout.masked
    assert printout.fingerprint == summary_fingerprint(filled)
    assert "正在生成打印件" in html and "<progress" in html
    assert state_url(printout) in html
    assert short_fingerprint(printout.fingerprint) in html
    assert "no-store" in response["Cache-Control"]
    # Nothing left the system yet: the print is recorded when the PDF is served.
    assert not Event.objects.filter(action="exchange.print").exists()


def test_asking_again_while_it_renders_shares_the_render(client, filler, filled):
    client.force_login(filler)
    client.get(summary_url(filled))
    client.get(summary_url(filled))
    assert Printout.objects.count() == 1
    assert Job.objects.filter(kind="print").count() == 1


def test_once_rendered_the_version_is_served_to_everyone_who_prints_it_without_a_new_render(
    client, filler, reviewer, ministry, filled, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    first = print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    assert first.status_code == 200 and first.content.startswith(b"%PDF-")
    for who in (reviewer, ministry):
        client.force_login(who)
        again = client.get(summary_url(filled))
        assert again.status_code == 200
        assert again.content == first.content
    assert Job.objects.filter(kind="print").count() == 1
    assert Event.objects.filter(action="exchange.print").count() == 3


def test_an_expert_gets_a_copy_of_its_own_with_contacts_masked(
    client, filler, expert, filled, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    mine = print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    client.force_login(expert)
    theirs = print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    assert theirs.content != mine.content
    assert set(Printout.objects.values_list("masked", flat=True)) == {False, True}
    # Both copies name the same version: the mask changes what is shown, not what is sealed.
    assert len(set(Printout.objects.values_list("fingerprint", flat=True))) == 1


def test_a_change_to_the_material_prints_the_new_version_and_drops_the_old_one(
    client, filler, filled, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    old = Printout.objects.get()
    save(filled, filler, "summary", "1.1", filled.campaign.data_year, "777.7")
    response = print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    current = summary_fingerprint(filled)
    assert f"({short_fingerprint(current)})" in pdf_streams_text(response.content)
    assert list(Printout.objects.values_list("fingerprint", flat=True)) == [current]
    assert not default_storage.exists(old.file.name)


def test_a_render_of_a_version_changed_meanwhile_is_refused_and_the_page_asks_again(
    client, filler, filled, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    client.get(summary_url(filled))  # queued, not yet run
    printout = Printout.objects.get()
    save(filled, filler, "summary", "1.1", filled.campaign.data_year, "888.8")
    printout_render_task.call_local(printout.job_id)
    printout.refresh_from_db()
    assert printout.status == Printout.Status.FAILED and printout.message == STALE_TEXT
    assert not printout.file
    state = client.get(state_url(printout)).json()
    assert state["stale"] is True and state["failed"] is True
    assert Job.objects.get(pk=printout.job_id).status == Job.Status.FAILED
    # The page asks again: the current version is rendered and served.
    response = print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    assert f"({short_fingerprint(summary_fingerprint(filled))})" in pdf_streams_text(response.content)


def test_the_state_follows_the_render(client, filler, filled):
    client.force_login(filler)
    client.get(summary_url(filled))
    printout = Printout.objects.get()
    state = client.get(state_url(printout)).json()
    assert state["ready"] is False and state["queued"] is True and state["percent"] == 0
    assert state["step"] == "排队等待生成…"
    printout_render_task.call_local(printout.job_id)
    state = client.get(state_url(printout)).json()
    assert state == {**state, "ready": True, "failed": False, "percent": 100, "status_display": "已生成"}


def test_a_render_that_breaks_is_a_failure_the_reader_can_retry(
    client, filler, filled, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    client.get(summary_url(filled))
    printout = Printout.objects.get()

    def broken(**kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr("exchange.pdf.summary_pdf", broken)
    printout_render_task.call_local(printout.job_id)
    printout.refresh_from_db()
    assert printout.status == Printout.Status.FAILED and "生成打印件时出错" in printout.message
    assert "生成打印件时出错" in client.get(state_url(printout)).json()["message"]
    monkeypatch.undo()
    # Asked again, the failed render is queued again (print_through_queue sees the waiting page first).
    response = print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert Job.objects.filter(kind="print").count() == 2


def test_a_render_whose_task_was_lost_is_queued_again(client, filler, filled):
    client.force_login(filler)
    client.get(summary_url(filled))
    printout = Printout.objects.get()
    Job.objects.filter(pk=printout.job_id).update(status=Job.Status.FAILED)  # the consumer died
    client.get(summary_url(filled))
    printout.refresh_from_db()
    assert printout.job_id != Job.objects.filter(kind="print").order_by("pk").first().pk
    assert Job.objects.filter(kind="print").count() == 2


def test_a_stored_printout_whose_file_is_gone_is_rendered_again(
    client, filler, filled, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    print_through_queue(client, summary_url(filled), django_capture_on_commit_callbacks)
    default_storage.delete(Printout.objects.get().file.name)
    response = client.get(summary_url(filled))
    assert response.status_code == 302 and response["Location"] == summary_url(filled)
    assert not Printout.objects.exists()


def test_the_report_is_printed_the_same_way(
    client, filler, filled, report, django_capture_on_commit_callbacks
):
    client.force_login(filler)
    url = reverse("exchange:report_pdf", args=[filled.pk])
    response = print_through_queue(client, url, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert Printout.objects.get().kind == "report"


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin", "auditor"])
def test_the_state_is_not_found_outside_scope(client, request, filler, filled, who):
    client.force_login(filler)
    client.get(summary_url(filled))
    printout = Printout.objects.get()
    client.force_login(request.getfixturevalue(who))
    assert client.get(state_url(printout)).status_code == 404


def test_the_state_of_a_printout_of_another_material_is_not_found_under_this_one(
    client, filler, other_filler, filled, other_submission
):
    client.force_login(other_filler)
    client.get(summary_url(other_submission))
    theirs = Printout.objects.get()
    client.force_login(filler)
    url = reverse("exchange:printout_state", args=[filled.pk, theirs.pk])
    assert client.get(url).status_code == 404


def test_an_unknown_kind_is_refused_by_the_service(filler, filled):
    with pytest.raises(ValueError):
        printout_request(
            submission=filled, user=filler, kind="other", masked=False, task=printout_render_task
        )
