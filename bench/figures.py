"""Keys benchmarks record their figures under; bench/conftest.py prints them after the run."""

from __future__ import annotations

FIGURES_KEY = "bench_figures"  # a human-readable block of figures
LINE_KEY = "bench_line"  # one figure for machines: printed last as `BENCH {...}`


def bench_line(name: str, value: float, goal: float | None, unit: str = "") -> tuple[str, dict[str, object]]:
    """A `user_properties` entry for one machine-readable figure: `record_property(*bench_line(...))`."""
    line: dict[str, object] = {"name": name, "value": round(value, 4), "goal": goal}
    if unit:
        line["unit"] = unit
    return LINE_KEY, line
