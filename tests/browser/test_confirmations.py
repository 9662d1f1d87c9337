"""What cannot be undone asks first and says what will happen: 催报 (scope chosen, people counted),
the provincial 保存并报送, the ministry's 受理 and 退回; a page that cannot act says so."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from conftest import PASSWORD
from reports.models import ProvincialSummary
from review.models import Reminder
from review.services import review_approve, submission_submit
from review.tests.conftest import make_ready
from submissions.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Asked:
    """Answers every window.confirm with `answer` and keeps the questions."""

    def __init__(self, page) -> None:
        self.questions: list[str] = []
        self.answer = False
        page.on("dialog", self._on)

    def _on(self, dialog) -> None:
        self.questions.append(dialog.message)
        dialog.accept() if self.answer else dialog.dismiss()


def login(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    asked = Asked(page)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))  # away from the login page
    return page, asked


def test_remind_asks_for_a_scope_and_names_how_many_people(
    browser, live_server, tiny_campaign, filler, other_filler, ministry, screenshots
):
    page, asked = login(browser, live_server, "ministry")
    page.goto(f"{live_server.url}{reverse('review:ministry_progress')}#remind")
    assert page.title().startswith("全国报送进度")  # the navigation's label
    assert page.locator("header nav a:text-is('全国报送进度')").count() == 1
    assert page.locator("#id_authority").input_value() == ""
    assert "请先选择催报范围" in page.inner_text(".reminder-preview")
    page.select_option("#id_authority", "all")
    preview = page.inner_text(".reminder-preview")
    assert "范围：全国" in preview and "将向 2 个未提交材料的示范基地的 2 名填报员" in preview
    page.locator("#remind").screenshot(path=str(screenshots / "confirm-01-remind-form.png"))
    page.click("#remind button[type=submit]")
    assert "确认发送催报？范围：全国" in asked.questions[-1] and "2 名填报员" in asked.questions[-1]
    assert not Reminder.objects.exists()  # dismissed: nothing sent
    asked.answer = True
    page.click("#remind button[type=submit]")
    page.wait_for_selector("text=已向 2 人发送催报")
    assert Reminder.objects.count() == 2 and len(mail.outbox) in (0, 2)


def test_provincial_submit_asks_and_names_the_lock(browser, live_server, tiny_campaign, hunan, reviewer):
    page, asked = login(browser, live_server, "reviewer")
    url = reverse("reports:summary_edit", kwargs={"campaign_pk": tiny_campaign.pk, "authority_pk": hunan.pk})
    page.goto(f"{live_server.url}{url}")
    for textarea in page.locator("textarea[data-count]").all():
        textarea.fill("本省工作进展顺利。")
    page.click("#summary-submit")
    assert "工作总结和本部门推荐的 0 个优秀案例将一并报送" in asked.questions[-1]
    assert "锁定" in asked.questions[-1]
    assert not ProvincialSummary.objects.filter(status=ProvincialSummary.Status.SUBMITTED).exists()
    asked.answer = True
    page.click("#summary-submit")
    page.wait_for_selector("text=已报送工业和信息化部规划司")
    assert ProvincialSummary.objects.get().status == ProvincialSummary.Status.SUBMITTED


def test_ministry_accept_and_return_ask_naming_what_will_happen(
    browser, live_server, media, tiny_campaign, base, filler, reviewer, ministry, screenshots
):
    from submissions.services import submission_start

    s = make_ready(submission_start(campaign=tiny_campaign, base=base, user=filler), filler)
    submission_submit(submission=s, user=filler)
    review_approve(submission=s, user=reviewer)
    page, asked = login(browser, live_server, "ministry")
    page.goto(f"{live_server.url}{reverse('review:ministry_detail', args=[s.pk])}")
    page.click("#accept-button")
    assert f"确认受理{base.name}的材料？" in asked.questions[-1] and "第 1 版受理快照" in asked.questions[-1]
    page.fill("#id_comment", "请补充说明。")
    page.click("#return-button")
    assert f"确认将{base.name}的材料退回修改？" in asked.questions[-1]
    assert "通知基地填报员" in asked.questions[-1]
    assert Submission.objects.get(pk=s.pk).status == Submission.Status.APPROVED
    page.screenshot(path=str(screenshots / "confirm-02-ministry-detail.png"))
    asked.answer = True
    page.click("#accept-button")
    page.wait_for_load_state("networkidle")
    assert Submission.objects.get(pk=s.pk).status == Submission.Status.ACCEPTED


def test_a_new_case_page_without_quota_says_so(
    browser, live_server, tiny_campaign, hunan, reviewer, screenshots
):
    page, _ = login(browser, live_server, "reviewer")
    url = reverse("reports:case_create", kwargs={"campaign_pk": tiny_campaign.pk, "authority_pk": hunan.pk})
    page.goto(f"{live_server.url}{url}")
    assert "现在不能新增优秀案例" in page.inner_text("#case-refused")
    assert "本单位没有可用的优秀案例推荐配额" in page.inner_text("#case-refused")
    assert page.locator("input[name=title]").count() == 0
    page.screenshot(path=str(screenshots / "confirm-03-case-refused.png"))
