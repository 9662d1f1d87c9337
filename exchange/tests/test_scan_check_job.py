"""A sealed scan is checked on the task queue, never in the web request: the upload is stored as being
checked (正在核验, which counts as not yet verified), a job reads its QR codes and records the verdict,
and the scans page shows the progress and then the outcome. Only an accepted scan clears the
material's "missing scan" blocker; a refused one never does, and never takes away the scan accepted
before it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from accounts.models import Role
from audit.models import Event
from conftest import make_user
from exchange import services as exchange_services
from exchange.models import SealedScan
from exchange.scan_jobs import scan_check_work
from exchange.services import CHECK_FAILED_TEXT, scan_problems, scan_upload
from exchange.tasks import scan_check_task
from exchange.tests.conftest import save, upload
from exchange.tests.printed import printed_pdf, scanned, upload_checked
from jobs.models import Job
from jobs.services import job_execute
from review.services import submission_blockers
from review.status import material_status, material_statuses
from submissions.models import Submission

CHECKING = "汇总表盖章扫描件正在核验"


def page(submission) -> str:
    return reverse("exchange:scans", args=[submission.pk])


def state_url(scan) -> str:
    return reverse("exchange:scan_check_state", args=[scan.submission_id, scan.pk])


def post(client, submission, kind, file, *, run_check: bool):
    with TestCase.captureOnCommitCallbacks(execute=run_check):
        response = client.post(page(submission), {"kind": kind, f"{kind}-file": file})
    assert response.status_code == 302, response.content.decode()[:400]
    return SealedScan.objects.filter(submission=submission, kind=kind).order_by("-pk").first()


@pytest.fixture
def scans_of_both(filled, filler, report):
    """Both documents with accepted scans, so the summary's blocker is the only one in question."""
    return {
        kind: upload_checked(filled, filler, kind, upload(f"{kind}.pdf", printed_pdf(filled, kind)))
        for kind in ("summary", "report")
    }


def test_the_upload_is_checked_by_a_job_once_the_request_committed(client, filler, filled):
    client.force_login(filler)
    scan = post(client, filled, "summary", upload("盖章.pdf", scanned(printed_pdf(filled, "summary"))),
                run_check=True)  # fmt: skip
    assert scan.check_status == SealedScan.Check.ACCEPTED and scan.is_verified
    job = scan.check_job
    assert job.kind == "exchange.scan_check" and job.status == Job.Status.DONE and job.created_by == filler
    assert job.done == job.total == scan.verified_pages and job.percent == 100
    assert "已通过核验" in job.summary and job.outcome["check_status"] == "accepted"
    assert not any(p.startswith("缺少汇总表") for p in scan_problems(filled))
    html = client.get(page(filled)).content.decode()
    assert "已上传，与当前材料一致" in html and "<progress" not in html
    assert Event.objects.get(action="exchange.scan_check").outcome == "success"
    # The job page links back to the scans page.
    assert page(filled) in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


def test_while_the_check_runs_the_page_says_so_and_the_scan_does_not_count(client, filler, filled):
    client.force_login(filler)
    scan = post(
        client, filled, "summary", upload("盖章.pdf", printed_pdf(filled, "summary")), run_check=False
    )
    assert scan.is_checking and not scan.is_verified and scan.verified_pages is None
    assert scan.check_job.status == Job.Status.QUEUED
    html = client.get(page(filled)).content.decode()
    assert '<span class="badge warn">正在核验</span>' in html
    assert "<progress" in html and state_url(scan) in html and "scan_check.js" in html
    assert "盖章.pdf" in html
    # The material's status: not verified yet, on every reader.
    assert scan_problems(filled)[0].startswith(CHECKING)
    assert any(b.startswith(CHECKING) for b in submission_blockers(filled))
    assert not material_status(filled).scans_ok
    assert material_statuses([filled])[filled.pk].scan_problems[0].startswith(CHECKING)
    state = client.get(state_url(scan)).json()
    assert state["finished"] is False and state["queued"] is True and state["check_status"] == "checking"
    # The consumer picks the job up: the verdict is recorded and the page shows it.
    job_execute(scan.check_job_id, scan_check_work)
    state = client.get(state_url(scan)).json()
    assert state["finished"] is True and state["check_status"] == "accepted" and state["percent"] == 100
    assert "已上传，与当前材料一致" in client.get(page(filled)).content.decode()


def test_a_new_upload_being_checked_blocks_even_beside_an_accepted_scan(filled, filler, scans_of_both):
    assert scan_problems(filled) == []
    pending = post_direct(filled, filler, printed_pdf(filled, "summary"))
    assert scan_problems(filled) == [f"{CHECKING}（读取各页二维码），请稍候刷新页面查看结果"]
    job_execute(pending.check_job_id, scan_check_work)
    pending.refresh_from_db()
    assert pending.is_verified and scan_problems(filled) == []
    scans_of_both["summary"].refresh_from_db()
    assert scans_of_both["summary"].superseded_at is not None


def post_direct(submission, user, content) -> SealedScan:
    """An upload through the service the page calls, its job left queued."""
    return scan_upload(
        submission=submission,
        user=user,
        kind="summary",
        upload=upload("新.pdf", content),
        task=scan_check_task,
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        ("older", "旧版本"),
        ("other_base", "其他示范基地"),
        ("page_short", "缺少当前版本的第2页"),
    ],
)
def test_a_refused_scan_never_clears_the_blocker_and_keeps_the_earlier_one(
    client, filled, filler, report, other_submission, make, reason
):
    printed = printed_pdf(filled, "summary")
    content = {
        "older": scanned(printed),
        "other_base": scanned(printed_pdf(other_submission, "summary")),
        "page_short": scanned(printed, skip={2}),
    }[make]
    if make == "older":
        save(filled, filler, "summary", "1.2", 2021, "88")
    client.force_login(filler)
    scan = post(client, filled, "summary", upload("盖章扫描.pdf", content), run_check=True)
    assert scan.is_refused and reason in scan.check_message and scan.verified_pages is None
    assert scan.check_job.status == Job.Status.DONE and "未通过核验" in scan.check_job.summary
    problem = scan_problems(filled)[0]
    assert problem.startswith("缺少汇总表盖章扫描件（最近一次上传未通过核验：") and reason in problem
    assert any(reason in b for b in submission_blockers(filled))
    html = client.get(page(filled)).content.decode()
    assert "扫描件未通过核验" in html and reason in html and "盖章扫描.pdf" in html
    event = Event.objects.get(action="exchange.scan_check")
    assert event.outcome == "refused" and reason in event.data["reason"]


def test_a_refused_upload_does_not_take_away_the_accepted_scan(client, filled, filler, scans_of_both):
    client.force_login(filler)
    scan = post(
        client, filled, "summary", upload("错.pdf", scanned(printed_pdf(filled, "report"))), run_check=True
    )
    assert scan.is_refused
    assert scan_problems(filled) == []
    live = SealedScan.objects.live().get(submission=filled, kind="summary")
    assert live == scans_of_both["summary"]
    html = client.get(page(filled)).content.decode()
    assert "扫描件未通过核验" in html and "之前通过核验的扫描件仍然有效" in html


def test_a_value_saved_after_the_upload_refuses_it_as_an_older_version(filled, filler):
    pending = post_direct(filled, filler, printed_pdf(filled, "summary"))
    save(filled, filler, "summary", "1.2", 2021, "77")
    job_execute(pending.check_job_id, scan_check_work)
    pending.refresh_from_db()
    assert pending.is_refused and "旧版本" in pending.check_message


def test_a_material_submitted_meanwhile_refuses_the_scan(filled, filler):
    pending = post_direct(filled, filler, printed_pdf(filled, "summary"))
    Submission.objects.filter(pk=filled.pk).update(status=Submission.Status.SUBMITTED)
    job_execute(pending.check_job_id, scan_check_work)
    pending.refresh_from_db()
    assert pending.is_refused and "已提交" in pending.check_message


def test_a_newer_upload_replaces_one_still_waiting_whose_job_then_does_nothing(filled, filler):
    first = post_direct(filled, filler, printed_pdf(filled, "summary"))
    second = post_direct(filled, filler, printed_pdf(filled, "summary"))
    first.refresh_from_db()
    assert first.superseded_at is not None
    job_execute(first.check_job_id, scan_check_work)
    first.refresh_from_db()
    assert first.is_checking and "已被之后上传的扫描件替换" in first.check_job.summary
    assert scan_problems(filled)[0].startswith(CHECKING)
    job_execute(second.check_job_id, scan_check_work)
    assert SealedScan.objects.live().get(kind="summary") == second
    assert not Event.objects.filter(action="exchange.scan_check", target_id=str(first.pk)).exists()


def test_a_check_that_crashes_refuses_the_upload_instead_of_leaving_it_waiting(filled, filler, monkeypatch):
    pending = post_direct(filled, filler, printed_pdf(filled, "summary"))

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(exchange_services, "seal_check", broken)
    job_execute(pending.check_job_id, scan_check_work)
    pending.refresh_from_db()
    assert pending.is_refused and pending.check_message == CHECK_FAILED_TEXT
    assert pending.check_job.status == Job.Status.FAILED
    assert scan_problems(filled)[0].startswith("缺少汇总表盖章扫描件（最近一次上传未通过核验：核验时系统出错")


def test_a_stored_file_changed_before_the_check_is_refused(filled, filler):
    pending = post_direct(filled, filler, printed_pdf(filled, "summary"))
    with pending.file.open("wb") as handle:
        handle.write(printed_pdf(filled, "summary") + b"%")
    job_execute(pending.check_job_id, scan_check_work)
    pending.refresh_from_db()
    assert pending.is_refused and "SHA-256" in pending.check_message


@pytest.mark.parametrize("who", ["filler", "reviewer", "ministry"])
def test_people_who_see_the_material_see_the_check(client, request, filled, filler, who):
    pending = post_direct(filled, filler, printed_pdf(filled, "summary"))
    client.force_login(request.getfixturevalue(who))
    assert client.get(state_url(pending)).json()["check_status"] == "checking"
    assert "正在核验" in client.get(page(filled)).content.decode()


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sibling_filler", "sysadmin", "auditor"])
def test_others_reach_neither_the_check_nor_its_job(client, request, filled, filler, sibling_base, who):
    if who == "sibling_filler":
        user = make_user("sibling_filler", Role.BASE_FILLER, base=sibling_base)
    else:
        user = request.getfixturevalue(who)
    pending = post_direct(filled, filler, printed_pdf(filled, "summary"))
    client.force_login(user)
    assert client.get(state_url(pending)).status_code == 404
    assert client.get(reverse("jobs:detail", args=[pending.check_job_id])).status_code == 404
    assert client.get(reverse("jobs:state", args=[pending.check_job_id])).status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(page(filled), {"kind": "summary", "summary-file": upload("a.pdf", b"%PDF")})
    assert response.status_code == 404
    assert SealedScan.objects.count() == 1


def test_the_service_refuses_a_reviewer_even_without_the_page(filled, reviewer):
    with pytest.raises(PermissionDenied):
        post_direct(filled, reviewer, printed_pdf(filled, "summary"))
    assert not SealedScan.objects.exists() and not Job.objects.exists()
