"""Exports of many bases: one workbook with a row per base (national or an authority's), and a zip of
per-base workbooks in the official layout.

The workbook is written by xlsxwriter in constant memory: rows go to disk as they are written, and
the values are read from the database a slice of bases at a time, so 450 bases or 4,500 cost the
same memory. Columns: the base's registry facts and status, then for every item of the form a column
per year asked (numbers as numbers, in the form's unit; an amount typed in 美元 as converted), then
the computed 同比% of each year whose previous year is asked. Each annex has its own sheet with the
bases of its category. Which bases: the ids the caller resolved (the permissions package decides
the scope, the page's filters narrow it).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connections
from django.db.models import Case, Q, TextField, When
from django.db.models.functions import Cast
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from definitions.models import Definition
from definitions.schema import NUMERIC_TYPES, Column, Field, FormDefinition
from exchange.excel_layout import sheet_name
from exchange.excel_template import submission_template
from lib.collector import cycle_collection_paused
from lib.numbers import format_decimal
from registry.models import Campaign
from security.crypto import PREFIX
from security.fields import unseal, unseal_text
from submissions.models import NOT_YEARLY, Submission, Value
from submissions.services import profile_for
from submissions.validation import YOY_PLACES, yoy_percent

CHUNK = 100
# The registry's name and batch (a number, to sort by), apart from the form's own 示范基地名称 and
# 批次 columns as the base typed them.
BASE_COLUMNS = (
    "序号",
    "示范基地名称（名录）",
    "省级主管部门",
    "类型",
    "批次（名录）",
    "材料状态",
    "提交时间",
)


Key = tuple[str, str, int]  # (form, item, year) of a saved cell


@dataclass(frozen=True)
class ExportColumn:
    code: str
    year: int  # 0: asked once
    title: str
    kind: str  # value | yoy
    fld: Field
    key: Key  # the cell shown (yoy: this year's)
    previous_key: Key  # yoy: last year's cell
    numeric: bool


def export_columns(definition: FormDefinition, data_year: int) -> list[ExportColumn]:
    """A column per item and year, then the 同比% columns, in the form's order. Tables are left out
    (their rows do not fit a row per base: each has a sheet of its own, a row per table row); their
    counts and every other item are in."""
    columns: list[ExportColumn] = []
    form = definition.code

    def column(fld: Field, year: int, title: str, kind: str = "value") -> ExportColumn:
        numeric = fld.type in NUMERIC_TYPES
        return ExportColumn(
            fld.code, year, title, kind, fld, (form, fld.code, year), (form, fld.code, year - 1), numeric
        )

    for fld in definition.fields():
        if fld.type == "table":
            continue
        name = f"{fld.code} {fld.label}" if fld.code[:1].isdigit() else fld.label
        unit = f"（{fld.unit}）" if fld.unit else ""
        if not fld.is_yearly:
            columns.append(column(fld, NOT_YEARLY, f"{name}{unit}"))
            continue
        years = definition.years_for(fld, data_year)
        for year in years:
            columns.append(column(fld, year, f"{name}{unit} {year}年"))
        if fld.yoy:
            for year in years:
                if year - 1 in years:
                    columns.append(column(fld, year, f"{name} {year}年同比%", "yoy"))
    return columns


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def cell_content(fld: Field | Column, raw: Any, value: Any) -> Any:
    """A saved value as an export cell: numbers as numbers, 是/否 and texts as text."""
    if fld.type in NUMERIC_TYPES:
        number = _number(value)
        if number is not None:
            return float(number)
        return None if raw in (None, "") else str(raw)
    if fld.type == "yesno":
        answer = value.get("answer") if isinstance(value, dict) else value
        text = {True: "是", False: "否"}.get(answer, "") if isinstance(answer, bool) else ""
        note = value.get("note") if isinstance(value, dict) else None
        return f"{text}；{note}" if note else text or (raw if isinstance(raw, str) else None)
    if value is None:
        return raw if isinstance(raw, str) else None
    return value if isinstance(value, str) else str(value)


def _fast_number(value: Any) -> float | None:
    """float(_number(value)) without the Decimal for a canonical number ("12.5"): the same float, as
    both round the decimal text correctly."""
    if type(value) is str:
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    number_ = _number(value)
    return float(number_) if number_ is not None else None


_NO_CELL = (None, None)

# A base's cells as read: (value, raw) as JSON text; raw only where the value did not parse, or
# for a small table.
Texts = dict[Key, tuple[str | None, str | None]]


def decoded(cell: tuple[str | None, str | None]) -> tuple[Any, Any]:
    """A cell read as text, decoded as the ORM would: (raw where the value did not parse, value)."""
    value, raw = cell
    return (None, unseal_text(value)) if value is not None else (unseal_text(raw), None)


def table_decoded(cell: tuple[str | None, str | None] | None) -> tuple[Any, Any]:
    """A small table's cell read as text, decoded but its tokens still closed (table_cells opens
    those it shows): (the rows as typed, their canonical cells)."""
    if cell is None:
        return _NO_CELL
    value, raw = cell
    return (None if raw is None else json.loads(raw)), (None if value is None else json.loads(value))


_NUMBER, _YESNO, _TEXT, _YOY = range(4)
RowPlan = tuple[tuple[int, Key, ExportColumn, int, int], ...]
_ANSWERS = {"true": "是", "false": "否"}


def _kind(fld: Field | Column) -> int:
    return _NUMBER if fld.type in NUMERIC_TYPES else _YESNO if fld.type == "yesno" else _TEXT


def row_plan(columns: Sequence[ExportColumn]) -> RowPlan:
    """What each cell of a sheet's row takes, worked out once per sheet: a value column's way to
    read its text; a 同比 column's positions of this year's and last year's value in the row."""
    position = {(c.key, c.kind): i for i, c in enumerate(columns)}
    plan = []
    for column in columns:
        if column.kind == "yoy":
            # Both years have a value column: export_columns adds a 同比 only where both are asked.
            current = position[(column.key, "value")]
            previous = position[(column.previous_key, "value")]
            plan.append((_YOY, column.key, column, current, previous))
            continue
        plan.append((_kind(column.fld), column.key, column, -1, -1))
    return tuple(plan)


def _general_cell(column: ExportColumn, cell: tuple[str | None, str | None]) -> Any:
    raw, value = decoded(cell)
    if column.numeric and value is not None:
        number = _fast_number(value)
        if number is not None:
            return number
    return cell_content(column.fld, raw, value)


def row_cells(plan: RowPlan, texts: Texts) -> list[Any]:
    """A base's row of a sheet. Most cells are canonical numbers ("12.5"), plain texts or 是/否:
    those are read straight from their JSON text; anything else takes the general path
    (`decoded`, `cell_content`), which gives the same cell for those too."""
    out: list[Any] = []
    append = out.append
    get = texts.get
    context = decimal.getcontext()
    exact = context.prec >= _YOY_PREC and context.rounding == decimal.ROUND_HALF_EVEN
    for kind, key, column, current, previous in plan:
        if kind == _YOY:
            append(_yoy_cell(out[current], out[previous], column, texts, exact))
            continue
        cell = get(key)
        if cell is None:
            append(None)
            continue
        text = cell[0]
        if text is not None:
            if kind == _NUMBER:
                if text[:1] == '"' and text[-1:] == '"':
                    # What float() reads has no backslash, quote or ':', so unseal_text would
                    # have returned the same string; float() reads it as Decimal would.
                    try:
                        number = float(text[1:-1])
                    except ValueError:
                        pass
                    else:
                        if math.isfinite(number):
                            append(number)
                            continue
            elif kind == _TEXT:
                if text[:1] == '"' and text[-1:] == '"' and PREFIX not in text:
                    # A plain string as it is, one with escapes (Chinese is saved as \uXXXX)
                    # decoded, both by unseal_text: no token to open (PREFIX is not in the text).
                    string = unseal_text(text)
                    if type(string) is str:
                        append(string)
                        continue
            elif text in _ANSWERS:  # a 是/否 alone
                append(_ANSWERS[text])
                continue
        append(_general_cell(column, cell))
    return out


# 同比 in floats, where that is provably the Decimal result (yoy_percent, 2 places half up): the
# float inputs are within a relative 2**-53 of the saved numbers, so (current − previous) /
# |previous| × 10000 (hundredths of a percent) is within `bound` below of the exact quotient, and
# Decimal's own 28-digit rounding is far inside it too. If no rounding tie (k + 0.5) lies within the
# bound, both round to the same k, and k / 100 is the float of Decimal's k·10⁻². Near a tie, for
# magnitudes floats cannot hold, or a zero whose sign is in doubt, the Decimal path decides.
_YOY_PREC = 28
_YOY_SLACK = 2.0**-50
_TINY = 1e-290  # below it a float's relative error is no longer 2**-53 (subnormals)
_FLOAT_WHOLE = 2.0**52  # below it a float's fraction is exact


def _saved_number(texts: Texts, key: Key) -> Decimal | None:
    return _number(unseal_text(texts.get(key, _NO_CELL)[0]))


def _yoy_cell(current: Any, previous: Any, column: ExportColumn, texts: Texts, exact: bool) -> Any:
    # A value cell is a float exactly where its saved value is a number (_number is not None).
    if type(current) is not float or type(previous) is not float:
        return None
    base = abs(previous)
    if exact and base >= _TINY and (current == 0.0 or abs(current) >= _TINY):
        x = (current - previous) / base * 10000
        ax = abs(x)
        if ax < _FLOAT_WHOLE:  # also False for inf and nan
            bound = ((abs(current) + base) / base * 10000 + ax) * _YOY_SLACK + 1e-20
            whole = int(ax)
            fraction = ax - whole  # exact below 2**52
            if abs(fraction - 0.5) > bound and (ax > bound or x == 0.0):
                if x != 0.0:
                    hundredths = whole + (fraction > 0.5)
                    return hundredths / 100 if x > 0 else -(hundredths / 100)
                # Equal floats: +0 when the saved texts are the same; else Decimal says.
                if texts[column.key][0] == texts[column.previous_key][0]:
                    return 0.0
    change = yoy_percent(_saved_number(texts, column.key), _saved_number(texts, column.previous_key))
    return float(change.quantize(YOY_PLACES)) if change is not None else None


TABLE_BASE_COLUMNS = ("序号", "示范基地名称", "省级主管部门", "类型", "行")
_SHEET_FORBIDDEN = str.maketrans({ch: "_" for ch in "[]:*?/\\"})


def table_sheet_title(definition: FormDefinition, fld: Field, taken: set[str]) -> str:
    """A sheet's name for one small table (Excel: at most 31 characters, unique, no []:*?/\\)."""
    title = f"{sheet_name(definition)}·{fld.label}".translate(_SHEET_FORBIDDEN)[:31]
    n = 2
    while title in taken:
        suffix = f"（{n}）"
        title = title[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _table_cell(col: Column, typed: Any, canonical: Any) -> Any:
    """cell_content of one table cell, its tokens opened only where it reads them: what was typed
    is read where the canonical cell is empty or (a number's) did not parse."""
    value = unseal(canonical)
    if (
        value is not None
        and col.type != "yesno"
        and (col.type not in NUMERIC_TYPES or _number(value) is not None)
    ):
        return cell_content(col, None, value)
    return cell_content(col, unseal(typed), value)


def table_cells(fld: Field, raw: Any, value: Any) -> list[tuple[str | int, list[Any]]]:
    """The filled rows of a small table as (the row's label or number, export cells), a cell per
    table column: the canonical cell where it parsed, what was typed otherwise. `raw` and `value`
    may still hold their tokens (table_decoded): the cells come out the same, and a phone typed
    is not decrypted beside its canonical twin.

    Most canonical cells are a plain text or a canonical number ("12.5"): those are taken as they
    are (a number read by float(), as Decimal reads it); anything else, and a cell whose canonical
    value is missing, takes `_table_cell`, which gives the same cell for those too."""
    raw_rows = raw if isinstance(raw, list) else []
    value_rows = value if isinstance(value, list) else []
    columns = [(position, col, col.key, _kind(col)) for position, col in enumerate(fld.columns)]
    out = []
    for index, typed in enumerate(raw_rows):
        canonical = value_rows[index] if index < len(value_rows) else None
        get = canonical.get if isinstance(canonical, dict) else None
        row: list[Any] = []
        append = row.append
        for position, col, key, kind in columns:
            value_cell = get(key) if get is not None else None
            if type(value_cell) is str and not value_cell.startswith(PREFIX):
                if kind == _TEXT:
                    append(value_cell)
                    continue
                if kind == _NUMBER:
                    number = _fast_number(value_cell)
                    if number is not None:
                        append(number)
                        continue
            if isinstance(typed, dict):
                typed_cell = typed.get(key)
            elif isinstance(typed, list) and position < len(typed):
                typed_cell = typed[position]
            else:
                typed_cell = None
            append(_table_cell(col, typed_cell, value_cell))
        if any(c not in (None, "") for c in row):
            out.append((fld.row_labels[index] if index < len(fld.row_labels) else index + 1, row))
    return out


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass(frozen=True)
class ExportBase:
    """A base as its rows begin: the registry facts and the material's status."""

    name: str
    authority: str
    category: str
    annex: str
    facts: tuple[Any, ...]  # the cells after 序号: name, authority, category, batch, status, submitted


def _submissions(
    campaign: Campaign, base_ids: Sequence[int], tables: Mapping[str, Sequence[str]] | None = None
) -> Iterator[tuple[ExportBase, Texts]]:
    """The campaign's submissions of these bases with their cells as JSON text, a slice at a time,
    in two queries a slice: the bases' facts, and every cell. A cell's value is what is exported;
    what was typed is read only where the value did not parse, and for the `tables`' codes (the
    small tables' sheets show either, row by row)."""
    ordered = list(
        Submission.objects.filter(campaign=campaign, base_id__in=base_ids)
        .order_by("base__authority__code", "base__batch", "base__name")
        .values_list("pk", flat=True)
    )
    labels = dict(make_hashable(Submission._meta.get_field("status").flatchoices))
    raw_wanted = Q(value__isnull=True)
    for form, codes in (tables or {}).items():
        if codes:
            raw_wanted |= Q(form=form, code__in=codes)
    for chunk in _chunks(ordered, CHUNK):
        bases = {
            pk: ExportBase(
                name, authority, category, annex,
                (name, authority, category, batch,
                 force_str(labels.get(status, status), strings_only=True), _local(submitted_at)),
            )
            for pk, name, authority, category, annex, batch, status, submitted_at in Submission.objects.filter(
                pk__in=chunk
            ).values_list(
                "pk", "base__name", "base__authority__name", "base__category__name",
                "base__category__annex", "base__batch", "status", "submitted_at",
            )
        }  # fmt: skip
        texts: dict[int, Texts] = {pk: {} for pk in chunk}
        # The query is the ORM's, run on the cursor and read as text: the ORM's row-by-row
        # conversion (JSON decoding, tokens) was most of the export's own time, and most cells
        # need neither (row_cells).
        query = (
            Value.objects.filter(submission_id__in=chunk)
            .values_list(
                "submission_id", "form", "code", "year",
                Cast("value", output_field=TextField()),
                Case(When(raw_wanted, then=Cast("raw", output_field=TextField())), default=None),
            )
            .query
        )  # fmt: skip
        sql, params = query.sql_with_params()
        with connections[Value.objects.db].cursor() as cursor:
            cursor.execute(sql, params)
            for sub_id, form, code, year, value, raw in cursor.fetchall():
                texts[sub_id][(form, code, year)] = (value, raw)
        for pk in chunk:
            yield bases[pk], texts[pk]


def _column_title(col: Column) -> str:
    label = col.label if not col.unit or col.unit in col.label else f"{col.label}（{col.unit}）"
    return f"{col.group}·{label}" if col.group else label


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


def _printable(ws: Any) -> None:
    """A wide data sheet as it prints: A3 landscape, the header row and the base's number and name
    on every page, the sheet's name and page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(8)  # A3
    ws.repeat_rows(0)
    ws.repeat_columns(0, 1)
    ws.set_footer("&L&A&R第 &P 页 / 共 &N 页")


def national_export(
    *, campaign: Campaign, base_ids: Sequence[int], path: str, progress: Callable[[int], None] | None = None
) -> int:
    """Write the workbook to `path`; returns the number of bases written."""
    import xlsxwriter

    definitions = {d.code: d.parsed() for d in Definition.objects.filter(version=campaign.form_version)}
    summary = definitions["summary"]
    annexes = [d for code, d in sorted(definitions.items()) if code != "summary"]
    book = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    head = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDE5EE", "border": 1}
    )
    sheets: dict[str, tuple[Any, RowPlan, list[int]]] = {}
    for definition in [summary, *annexes]:
        columns = export_columns(definition, campaign.data_year)
        ws = book.add_worksheet(sheet_name(definition))
        ws.write_row(0, 0, [*BASE_COLUMNS, *(c.title for c in columns)], head)
        ws.set_row(0, 60)
        ws.set_column(1, 1, 40)
        ws.set_column(2, 2, 30)  # 新疆生产建设兵团工业和信息化局 whole
        ws.set_column(len(BASE_COLUMNS), len(BASE_COLUMNS) + len(columns), 14)
        ws.freeze_panes(1, 2)
        _printable(ws)
        sheets[definition.code] = (ws, row_plan(columns), [0])
    taken = {ws.get_name() for ws, _, _ in sheets.values()}
    table_sheets: dict[str, list[tuple[Field, Any, list[int]]]] = {}
    for definition in [summary, *annexes]:
        for fld in definition.fields():
            if fld.type != "table":
                continue
            ws = book.add_worksheet(table_sheet_title(definition, fld, taken))
            ws.write_row(0, 0, [*TABLE_BASE_COLUMNS, *(_column_title(c) for c in fld.columns)], head)
            ws.set_row(0, 45)
            ws.set_column(1, 1, 40)
            ws.set_column(2, 2, 30)  # 省级主管部门 whole, as on the per-form sheets
            ws.set_column(3, 3, 18)
            ws.set_column(len(TABLE_BASE_COLUMNS), len(TABLE_BASE_COLUMNS) + len(fld.columns), 18)
            ws.freeze_panes(1, 2)
            _printable(ws)
            table_sheets.setdefault(definition.code, []).append((fld, ws, [0]))
    count = 0
    tables = {code: [f.code for f in d.fields() if f.type == "table"] for code, d in definitions.items()}
    with cycle_collection_paused():  # the cells are freed by refcounting (lib/collector.py)
        for base, texts in _submissions(campaign, base_ids, tables):
            count += 1
            for code in ("summary", base.annex):
                if not code or code not in sheets:
                    continue
                ws, plan, row = sheets[code]
                row[0] += 1
                ws.write_row(row[0], 0, [row[0], *base.facts, *row_cells(plan, texts)])
                for fld, table_ws, table_row in table_sheets.get(code, ()):
                    raw, value = table_decoded(texts.get((code, fld.code, NOT_YEARLY)))
                    for which, cells in table_cells(fld, raw, value):
                        table_row[0] += 1
                        table_ws.write_row(
                            table_row[0], 0,
                            [table_row[0], base.name, base.authority, base.category, which, *cells],
                        )  # fmt: skip
            if progress is not None:
                progress(count)
    book.close()
    return count


def templates_zip(
    *,
    submissions: Iterable[Submission],
    path: str,
    now: dt.datetime,
    progress: Callable[[str], None] | None = None,
) -> int:
    """A zip of per-base workbooks in the official layout (the pre-filled templates), one folder per authority."""
    count = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for submission in submissions:
            data, _marker = submission_template(
                submission=submission, profile=profile_for(submission.base), now=now
            )
            folder = _safe(submission.base.authority.name)
            archive.writestr(f"{folder}/{_safe(submission.base.name)}.xlsx", data)
            count += 1
            if progress is not None:
                progress(submission.base.name)
    return count


def _safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' else ch for ch in name)[:100] or "未命名"


def temp_path(suffix: str) -> str:
    handle, path = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    return path


def number_text(value: Any) -> str:
    number = _number(value)
    return format_decimal(number) if number is not None else ""
