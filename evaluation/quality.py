"""Data-quality checks before scoring. Pure functions: values and texts in, flags out.

- history: a year's value differs from the value the base reported for the same year last campaign;
- outlier: outside the plausible band of the base's category peers (robust z-score on median and MAD);
- jump: a 同比 change beyond the limit without an explanation the reviewer accepted;
- contradiction: two items that cannot both be true (a part above its whole, events against a 是);
- report: a number in the development report's text that differs from the 汇总表;
- copied: a text that largely repeats the base's own answer last year or another base's (shingles and
  Jaccard similarity), with the shared passage shown.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from evaluation.schema import AnswerCheck, Consistency

HISTORY, OUTLIER, JUMP, CONTRADICTION, REPORT, COPIED = (
    "history",
    "outlier",
    "jump",
    "contradiction",
    "report",
    "copied",
)
KIND_LABELS = {
    HISTORY: "与往年材料不一致",
    OUTLIER: "超出同类合理区间",
    JUMP: "同比异常未获认可说明",
    CONTRADICTION: "项目之间矛盾",
    REPORT: "发展报告与汇总表不符",
    COPIED: "文本雷同",
}

Values = Mapping[str, Mapping[int, float]]


@dataclass(frozen=True)
class Flag:
    kind: str
    code: str  # item or indicator code ("" when the flag is about a whole text)
    year: int
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".") if abs(x) < 1e15 else str(x)


def history_mismatches(
    current: Values, previous: Values, *, years: Iterable[int], tolerance: float, labels: Mapping[str, str]
) -> list[Flag]:
    """Same item and year, two campaigns, two different numbers."""
    flags = []
    for code, per_year in sorted(current.items()):
        for year in sorted(years):
            now, then = per_year.get(year), previous.get(code, {}).get(year)
            if now is None or then is None:
                continue
            scale = max(abs(now), abs(then))
            if scale and abs(now - then) > tolerance * scale:
                flags.append(
                    Flag(
                        HISTORY,
                        code,
                        year,
                        f"{year}年 {code} {labels.get(code, '')}：本次填报 {_fmt(now)}，上年度材料中为 {_fmt(then)}",
                        {"current": now, "previous": then},
                    )
                )
    return flags


def robust_z(values: Sequence[float], x: float) -> float | None:
    """0.6745·(x − median)/MAD; None when the MAD is 0 (half the peers equal: no band to speak of)."""
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values)
    if mad == 0:
        return None
    return 0.6745 * (x - med) / mad


def peer_outliers(
    per_base: Mapping[int, Mapping[str, float]],
    categories: Mapping[int, str],
    *,
    keys: Sequence[str],
    limit: float,
    labels: Mapping[str, str],
    year: int,
    min_peers: int = 5,
) -> dict[int, list[Flag]]:
    """Per base: values whose robust z-score against their category peers exceeds `limit`."""
    out: dict[int, list[Flag]] = defaultdict(list)
    for key in keys:
        groups: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for base_id, vals in per_base.items():
            if key in vals:
                groups[categories[base_id]].append((base_id, vals[key]))
        everyone = [v for rows in groups.values() for _, v in rows]
        for cat, rows in groups.items():
            peers = [v for _, v in rows] if len(rows) >= min_peers else everyone
            if len(peers) < min_peers:
                continue
            med = statistics.median(peers)
            mad = statistics.median(abs(v - med) for v in peers)
            if mad == 0:
                continue
            for base_id, v in rows:
                z = 0.6745 * (v - med) / mad
                if abs(z) > limit:
                    band = (med - limit * mad / 0.6745, med + limit * mad / 0.6745)
                    if min(peers) >= 0:
                        band = (max(0.0, band[0]), band[1])
                    out[base_id].append(
                        Flag(
                            OUTLIER,
                            key,
                            year,
                            f"{labels.get(key, key)} 为 {_fmt(v)}，超出{'同类型' if len(rows) >= min_peers else '全部'}"
                            f"基地的合理区间 {_fmt(band[0])} ~ {_fmt(band[1])}（中位数 {_fmt(med)}，稳健Z值 {z:+.1f}）",
                            {
                                "value": v,
                                "median": med,
                                "mad": mad,
                                "z": z,
                                "peers": len(peers),
                                "category": cat,
                            },
                        )
                    )
    return out


def unexplained_jumps(
    values: Values,
    *,
    years: Iterable[int],
    limit: float,
    accepted: set[tuple[str, int]],
    labels: Mapping[str, str],
) -> list[Flag]:
    """同比 beyond ±limit% where the reviewer has not accepted the base's explanation."""
    flags = []
    for code, per_year in sorted(values.items()):
        for year in sorted(years):
            now, before = per_year.get(year), per_year.get(year - 1)
            if now is None or not before:
                continue
            change = (now - before) / abs(before) * 100
            if abs(change) > limit and (code, year) not in accepted:
                flags.append(
                    Flag(
                        JUMP,
                        code,
                        year,
                        f"{year}年 {code} {labels.get(code, '')} 同比 {change:+.1f}%（{_fmt(before)} → {_fmt(now)}），"
                        "超过预警幅度且无已认可的说明",
                        {"change": change, "current": now, "previous": before},
                    )
                )
    return flags


_OPS = {
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}


def contradictions(
    values: Values,
    answers: Mapping[str, bool],
    *,
    year: int,
    rules: Sequence[Consistency],
    answer_checks: Sequence[AnswerCheck],
) -> list[Flag]:
    flags = []
    for rule in rules:
        left, right = values.get(rule.left, {}).get(year), values.get(rule.right, {}).get(year)
        if left is not None and right is not None and not _OPS[rule.op](left, right):
            flags.append(
                Flag(
                    CONTRADICTION,
                    rule.left,
                    year,
                    f"{year}年 {rule.message}（{rule.left} = {_fmt(left)}，{rule.right} = {_fmt(right)}）",
                    {"left": left, "right": right, "rule": f"{rule.left} {rule.op} {rule.right}"},
                )
            )
    for check in answer_checks:
        events = sum(values.get(c, {}).get(year) or 0 for c in check.counts)
        if events > 0 and answers.get(check.answer) is True:
            flags.append(
                Flag(
                    CONTRADICTION,
                    check.answer,
                    year,
                    f"{check.message}（{'、'.join(check.counts)} 合计 {_fmt(events)}）",
                    {"events": events},
                )
            )
    return flags


# --- numbers in the development report against the 汇总表 -------------------------------------

_NUMBER = r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<unit>亿元人民币|亿元|万元|元|个|家|人|%|公顷|亿千瓦时)"
_YEAR = re.compile(r"(20\d\d)\s*(?:年|$)")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
UNIT_FACTORS = {
    ("亿元", "万元"): 1 / 10000,
    ("亿元", "元"): 1 / 1e8,
    ("亿元人民币", "亿元"): 1.0,
    ("亿元", "亿元人民币"): 1.0,
    ("个", "家"): 1.0,
}


@dataclass(frozen=True)
class ReportItem:
    code: str
    unit: str
    labels: tuple[str, ...]


def _pattern(items: Sequence[ReportItem]) -> tuple[re.Pattern[str], dict[str, ReportItem]]:
    by_label: dict[str, ReportItem] = {}
    for item in items:
        for label in item.labels:
            by_label.setdefault(label, item)
    # Longest labels first, so 主导产业销售收入 is read as itself and not as 销售收入.
    alternatives = "|".join(re.escape(lab) for lab in sorted(by_label, key=len, reverse=True))
    return re.compile(rf"(?P<label>{alternatives})[^0-9。；，,]{{0,8}}?{_NUMBER}"), by_label


def report_numbers(
    text: str, items: Sequence[ReportItem], *, data_year: int
) -> list[tuple[str, int, float, str, str]]:
    """(code, year, value in the item's unit, unit as written, quoted passage) for each figure the text
    gives for an item; the year is the last one named earlier in the sentence, else the data year."""
    if not text or not items:
        return []
    pattern, by_label = _pattern(items)
    found = []
    for sentence in _SENTENCE.finditer(text):
        s = sentence.group(0)
        for m in pattern.finditer(s):
            item = by_label[m.group("label")]
            unit = m.group("unit")
            if unit == item.unit:
                factor = 1.0
            elif (item.unit, unit) in UNIT_FACTORS:
                factor = UNIT_FACTORS[(item.unit, unit)]
            else:
                continue  # 同比 % after an amount, a count in another unit: not this item's figure
            years = _YEAR.findall(s[: m.start()])
            year = int(years[-1]) if years else data_year
            number = float(m.group("num").replace(",", "")) * factor
            found.append((item.code, year, number, unit, m.group(0)))
    return found


def report_contradictions(
    texts: Sequence[tuple[str, str]],
    values: Values,
    items: Sequence[ReportItem],
    *,
    data_year: int,
    tolerance: float,
    labels: Mapping[str, str],
) -> list[Flag]:
    """Figures in the report (texts as (where, text)) that differ from the 汇总表 beyond `tolerance`."""
    flags = []
    for where, text in texts:
        for code, year, number, _unit, passage in report_numbers(text, items, data_year=data_year):
            form = values.get(code, {}).get(year)
            if form is None:
                continue
            scale = max(abs(form), abs(number))
            if scale and abs(form - number) > tolerance * scale:
                flags.append(
                    Flag(
                        REPORT,
                        code,
                        year,
                        f"发展报告（{where}）写“{passage}”，汇总表 {code} {labels.get(code, '')} {year}年为 {_fmt(form)}",
                        {"where": where, "passage": passage, "report": number, "form": form},
                    )
                )
    return flags


# --- copied texts --------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def shingles(text: str, k: int) -> set[str]:
    t = _SPACE.sub("", text or "")
    if len(t) < k:
        return {t} if t else set()
    return {t[i : i + k] for i in range(len(t) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def shared_passage(a: str, b: str) -> str:
    """The longest passage the two texts have in common (computed when shown: it is the slow part)."""
    a, b = _SPACE.sub("", a), _SPACE.sub("", b)
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[m.a : m.a + m.size]


@dataclass(frozen=True)
class Text:
    owner: int  # base id
    where: str  # field code or report part
    label: str
    text: str


def copied_texts(
    texts: Sequence[Text],
    previous: Mapping[tuple[int, str], str],
    *,
    k: int,
    threshold: float,
    min_chars: int,
    names: Mapping[int, str],
    common_share: float = 0.05,
) -> dict[int, list[Flag]]:
    """Per base: texts whose Jaccard similarity to its own text of last year, or to another base's text
    in the same place, reaches `threshold`. Candidates come from an inverted index of shingles that
    are not boilerplate (in more than `common_share` of the texts of that place), so 450 bases do not
    cost 100,000 comparisons per field."""
    out: dict[int, list[Flag]] = defaultdict(list)
    by_where: dict[str, list[tuple[Text, set[str]]]] = defaultdict(list)
    for t in texts:
        if len(_SPACE.sub("", t.text)) < min_chars:
            continue
        sh = shingles(t.text, k)
        by_where[t.where].append((t, sh))
        before = previous.get((t.owner, t.where))
        if before and len(_SPACE.sub("", before)) >= min_chars:
            sim = jaccard(sh, shingles(before, k))
            if sim >= threshold:
                out[t.owner].append(
                    Flag(
                        COPIED,
                        t.where,
                        0,
                        f"{t.label} 与本基地上年度材料相似度 {sim:.0%}",
                        {"similarity": sim, "source": "own_last_year", "text": t.text, "other_text": before},
                    )
                )
    for where, docs in by_where.items():
        counts: Counter[str] = Counter()
        for _, sh in docs:
            counts.update(sh)
        limit = max(2, int(len(docs) * common_share))
        index: dict[str, list[int]] = defaultdict(list)
        for n, (_, sh) in enumerate(docs):
            for s in sh:
                if counts[s] <= limit:
                    index[s].append(n)
        best: dict[int, tuple[float, int, int]] = {}  # doc -> (similarity, other doc, similar docs)
        seen: set[tuple[int, int]] = set()
        for members in index.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    i, j = members[x], members[y]
                    if (i, j) in seen:
                        continue
                    seen.add((i, j))
                    (ti, si), (tj, sj) = docs[i], docs[j]
                    if ti.owner == tj.owner:
                        continue
                    sim = jaccard(si, sj)
                    if sim < threshold:
                        continue
                    for a, b in ((i, j), (j, i)):
                        old = best.get(a)
                        similar = (old[2] if old else 0) + 1
                        if old is None or sim > old[0]:
                            best[a] = (sim, b, similar)
                        else:
                            best[a] = (old[0], old[1], similar)
        # One flag per text: the most similar other base, and how many are similar at all.
        for a, (sim, b, similar) in best.items():
            ta, tb = docs[a][0], docs[b][0]
            more = f"（另有 {similar - 1} 个基地的同项内容相似）" if similar > 1 else ""
            out[ta.owner].append(
                Flag(
                    COPIED,
                    where,
                    0,
                    f"{ta.label} 与{names.get(tb.owner, '另一示范基地')}的同项内容相似度 {sim:.0%}{more}",
                    {
                        "similarity": sim,
                        "source": "other_base",
                        "other_base": tb.owner,
                        "similar_bases": similar,
                        "text": ta.text,
                        "other_text": tb.text,
                    },
                )
            )
    return out
