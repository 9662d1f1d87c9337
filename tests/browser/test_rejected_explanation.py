"""A reviewer's 不认可 reaches the filler: the reason at the field and on the submit page, and the
material cannot be resubmitted until the explanation is revised."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.services import explanation_decide, review_return, submission_submit
from review.tests.conftest import WARNING_KEY, WARNING_VALUES, make_ready
from submissions.models import Submission
from submissions.services import explanation_save, submission_start
from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def rejected(tmp_path, settings, tiny_campaign, base, filler, reviewer) -> Submission:
    settings.MEDIA_ROOT = tmp_path / "media"
    s = make_ready(submission_start(campaign=tiny_campaign, base=base, user=filler), filler, WARNING_VALUES)
    explanation = explanation_save(
        submission=s, user=filler, form="summary", finding_key=WARNING_KEY, text="新项目投产带动增长。"
    )
    submission_submit(submission=s, user=filler)
    explanation_decide(
        explanation=explanation, user=reviewer, accept=False, comment="请说明是哪个项目、新增多少收入"
    )
    review_return(submission=s, user=reviewer, comment="请补充预警说明")
    return s


def test_the_filler_sees_the_reason_and_cannot_resubmit_until_revised(
    browser, live_server, rejected, screenshots
):
    page, asked = login(browser, live_server, "filler")
    asked.answer = True
    page.goto(f"{live_server.url}{reverse('review:submit', args=[rejected.pk])}")
    box = page.inner_text("#submit-box")
    assert "预警说明未被审核认可（请说明是哪个项目、新增多少收入）" in box
    assert "预警均已说明" not in box
    page.screenshot(path=str(screenshots / "rejected-01-submit-page.png"), full_page=True)

    page.click("#submit-box a:has-text('去修改说明')")
    page.wait_for_selector(".expl-rejected")
    rejected_box = page.inner_text(".expl-rejected")
    assert "审核不认可：请说明是哪个项目、新增多少收入" in rejected_box
    assert "修改前材料不能提交" in rejected_box
    form = page.locator(".finding.warning .explain-form")
    assert form.is_visible()  # open at once, with the old text to revise
    page.screenshot(path=str(screenshots / "rejected-02-at-the-field.png"))

    form.locator("textarea").fill("新能源汽车零部件项目投产，新增销售收入约95亿元。")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".expl-done")
    assert page.locator(".expl-rejected").count() == 0

    page.goto(f"{live_server.url}{reverse('review:submit', args=[rejected.pk])}")
    assert "未被审核认可" not in page.inner_text("#submit-box")
    page.click("#submit-button")
    page.wait_for_selector("text=材料已提交")
    assert Submission.objects.get(pk=rejected.pk).status == Submission.Status.SUBMITTED
