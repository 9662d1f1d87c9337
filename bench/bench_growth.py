"""Cost as the registry grows (issue 13): the registry list, the ministry's home, national progress and an
authority's review list with 50, 500 and 5000 bases.

Each size is loaded with the demo registry generator, then every participating base of the current
campaign gets a material in bulk (states spread as on a deadline day: drafts, submitted, returned,
approved, accepted), and the reviewer's province's stored statuses are computed once, as the save
services would have (submissions.status). Each size lives in a transaction rolled back before the
next. A page must cost the same number of SQL queries at every size; the time ratios 5000/50 are
printed with their goal (at most linear growth: 100 for 100 times the bases; the pages read in
constant queries, so they should stay far below).
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
from django.utils import timezone

from accounts.models import User
from bench.figures import FIGURES_KEY, bench_line
from definitions.services import definitions_load
from demo.management.commands.load_demo import table
from demo.registry import CURRENT_CAMPAIGN_YEAR, demo_load
from registry.models import Campaign
from submissions.models import Submission
from submissions.services import definitions_for
from submissions.status import material_checks

SIZES = (50, 500, 5000)
REPEAT = 7
WARM_UP = 2
# Queries per page: the same at every size (the figures measured when this was written, for reference).
PAGES = {
    "registry_list": ("示范基地名录", "registry:base_list", "demo_ministry"),
    "home": ("首页（部级管理员）", "accounts:home", "demo_ministry"),
    "progress": ("全国填报进度", "review:ministry_progress", "demo_ministry"),
    "review_list": ("省级初审列表", "review:authority_list", "demo_reviewer"),
}
# Time may grow at most linearly with the number of bases.
LINEAR = SIZES[-1] / SIZES[0]
STATES = [
    Submission.Status.DRAFT,
    Submission.Status.DRAFT,
    Submission.Status.DRAFT,
    Submission.Status.SUBMITTED,
    Submission.Status.RETURNED,
    Submission.Status.APPROVED,
    Submission.Status.ACCEPTED,
]


@dataclass(frozen=True)
class Measure:
    queries: int
    seconds: float  # median of REPEAT requests after a warm-up


def measure(client: Client, url: str) -> Measure:
    for _ in range(WARM_UP):
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


def materials_bulk(campaign: Campaign) -> int:
    """A material for every participating base, in bulk, its state taken in turn from STATES."""
    now = timezone.now()
    rows = []
    for i, base in enumerate(campaign.bases.select_related("category").order_by("pk")):
        summary, annex = definitions_for(campaign, base)
        status = STATES[i % len(STATES)]
        rows.append(
            Submission(
                campaign=campaign, base=base, summary_definition=summary, annex_definition=annex, status=status,
                submitted_at=None if status == Submission.Status.DRAFT else now,
                status_changed_at=now, created_at=now, updated_at=now,
            )
        )  # fmt: skip
    Submission.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def measure_size(count: int) -> tuple[float, int, dict[str, Measure]]:
    with transaction.atomic():
        definitions_load(directory=settings.BASE_DIR / "forms" / "2022")
        started = time.perf_counter()
        demo_load(count=count, seed=2022)
        campaign = Campaign.objects.get(year=CURRENT_CAMPAIGN_YEAR)
        materials_bulk(campaign)
        reviewer = User.objects.get(username="demo_reviewer")
        province = campaign.bases.filter(authority=reviewer.authority).count()
        # The province's statuses as the save services leave them: stored, so the list reads them.
        material_checks(
            list(
                Submission.objects.filter(
                    campaign=campaign, base__authority=reviewer.authority
                ).select_related("campaign", "base__category", "summary_definition", "annex_definition")
            )
        )
        load_seconds = time.perf_counter() - started
        clients: dict[str, Client] = {}
        for username in {who for _, _, who in PAGES.values()}:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        results = {key: measure(clients[who], reverse(name)) for key, (_, name, who) in PAGES.items()}
        transaction.set_rollback(True)
    return load_seconds, province, results


@pytest.mark.django_db
def test_pages_cost_the_same_queries_and_grow_at_most_linearly(record_property, settings):
    settings.OTP_REQUIRED_ROLES = frozenset()  # force_login passes no second factor
    loads: dict[int, float] = {}
    provinces: dict[int, int] = {}
    runs: dict[int, dict[str, Measure]] = {}
    for size in SIZES:
        loads[size], provinces[size], runs[size] = measure_size(size)

    first, last = SIZES[0], SIZES[-1]
    rows = [
        ["页面", *(f"查询 {n}" for n in SIZES), *(f"毫秒 {n}" for n in SIZES), f"倍数 {last}/{first}", "目标"]
    ]
    failures: list[str] = []
    for key, (label, _, _) in PAGES.items():
        measured = [runs[n][key] for n in SIZES]
        ratio = measured[-1].seconds / measured[0].seconds
        rows.append(
            [
                label,
                *(str(m.queries) for m in measured),
                *(f"{m.seconds * 1000:.1f}" for m in measured),
                f"{ratio:.2f}",
                f"≤ {LINEAR:.0f}",
            ]
        )
        record_property(
            *bench_line(f"growth_{key}_queries_{last}", measured[-1].queries, measured[0].queries)
        )
        record_property(*bench_line(f"growth_{key}_time_{last}_vs_{first}", ratio, LINEAR))
        if len({m.queries for m in measured}) != 1:
            failures.append(f"{label}：查询次数随基地数变化 {[m.queries for m in measured]}")
        if ratio > LINEAR:
            failures.append(f"{label}：{last}/{first} 用时倍数 {ratio:.2f} 超过线性增长 {LINEAR:.0f}")
    lines = table(rows)
    lines.append("数据准备：" + "，".join(f"{n} 个基地 {s:.1f} 秒" for n, s in loads.items()))
    lines.append(
        "初审列表所在省的基地数（列表逐行显示，用时随其增长）："
        + "，".join(f"{n} 个基地时 {p} 个" for n, p in provinces.items())
    )
    record_property(FIGURES_KEY, "\n".join(lines))
    assert not failures, "；".join(failures)
