"""The ministry's analytics: each chart is an ECharts option plus the same numbers as a table (shown
under the chart and offered as CSV/xlsx). Built from a few aggregate reads, whatever the number of bases."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook

from evaluation.models import Rating, ScoreRun
from registry.models import Authority, Base, Campaign, Category
from registry.reference import PROVINCES
from submissions.models import Value

TREND_ITEMS = (
    ("1.1", "销售收入", "亿元"),
    ("1.3a", "工业增加值", "亿元"),
    ("3.1", "研发投入", "亿元"),
    ("2.2", "利润总额", "亿元"),
)
PROVINCE_BY_PREFIX = {code[:2]: short for code, _, short in PROVINCES}
COLORS = ["#1d4e89", "#b71c1c", "#d49b00", "#2e7d32", "#6a1b9a", "#00838f"]


@dataclass
class Chart:
    id: str
    title: str
    option: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    height: int = 360
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def option_json(self) -> str:
        """The option as JSON for the data-chart-option attribute (escaped by the template)."""
        return json.dumps(self.option, ensure_ascii=False)


def _num(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool | dict | list) else float(value)
    except (TypeError, ValueError):
        return None


def _round(x: float | None, places: int = 2) -> float | None:
    return None if x is None else round(x, places)


def _growth(now: float, before: float) -> float | None:
    return (now - before) / abs(before) * 100 if before else None


def province_of(authority: Authority) -> str:
    if not authority.region_code:
        return "新疆"  # 新疆生产建设兵团 is shown with 新疆 on the map
    return PROVINCE_BY_PREFIX.get(authority.region_code[:2], authority.short_name)


def _bar_line(
    title: str, names: list[str], bars: list[dict[str, Any]], line: dict[str, Any] | None, *, rotate: int = 40
) -> dict[str, Any]:
    y_axes: list[dict[str, Any]] = [{"type": "value", "name": bars[0].get("unit", "")}]
    series = [
        {"type": "bar", "name": b["name"], "data": b["data"], "itemStyle": {"color": COLORS[i]}}
        for i, b in enumerate(bars)
    ]
    if line is not None:
        y_axes.append({"type": "value", "name": "%", "splitLine": {"show": False}})
        series.append(
            {
                "type": "line",
                "name": line["name"],
                "yAxisIndex": 1,
                "data": line["data"],
                "itemStyle": {"color": COLORS[2]},
            }
        )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 50, "bottom": 90, "top": 40},
        "xAxis": {
            "type": "category",
            "data": names,
            "axisLabel": {"rotate": rotate, "interval": 0, "fontSize": 11},
        },
        "yAxis": y_axes,
        "series": series,
        "aria": {"enabled": True, "label": {"description": title}},
    }


class Overview:
    """Everything the analytics page reads, once."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        year = campaign.data_year
        self.years = (year, year - 1)
        self.bases = {b.pk: b for b in campaign.bases.select_related("authority", "category")}
        self.values: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
        rows = Value.objects.filter(
            submission__campaign=campaign,
            form="summary",
            code__in=[c for c, _, _ in TREND_ITEMS],
            year__in=self.years,
        ).values_list("submission__base_id", "code", "year", "value")
        for base_id, code, y, value in rows:
            n = _num(value)
            if n is not None:
                self.values[base_id][code][y] = n
        self.run = campaign.score_runs.order_by("-run_at", "-id").first()
        self.scores: dict[int, float] = (
            {
                b: t
                for b, t in self.run.scores.filter(total__isnull=False).values_list("base_id", "total")
                if t is not None
            }
            if self.run
            else {}
        )
        self.stars = {
            b: override or computed
            for b, override, computed in Rating.objects.filter(campaign=campaign).values_list(
                "base_id", "override_stars", "computed_stars"
            )
        }

    def _totals(self, key_of: Any, label_of: Any, chart_id: str, title: str) -> Chart:
        now: dict[Any, float] = defaultdict(float)
        before: dict[Any, float] = defaultdict(float)
        count: Counter[Any] = Counter()
        for base_id, base in self.bases.items():
            sales = self.values.get(base_id, {}).get("1.1", {})
            key = key_of(base)
            if self.years[0] in sales and self.years[1] in sales:
                now[key] += sales[self.years[0]]
                before[key] += sales[self.years[1]]
                count[key] += 1
        keys = sorted(now, key=lambda k: -now[k])
        names = [label_of(k) for k in keys]
        y0, y1 = self.years
        rows = [
            [label_of(k), count[k], _round(now[k]), _round(before[k]), _round(_growth(now[k], before[k]), 1)]
            for k in keys
        ]
        option = _bar_line(
            title,
            names,
            [
                {"name": f"{y0}年销售收入", "data": [r[2] for r in rows], "unit": "亿元"},
                {"name": f"{y1}年销售收入", "data": [r[3] for r in rows], "unit": "亿元"},
            ],
            {"name": "同比增速（%）", "data": [r[4] for r in rows]},
        )
        return Chart(
            chart_id,
            title,
            option,
            ["名称", "填报基地数", f"{y0}年销售收入（亿元）", f"{y1}年销售收入（亿元）", "同比增速（%）"],
            rows,
            note=f"仅计两年销售收入均已填报的示范基地（共 {sum(count.values())} 个）。",
            height=420,
        )

    def by_authority(self) -> Chart:
        return self._totals(
            lambda b: b.authority, lambda a: a.short_name, "authority", "各省级主管部门销售收入及增速"
        )

    def by_category(self) -> Chart:
        return self._totals(lambda b: b.category, lambda c: c.name, "category", "各类型销售收入及增速")

    def star_distribution(self) -> Chart:
        counts = Counter(self.stars.values())
        per_cat: dict[str, Counter[int]] = defaultdict(Counter)
        for base_id, s in self.stars.items():
            per_cat[self.bases[base_id].category.name if base_id in self.bases else "—"][s] += 1
        total = sum(counts.values()) or 1
        rows = [[f"{s}星", counts[s], _round(counts[s] / total * 100, 1)] for s in (5, 4, 3, 2, 1)]
        cats = [c.name for c in Category.objects.all() if c.name in per_cat]
        option = {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0},
            "grid": {"left": 50, "right": 20, "bottom": 70, "top": 40},
            "xAxis": {"type": "category", "data": cats, "axisLabel": {"rotate": 30, "interval": 0}},
            "yAxis": {"type": "value", "name": "个"},
            "series": [
                {
                    "type": "bar",
                    "stack": "stars",
                    "name": f"{s}星",
                    "data": [per_cat[c][s] for c in cats],
                    "itemStyle": {"color": color},
                }
                for s, color in zip(
                    (5, 4, 3, 2, 1), ("#b71c1c", "#d49b00", "#1d4e89", "#6b8fb8", "#9aa5b1"), strict=True
                )
            ],
        }
        return Chart(
            "stars",
            "星级分布",
            option,
            ["星级", "基地数", "占比（%）"],
            rows,
            note="尚未评定星级。"
            if not self.stars
            else f"共评定 {sum(counts.values())} 个示范基地；图为各类型的星级构成。",
        )

    def ranking(self, top: int = 20) -> Chart:
        ranked = sorted(self.scores.items(), key=lambda kv: -kv[1])[:top]
        rows = [
            [
                n,
                self.bases[b].name,
                self.bases[b].authority.short_name,
                self.bases[b].category.name,
                _round(t),
                self.stars.get(b),
            ]
            for n, (b, t) in enumerate(ranked, start=1)
            if b in self.bases
        ]
        option = {
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "grid": {"left": 280, "right": 40, "top": 10, "bottom": 30},
            "xAxis": {"type": "value", "name": "综合得分", "max": 100},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [r[1] for r in rows],
                "axisLabel": {"fontSize": 11, "width": 270, "overflow": "truncate"},
            },
            "series": [
                {
                    "type": "bar",
                    "name": "综合得分",
                    "data": [r[4] for r in rows],
                    "itemStyle": {"color": COLORS[0]},
                    "label": {"show": True, "position": "right"},
                }
            ],
        }
        return Chart(
            "ranking",
            f"综合得分前 {top} 名",
            option,
            ["排名", "示范基地", "省级主管部门", "类型", "综合得分", "星级"],
            rows,
            note="" if self.scores else "尚未评分。",
            height=max(300, 22 * len(rows) + 40),
        )

    def province_map(self) -> Chart:
        count: Counter[str] = Counter()
        scores: dict[str, list[float]] = defaultdict(list)
        five: Counter[str] = Counter()
        for base_id, base in self.bases.items():
            p = province_of(base.authority)
            count[p] += 1
            if base_id in self.scores:
                scores[p].append(self.scores[base_id])
            if self.stars.get(base_id) == 5:
                five[p] += 1
        provinces = [short for _, _, short in PROVINCES]
        rows = [
            [p, count[p], _round(statistics.fmean(scores[p])) if scores[p] else None, five[p]]
            for p in sorted(provinces, key=lambda p: -count[p])
        ]
        option = {
            "tooltip": {"trigger": "item"},
            "visualMap": {
                "min": 0,
                "max": max(count.values(), default=1),
                "left": 10,
                "bottom": 10,
                "text": ["多", "少"],
                "calculable": True,
                "inRange": {"color": ["#e8f1fb", "#1d4e89"]},
            },
            "series": [
                {
                    "type": "map",
                    "map": "china",
                    "name": "示范基地数",
                    "roam": False,
                    "label": {"show": False},
                    "data": [{"name": r[0], "value": r[1]} for r in rows],
                }
            ],
        }
        return Chart(
            "map",
            "各省（区、市）示范基地分布",
            option,
            ["省（区、市）", "参评基地数", "平均综合得分", "五星基地数"],
            rows,
            note="计划单列市计入所在省，通信管理局计入所在省，新疆生产建设兵团计入新疆。",
            height=460,
        )

    def charts(self) -> list[Chart]:
        return [
            self.by_authority(),
            self.by_category(),
            self.star_distribution(),
            self.ranking(),
            self.province_map(),
        ]


def base_profile(campaign: Campaign, base: Base, run: ScoreRun | None) -> list[Chart]:
    """Three-year trends of the base's key figures beside its category's median, and its dimensions."""
    years = [campaign.data_year - 2, campaign.data_year - 1, campaign.data_year]
    peers = list(campaign.bases.filter(category_id=base.category_id).values_list("pk", flat=True))
    values: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for base_id, code, y, value in Value.objects.filter(
        submission__campaign=campaign,
        submission__base_id__in=peers,
        form="summary",
        code__in=[c for c, _, _ in TREND_ITEMS],
        year__in=years,
    ).values_list("submission__base_id", "code", "year", "value"):
        n = _num(value)
        if n is not None:
            values[base_id][code][y] = n
    charts: list[Chart] = []
    for code, name, unit in TREND_ITEMS:
        own = [values.get(base.pk, {}).get(code, {}).get(y) for y in years]
        medians = []
        for y in years:
            vs = [values[b][code][y] for b in peers if b != base.pk and y in values.get(b, {}).get(code, {})]
            medians.append(_round(statistics.median(vs)) if vs else None)
        option = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
            "xAxis": {"type": "category", "data": [f"{y}年" for y in years]},
            "yAxis": {"type": "value", "name": unit},
            "series": [
                {"type": "line", "name": "本基地", "data": own, "itemStyle": {"color": COLORS[1]}},
                {
                    "type": "line",
                    "name": "同类型中位数",
                    "data": medians,
                    "lineStyle": {"type": "dashed"},
                    "itemStyle": {"color": COLORS[0]},
                },
            ],
        }
        charts.append(
            Chart(
                f"trend-{code}",
                f"{code} {name}（{unit}）",
                option,
                ["年度", "本基地", f"同类型中位数（{len(peers) - 1} 个基地）"],
                [[f"{y}年", own[i], medians[i]] for i, y in enumerate(years)],
                height=280,
            )
        )
    if run is not None:
        mine = run.scores.filter(base=base).first()
        dims = list(run.parsed().dimensions)
        cat = list(
            run.scores.filter(base__category_id=base.category_id, total__isnull=False).values_list(
                "dimensions", flat=True
            )
        )
        if mine is not None and mine.total is not None:
            means = [
                _round(statistics.fmean(d[x.code] for d in cat if d.get(x.code) is not None)) for x in dims
            ]
            own = [mine.dimensions.get(x.code) for x in dims]
            option = {
                "tooltip": {},
                "legend": {"top": 0},
                "radar": {"indicator": [{"name": d.name, "max": 100} for d in dims], "radius": "62%"},
                "series": [
                    {
                        "type": "radar",
                        "data": [
                            {"name": "本基地", "value": own, "itemStyle": {"color": COLORS[1]}},
                            {"name": "同类型平均", "value": means, "itemStyle": {"color": COLORS[0]}},
                        ],
                    }
                ],
            }
            charts.append(
                Chart(
                    "dimensions",
                    "六个维度得分",
                    option,
                    ["维度", "本基地", "同类型平均"],
                    [[d.name, own[i], means[i]] for i, d in enumerate(dims)],
                    height=340,
                )
            )
    return charts


def table_csv(chart: Chart) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(chart.columns)
    writer.writerows(["" if v is None else v for v in row] for row in chart.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read the Chinese right


def table_xlsx(chart: Chart) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has its first sheet
    ws.title = chart.id[:31]
    ws.append([chart.title])
    ws.append(chart.columns)
    for row in chart.rows:
        ws.append(row)
    if chart.note:
        ws.append([])
        ws.append([chart.note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
