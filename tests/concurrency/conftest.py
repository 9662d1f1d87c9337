"""Tests that need real concurrent requests: each runs in a transactional database (threads see the
committed rows), and the migrated reference data a transactional flush removes is put back after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.plugin import blocking_manager_key

from registry.models import Authority, Category
from registry.reference import ensure_reference_data
from review.tests.conftest import material, media_root, open_campaign, ready, tiny  # noqa: F401


@pytest.fixture(autouse=True)
def reference_data(transactional_db) -> None:
    ensure_reference_data(Authority, Category)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # Ordinary database tests may follow in the same database; they expect the migrations' rows.
    yield
    if nextitem is None:
        return

    with item.config.stash[blocking_manager_key].unblock():
        ensure_reference_data(Authority, Category)
