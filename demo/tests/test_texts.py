"""The demo's texts: every base writes its own, a new one every year, except the few planted copies."""

from __future__ import annotations

import random
from itertools import combinations
from types import SimpleNamespace

import pytest

from demo.texts import SUMMARY
from demo.values import (
    REUSE_SHARE,
    BaseWords,
    Model,
    _texts,
    base_words,
    plan_copies,
    report_content,
)
from evaluation.quality import jaccard, report_contradictions, shingles
from evaluation.services import _report_items, _report_texts
from lib.text import char_count

SEED = 2022
ZONES = "青岚翠麓霁坞芷泮澜沣棠溪岱屿珩川"
K, COPIED = 8, 0.8  # evaluation/scoring_models/2022.yaml: shingle, copy_jaccard


def _base(n: int, industry: str = "工程机械", category: str = "equipment") -> SimpleNamespace:
    zone = (
        ZONES[n % len(ZONES)]
        + ZONES[(n * 7 + 3) % len(ZONES)]
        + ("经济技术开发区", "高新区", "工业园区")[n % 3]
    )
    return SimpleNamespace(
        pk=n, batch=1 + n % 10, name=f"装备制造({industry})·{zone}{n}", authority=SimpleNamespace(code="none"),
        category=SimpleNamespace(code=category), lead_industry="装备制造",
    )  # fmt: skip


def _demo(n: int, **kwargs: str) -> tuple[BaseWords, Model]:
    base = _base(n, **kwargs)
    words = base_words(base, random.Random(f"{SEED}:words:{base.name}"))
    model = Model(random.Random(f"{SEED}:figures:{base.name}"), base.category.code, ()).build()
    return words, model


def _all_texts(words: BaseWords, model: Model, year: int) -> dict[str, str]:
    """The texts the data-quality check compares: the summary's items and the report's parts."""
    report = SimpleNamespace(**report_content(words, model, year))
    return _texts(words, model, year) | {f"report:{w}": t for w, t in _report_texts(report)}


def _similar(a: str, b: str) -> float:
    return jaccard(shingles(a, K), shingles(b, K))


def test_a_base_never_repeats_last_years_text():
    for n in range(40):
        words, model = _demo(n)
        before, now = _all_texts(words, model, 2020), _all_texts(words, model, 2021)
        assert before.keys() == now.keys()
        for where, text in now.items():
            assert _similar(text, before[where]) < COPIED, (n, where, text)


def test_bases_of_one_industry_write_their_own_texts():
    demos = [_demo(n) for n in range(24)]
    texts = [_all_texts(words, model, 2021) for words, model in demos]
    alike = [
        (where, i, j)
        for i, j in combinations(range(len(texts)), 2)
        for where in texts[i]
        if _similar(texts[i][where], texts[j][where]) >= COPIED
    ]
    assert alike == []


def test_texts_stay_within_their_limits():
    for n in range(30):
        words, model = _demo(n, industry="集成电路", category="electronics")
        for code, text in _texts(words, model, 2021).items():
            assert 60 <= char_count(text) <= 500, (code, text)


@pytest.mark.django_db
def test_the_reports_figures_are_the_forms(forms_2022):
    summary = next(d for d in forms_2022 if d.code == "summary").parsed()
    items = _report_items(summary)
    labels = {f.code: f.label for f in summary.fields()}
    for n in range(40):
        words, model = _demo(n)
        for year in (2020, 2021):
            values: dict[str, dict[int, float]] = {}
            for (code, y), value in model.values.items():
                values.setdefault(code, {})[y] = float(value)
            report = SimpleNamespace(**report_content(words, model, year))
            found = report_contradictions(
                _report_texts(report), values, items, data_year=year, tolerance=0.01, labels=labels
            )
            assert found == [], [f.message for f in found]


def test_a_few_bases_copy_last_years_texts_and_two_pairs_share_a_passage():
    bases = [_base(n, category=("equipment", "materials", "consumer")[n % 3]) for n in range(1, 401)]
    filled = bases[::2]
    plan = plan_copies(bases, seed=SEED, filled=filled)
    assert plan == plan_copies(bases, seed=SEED, filled=filled)
    assert REUSE_SHARE / 2 < len(plan.reuse) / len(bases) < REUSE_SHARE * 2
    assert all(
        keys and set(keys) <= {f"summary:{c}" for c in SUMMARY} | {"report:problems"}
        for keys in plan.reuse.values()
    )
    assert len(plan.shared) == 2
    for source, copier, keys in plan.shared:
        assert source in filled and copier in filled and source is not copier
        assert source.category.code == copier.category.code and keys
