"""The scoring model as data: its checked, immutable form (parsed from YAML / stored JSON).

`parse_model` checks the structure and raises `ModelError` with a Chinese message naming the place;
`check_items` checks every item code against the campaign's 汇总表 definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from definitions.schema import FormDefinition

OPS = ("value", "ratio", "growth", "decline")
NORMALISATIONS = ("percentile", "minmax")
DIRECTIONS = ("higher", "lower")
STAR_METHODS = ("share", "thresholds")
CONSISTENCY_OPS = ("<=", ">=", "<", ">")
STAR_LEVELS = (5, 4, 3, 2)


class ModelError(ValueError):
    """A scoring model that cannot be used; the message says where and why, in Chinese."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    op: str
    item: str
    weight: float
    over: str = ""
    scale: float = 1.0
    unit: str = ""
    direction: str = "higher"
    normalisation: str = "percentile"

    @property
    def items(self) -> tuple[str, ...]:
        return (self.item, self.over) if self.over else (self.item,)

    @property
    def formula(self) -> str:
        """How the indicator is computed, in words, for the explanation page."""
        match self.op:
            case "ratio":
                scale = "" if self.scale == 1 else f" × {self.scale:g}"
                return f"{self.item} ÷ {self.over}{scale}"
            case "growth":
                return f"{self.item} 同比增速"
            case "decline":
                return f"{self.item} 较上年降幅"
            case _:
                return self.item


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    weight: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Adjustment:
    """A deduction (per event) or a bonus (a 是 answer or per unit of a count)."""

    item: str
    name: str
    points: float
    kind: str = "count"
    max: float | None = None


@dataclass(frozen=True)
class StarRule:
    method: str
    overall: Mapping[int, float]
    dimensions: Mapping[int, float]


@dataclass(frozen=True)
class Consistency:
    left: str
    op: str
    right: str
    message: str


@dataclass(frozen=True)
class AnswerCheck:
    counts: tuple[str, ...]
    answer: str
    message: str


@dataclass(frozen=True)
class QualityRules:
    history_tolerance: float = 0.005
    jump_percent: float = 50
    mad_limit: float = 3.5
    report_tolerance: float = 0.01
    shingle: int = 8
    copy_jaccard: float = 0.6
    copy_min_chars: int = 60
    plausibility: tuple[str, ...] = ()
    consistency: tuple[Consistency, ...] = ()
    answers: tuple[AnswerCheck, ...] = ()


@dataclass(frozen=True)
class ScoringDefinition:
    version: str
    campaign_year: int
    form_version: str
    title: str
    dimensions: tuple[Dimension, ...]
    stars: StarRule
    min_peers: int = 5
    expert_weight: float = 0.0
    min_experts: int = 1
    deductions: tuple[Adjustment, ...] = ()
    deduction_cap: float = 100.0
    bonuses: tuple[Adjustment, ...] = ()
    bonus_cap: float = 100.0
    disqualification_reasons: tuple[str, ...] = ()
    quality: QualityRules = field(default_factory=QualityRules)

    def indicators(self) -> Iterable[tuple[Dimension, Indicator]]:
        for dim in self.dimensions:
            for ind in dim.indicators:
                yield dim, ind

    def indicator_map(self) -> dict[str, Indicator]:
        return {ind.code: ind for _, ind in self.indicators()}

    def dimension_map(self) -> dict[str, Dimension]:
        return {d.code: d for d in self.dimensions}

    def items(self) -> set[str]:
        """Every 汇总表 item code the model reads."""
        codes = {code for _, ind in self.indicators() for code in ind.items}
        codes |= {a.item for a in (*self.deductions, *self.bonuses)}
        codes |= {c.left for c in self.quality.consistency} | {c.right for c in self.quality.consistency}
        for check in self.quality.answers:
            codes |= {*check.counts, check.answer}
        codes |= {p for p in self.quality.plausibility if p not in self.indicator_map()}
        return codes


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(data, Mapping) or key not in data or data[key] in (None, ""):
        raise ModelError(f"{where}缺少“{key}”")
    return data[key]


def _number(raw: Any, where: str, *, positive: bool = False) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ModelError(f"{where}须为数字")
    if raw < 0 or (positive and raw == 0):
        raise ModelError(f"{where}须大于0" if positive else f"{where}不能为负数")
    return float(raw)


def _choice(raw: Any, allowed: tuple[str, ...], where: str) -> str:
    if raw not in allowed:
        raise ModelError(f"{where}须为 {'、'.join(allowed)} 之一，而不是“{raw}”")
    return str(raw)


def _indicator(raw: Mapping[str, Any], where: str, default_norm: str) -> Indicator:
    code = str(_req(raw, "code", where))
    where = f"{where}指标 {code} "
    op = _choice(raw.get("op", "value"), OPS, f"{where}op ")
    over = str(raw.get("over") or "")
    if op == "ratio" and not over:
        raise ModelError(f"{where}是比值（ratio），须写明分母“over”")
    if op != "ratio" and over:
        raise ModelError(f"{where}只有比值（ratio）才有分母“over”")
    return Indicator(
        code=code,
        name=str(_req(raw, "name", where)),
        op=op,
        item=str(_req(raw, "item", where)),
        over=over,
        scale=_number(raw.get("scale", 1), f"{where}scale ", positive=True),
        unit=str(raw.get("unit") or ""),
        weight=_number(_req(raw, "weight", where), f"{where}权重 ", positive=True),
        direction=_choice(raw.get("direction", "higher"), DIRECTIONS, f"{where}direction "),
        normalisation=_choice(
            raw.get("normalisation", default_norm), NORMALISATIONS, f"{where}normalisation "
        ),
    )


def _levels(raw: Any, where: str, method: str) -> dict[int, float]:
    if not isinstance(raw, Mapping):
        raise ModelError(f"{where}须为“星级: 数值”的对照")
    levels: dict[int, float] = {}
    for key, value in raw.items():
        try:
            star = int(key)
        except (TypeError, ValueError):
            raise ModelError(f"{where}星级“{key}”须为 2 到 5 的整数") from None
        if star not in STAR_LEVELS:
            raise ModelError(f"{where}星级“{key}”须为 2 到 5 的整数（1星为其余）")
        levels[star] = _number(value, f"{where}{star}星 ")
    if method == "share" and sum(levels.values()) > 100 + 1e-9:
        raise ModelError(f"{where}各星级比例之和不能超过100%")
    if method == "thresholds":
        ordered = [levels[s] for s in STAR_LEVELS if s in levels]
        if ordered != sorted(ordered, reverse=True):
            raise ModelError(f"{where}星级越高，分数线须越高")
    return levels


def _adjustments(raw: Any, where: str, kinds: tuple[str, ...]) -> tuple[tuple[Adjustment, ...], float]:
    if not raw:
        return (), 100.0
    items = []
    for n, item in enumerate(_req(raw, "items", where), start=1):
        w = f"{where}第{n}项"
        items.append(
            Adjustment(
                item=str(_req(item, "item", w)),
                name=str(_req(item, "name", w)),
                points=_number(_req(item, "points", w), f"{w}分值 ", positive=True),
                kind=_choice(item.get("kind", "count"), kinds, f"{w}kind "),
                max=_number(item["max"], f"{w}上限 ") if item.get("max") is not None else None,
            )
        )
    return tuple(items), _number(raw.get("cap", 100), f"{where}上限 ")


def _quality(raw: Any) -> QualityRules:
    raw = raw or {}
    where = "数据质量检查"
    consistency = tuple(
        Consistency(
            left=str(_req(c, "left", where)),
            op=_choice(c.get("op", "<="), CONSISTENCY_OPS, f"{where}op "),
            right=str(_req(c, "right", where)),
            message=str(_req(c, "message", where)),
        )
        for c in raw.get("consistency") or ()
    )
    answers = tuple(
        AnswerCheck(
            counts=tuple(str(x) for x in _req(a, "counts", where)),
            answer=str(_req(a, "answer", where)),
            message=str(_req(a, "message", where)),
        )
        for a in raw.get("answers") or ()
    )
    numbers: dict[str, Any] = {
        key: _number(raw[key], f"{where} {key} ")
        for key in ("history_tolerance", "jump_percent", "mad_limit", "report_tolerance", "copy_jaccard")
        if key in raw
    }
    ints: dict[str, Any] = {
        key: int(_number(raw[key], f"{where} {key} ", positive=True))
        for key in ("shingle", "copy_min_chars")
        if key in raw
    }
    return QualityRules(
        **numbers,
        **ints,
        plausibility=tuple(str(p) for p in raw.get("plausibility") or ()),
        consistency=consistency,
        answers=answers,
    )


def parse_model(data: Mapping[str, Any]) -> ScoringDefinition:
    """The checked model. Raises ModelError naming the first mistake."""
    if not isinstance(data, Mapping):
        raise ModelError("评分模型须为一个对照表（YAML 映射）")
    default_norm = _choice(data.get("normalisation", "percentile"), NORMALISATIONS, "模型 normalisation ")
    dimensions = []
    seen: set[str] = set()
    for raw_dim in _req(data, "dimensions", "模型"):
        code = str(_req(raw_dim, "code", "维度"))
        where = f"维度 {code} "
        indicators = tuple(_indicator(raw, where, default_norm) for raw in _req(raw_dim, "indicators", where))
        for ind in indicators:
            if ind.code in seen:
                raise ModelError(f"指标代码 {ind.code} 重复")
            seen.add(ind.code)
        dimensions.append(
            Dimension(
                code=code,
                name=str(_req(raw_dim, "name", where)),
                weight=_number(_req(raw_dim, "weight", where), f"{where}权重 ", positive=True),
                indicators=indicators,
            )
        )
    if len({d.code for d in dimensions}) != len(dimensions):
        raise ModelError("维度代码重复")
    stars_raw = _req(data, "stars", "模型")
    method = _choice(stars_raw.get("method"), STAR_METHODS, "星级规则 method ")
    stars = StarRule(
        method=method,
        overall=_levels(_req(stars_raw, "overall", "星级规则"), "星级规则（综合）", method),
        dimensions=_levels(stars_raw.get("dimensions") or stars_raw["overall"], "星级规则（分维度）", method),
    )
    expert = data.get("expert") or {}
    expert_weight = _number(expert.get("weight", 0), "专家评分权重 ")
    if expert_weight > 1:
        raise ModelError("专家评分权重须在 0 到 1 之间")
    deductions, deduction_cap = _adjustments(data.get("deductions"), "扣分项", ("count",))
    bonuses, bonus_cap = _adjustments(data.get("bonuses"), "加分项", ("count", "answer"))
    return ScoringDefinition(
        version=str(_req(data, "version", "模型")),
        campaign_year=int(_req(data, "campaign_year", "模型")),
        form_version=str(_req(data, "form_version", "模型")),
        title=str(_req(data, "title", "模型")),
        dimensions=tuple(dimensions),
        stars=stars,
        min_peers=int(_number(data.get("min_peers", 5), "min_peers ", positive=True)),
        expert_weight=expert_weight,
        min_experts=int(_number(expert.get("min_experts", 1), "专家最少人数 ", positive=True)),
        deductions=deductions,
        deduction_cap=deduction_cap,
        bonuses=bonuses,
        bonus_cap=bonus_cap,
        disqualification_reasons=tuple(
            str(r) for r in (data.get("disqualification") or {}).get("reasons") or ()
        ),
        quality=_quality(data.get("quality")),
    )


def check_items(model: ScoringDefinition, summary: FormDefinition) -> None:
    """Every item the model reads exists in the 汇总表, and the numeric ones are numbers."""
    fields = summary.field_map()
    for code in sorted(model.items()):
        if code not in fields:
            raise ModelError(f"评分模型引用的项目 {code} 不在{summary.version}版汇总表中")
    for _, ind in model.indicators():
        for code in ind.items:
            if not fields[code].is_numeric:
                raise ModelError(f"指标 {ind.code} 引用的项目 {code} 不是数值项目")
    for adj in model.bonuses:
        if adj.kind == "answer" and fields[adj.item].type != "yesno":
            raise ModelError(f"加分项 {adj.name} 的项目 {adj.item} 不是“是/否”项目")
