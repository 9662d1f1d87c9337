"""The report and case editors in a real browser: live counts, add/remove items, the aspect limit."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from reports.models import DevelopmentReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(?!login).*"))


def test_report_and_case_editors_in_the_browser(browser, live_server, submission, filler, reviewer, hunan):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    login(page, live_server, "filler")
    page.goto(f"{live_server.url}/reports/submission/{submission.pk}/report/")

    page.fill("textarea[name=overview]", "示范 基地\n概述")
    assert page.locator("#overview .count").inner_text() == "约300字，已输入6字（上限600字）"

    highlights = page.locator("#highlights")
    assert highlights.locator(".items-status").inner_text() == "已有3个方面，要求3-5个"
    highlights.locator(".add-item").click()
    highlights.locator(".add-item").click()
    assert highlights.locator(".add-item").is_disabled()
    assert highlights.locator(".item-no").all_inner_texts() == [f"成效{i}" for i in range(1, 6)]

    items = highlights.locator(".item")
    items.nth(0).locator("input").fill("领" * 61)
    assert "已超出1字" in items.nth(0).locator(".count").first.inner_text()
    items.nth(0).locator("input").fill("第一条领句")
    items.nth(0).locator("textarea").fill("第一条内容")
    items.nth(4).locator("input").fill("第五条领句")
    items.nth(4).locator("textarea").fill("第五条内容")
    items.nth(1).locator(".remove-item").click()
    assert highlights.locator(".item-no").all_inner_texts() == [f"成效{i}" for i in range(1, 5)]
    assert not highlights.locator(".add-item").is_disabled()

    page.click(".save-bar button.primary")
    page.wait_for_selector(".messages")
    report = DevelopmentReport.objects.get(submission=submission)
    assert report.overview == "示范 基地\n概述"
    assert report.highlights == [
        {"lead": "第一条领句", "content": "第一条内容"},
        {"lead": "第五条领句", "content": "第五条内容"},
    ]
    assert "报告尚未完成" in page.locator(".messages").inner_text()
    context.close()

    # One transactional test per file: the case editor is tried in the same test.
    # A case focuses on one or two aspects; a third cannot be ticked.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/campaign/{submission.campaign_id}/authority/{hunan.pk}/cases/new/")
    page.check("input[value=digital]")
    assert not page.locator("input[value=green]").is_disabled()
    page.check("input[value=green]")
    assert page.locator("input[value=opening_up]").is_disabled()
    assert page.locator(".aspect-status").inner_text() == "已选2个，已达上限"
    page.uncheck("input[value=digital]")
    assert not page.locator("input[value=opening_up]").is_disabled()
    context.close()
