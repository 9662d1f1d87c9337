"""The guided path on a demo draft: the demo filler's own material (the 2022 forms, partly filled, as
`make run` shows it) is walked with Alt+N from its overview, and every stop is the next row of its
待办清单, in order, to the last missing item and on to the report and the scans."""

from __future__ import annotations

import io
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from submissions.models import Submission
from tests.browser.test_confirmations import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DEMO_PASSWORD = "Sfjd-Demo-2022!"


def _where(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path) + ("#" + unquote(parts.fragment) if parts.fragment else "")


@pytest.fixture
def demo_draft(settings, tmp_path) -> Submission:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", "--bases", "10", "--password", DEMO_PASSWORD, stdout=io.StringIO())
    filler = User.objects.get(username="demo_filler")
    return Submission.objects.get(base=filler.base, campaign__status="open")


def test_alt_n_walks_a_demo_draft_to_its_last_missing_item(browser, live_server, demo_draft, screenshots):
    assert PASSWORD != DEMO_PASSWORD  # the demo's own accounts, not the test cast
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "demo_filler")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("header nav")

    page.goto(f"{live_server.url}{reverse('submissions:todo', args=[demo_draft.pk])}")
    links = page.locator("#todo-list tbody tr td:nth-child(2) a")
    expected = [_where(links.nth(i).get_attribute("href") or "") for i in range(links.count())]
    kinds = page.locator("#todo-list tbody tr").evaluate_all("rows => rows.map(r => r.className)")
    missing = [n for n, kind in enumerate(kinds) if kind == "todo-missing"]
    assert len(missing) >= 20, "the demo draft should leave many items to fill"

    page.goto(f"{live_server.url}{reverse('submissions:detail', args=[demo_draft.pk])}")
    visited: list[str] = []
    for _ in range(len(expected)):
        with page.expect_navigation():
            page.keyboard.press("Alt+n")
        visited.append(_where(page.url))
        if "/report/" in page.url:
            break
    forms = [w for w in expected if "/report/" not in w and "/scans/" not in w]
    assert visited[: len(forms)] == forms
    assert visited[missing[-1]] == expected[missing[-1]]  # the last missing item is reached
    assert "/report/" in visited[-1]  # and then the path goes on to the report
    page.screenshot(path=str(screenshots / "path-demo-last-stop.png"))
    context.close()
