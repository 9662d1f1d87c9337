"""Cost as the registry grows (issue 13): the registry list, the ministry's home, national progress, an
authority's review list, the analytics overview and a base's profile, and the national Excel export,
with 50, 500 and 5000 bases.

Each size is loaded with the demo registry generator, then every participating base of the current
campaign gets a material in bulk (states spread as on a deadline day: drafts, submitted, returned,
approved, accepted) with every item the scoring model reads for two years, the campaign is scored
and rated once (the analytics read the latest run), and the reviewer's province's stored statuses are
computed once, as the save services would have (submissions.status). Each size lives in a transaction
rolled back before the next. A page must cost the same number of SQL queries at every size; the time
ratios 5000/50 are printed with their goal (at most linear growth: 100 for 100 times the bases; the
pages read in constant queries, so they should stay far below).

The export writes a row per base, so its time and workbook grow with the bases; it reads a slice of
bases at a time (exchange.excel_export.CHUNK), so its queries grow by a fixed few per slice, and its
peak Python memory (tracemalloc, a second run) should stay flat once a size fills a slice (below 100
bases the one slice is smaller, so the peak is too): printed beside the workbook's size.
`BENCH_GROWTH_SIZES=50,500` for a quick look.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

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
from evaluation.models import ScoreRun
from evaluation.services import ratings_compute, scoring_model_load, scoring_run
from exchange import excel_export
from registry.models import Campaign
from submissions.models import Submission, Value
from submissions.services import definitions_for
from submissions.status import material_checks

SIZES = tuple(int(n) for n in os.environ.get("BENCH_GROWTH_SIZES", "50,500,5000").split(","))
EXPORT_RUNS = 3  # the export's time is the best of these (its queries are counted on a run before)
REPEAT = 7
WARM_UP = 2
# Queries per page: the same at every size (the figures measured when this was written, for reference).
PAGES = {
    "registry_list": ("示范基地名录", "registry:base_list", "demo_ministry"),
    "home": ("首页（部级管理员）", "accounts:home", "demo_ministry"),
    "progress": ("全国填报进度", "review:ministry_progress", "demo_ministry"),
    "review_list": ("省级初审列表", "review:authority_list", "demo_reviewer"),
    "analytics": ("统计分析（全国）", "evaluation:analytics", "demo_ministry"),
    "base_analytics": ("统计分析（单个基地）", "evaluation:base_analytics", "demo_ministry"),
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


@dataclass(frozen=True)
class Export:
    bases: int
    queries: int
    seconds: float
    peak_bytes: int  # peak Python memory of the export (tracemalloc), in a run of its own
    workbook_bytes: int


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


def values_bulk(campaign: Campaign, items: list[str]) -> int:
    """Every item the scoring model reads, this year and last, for every material, in bulk."""
    rng = random.Random(2022)
    years = (campaign.data_year, campaign.data_year - 1)
    count = 0
    rows: list[Value] = []
    for sub_id in list(Submission.objects.filter(campaign=campaign).values_list("pk", flat=True)):
        size = rng.uniform(0.2, 5)
        for code in items:
            for year in years:
                number = round(
                    size * rng.uniform(10, 100) * (1 if year == years[0] else rng.uniform(0.85, 1)), 2
                )
                rows.append(
                    Value(submission_id=sub_id, form="summary", code=code, year=year, raw=str(number), value=str(number))
                )  # fmt: skip
        if len(rows) >= 5000:
            Value.objects.bulk_create(rows)
            count, rows = count + len(rows), []
    Value.objects.bulk_create(rows)
    return count + len(rows)


def export_measure(campaign: Campaign, directory: Path) -> Export:
    """The national export of every participating base: its queries counted on one run, its time the
    best of EXPORT_RUNS more, then run again under tracemalloc for its peak Python memory
    (tracemalloc slows it, so not timed)."""
    base_ids = list(campaign.bases.values_list("pk", flat=True))
    path = directory / "timed.xlsx"
    with CaptureQueriesContext(connection) as queries:
        written = excel_export.national_export(campaign=campaign, base_ids=base_ids, path=str(path))
    # Timed as the best of EXPORT_RUNS, apart from the run that counts the queries: timed once, the
    # ratio 5000/50 was 68 in one run and 94 in another (the 50 bases' 0.12 s and 0.07 s its
    # denominator), while best of 3 in a process of its own the export cost 1.36 ms a base at 490
    # bases and 1.06 ms at 4900.
    runs = []
    for _ in range(EXPORT_RUNS):
        started = time.perf_counter()
        excel_export.national_export(campaign=campaign, base_ids=base_ids, path=str(path))
        runs.append(time.perf_counter() - started)
    seconds = min(runs)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        excel_export.national_export(
            campaign=campaign, base_ids=base_ids, path=str(directory / "traced.xlsx")
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return Export(
        bases=written,
        queries=len(queries.captured_queries),
        seconds=seconds,
        peak_bytes=peak,
        workbook_bytes=path.stat().st_size,
    )


def measure_size(count: int) -> tuple[float, int, dict[str, Measure], Export]:
    with transaction.atomic():
        definitions_load(directory=settings.BASE_DIR / "forms" / "2022")
        started = time.perf_counter()
        demo_load(count=count, seed=2022)
        campaign = Campaign.objects.get(year=CURRENT_CAMPAIGN_YEAR)
        materials_bulk(campaign)
        ministry = User.objects.get(username="demo_ministry")
        model = scoring_model_load(campaign=campaign, user=ministry).parsed()
        values_bulk(
            campaign, sorted(c for c in model.items() if c not in ("is_high_tech_zone", "is_econ_zone"))
        )
        scoring_run(campaign=campaign, user=ministry, scope=ScoreRun.Scope.ALL)
        ratings_compute(campaign=campaign, user=ministry)
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
        profiled = campaign.bases.order_by("pk").first()
        assert profiled is not None
        args = {
            "analytics": [campaign.pk],
            "base_analytics": [campaign.pk, profiled.pk],
        }
        results = {
            key: measure(clients[who], reverse(name, args=args.get(key)))
            for key, (_, name, who) in PAGES.items()
        }
        with tempfile.TemporaryDirectory(prefix="growth-export-") as tmp:
            export = export_measure(campaign, Path(tmp))
        transaction.set_rollback(True)
    return load_seconds, province, results, export


@pytest.mark.django_db
def test_pages_cost_the_same_queries_and_grow_at_most_linearly(record_property, settings):
    settings.OTP_REQUIRED_ROLES = frozenset()  # force_login passes no second factor
    loads: dict[int, float] = {}
    provinces: dict[int, int] = {}
    runs: dict[int, dict[str, Measure]] = {}
    exports: dict[int, Export] = {}
    for size in SIZES:
        loads[size], provinces[size], runs[size], exports[size] = measure_size(size)

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
    lines.extend(export_report(exports, record_property))
    failures.extend(export_failures(exports))
    lines.append("数据准备：" + "，".join(f"{n} 个基地 {s:.1f} 秒" for n, s in loads.items()))
    lines.append(
        "初审列表所在省的基地数（列表逐行显示，用时随其增长）："
        + "，".join(f"{n} 个基地时 {p} 个" for n, p in provinces.items())
    )
    record_property(FIGURES_KEY, "\n".join(lines))
    assert not failures, "；".join(failures)


MIB = 1024 * 1024


def export_report(exports: dict[int, Export], record_property) -> list[str]:
    """The export's figures: queries, time and peak memory per size beside the workbook's size."""
    first, last = exports[SIZES[0]], exports[SIZES[-1]]
    rows = [["全国汇总表导出", "基地数", "查询", "秒", "峰值内存 MiB", "工作簿 MiB", "峰值/工作簿"]]
    for size in SIZES:
        e = exports[size]
        rows.append(
            [
                f"{size} 个基地",
                str(e.bases),
                str(e.queries),
                f"{e.seconds:.2f}",
                f"{e.peak_bytes / MIB:.1f}",
                f"{e.workbook_bytes / MIB:.2f}",
                f"{e.peak_bytes / e.workbook_bytes:.2f}",
            ]
        )
        record_property(*bench_line(f"growth_export_peak_memory_{size}", e.peak_bytes / MIB, None, "MiB"))
        record_property(*bench_line(f"growth_export_workbook_{size}", e.workbook_bytes / MIB, None, "MiB"))
    slices = [-(-exports[n].bases // excel_export.CHUNK) for n in SIZES]
    time_ratio = last.seconds / first.seconds
    memory_ratio = last.peak_bytes / first.peak_bytes
    workbook_ratio = last.workbook_bytes / first.workbook_bytes
    record_property(*bench_line(f"growth_export_time_{SIZES[-1]}_vs_{SIZES[0]}", time_ratio, LINEAR, "×"))
    # The goal: the peak grows no more than the workbook does (flat, in constant-memory mode).
    record_property(
        *bench_line(
            f"growth_export_peak_memory_{SIZES[-1]}_vs_{SIZES[0]}",
            memory_ratio,
            round(workbook_ratio, 2),
            "×",
        )
    )
    lines = table(rows)
    lines.append(
        f"导出：{SIZES[-1]}/{SIZES[0]} 用时倍数 {time_ratio:.2f}（目标 ≤ {LINEAR:.0f}），峰值内存倍数 {memory_ratio:.2f}"
        f"（工作簿 {workbook_ratio:.2f} 倍），每批 {excel_export.CHUNK} 个基地，批数 {slices}，"
        f"查询 {[exports[n].queries for n in SIZES]}"
    )
    return lines


def export_failures(exports: dict[int, Export]) -> list[str]:
    """Queries: a fixed part and a fixed few per slice. Time: at most linear."""
    failures = []
    points = sorted({(-(-e.bases // excel_export.CHUNK), e.queries) for e in exports.values()})
    per_slice = {(q2 - q1) / (s2 - s1) for (s1, q1), (s2, q2) in itertools.pairwise(points) if s2 != s1}
    if len(per_slice) > 1:
        failures.append(f"导出：每批查询次数不固定 {points}")
    ratio = exports[SIZES[-1]].seconds / exports[SIZES[0]].seconds
    if ratio > LINEAR:
        failures.append(f"导出：{SIZES[-1]}/{SIZES[0]} 用时倍数 {ratio:.2f} 超过线性增长 {LINEAR:.0f}")
    return failures
