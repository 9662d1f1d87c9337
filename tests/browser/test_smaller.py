"""Smaller points of the way through: the field-comment picker is searched by code or name; a
filler's registry page shows its base without a filter form meant for 450 bases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from submissions.services import submission_start
from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_reviewer_finds_a_field_by_code_or_name(
    browser,
    live_server,
    tmp_path,
    settings,
    definitions,
    campaign,
    base,
    filler,
    reviewer,
    software,
    screenshots,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base.category = software
    base.save(update_fields=["category"])
    s = submission_start(campaign=campaign, base=base, user=filler)
    s.status = "submitted"
    s.save(update_fields=["status"])
    page, _ = login(browser, live_server, "reviewer")
    page.goto(f"{live_server.url}{reverse('review:detail', args=[s.pk])}")
    row = page.locator("#note-rows .note-row").first
    select = row.locator("select")
    total = select.locator("option").count()
    assert total > 200  # every item of the 汇总表 and of 附表1, by year
    row.locator(".note-search").fill("1.5")
    visible = select.evaluate("s => [...s.options].filter(o => !o.hidden && o.value).map(o => o.value)")
    assert "summary|1.5|2021" in visible and all("|1.5" in v for v in visible)  # 1.5 and its 其中 1.5a
    row.locator(".note-search").fill("信息技术应用创新示范项目")  # an annex item, by its name
    visible = select.evaluate("s => [...s.options].filter(o => !o.hidden && o.value).map(o => o.value)")
    assert visible and all(v.startswith("annex1|") for v in visible)
    page.locator("#note-rows").screenshot(path=str(screenshots / "smaller-01-picker-search.png"))
    row.locator(".note-search").fill("发展亮点")  # a part of the development report
    visible = select.evaluate("s => [...s.options].filter(o => !o.hidden && o.value).map(o => o.value)")
    assert visible == ["report|highlights|0"] and select.input_value() == "report|highlights|0"
    row.locator(".note-search").fill("1.1 销售收入（2021年）")
    assert select.input_value() == "summary|1.1|2021"  # one match: chosen


def test_a_fillers_registry_page_has_no_filter_form(browser, live_server, filler, base, screenshots):
    page, _ = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}{reverse('registry:base_list')}")
    assert base.name in page.inner_text("main")
    assert page.locator("form[role=search]").count() == 0
    page.screenshot(path=str(screenshots / "smaller-02-filler-registry.png"))


def test_the_report_saves_itself_and_keeps_the_tab_bar(browser, live_server, submission, screenshots):
    from reports.models import DevelopmentReport

    page, _ = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}{reverse('reports:report_edit', args=[submission.pk])}")
    assert page.locator("nav.material-tabs a:text-is('发展情况报告')").count() == 1
    page.locator("textarea[name=overview]").fill("示范基地以工程机械为主导产业，集聚企业三百余家。")
    page.wait_for_function(
        "() => /已保存 \\d{2}:\\d{2}:\\d{2}/.test(document.getElementById('save-status').textContent)",
        timeout=10000,
    )
    assert DevelopmentReport.objects.get(submission=submission).overview.startswith("示范基地以工程机械")
    page.screenshot(path=str(screenshots / "smaller-03-report-autosave.png"))
    page.locator("textarea[name=problems]").fill("高端零部件依赖进口。")
    page.locator("textarea[name=overview]").focus()  # leaving the field saves at once
    page.wait_for_function("() => document.querySelector('input[name=revision]').value === '2'")
    page.reload()  # nothing unsaved: no question asked
    assert page.locator("textarea[name=problems]").input_value() == "高端零部件依赖进口。"
