"""The guided path: 下一个待填项 / 下一个问题 (and Alt+N) walks missing items, errors and unexplained
warnings across the sections in order, then the report and the scans, and one page lists them all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.tests.conftest import cell
from submissions.models import Submission
from submissions.services import submission_start
from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def draft(tiny_campaign, base, filler) -> Submission:
    s = submission_start(campaign=tiny_campaign, base=base, user=filler)
    cell(s, filler, "1.1", 2021, "200")
    cell(s, filler, "1.1a", 2021, "90")
    cell(s, filler, "1.1a", 2020, "80")
    return s  # missing: 1.1 (2020) in 一, 13.1 in 十三; no report, no scans


def focused(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_the_path_reaches_every_item_in_order(browser, live_server, draft, screenshots):
    page, _ = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}{reverse('submissions:detail', args=[draft.pk])}")
    bar = page.inner_text("#todo-bar")
    assert "2 项待填" in bar and "下一个待填项" in bar
    page.screenshot(path=str(screenshots / "path-01-overview.png"))

    page.keyboard.press("Alt+n")
    page.wait_for_url("**/summary/%E4%B8%80/#c-summary-1_1-2020")
    assert focused(page) == "c-summary-1_1-2020"
    page.fill("#c-summary-1_1-2020", "100")  # 200 against 100: a warning to explain on 1.1 (2021)
    page.press("#c-summary-1_1-2020", "Tab")
    page.wait_for_function("() => /已保存/.test(document.getElementById('save-status').textContent)")
    page.focus("#c-summary-1_1-2020")

    page.keyboard.press("Alt+n")  # on past the cell just filled: the next section's missing item
    page.wait_for_url("**/summary/%E5%8D%81%E4%B8%89/#c-summary-13_1-0")
    assert focused(page) == "c-summary-13_1-0"
    page.screenshot(path=str(screenshots / "path-02-next-section.png"))
    page.fill("#c-summary-13_1-0", "坚持创新驱动，推动产业集群高质量发展。")
    page.press("#c-summary-13_1-0", "Tab")
    page.wait_for_function("() => /已保存/.test(document.getElementById('save-status').textContent)")
    page.focus("#c-summary-13_1-0")

    page.click("#next-problem")  # nothing left after it in the forms: the report, then the scans
    page.wait_for_url("**/report/**")

    page.goto(f"{live_server.url}{reverse('submissions:todo', args=[draft.pk])}")
    rows = page.locator("#todo-list tbody tr")
    kinds = [rows.nth(i).get_attribute("class") for i in range(rows.count())]
    assert kinds[0] == "todo-unexplained"  # the warning raised on the way, listed first (section 一)
    assert "todo-missing" not in kinds
    assert "1 条预警待说明" in page.inner_text(".list-head")
    page.screenshot(path=str(screenshots / "path-03-todo-list.png"), full_page=True)
