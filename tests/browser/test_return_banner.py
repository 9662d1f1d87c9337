"""After a return the filler lands on the overview with the reviewer's words: a banner with each field
comment linking to its field, the sections with comments marked, the comments in the inbox message;
the message is read once the material is resubmitted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import Notification
from review.services import FieldNote, review_return, submission_submit
from review.tests.conftest import make_ready, rescan
from submissions.models import Submission
from submissions.services import submission_start
from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def returned(tmp_path, settings, tiny_campaign, base, filler, reviewer) -> Submission:
    settings.MEDIA_ROOT = tmp_path / "media"
    s = make_ready(submission_start(campaign=tiny_campaign, base=base, user=filler), filler)
    submission_submit(submission=s, user=filler)
    review_return(
        submission=s,
        user=reviewer,
        comment="销售收入与统计数据不一致，请核实。",
        field_notes=[FieldNote(form="summary", code="1.1", year=2021, text="2021年销售收入偏低，请核实")],
    )
    return s


def test_the_filler_sees_the_return_on_the_overview_and_follows_it(
    browser, live_server, returned, filler, screenshots
):
    page, asked = login(browser, live_server, "filler")
    asked.answer = True
    # The inbox message carries the comments and leads to the overview.
    page.goto(f"{live_server.url}{reverse('review:inbox')}")
    assert "2021年销售收入偏低，请核实" in page.inner_text("main")
    message = Notification.objects.get(subject="材料已被退回")
    assert message.link == reverse("submissions:detail", args=[returned.pk])

    page.goto(f"{live_server.url}{message.link}")
    banner = page.locator("#return-banner")
    assert "材料已被湖南省工业和信息化主管部门退回" in banner.inner_text()
    assert "销售收入与统计数据不一致，请核实。" in banner.inner_text()
    assert "1 条退回意见" in page.inner_text("tr[data-section='一']")
    assert page.locator("tr[data-section='十三'] .comment-mark").count() == 0
    page.screenshot(path=str(screenshots / "return-01-overview-banner.png"), full_page=True)

    banner.locator("a:has-text('销售收入')").click()
    page.wait_for_url("**/summary/**")
    assert page.url.endswith("#c-summary-1_1-2021")
    assert "意见1" in page.inner_text(".entry-nav li.current")
    assert "2021年销售收入偏低，请核实" in page.inner_text("main")
    page.screenshot(path=str(screenshots / "return-02-at-the-field.png"))

    page.locator('.cell[data-code="1.1"][data-year="2021"]').fill("115")
    page.locator('.cell[data-code="1.1"][data-year="2021"]').press("Tab")
    page.wait_for_function("() => /已保存/.test(document.getElementById('save-status').textContent)")
    rescan(Submission.objects.get(pk=returned.pk), filler)
    page.goto(f"{live_server.url}{reverse('review:submit', args=[returned.pk])}")
    page.click("#submit-button")
    page.wait_for_selector("text=材料已提交")
    message.refresh_from_db()
    assert message.read_at is not None  # the return asked for a resubmission, which is done
    page.goto(f"{live_server.url}{reverse('submissions:detail', args=[returned.pk])}")
    assert page.locator("#return-banner").count() == 0
