"""The whole review cycle in a real browser: the base submits, its authority returns with a field
comment, the base fixes that field, re-seals and resubmits, the authority sees only the change and
approves, the ministry accepts.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from exchange.tests.printed import printed_upload
from review.models import FieldComment
from review.tests.conftest import TINY_SUMMARY, make_ready, set_deadline
from submissions.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def prepared(media, campaign, base, filler, reviewer, ministry) -> Submission:
    """The base's material on the tiny test form, complete and sealed, before its deadline."""
    from definitions.models import Definition, content_checksum
    from submissions.services import submission_start

    Definition.objects.create(
        version="t",
        code="summary",
        title="测试汇总表",
        content=TINY_SUMMARY,
        checksum=content_checksum(TINY_SUMMARY),
    )
    campaign.form_version = "t"
    campaign.save(update_fields=["form_version"])
    set_deadline(campaign, base=timezone.now() + dt.timedelta(days=5))
    return make_ready(submission_start(campaign=campaign, base=base, user=filler), filler)


def login(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))  # away from the login page
    return page


def status(submission: Submission) -> str:
    return Submission.objects.get(pk=submission.pk).status


def test_submit_return_fix_resubmit_approve_accept(
    browser, live_server, prepared, screenshots, tmp_path, ministry
):
    s = prepared
    submit_url = f"{live_server.url}{reverse('review:submit', args=[s.pk])}"
    detail_url = f"{live_server.url}{reverse('review:detail', args=[s.pk])}"

    # 1. The filler submits.
    filler = login(browser, live_server, "filler")
    filler.goto(submit_url)
    filler.click("#submit-button")
    filler.wait_for_selector("text=材料已提交")
    assert status(s) == "submitted"

    # 2. The reviewer finds it in the list and returns it with a comment on 1.1 (2021).
    reviewer = login(browser, live_server, "reviewer")
    assert reviewer.locator(".unread-count").inner_text() == "1"  # 材料待初审
    reviewer.goto(f"{live_server.url}{reverse('review:authority_list')}")
    reviewer.screenshot(path=str(screenshots / "review-list.png"), full_page=True)
    reviewer.click(f"a[href='{reverse('review:detail', args=[s.pk])}']")
    reviewer.wait_for_url(detail_url)
    reviewer.fill("#id_comment", "销售收入与统计数据不一致，请核实。")
    reviewer.select_option("#note-rows .note-row select", "summary|1.1|2021")
    reviewer.fill("#note-rows .note-row input[name=note_text]", "2021年销售收入偏低，请核实")
    reviewer.click("#return-button")
    reviewer.wait_for_selector("text=已退回")
    assert status(s) == "returned"
    assert FieldComment.objects.get().code == "1.1"

    # 3. The filler reads the comment, follows it to the field, fixes it, re-seals and resubmits.
    filler.goto(submit_url)
    assert "2021年销售收入偏低，请核实" in filler.inner_text("#return-comments")
    filler.screenshot(path=str(screenshots / "review-submit-returned.png"), full_page=True)
    filler.click("#return-comments a:has-text('销售收入')")
    filler.wait_for_url(re.compile(r".*/submissions/\d+/summary/.*"))
    field = filler.locator('.cell[data-form="summary"][data-code="1.1"][data-year="2021"]')
    field.fill("115")
    field.press("Tab")
    filler.wait_for_function(
        "() => /已保存/.test(document.getElementById('save-status').textContent)", timeout=10000
    )
    filler.goto(f"{live_server.url}{reverse('exchange:scans', args=[s.pk])}")
    for kind in ("summary", "report"):
        upload = printed_upload(s, kind)
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(upload.read())
        filler.set_input_files(f"#scan-{kind} input[type=file]", str(path))
        filler.click(f"#scan-{kind} button[type=submit]")
        filler.wait_for_selector(f"#scan-{kind} .badge.ok")
    filler.goto(submit_url)
    filler.click("#submit-button")
    filler.wait_for_selector("text=材料已提交")
    assert status(s) == "submitted"

    # 4. The reviewer sees only the change and approves.
    reviewer.goto(detail_url)
    changes = reviewer.inner_text("#changes")
    assert "1.1 销售收入 · 2021年" in changes and "110" in changes and "115" in changes
    assert "2020年" not in changes
    reviewer.screenshot(path=str(screenshots / "review-detail.png"), full_page=False)
    reviewer.screenshot(path=str(screenshots / "review-detail-full.png"), full_page=True)
    reviewer.click("#approve-button")
    reviewer.wait_for_selector("text=初审通过，已报送规划司")
    assert status(s) == "approved"

    # 5. The ministry accepts on its detail page.
    page = login(browser, live_server, "ministry")
    page.goto(f"{live_server.url}{reverse('review:ministry_detail', args=[s.pk])}")
    page.fill("#id_accept_comment", "材料齐全，予以受理")
    page.click("#accept-button")
    page.wait_for_load_state("networkidle")
    assert status(s) == "accepted"
    filler.goto(submit_url)
    assert "规划司已受理" in filler.inner_text("#submit-box")
    assert "部级受理" in filler.inner_text(".timeline")
