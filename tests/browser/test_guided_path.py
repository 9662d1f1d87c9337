"""The guided path: 下一个待填项 / 下一个问题 (and Alt+N) walks missing items, errors and unexplained
warnings across the sections in order, then the report and the scans, and one page lists them all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.tests.conftest import cell
from submissions.models import Submission
from submissions.services import submission_start
from tests.browser.test_confirmations import login
from tests.browser.test_entry_browser import login as entry_login
from tests.browser.test_entry_browser import section_url

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


def test_alt_n_moves_within_a_section_focusing_each_cell_in_view(
    browser, live_server, tiny_campaign, base, filler
):
    s = submission_start(campaign=tiny_campaign, base=base, user=filler)
    cell(s, filler, "1.1", 2021, "200")  # left in 一: 1.1 (2020), 1.1a (2021, 2020)
    page, _ = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}{reverse('submissions:section', args=[s.pk, 'summary', '一'])}")
    seen = []
    for _ in range(3):
        page.keyboard.press("Alt+n")
        page.wait_for_function(
            "(n) => document.activeElement && document.activeElement.id.startsWith('c-') && document.activeElement.id !== n",
            arg=seen[-1] if seen else "",
        )
        seen.append(focused(page))
        box = page.evaluate(
            "(id) => { const r = document.getElementById(id).getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]; }",
            seen[-1],
        )
        assert box[0] > 80 and box[1] < box[2], (seen[-1], box)  # below the sticky header, on screen
    assert seen == ["c-summary-1_1-2020", "c-summary-1_1a-2021", "c-summary-1_1a-2020"]


def test_a_link_to_a_yes_no_item_focuses_its_answer_in_view(browser, live_server, submission):
    # The 是/否 box is not focusable itself: the browser's scroll to the #fragment, after the page's
    # script ran, used to take the focus back to the page (Alt+N then typed nowhere).
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    entry_login(page, live_server)
    page.goto(section_url(live_server, submission, "基本信息") + "#c-summary-steady_growth_city-0")
    page.wait_for_function("() => document.activeElement && document.activeElement.type === 'radio'")
    name, top = page.evaluate(
        "() => [document.activeElement.name, document.activeElement.getBoundingClientRect().top]"
    )
    assert name == "c-summary-steady_growth_city-0"
    assert 100 < top < 700  # clear of the sticky header, on screen
