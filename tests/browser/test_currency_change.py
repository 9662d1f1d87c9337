"""Switching 1.5's 币种 when figures are already entered asks first and saves nothing until answered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from submissions.models import Value
from tests.browser.test_entry_browser import cell, login, section_url, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def stored(submission, year: int) -> tuple:
    v = Value.objects.filter(submission=submission, form="summary", code="1.5", year=year).first()
    return (
        (None, None, None)
        if v is None
        else (v.raw, v.entered_currency, None if v.value is None else Decimal(str(v.value)))
    )


def open_page(browser, live_server, submission):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server)
    page.goto(section_url(live_server, submission, "一"))
    for year in (2021, 2020, 2019):
        cell(page, "1.5", year).fill("156.71")
    cell(page, "1.5", 2019).press("Tab")
    wait_saved(page)
    return page


def answer(page, action: str) -> None:
    """Answer the dialog and wait for the save it makes: the status line still reads the previous
    save's 已保存 until the new one ends, so it is blanked first."""
    page.evaluate("() => { document.getElementById('save-status').textContent = ''; }")
    page.click(f"dialog.currency-dialog button[data-action={action}]")
    wait_saved(page)


def switch(page, value: str) -> None:
    page.select_option('tr[data-code="1.5"] select.currency', value)
    page.wait_for_selector("dialog.currency-dialog[open]")


def test_the_switch_asks_and_cancel_keeps_everything(browser, live_server, submission, screenshots):
    page = open_page(browser, live_server, submission)
    switch(page, "USD")
    dialog = page.locator("dialog.currency-dialog")
    # The select went back at once: nothing changes while the question is open.
    assert page.locator('tr[data-code="1.5"] select.currency').input_value() == ""
    row = dialog.locator("tbody tr[data-year='2021']")
    assert "156.71" in row.locator(".c-now").inner_text()
    assert "1011.0146" in row.locator(".c-kept").inner_text()  # 156.71 × 6.4515
    assert "24.2905" in row.locator(".c-converted").inner_text()  # 156.71 ÷ 6.4515
    # A figure in 1.5 is in 亿: in 美元 it reads 亿美元, never 美元 (off by 10⁸).
    assert "24.2905 亿美元（≈ 156.71 亿元人民币）" in row.locator(".c-converted").inner_text()
    assert "156.71 亿美元（≈ 1011.0146 亿元人民币）" in row.locator(".c-kept").inner_text()
    page.screenshot(path=str(screenshots / "currency-01-dialog.png"))
    dialog.locator("button[data-action=cancel]").click()
    # The dialog leaves the page on its "close" event, a task after the click: wait for it.
    expect(page.locator("dialog.currency-dialog")).to_have_count(0)
    assert page.locator('tr[data-code="1.5"] select.currency').input_value() == ""
    page.wait_for_timeout(1200)  # longer than the autosave debounce: nothing may be sent
    assert stored(submission, 2021) == ("156.71", "", Decimal("156.71"))


def test_keeping_the_figures_reads_them_as_dollars(browser, live_server, submission, screenshots):
    page = open_page(browser, live_server, submission)
    switch(page, "USD")
    answer(page, "keep")
    for year in (2021, 2020, 2019):
        assert stored(submission, year) == ("156.71", "USD", Decimal("1011.0146"))
    assert "1011.0146" in page.locator('tr[data-code="1.5"] .converted').first.inner_text()
    assert page.locator('tr[data-code="1.5"] td.c-unit .unit-text').inner_text() == "亿美元"
    page.screenshot(path=str(screenshots / "currency-02-kept-as-usd.png"))

    # Back to 人民币: converting keeps the amount and shows its RMB figure in the cells.
    switch(page, "")
    row = page.locator("dialog.currency-dialog tbody tr[data-year='2021']")
    assert "1011.0146" in row.locator(".c-converted").inner_text()
    page.screenshot(path=str(screenshots / "currency-03-back-to-rmb.png"))
    answer(page, "convert")
    assert cell(page, "1.5", 2021).input_value() == "1011.0146"
    assert page.locator('tr[data-code="1.5"] td.c-unit .unit-text').inner_text() == "亿元人民币"
    assert stored(submission, 2020) == ("1011.0146", "", Decimal("1011.0146"))


def test_converting_keeps_the_amount_and_clearing_empties_the_row(browser, live_server, submission):
    page = open_page(browser, live_server, submission)
    switch(page, "USD")
    answer(page, "convert")
    raw, currency, value = stored(submission, 2021)
    assert (raw, currency) == ("24.2905", "USD")
    assert abs(value - Decimal("156.71")) < Decimal("0.001")

    switch(page, "")
    answer(page, "clear")
    assert cell(page, "1.5", 2021).input_value() == ""
    assert stored(submission, 2021)[0] in (None, "")


def test_an_empty_row_switches_without_asking(browser, live_server, submission):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server)
    page.goto(section_url(live_server, submission, "一"))
    page.select_option('tr[data-code="1.5"] select.currency', "USD")
    page.wait_for_timeout(300)
    assert page.locator("dialog.currency-dialog").count() == 0
    assert page.locator('tr[data-code="1.5"] td.c-unit .unit-text').inner_text() == "亿美元"
    cell(page, "1.5", 2021).fill("10")
    cell(page, "1.5", 2021).press("Tab")
    wait_saved(page)
    assert stored(submission, 2021) == ("10", "USD", Decimal("64.5150"))
