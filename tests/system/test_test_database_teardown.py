"""The suite itself: on PostgreSQL, a worker drops its test database at the end whatever ran last.

A plain database test run after a browser test, followed by a test without the database, left a
connection open that the session's teardown did not see, and PostgreSQL refused to drop the
database ("being accessed by other users"), which pyproject turns into an error. Under xdist the
order depends on how the files are shared out, so CI failed now and then; this plays that order on
purpose, in a pytest of its own (root conftest.py closes the connections before the teardown).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ORDER = [
    "tests/browser/test_smaller.py::test_the_reviewer_finds_a_field_by_code_or_name",
    "permissions/tests/test_checks.py::test_user_check[can_fill_own_base-filler]",
    "lib/tests/test_collector.py::test_it_leaves_a_collector_switched_off_by_someone_else_off",
]

# pytest-django puts database tests before transactional ones and those before the rest; under
# xdist a worker may still run them in another order, which this plugin imposes.
PLUGIN = textwrap.dedent(
    f"""
    import pytest

    ORDER = {ORDER!r}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(items):
        items.sort(key=lambda item: ORDER.index(item.nodeid))
    """
)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses to drop a database in use")
def test_the_test_database_is_dropped_after_a_browser_a_database_and_a_plain_test(tmp_path: Path) -> None:
    (tmp_path / "teardown_order.py").write_text(PLUGIN)
    env = dict(os.environ)
    server = str(settings.DATABASES["default"]["HOST"] or "127.0.0.1")
    port = str(settings.DATABASES["default"]["PORT"] or "5432")
    user = str(settings.DATABASES["default"]["USER"] or "postgres")
    # A database name of its own: the outer run's test database stays untouched.
    env["DATABASE_URL"] = f"postgres://{user}@{server}:{port}/sfjd_teardown_probe"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)])
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_XDIST_WORKER_COUNT", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-n", "0", "-q", "-p", "no:cacheprovider",
         "-p", "teardown_order", *ORDER],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert "being accessed by other users" not in output, output[-3000:]
    assert done.returncode == 0, output[-3000:]
    assert "3 passed" in output, output[-3000:]
