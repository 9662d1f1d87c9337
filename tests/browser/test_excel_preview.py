"""The filler downloads the Excel template, fills it, uploads it and sees the differences before saving."""

from __future__ import annotations

import pytest

from exchange.tests.conftest import save
from exchange.tests.excel.conftest import filled, ref_of, template_bytes
from tests.browser.test_confirmations import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_filler_previews_an_upload_with_a_conflict_and_confirms(
    browser, live_server, submission, filler, screenshots, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    template = template_bytes(submission)
    save(submission, filler, "summary", "1.1", 2021, "999")  # changed online after the download
    data = filled(
        template,
        {
            ref_of(submission, "summary", "1.1", 2021): 1200,
            ref_of(submission, "summary", "1.1", 2020): "1,100.5",
            ref_of(submission, "summary", "1.1a", 2021): "8000万元",
            ref_of(submission, "summary", "1.1a", 2020): 1500,
        },
    )
    path = tmp_path / "填好的模板.xlsx"
    path.write_bytes(data)
    page, _asked = login(browser, live_server, "filler")
    page.goto(f"{live_server.url}/exchange/submission/{submission.pk}/excel/")
    assert page.get_by_role("link", name="下载 Excel 模板（.xlsx）").is_visible()
    page.set_input_files("#excel-file", str(path))
    page.click("text=上传并预览")
    page.wait_for_selector("#differences")
    page.screenshot(path=str(screenshots / "excel-preview.png"), full_page=True)
    rows = page.locator(".excel-diff tbody tr")
    assert rows.count() == 4
    conflict = page.locator("tr.diff-conflict")
    assert conflict.count() == 1 and "999" in conflict.inner_text()
    assert "换算" in page.inner_text(".excel-diff")
    assert page.locator("#notes").is_visible()  # 1.1a 其中 > 1.1 in 2020: shown, not blocking
    assert not submission.values.filter(code="1.1", year=2020).exists()
    page.click("text=确认导入")
    page.wait_for_url(f"**/submissions/{submission.pk}/")
    assert "已从" in page.inner_text(".messages")
    assert submission.values.get(code="1.1", year=2020).value == "1100.5"
    assert submission.values.get(code="1.1", year=2021).raw == "999"  # the online value kept
