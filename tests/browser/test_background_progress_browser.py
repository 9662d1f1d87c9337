"""Pages that follow background work (static/js/poll.js): a job's page and a sealed scan being checked
show the progress while the work waits on the queue, and the outcome once it has run, without a click."""

from __future__ import annotations

import pytest

from exchange.tests.conftest import fill_summary
from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_job_page_follows_the_job_and_shows_its_outcome(browser, live_server, filler, screenshots):
    from jobs.models import Job
    from jobs.services import JobOutput, job_execute

    job = Job.objects.create(kind="test", title="测试任务", created_by=filler)
    page, _asked = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    assert page.inner_text("#job-status") == "排队中"

    def work(job, progress):
        progress.start(2, "第一步")
        progress.advance("第二步")
        return JobOutput(summary="两项都已处理。")

    job_execute(job.pk, work)
    page.wait_for_selector("#job-summary:not([hidden])")  # reloaded by the page itself
    assert page.inner_text("#job-status") == "已完成"
    assert "两项都已处理。" in page.inner_text("#job-summary")
    page.screenshot(path=str(screenshots / "job-done.png"))


def test_the_scans_page_follows_a_check_and_shows_the_verdict(
    browser, live_server, submission, filler, screenshots, tmp_path, settings, monkeypatch
):
    from exchange import views
    from exchange.models import SealedScan
    from exchange.tasks import scan_check_task
    from exchange.tests.printed import printed_pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    fill_summary(submission, filler)
    path = tmp_path / "汇总表扫描件.pdf"
    path.write_bytes(printed_pdf(submission, "summary"))
    queued: list[int] = []
    # The consumer is played by the test: the check runs when the test says, not at once.
    monkeypatch.setattr(views, "scan_check_task", queued.append)
    page, _asked = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}/exchange/submission/{submission.pk}/scans/")
    page.set_input_files("#scan-summary input[type=file]", str(path))
    page.click("#scan-summary button[type=submit]")
    page.wait_for_selector("#check-summary.scan-check-checking")
    assert "排队等待核验" in page.inner_text("#check-summary")
    page.screenshot(path=str(screenshots / "scan-checking.png"))
    assert len(queued) == 1
    scan_check_task.call_local(queued[0])
    page.wait_for_selector("#scan-summary .badge.ok")  # reloaded by the page itself
    assert "已上传，与当前材料一致" in page.inner_text("#scan-summary .scan-head")
    assert SealedScan.objects.get().check_status == SealedScan.Check.ACCEPTED
