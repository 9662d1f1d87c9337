"""Every score opened to its breakdown: value, normalised value, weight, contribution, the peers."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from evaluation.models import BaseScore, ScoreRun
from evaluation.scoring import EXCLUDED, MISSING

STATUS_LABELS = {"scored": "参与计分", MISSING: "按0分计", EXCLUDED: "不计（权重分摊）"}


@dataclass
class Peer:
    label: str
    value: float
    is_self: bool


@dataclass
class IndicatorRow:
    code: str
    name: str
    formula: str
    unit: str
    direction: str
    normalisation: str
    status: str
    status_label: str
    value: float | None
    normalised: float | None
    weight: float
    effective_weight: float
    contribution: float
    dimension_share: float  # effective weight of the dimension in the total
    total_points: float  # points of the total score this indicator gives
    note: str
    peer_group: str
    peers: list[Peer] = field(default_factory=list)
    peer_median: float | None = None
    position: int | None = None  # 1 = best among the peers


@dataclass
class DimensionRow:
    code: str
    name: str
    weight: float
    effective_weight: float
    data_score: float | None
    expert_score: float | None
    score: float | None
    indicators: list[IndicatorRow]


def score_breakdown(run: ScoreRun, score: BaseScore, *, names: bool) -> dict[str, Any]:
    """The explanation of `score`. With `names` False the peers are anonymised (同类基地1, 2, …)."""
    model = run.parsed()
    indicators = model.indicator_map()
    result = score.result
    category = result["category"]
    peers = list(run.scores.values_list("base_id", "base__name", "base__category__code", "indicator_values"))
    dims: list[DimensionRow] = []
    for d in result["dimensions"]:
        rows: list[IndicatorRow] = []
        for i in d["indicators"]:
            ind = indicators.get(i["code"])
            group = i.get("peer_group") or ""
            compared: list[Peer] = []
            if i["status"] == "scored":
                values = [
                    (bid, name, vals[i["code"]])
                    for bid, name, cat, vals in peers
                    if i["code"] in vals and (group == "all" or cat == category)
                ]
                reverse = not (ind and ind.direction == "lower")
                values.sort(key=lambda t: t[2], reverse=reverse)
                n = 0
                for bid, name, value in values:
                    if bid == score.base_id:
                        compared.append(Peer("本基地", value, True))
                    else:
                        n += 1
                        compared.append(Peer(name if names else f"同类基地{n}", value, False))
            row = IndicatorRow(
                code=i["code"],
                name=i["name"],
                formula=ind.formula if ind else "",
                unit=ind.unit if ind else "",
                direction="越低越好" if ind and ind.direction == "lower" else "越高越好",
                normalisation="极差标准化" if ind and ind.normalisation == "minmax" else "百分位",
                status=i["status"],
                status_label=STATUS_LABELS.get(i["status"], i["status"]),
                value=i["value"],
                normalised=i["normalised"],
                weight=i["weight"],
                effective_weight=i["effective_weight"],
                contribution=i["contribution"],
                dimension_share=d["effective_weight"],
                total_points=i["contribution"] * d["effective_weight"],
                note=i.get("note") or "",
                peer_group="全部参评基地" if group == "all" else ("同类型基地" if group else ""),
                peers=compared,
                peer_median=statistics.median([p.value for p in compared]) if compared else None,
                position=next((n for n, p in enumerate(compared, start=1) if p.is_self), None),
            )
            rows.append(row)
        dims.append(
            DimensionRow(
                code=d["code"],
                name=d["name"],
                weight=d["weight"],
                effective_weight=d["effective_weight"],
                data_score=d["data_score"],
                expert_score=d["expert_score"],
                score=d["score"],
                indicators=rows,
            )
        )
    return {
        "dimensions": dims,
        "deductions": result["deductions"],
        "bonuses": result["bonuses"],
        "deduction": result["deduction"],
        "bonus": result["bonus"],
        "total": result["total"],
        "data_total": result["data_total"],
        "expert_weight": model.expert_weight,
        "disqualified": result["disqualified"],
    }
