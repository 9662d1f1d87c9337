"""Benchmarks report their figures through `user_properties`, so they reach the terminal even when
pytest-xdist runs them in a worker whose output is swallowed; the summary prints them after the run."""

from __future__ import annotations

import pytest

FIGURES_KEY = "bench_figures"

_collected: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == FIGURES_KEY:
            _collected.append((report.nodeid, str(value)))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _collected:
        return
    terminalreporter.section("基准测试结果")
    for nodeid, text in _collected:
        terminalreporter.write_line(nodeid)
        for line in text.splitlines():
            terminalreporter.write_line("  " + line)
