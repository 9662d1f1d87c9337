"""Names people read: the annex pages and the overview show the notice's headings, never section codes;
a section's navigation label is its page heading; the navigation bar's labels are the page titles."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RAW = re.compile(r"\b(indicators|xinchuang|xinchuang_companies)\b")


@pytest.fixture
def software_material(definitions, campaign, base, filler, software):
    from submissions.services import submission_start

    base.category = software
    base.save(update_fields=["category"])
    return submission_start(campaign=campaign, base=base, user=filler)


def test_the_annex_reads_in_the_notices_words(browser, live_server, software_material, screenshots):
    page, _ = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}{reverse('submissions:detail', args=[software_material.pk])}")
    overview = page.inner_text("main")
    assert not RAW.search(overview), RAW.search(overview)
    assert "附表1 软件和信息服务 · 国家新型工业化产业示范基地（软件和信息服务业）发展情况汇总表" in overview
    assert "一、总体发展情况" in overview and "信息技术应用创新进展情况" in overview
    page.locator("section.overview[data-form='annex1']").screenshot(
        path=str(screenshots / "names-01-overview-annex.png")
    )

    page.click("text=信息技术应用创新进展情况")
    page.wait_for_url("**/annex1/xinchuang/")
    assert page.inner_text("h1") == "信息技术应用创新进展情况"
    assert page.inner_text(".entry-nav li.current a") == "信息技术应用创新进展情况"
    assert page.title().startswith("信息技术应用创新进展情况 · 附表1 软件和信息服务")
    visible = page.inner_text("body")
    assert not RAW.search(visible), RAW.search(visible)
    page.screenshot(path=str(screenshots / "names-02-annex-section.png"))

    page.goto(
        f"{live_server.url}{reverse('submissions:section', args=[software_material.pk, 'summary', '一'])}"
    )
    assert page.inner_text("h1") == "一、总体发展情况"
    assert re.sub(r"\s+", "", page.inner_text(".entry-nav li.current a")) == "一总体发展情况"


@pytest.mark.parametrize(
    "username, label", [("filler", "填报材料"), ("reviewer", "总结材料"), ("reviewer", "材料初审")]
)
def test_each_navigation_label_is_the_title_of_its_page(
    browser, live_server, software_material, reviewer, username, label
):
    page, _ = login(browser, live_server, username)
    page.click(f"header nav a:text-is('{label}')")
    page.wait_for_load_state()
    assert label in page.title()
