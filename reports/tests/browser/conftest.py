"""Browser tests of the report and case editors: Playwright with Debian's chromium, live server."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop; the ORM refuses to run beside one unless told it is safe
# (the live server runs in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _drive(scenario: Callable[[Any], Any]) -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return scenario(browser)
        finally:
            browser.close()


@pytest.fixture
def run_in_browser() -> Callable[[Callable[[Any], Any]], Any]:
    """Runs a scenario with its own Playwright in its own thread.

    Another session-wide Playwright (tests/browser) may already hold this thread's event loop, and
    two sync Playwrights cannot share one thread. The scenario only drives the page; the test checks
    the database afterwards in its own thread.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "未找到 /usr/bin/chromium：请安装 Debian 的 chromium 软件包（make test 以 root 运行时会自动安装）。"
        )

    def run(scenario: Callable[[Any], Any]) -> Any:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(_drive, scenario).result()

    return run
