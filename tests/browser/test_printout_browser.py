"""The filler prints the 汇总表: the page waits for the render on the task queue, shows its progress and
downloads the PDF by itself once it is ready."""

from __future__ import annotations

import pytest

from exchange.tests.conftest import fill_summary
from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_print_page_waits_for_the_render_and_then_downloads_the_pdf(
    browser, live_server, submission, filler, screenshots, tmp_path, settings, monkeypatch
):
    from exchange import views
    from exchange.models import Printout
    from exchange.tasks import printout_render_task

    settings.MEDIA_ROOT = tmp_path / "media"
    fill_summary(submission, filler)
    queued: list[int] = []
    # The queue's consumer is played by the test: the render runs when the test says, not at once.
    monkeypatch.setattr(views, "printout_render_task", queued.append)
    page, _asked = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}/exchange/submission/{submission.pk}/scans/")
    with page.expect_download(timeout=30000) as download:
        page.click("text=下载打印（PDF）")
        page.wait_for_selector("#printout-progress")
        assert "正在生成打印件" in page.inner_text("#printout")
        page.screenshot(path=str(screenshots / "printout-wait.png"))
        assert len(queued) == 1 and Printout.objects.get().status == Printout.Status.RENDERING
        printout_render_task.call_local(queued[0])
    assert download.value.suggested_filename.startswith("汇总表_")
    assert download.value.suggested_filename.endswith(".pdf")
    page.wait_for_selector("#printout-ready:not([hidden])")
    assert Printout.objects.get().status == Printout.Status.READY
