"""Browser tests: Playwright with Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run inside
# one unless told it is safe (the live server runs in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(os.environ.get("SFJD_SCREENSHOTS", "/tmp/sfjd-screenshots"))


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright import sync_api as playwright

    if not Path(CHROMIUM).exists():
        # Never skip silently: a missing browser is a broken test machine (make test installs it).
        pytest.fail(
            "未找到 /usr/bin/chromium：请安装 Debian 的 chromium 软件包（make test 以 root 运行时会自动安装）。"
        )
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def close_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close the test's browser contexts when it ends, while the live server still shares its database
    connection with its request threads: a context left open keeps a kept-alive socket, and its request
    thread would otherwise close the connection only after the server stopped sharing it (a thread
    error at the end of the session)."""
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def reference_data(transactional_db) -> None:
    """Authorities and categories, which migrations create and a transactional test's flush removes.

    Serialized rollback alone does not bring them back reliably once Playwright's event loop runs in
    the test thread, so every browser test puts them back itself (idempotent).
    """
    from registry.models import Authority, Category
    from registry.reference import ensure_reference_data

    ensure_reference_data(Authority, Category)


@pytest.fixture
def definitions(transactional_db) -> list:
    from django.conf import settings

    from definitions.services import definitions_load

    return definitions_load(directory=Path(settings.BASE_DIR) / "forms" / "2022")


@pytest.fixture
def submission(definitions, campaign, base, filler):
    from submissions.services import submission_start

    return submission_start(campaign=campaign, base=base, user=filler)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Put the reference data back after a browser test's flush.

    Under xdist a worker may run ordinary database tests after a browser test in the same database;
    they expect the rows the migrations created, which the transactional flush has just removed.
    """
    yield
    # After the worker's last test the session has torn the test database down; nothing follows.
    if item.get_closest_marker("browser") is None or nextitem is None:
        return
    from pytest_django.plugin import blocking_manager_key

    from registry.models import Authority, Category
    from registry.reference import ensure_reference_data

    with item.config.stash[blocking_manager_key].unblock():
        ensure_reference_data(Authority, Category)


@pytest.fixture
def tiny_campaign(campaign):
    """The campaign on the tiny test 汇总表 (review.tests.conftest.TINY_SUMMARY), open five more days."""
    import datetime as dt

    from django.utils import timezone

    from definitions.models import Definition, content_checksum
    from review.tests.conftest import TINY_SUMMARY, set_deadline

    Definition.objects.create(
        version="t",
        code="summary",
        title="测试汇总表",
        content=TINY_SUMMARY,
        checksum=content_checksum(TINY_SUMMARY),
    )
    campaign.form_version = "t"
    campaign.save(update_fields=["form_version"])
    return set_deadline(campaign, base=timezone.now() + dt.timedelta(days=5))
