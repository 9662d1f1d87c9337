"""The national export reads most cells straight from their JSON text, and computes 同比 in floats
where that is provably exact: every cell must be what the general path makes of it (the value
decoded as the ORM decodes it, then `cell_content`, and 同比 by `yoy_percent` in Decimal)."""

from __future__ import annotations

import json
import random
from decimal import Decimal, localcontext
from typing import Any

import pytest

from definitions.models import Definition
from exchange import excel_export
from exchange.excel_export import (
    ExportColumn,
    cell_content,
    export_columns,
    row_cells,
    row_plan,
    table_cells,
    table_decoded,
)
from lib.numbers import format_decimal
from security import fields as security_fields
from security.fields import Sensitive, seal, unseal
from submissions.validation import yoy_percent


def _general(columns: list[ExportColumn], texts: dict) -> list[Any]:
    """The row as the general path makes it: decoded as SealedJSONField does, then cell_content."""

    def value(key):
        text = texts.get(key, (None, None))[0]
        return None if text is None else unseal(json.loads(text))

    def number(key):
        v = value(key)
        if v is None or isinstance(v, bool | dict | list):
            return None
        try:
            d = Decimal(str(v))
        except ArithmeticError:
            return None
        return d if d.is_finite() else None

    out: list[Any] = []
    for column in columns:
        if column.kind == "yoy":
            change = yoy_percent(number(column.key), number(column.previous_key))
            out.append(float(change) if change is not None else None)
        elif column.key not in texts:
            out.append(None)
        else:
            value_text, raw_text = texts[column.key]
            if value_text is not None:
                out.append(cell_content(column.fld, None, value(column.key)))
            else:
                out.append(cell_content(column.fld, unseal(json.loads(raw_text)), None))
    return out


def _strict(row: list[Any]) -> list[tuple[str, str]]:
    return [(type(c).__name__, repr(c)) for c in row]  # -0.0 is not 0.0, a str is not a float


@pytest.fixture
def summary(forms_2022):
    return Definition.objects.get(version="2022", code="summary").parsed()


def _columns(summary, code: str) -> list[ExportColumn]:
    return [c for c in export_columns(summary, 2021) if c.code == code]


def _decimal_text(rng: random.Random) -> str:
    digits = rng.choice([1, 2, 3, 4, 6, 9, 12, 15])
    number = Decimal(rng.randrange(10**digits)).scaleb(-rng.choice([0, 0, 1, 2, 3, 4, 6]))
    return format_decimal(-number if rng.random() < 0.15 else number)


def _tie(rng: random.Random) -> tuple[str, str]:
    """This year and last year so that 同比 is exactly halfway between two hundredths of a percent."""
    previous = Decimal(rng.randrange(1, 10**6)).scaleb(-rng.choice([0, 1, 2]))
    steps = Decimal(2 * rng.randrange(-9999, 30000) + 1)  # an odd number of half hundredths
    with localcontext() as ctx:
        ctx.prec = 60
        current = previous + previous * steps / 20000
    return format_decimal(current), format_decimal(previous)


def test_yoy_in_floats_is_the_decimal_result_and_decimal_decides_the_ties(summary, monkeypatch):
    columns = _columns(summary, "1.1")  # 2021, 2020, 2019 and the 同比 of 2021 and 2020
    assert [c.kind for c in columns].count("yoy") == 2
    plan = row_plan(columns)
    decided_by_decimal = []
    monkeypatch.setattr(
        excel_export, "yoy_percent", lambda c, p: decided_by_decimal.append(1) or yoy_percent(c, p)
    )
    rng = random.Random(530)
    pairs = [(_decimal_text(rng), _decimal_text(rng)) for _ in range(3000)]
    ties = [_tie(rng) for _ in range(300)]
    pairs += ties
    pairs += [(t, t) for t, _ in pairs[:50]]  # unchanged
    pairs += [(a, "0") for a, _ in pairs[:20]] + [("0", b) for _, b in pairs[:20]]
    pairs += [("14.5", "14.50"), ("-0", "3"), ("0.001", "-0.001"), ("1", "3"), ("2", "3"), ("-1", "-3")]
    pairs += [("99999.999", "100000"), ("100000", "99999.999")]  # 同比 -0.00 and 0.00
    pairs += [("12345678901234.5678", "0.0001"), ("0.0001", "98765432109876.54")]
    pairs += [("1.00000000000000000001", "1"), ("1", "1.00000000000000000001")]  # beyond a float
    for current, previous in pairs:
        for middle in (previous, current):
            texts = {
                columns[0].key: (json.dumps(current), None),
                columns[1].key: (json.dumps(middle), None),
                columns[2].key: (json.dumps(previous), None),
            }
            assert _strict(row_cells(plan, texts)) == _strict(_general(columns, texts)), (
                current,
                middle,
                previous,
            )
    computed = 2 * 2 * len(pairs)
    assert len(decided_by_decimal) < computed / 4  # most in floats
    assert len(decided_by_decimal) >= len(ties)  # every tie by Decimal


CELLS = [
    '"12.5"', '"-3"', '"0"', '"-0"', '"1234567890.123456789"', "3", "2.5", "-0.0", "1e400", '" 12 "',
    '"1e3"', '"1_000"', '"nan"', '"Infinity"', '"abc"', '"12"', "true", "false", "null",
    '{"answer": true, "note": "说明"}', '{"answer": false}', '{"note": "只有说明"}', "[1, 2]",
    json.dumps("张三"), json.dumps('a "quoted" \\ text'), '"plain text"', json.dumps("enc1:不是密文"),
    json.dumps(seal(Sensitive("13800000000"))), '"是"', '"否"', '""', ' "12.5" ',
]  # fmt: skip
RAWS = [json.dumps("12,5"), json.dumps("１２．５"), json.dumps(12.5), json.dumps(""), "null", "true"]


@pytest.mark.parametrize("code", ["1.1", "steady_growth_city", "reporter_name", "reporter_kind"])
def test_every_kind_of_saved_cell_is_what_the_general_path_makes_of_it(summary, code):
    columns = _columns(summary, code)
    assert columns
    plan = row_plan(columns)
    values = [(text, None) for text in CELLS] + [(None, raw) for raw in RAWS]
    for index, cell in enumerate(values):
        texts = {column.key: values[(index + n) % len(values)] for n, column in enumerate(columns)}
        assert _strict(row_cells(plan, texts)) == _strict(_general(columns, texts)), cell
    assert row_cells(plan, {}) == [None] * len(columns)  # nothing saved


def test_a_small_table_comes_out_the_same_with_its_tokens_opened_only_where_shown(summary, monkeypatch):
    contacts = next(f for f in summary.fields() if f.code == "contacts")
    numeric = next(f for d in [summary] for f in d.fields() if f.type == "table" and any(
        c.type in ("amount", "count") for c in f.columns
    ))  # fmt: skip
    typed = [
        {"name": "张三", "mobile": Sensitive("138 0000 0000"), "email": Sensitive("a@example.cn")},
        {"name": "李四", "mobile": Sensitive("13900000000"), "fax": Sensitive("0731-1234")},
        ["王五", "主任", Sensitive("0731-88886666")],
        {"name": ""},
    ]
    canonical = [
        {"name": "张三", "mobile": Sensitive("13800000000"), "email": None},
        {"name": "李四", "mobile": Sensitive("13900000000")},
    ]
    raw_text, value_text = json.dumps(seal(typed)), json.dumps(seal(canonical))
    opened = []
    real_plain = security_fields._plain
    monkeypatch.setattr(security_fields, "_plain", lambda token: opened.append(token) or real_plain(token))
    rows = table_cells(contacts, *table_decoded((value_text, raw_text)))
    assert len(opened) == 5  # 2 canonical mobiles, the e-mail and fax typed only, the landline of a list row
    expected = table_cells(contacts, unseal(json.loads(raw_text)), unseal(json.loads(value_text)))
    assert [(w, _strict(r)) for w, r in rows] == [(w, _strict(r)) for w, r in expected]
    assert rows[0][1][3] == "13800000000" and rows[0][1][5] == "a@example.cn"
    cols = numeric.columns
    typed_rows = [{c.key: text for c in cols} for text in ("12,5", "abc", "", "7")]
    canonical_rows = [{c.key: value for c in cols} for value in ("12.5", None, None, "x")]
    assert table_cells(numeric, *table_decoded((json.dumps(canonical_rows), json.dumps(typed_rows)))) == (
        table_cells(numeric, typed_rows, canonical_rows)
    )


def _table_general(fld, raw, value) -> list[tuple[Any, list[tuple[str, str]]]]:
    """The table's rows with every cell through `_table_cell` (the general path)."""
    raw_rows = raw if isinstance(raw, list) else []
    value_rows = value if isinstance(value, list) else []
    out = []
    for index, typed in enumerate(raw_rows):
        canonical = value_rows[index] if index < len(value_rows) else None
        row = []
        for position, col in enumerate(fld.columns):
            if isinstance(typed, dict):
                typed_cell = typed.get(col.key)
            elif isinstance(typed, list) and position < len(typed):
                typed_cell = typed[position]
            else:
                typed_cell = None
            value_cell = canonical.get(col.key) if isinstance(canonical, dict) else None
            row.append(excel_export._table_cell(col, typed_cell, value_cell))
        if any(c not in (None, "") for c in row):
            label = fld.row_labels[index] if index < len(fld.row_labels) else index + 1
            out.append((label, _strict(row)))
    return out


TABLE_VALUES = [
    "12.5", "-3", "0", "-0", "1234567890.123456789", " 12 ", "1e3", "1_000", "1e400", "1e-400", "nan",
    "Infinity", "abc", "", "张三", 'a "quoted" \\ text', "enc1:不是密文", "是", "否", 3, 2.5, -0.0, True,
    False, None, {"answer": True, "note": "说明"}, [1, 2], Sensitive("13800000000"),
]  # fmt: skip
TABLE_TYPED = ["12,5", "１２．５", 12.5, "", None, "abc", Sensitive("0731-88886666"), "是"]


def test_every_table_cell_is_what_the_general_path_makes_of_it(forms_2022):
    tables = [
        f for d in Definition.objects.filter(version="2022") for f in d.parsed().fields() if f.type == "table"
    ]
    assert {c.type for f in tables for c in f.columns} >= {"amount", "count", "string", "text", "phone"}
    rng = random.Random(2134)
    for fld in tables:
        keys = [c.key for c in fld.columns]
        for _ in range(40):
            rows = rng.randrange(1, 6)
            typed = [
                {k: rng.choice(TABLE_TYPED) for k in keys}
                if rng.random() < 0.8
                else [rng.choice(TABLE_TYPED) for _ in keys]
                for _ in range(rows)
            ]
            canonical = [
                {k: rng.choice(TABLE_VALUES) for k in keys if rng.random() < 0.9}
                if rng.random() < 0.9
                else None
                for _ in range(rng.randrange(0, rows + 1))
            ]
            raw, value = table_decoded((json.dumps(seal(canonical)), json.dumps(seal(typed))))
            got = [(w, _strict(r)) for w, r in table_cells(fld, raw, value)]
            assert got == _table_general(fld, raw, value), (fld.code, typed, canonical)
