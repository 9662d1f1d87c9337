"""Benchmarks report their figures through `user_properties`, so they reach the terminal even when
pytest-xdist runs them in a worker whose output is swallowed; the summary prints them after the run.

Two keys: `bench_figures` (a human-readable block) and `bench_line` (one figure for machines:
name, value, goal, unit). The machine lines come last, each as `BENCH {...}`, so a script reads the
tail of `make bench` without parsing the tables.
"""

from __future__ import annotations

import json

import pytest

from bench.figures import FIGURES_KEY, LINE_KEY

_collected: list[tuple[str, str]] = []
_lines: list[object] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == FIGURES_KEY:
            _collected.append((report.nodeid, str(value)))
        elif key == LINE_KEY:
            _lines.append(value)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _collected:
        terminalreporter.section("基准测试结果")
        for nodeid, text in _collected:
            terminalreporter.write_line(nodeid)
            for line in text.splitlines():
                terminalreporter.write_line("  " + line)
    for line in _lines:
        terminalreporter.write_line("BENCH " + json.dumps(line, ensure_ascii=False))
