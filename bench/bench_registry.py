"""The registry pages cost the same number of queries, and about the same time, for 50 or 500 bases.

Both sizes are loaded with the demo generator and measured side by side in one run, so the ratio
compares like with like on whatever machine runs it. Each size lives in a savepoint that is rolled
back before the next one is loaded.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from definitions.services import definitions_load
from demo.management.commands.load_demo import table
from demo.registry import demo_load

# Read by bench/conftest.py, which prints the figures after the run.
FIGURES_KEY = "bench_figures"
SIZES = (50, 500)
REPEAT = 9
WARM_UP = 3
MAX_TIME_RATIO = 5.0
PAGES = {
    "示范基地名录 /registry/bases/": ("registry:base_list", ""),
    "名录按类型筛选": ("registry:base_list", "?category={category}&sort=-batch"),
    "首页（部级管理员）": ("accounts:home", ""),
}


@dataclass(frozen=True)
class Measure:
    queries: int
    seconds: float  # median of REPEAT requests after a warm-up


def measure(client: Client, url: str) -> Measure:
    for _ in range(WARM_UP):  # templates compiled, caches filled, first-call code paths done
        response = client.get(url)
        assert response.status_code == 200, f"{url} 返回 {response.status_code}"
    timings: list[float] = []
    counts: set[int] = set()
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
        counts.add(len(queries.captured_queries))
    assert len(counts) == 1, f"{url} 的查询次数在重复请求间变化：{sorted(counts)}"
    return Measure(queries=counts.pop(), seconds=statistics.median(timings))


def measure_size(count: int) -> tuple[float, dict[str, Measure]]:
    with transaction.atomic():
        definitions_load(directory=settings.BASE_DIR / "forms" / "2022")
        started = time.perf_counter()
        demo_load(count=count, seed=2022)
        load_seconds = time.perf_counter() - started
        client = Client()
        client.force_login(User.objects.get(username="demo_ministry"))
        category = User.objects.get(username="demo_filler").base.category_id
        results = {
            label: measure(client, reverse(name) + query.format(category=category))
            for label, (name, query) in PAGES.items()
        }
        transaction.set_rollback(True)
    return load_seconds, results


@pytest.mark.django_db
def test_registry_pages_cost_the_same_for_50_and_500_bases(record_property):
    loads: dict[int, float] = {}
    runs: dict[int, dict[str, Measure]] = {}
    for size in SIZES:
        loads[size], runs[size] = measure_size(size)

    small, large = SIZES
    rows = [
        ["页面", f"查询 {small}", f"查询 {large}", f"毫秒 {small}", f"毫秒 {large}", f"倍数 {large}/{small}"]
    ]
    failures: list[str] = []
    for label in PAGES:
        a, b = runs[small][label], runs[large][label]
        ratio = b.seconds / a.seconds
        rows.append(
            [
                label,
                str(a.queries),
                str(b.queries),
                f"{a.seconds * 1000:.1f}",
                f"{b.seconds * 1000:.1f}",
                f"{ratio:.2f}",
            ]
        )
        if a.queries != b.queries:
            failures.append(f"{label}：{small} 个基地 {a.queries} 次查询，{large} 个基地 {b.queries} 次查询")
        if ratio > MAX_TIME_RATIO:
            failures.append(f"{label}：{large}/{small} 用时倍数 {ratio:.2f} 超过 {MAX_TIME_RATIO}")
    lines = table(rows)
    lines.append("演示数据加载：" + "，".join(f"{n} 个基地 {s:.2f} 秒" for n, s in loads.items()))
    record_property(FIGURES_KEY, "\n".join(lines))
    assert not failures, "；".join(failures)
