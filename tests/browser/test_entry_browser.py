"""The data-entry page in a real browser: live 同比%, paste from Excel, autosave, offline recovery."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from conftest import PASSWORD
from submissions.models import Value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SAVED = re.compile(r"已保存 \d{2}:\d{2}:\d{2}")


def section_url(live_server, submission, section: str, form: str = "summary") -> str:
    return f"{live_server.url}/submissions/{submission.pk}/{form}/{quote(section)}/"


def login(page, live_server, username: str = "filler") -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))  # away from the login page


def cell(page, code: str, year: int, form: str = "summary"):
    return page.locator(f'.cell[data-form="{form}"][data-code="{code}"][data-year="{year}"]')


def wait_saved(page) -> None:
    page.wait_for_function(
        "() => /已保存 \\d{2}:\\d{2}:\\d{2}/.test(document.getElementById('save-status').textContent)",
        timeout=10000,
    )


def stored(submission, code: str, year: int):
    v = Value.objects.filter(submission=submission, form="summary", code=code, year=year).first()
    return None if v is None else v.raw


PASTE = """(text) => {
  const el = document.activeElement;
  const dt = new DataTransfer();
  dt.setData('text/plain', text);
  el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
}"""


def test_filler_types_sees_yoy_pastes_block_and_values_survive_reload(browser, live_server, submission):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    login(page, live_server)
    page.goto(section_url(live_server, submission, "一"))

    cell(page, "1.1", 2021).fill("120")
    cell(page, "1.1", 2020).fill("100")
    yoy = page.locator('tr[data-code="1.1"] td.yoy[data-yoy-year="2021"]')
    assert yoy.inner_text() == "20.00"
    cell(page, "1.1", 2019).fill("80")
    assert page.locator('tr[data-code="1.1"] td.yoy[data-yoy-year="2020"]').inner_text() == "25.00"

    # A 3×2 block copied from Excel lands on 1.2 and the row below it, across the three years.
    cell(page, "1.2", 2021).focus()
    page.evaluate(PASTE, "500\t400\t300\r\n50\t40\t30\r\n")
    assert cell(page, "1.2", 2019).input_value() == "300"
    assert cell(page, "1.2a", 2020).input_value() == "40"
    wait_saved(page)
    assert page.locator('tr[data-code="1.2"] td.yoy[data-yoy-year="2021"]').inner_text() == "25.00"

    page.reload()
    assert cell(page, "1.1", 2021).input_value() == "120"
    assert cell(page, "1.2a", 2019).input_value() == "30"
    assert page.locator('tr[data-code="1.1"] td.yoy[data-yoy-year="2021"]').inner_text() == "20.00"
    assert stored(submission, "1.2", 2020) == "400"
    assert stored(submission, "1.2a", 2021) == "50"
    context.close()


def test_value_typed_offline_is_restored_from_local_storage_and_saved(browser, live_server, submission):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    login(page, live_server)
    page.goto(section_url(live_server, submission, "一"))

    context.set_offline(True)
    cell(page, "1.3", 2021).fill("77.5")
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('保存失败，将自动重试')",
        timeout=10000,
    )
    keys = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('sfjd:pending:'))")
    assert keys == [f"sfjd:pending:{submission.pk}:summary|1.3|2021"]
    assert stored(submission, "1.3", 2021) is None

    # The tab goes away while offline; the network comes back; the filler opens the page again.
    page.close(run_before_unload=False)
    context.set_offline(False)
    page = context.new_page()
    page.goto(section_url(live_server, submission, "一"))
    assert cell(page, "1.3", 2021).input_value() == "77.5"
    wait_saved(page)
    assert stored(submission, "1.3", 2021) == "77.5"
    assert (
        page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('sfjd:pending:')).length")
        == 0
    )
    context.close()


def test_screenshots_of_numeric_and_yesno_sections(browser, live_server, submission, filler, screenshots):
    from submissions.services import CellChange, values_save

    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.1", year=2021, raw="1250.6"),
            CellChange(form="summary", code="1.1", year=2020, raw="1100"),
            CellChange(form="summary", code="1.1", year=2019, raw="980.2"),
            CellChange(form="summary", code="1.1a", year=2021, raw="1300"),
            CellChange(form="summary", code="1.5", year=2021, raw="10", currency="USD"),
            CellChange(form="summary", code="1.4", year=2021, raw="abc"),
            CellChange(form="summary", code="18.2", year=0, raw={"answer": "是", "note": "严格执行。"}),
        ],
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server)
    page.goto(section_url(live_server, submission, "一"))
    page.screenshot(path=str(screenshots / "section-1.png"))
    page.screenshot(path=str(screenshots / "section-1-full.png"), full_page=True)
    page.goto(section_url(live_server, submission, "十八"))
    page.screenshot(path=str(screenshots / "section-18.png"))
    page.screenshot(path=str(screenshots / "section-18-full.png"), full_page=True)
    page.goto(section_url(live_server, submission, "十二"))
    page.screenshot(path=str(screenshots / "section-12-full.png"), full_page=True)
    page.goto(f"{live_server.url}/submissions/{submission.pk}/")
    page.screenshot(path=str(screenshots / "overview.png"), full_page=True)
    assert page.locator(".overview").count() == 1
    context.close()


def test_the_live_counter_counts_as_the_server_does(browser, live_server, submission):
    from lib.text import char_count

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server)
    page.goto(section_url(live_server, submission, "十三"))
    text = "　　示范基地 发展\n\n概述𠀋\t完"
    area = cell(page, "13.1", 0)
    area.fill(text)
    counter = area.locator("xpath=following-sibling::div[1]").locator(".counter b")
    assert counter.inner_text() == str(char_count(text)) == "10"
    whitespace = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert page.evaluate("(s) => window.SFJD.charCount(s)", whitespace + "字") == 1
    wait_saved(page)
    page.reload()
    assert (
        cell(page, "13.1", 0).locator("xpath=following-sibling::div[1]").locator(".counter b").inner_text()
        == "10"
    )
    context.close()
