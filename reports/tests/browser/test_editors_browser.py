"""The report and case editors in a real browser: live counts, add/remove items, the aspect limit."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from reports.models import DevelopmentReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def login(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(?!login).*"))


def report_scenario(browser, url: str, submission_pk: int) -> str:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    login(page, url, "filler")
    page.goto(f"{url}/reports/submission/{submission_pk}/report/")

    page.fill("textarea[name=overview]", "示范 基地\n概述")
    # “300字左右” is a target (issue 8): a count, no upper limit.
    assert page.locator("#overview .count").inner_text() == "约300字，已输入6字"

    highlights = page.locator("#highlights")
    status = highlights.locator(".items-status")
    # Three empty slots are no aspects: what is counted is what is saved and checked.
    assert status.inner_text() == "已填写0个方面，要求3-5个，还需3个"
    highlights.locator(".add-item").click()
    highlights.locator(".add-item").click()
    # “3-5个方面” is checked at submission: a sixth may be written, with a warning (issue 8).
    assert not highlights.locator(".add-item").is_disabled()
    highlights.locator(".add-item").click()
    leads = highlights.locator(".item input")
    for i in range(6):
        leads.nth(i).fill(f"方面{i + 1}")
    assert status.inner_text().startswith("已填写6个方面")
    assert "多于5个，提交前请合并或删减" in status.inner_text()
    for i in range(6):
        leads.nth(i).fill("")
    assert status.inner_text() == "已填写0个方面，要求3-5个，还需3个"
    highlights.locator(".item").nth(5).locator(".remove-item").click()
    assert highlights.locator(".item-no").all_inner_texts() == [f"成效{i}" for i in range(1, 6)]

    items = highlights.locator(".item")
    items.nth(0).locator("input").fill("领" * 61)
    assert "已超出" not in items.nth(0).locator(".count").first.inner_text()
    items.nth(0).locator("input").fill("第一条领句")
    items.nth(0).locator("textarea").fill("第一条内容")
    items.nth(4).locator("input").fill("第五条领句")
    items.nth(4).locator("textarea").fill("第五条内容")
    items.nth(1).locator(".remove-item").click()
    assert highlights.locator(".item-no").all_inner_texts() == [f"成效{i}" for i in range(1, 5)]
    assert not highlights.locator(".add-item").is_disabled()

    page.click(".save-bar button.primary")
    page.wait_for_selector(".messages")
    message = page.locator(".messages").inner_text()
    context.close()
    return message


def case_scenario(browser, url: str, campaign_pk: int, authority_pk: int) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, url, "reviewer")
    page.goto(f"{url}/reports/campaign/{campaign_pk}/authority/{authority_pk}/cases/new/")
    page.check("input[value=digital]")
    assert not page.locator("input[value=green]").is_disabled()
    page.check("input[value=green]")
    assert page.locator("input[value=opening_up]").is_disabled()
    assert page.locator(".aspect-status").inner_text() == "已选2个，已达上限"
    page.uncheck("input[value=digital]")
    assert not page.locator("input[value=opening_up]").is_disabled()
    context.close()


def test_report_and_case_editors_in_the_browser(
    run_in_browser, live_server, submission, filler, reviewer, hunan, add_bases
):
    # One transactional test for both editors: each such test flushes the database.
    url = live_server.url
    message = run_in_browser(lambda browser: report_scenario(browser, url, submission.pk))
    assert "报告尚未完成" in message
    report = DevelopmentReport.objects.get(submission=submission)
    assert report.overview == "示范 基地\n概述"
    assert report.highlights == [
        {"lead": "第一条领句", "content": "第一条内容"},
        {"lead": "第五条领句", "content": "第五条内容"},
    ]
    add_bases(hunan, 4)  # room in the quota: a page with none says so instead of showing the form
    run_in_browser(lambda browser: case_scenario(browser, url, submission.campaign_id, hunan.pk))
