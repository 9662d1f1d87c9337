"""`parsing_memo` only saves work: inside it `parse_value` gives exactly what it gives outside."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings

import submissions.validation as validation
from definitions.schema import parse_definition
from submissions.validation import parse_value, parsing_memo

INPUTS = [
    None, "", "12.5", "1,234.5", "１２", "-3", "2.5", "约三十", "85%", 12.5, 3, 3.0, True, Decimal("7.10"),
    "是", "否", "a@example.cn", "bad@", "0731-88886666", "12.5亿元", "  ", ["x"], {"answer": "是", "note": "说明"},
]  # fmt: skip


def _summary():
    import yaml

    path = Path(settings.BASE_DIR) / "forms" / "2022" / "summary.yaml"
    return parse_definition(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_inside_the_memo_every_input_reads_as_outside(monkeypatch):
    definition = _summary()
    cases = [(fld, None, raw) for fld in definition.fields() for raw in INPUTS]
    cases += [(fld, col, raw) for fld in definition.fields() for col in fld.columns for raw in INPUTS]
    outside = [parse_value(fld, raw, col) for fld, col, raw in cases]
    parses = []
    real = validation._parse_value
    monkeypatch.setattr(validation, "_parse_value", lambda *a: parses.append(1) or real(*a))
    with parsing_memo():
        first = [parse_value(fld, raw, col) for fld, col, raw in cases]
        with parsing_memo():  # nested: the same memo
            again = [parse_value(fld, raw, col) for fld, col, raw in cases]
    assert first == outside and again == outside
    assert len(parses) < 1.2 * len(
        cases
    )  # the second pass was read from the memo (lists, dicts are not kept)
    parses.clear()
    [parse_value(fld, raw, col) for fld, col, raw in cases]
    assert len(parses) == len(cases)  # the memo is gone with its block


def test_equal_inputs_of_other_types_are_not_confused():
    definition = _summary()
    count = next(f for f in definition.fields() if f.type == "count")
    yesno = next(f for f in definition.fields() if f.type == "yesno" and f.note is None)
    inputs = (1, True, 1.0, "1", Decimal(1))  # equal, and of equal hash, in Python
    for fld in (count, yesno):
        outside = [parse_value(fld, raw) for raw in inputs]
        assert len({repr(p) for p in outside}) > 1  # they do not all read alike
        with parsing_memo():
            assert [parse_value(fld, raw) for raw in inputs] == outside
