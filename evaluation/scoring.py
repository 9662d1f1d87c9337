"""Scoring: a scoring model and every base's values in, every base's scores out. Pure: no database.

Per base and indicator: the raw value (an item, a ratio, a growth or a decline, data year against the
year before); normalised 0-100 within the base's category peers (percentile by mid-rank, or min-max;
"lower is better" reversed); a dimension's score is the weighted mean of its indicators, where an
indicator whose inputs the base may leave blank and did leave blank is dropped (its weight spread over
the others) while a blank mandatory input scores 0. Expert scores, when present, are mixed into each
dimension by the model's expert weight; the total is the weighted mean of the dimensions plus bonuses
minus deductions, kept within 0-100. A disqualified base gets no score.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evaluation.schema import Indicator, ScoringDefinition

SCORED = "scored"  # a value, normalised against peers
MISSING = "missing"  # a mandatory input blank (or a zero denominator): scores 0
EXCLUDED = "excluded"  # an input the base may leave blank, left blank: weight spread over the others


@dataclass(frozen=True)
class BaseInput:
    """What scoring knows about one base. `values[item][year]` are numbers; `answers[item]` 是/否."""

    base_id: int
    category: str
    values: Mapping[str, Mapping[int, float]]
    answers: Mapping[str, bool] = field(default_factory=dict)
    blank_allowed: frozenset[str] = frozenset()
    expert: Mapping[str, float] = field(default_factory=dict)  # dimension code -> mean expert score
    expert_count: int = 0
    disqualified: str = ""


@dataclass
class IndicatorResult:
    code: str
    name: str
    status: str
    value: float | None
    normalised: float | None
    weight: float  # as in the model
    effective_weight: float  # share of the dimension after spreading (0-1)
    contribution: float  # points of the dimension score (0-100) this indicator gives
    peer_group: str = ""  # the category code, or "all" when the category had too few peers
    peer_count: int = 0
    note: str = ""


@dataclass
class DimensionResult:
    code: str
    name: str
    weight: float
    effective_weight: float
    data_score: float | None
    expert_score: float | None
    score: float | None
    indicators: list[IndicatorResult]


@dataclass
class Adjusted:
    item: str
    name: str
    count: float
    points: float


@dataclass
class BaseResult:
    base_id: int
    category: str
    total: float | None
    data_total: float | None
    dimensions: list[DimensionResult]
    deductions: list[Adjusted]
    bonuses: list[Adjusted]
    deduction: float
    bonus: float
    disqualified: str = ""

    def dimension(self, code: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.code == code)

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def indicator_value(ind: Indicator, base: BaseInput, year: int) -> float | None:
    """The raw indicator value, or None when it cannot be computed."""
    item = base.values.get(ind.item, {})
    cur = item.get(year)
    if cur is None:
        return None
    match ind.op:
        case "value":
            return cur
        case "ratio":
            den = base.values.get(ind.over, {}).get(year)
            if not den:
                return None
            return cur / den * ind.scale
        case "growth":
            prev = item.get(year - 1)
            if not prev:
                return None
            return (cur - prev) / abs(prev) * 100
        case "decline":
            prev = item.get(year - 1)
            if not prev:
                return None
            return (prev - cur) / prev * 100
    raise ValueError(ind.op)


def _inputs_blank_allowed(ind: Indicator, base: BaseInput, year: int) -> bool:
    """True when some input the base may leave blank is blank: the indicator does not apply to it."""
    years = [year - 1, year] if ind.op in ("growth", "decline") else [year]
    for code in ind.items:
        if code in base.blank_allowed and any(base.values.get(code, {}).get(y) is None for y in years):
            return True
    return False


def percentile(sorted_values: Sequence[float], value: float) -> float:
    """Mid-rank percentile 0-100 of `value` among `sorted_values` (which include it)."""
    n = len(sorted_values)
    if n <= 1:
        return 100.0
    below = bisect.bisect_left(sorted_values, value)
    equal = bisect.bisect_right(sorted_values, value) - below
    return (below + (equal - 1) / 2) / (n - 1) * 100


def minmax(lo: float, hi: float, value: float) -> float:
    if hi == lo:
        return 100.0
    return (value - lo) / (hi - lo) * 100


class _Peers:
    """Sorted peer values per (indicator, group), for percentile and min-max look-ups."""

    def __init__(self, values: dict[str, dict[int, float]], categories: dict[int, str], min_peers: int):
        self.by: dict[tuple[str, str], list[float]] = {}
        self.negated: dict[tuple[str, str], list[float]] = {}  # for "lower is better", built once
        self.group_of: dict[tuple[str, str], str] = {}
        for code, per_base in values.items():
            everyone = sorted(per_base.values())
            self.by[(code, "all")] = everyone
            per_cat: dict[str, list[float]] = defaultdict(list)
            for base_id, v in per_base.items():
                per_cat[categories[base_id]].append(v)
            for cat, vs in per_cat.items():
                if len(vs) >= min_peers:
                    self.by[(code, cat)] = sorted(vs)
                    self.group_of[(code, cat)] = cat
                else:
                    self.group_of[(code, cat)] = "all"

    def normalise(self, ind: Indicator, category: str, value: float) -> tuple[float, str, int]:
        group = self.group_of[(ind.code, category)]
        vs = self.by[(ind.code, group)]
        v = -value if ind.direction == "lower" else value
        if ind.normalisation == "minmax":
            lo, hi = (-vs[-1], -vs[0]) if ind.direction == "lower" else (vs[0], vs[-1])
            score = minmax(lo, hi, v)
        elif ind.direction == "lower":
            ranked = self.negated.get((ind.code, group))
            if ranked is None:
                ranked = self.negated[(ind.code, group)] = [-x for x in reversed(vs)]
            score = percentile(ranked, v)
        else:
            score = percentile(vs, v)
        return score, group, len(vs)


def _adjust(
    adjustments: Sequence[Any], base: BaseInput, year: int, cap: float
) -> tuple[list[Adjusted], float]:
    out: list[Adjusted] = []
    for adj in adjustments:
        if adj.kind == "answer":
            count = 1.0 if base.answers.get(adj.item) else 0.0
        else:
            count = base.values.get(adj.item, {}).get(year) or 0.0
        if count <= 0:
            continue
        points = count * adj.points
        if adj.max is not None:
            points = min(points, adj.max)
        out.append(Adjusted(item=adj.item, name=adj.name, count=count, points=round(points, 4)))
    return out, min(cap, sum(a.points for a in out))


def _weighted(pairs: Sequence[tuple[float, float]]) -> float | None:
    total = sum(w for w, _ in pairs)
    if total <= 0:
        return None
    return sum(w * s for w, s in pairs) / total


def score_all(
    model: ScoringDefinition, bases: Sequence[BaseInput], *, data_year: int
) -> dict[int, BaseResult]:
    """Every base's result, normalised against its category peers in `bases`."""
    qualified = [b for b in bases if not b.disqualified]
    categories = {b.base_id: b.category for b in bases}
    raw: dict[str, dict[int, float]] = defaultdict(dict)
    status: dict[tuple[int, str], str] = {}
    for base in qualified:
        for _, ind in model.indicators():
            value = indicator_value(ind, base, data_year)
            if value is not None:
                raw[ind.code][base.base_id] = value
                status[(base.base_id, ind.code)] = SCORED
            elif _inputs_blank_allowed(ind, base, data_year):
                status[(base.base_id, ind.code)] = EXCLUDED
            else:
                status[(base.base_id, ind.code)] = MISSING
    peers = _Peers(raw, categories, model.min_peers)

    results: dict[int, BaseResult] = {}
    for base in bases:
        if base.disqualified:
            results[base.base_id] = BaseResult(
                base_id=base.base_id,
                category=base.category,
                total=None,
                data_total=None,
                dimensions=[],
                deductions=[],
                bonuses=[],
                deduction=0.0,
                bonus=0.0,
                disqualified=base.disqualified,
            )
            continue
        dims: list[DimensionResult] = []
        for dim in model.dimensions:
            inds: list[IndicatorResult] = []
            for ind in dim.indicators:
                st = status[(base.base_id, ind.code)]
                value = raw[ind.code].get(base.base_id) if st == SCORED else None
                norm, group, count, note = None, "", 0, ""
                if st == SCORED and value is not None:
                    norm, group, count = peers.normalise(ind, base.category, value)
                elif st == MISSING:
                    norm, note = 0.0, "必填项目未填或无法计算，按0分计"
                else:
                    note = "本类型可选填且未填，权重分摊至本维度其他指标"
                inds.append(
                    IndicatorResult(
                        code=ind.code,
                        name=ind.name,
                        status=st,
                        value=value,
                        normalised=norm,
                        weight=ind.weight,
                        effective_weight=0.0,
                        contribution=0.0,
                        peer_group=group,
                        peer_count=count,
                        note=note,
                    )
                )
            counted = [i for i in inds if i.status != EXCLUDED]
            total_w = sum(i.weight for i in counted)
            for i in counted:
                i.effective_weight = i.weight / total_w
                i.contribution = i.effective_weight * (i.normalised or 0.0)
            data_score = sum(i.contribution for i in counted) if counted else None
            expert = base.expert.get(dim.code) if base.expert_count >= model.min_experts else None
            if data_score is None:
                score = None
            elif expert is None:
                score = data_score
            else:
                score = (1 - model.expert_weight) * data_score + model.expert_weight * expert
            dims.append(
                DimensionResult(
                    code=dim.code,
                    name=dim.name,
                    weight=dim.weight,
                    effective_weight=0.0,
                    data_score=data_score,
                    expert_score=expert,
                    score=score,
                    indicators=inds,
                )
            )
        counted_dims = [d for d in dims if d.score is not None]
        dim_w = sum(d.weight for d in counted_dims)
        for d in counted_dims:
            d.effective_weight = d.weight / dim_w
        combined = _weighted([(d.weight, d.score) for d in counted_dims])  # type: ignore[misc]
        data_total = _weighted([(d.weight, d.data_score) for d in counted_dims])  # type: ignore[misc]
        deductions, deduction = _adjust(model.deductions, base, data_year, model.deduction_cap)
        bonuses, bonus = _adjust(model.bonuses, base, data_year, model.bonus_cap)
        total = None if combined is None else max(0.0, min(100.0, combined + bonus - deduction))
        results[base.base_id] = BaseResult(
            base_id=base.base_id,
            category=base.category,
            total=total,
            data_total=data_total,
            dimensions=dims,
            deductions=deductions,
            bonuses=bonuses,
            deduction=deduction,
            bonus=bonus,
        )
    return results
