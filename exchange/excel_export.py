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

from definitions.models import Definition
from definitions.schema import NUMERIC_TYPES, Column, Field, FormDefinition
from exchange.excel_layout import sheet_name
from exchange.excel_template import submission_template
from lib.numbers import format_decimal
from registry.models import Campaign
from security.fields import unseal_text
from submissions.models import NOT_YEARLY, Submission, Value
from submissions.services import profile_for
from submissions.validation import YOY_PLACES, yoy_percent

CHUNK = 100
BASE_COLUMNS = ("序号", "示范基地名称", "省级主管部门", "类型", "批次", "材料状态", "提交时间")


Key = tuple[str, str, int]  # (form, item, year) of a saved cell
Cells = dict[Key, tuple[Any, Any]]  # a base's cells: (raw where the value did not parse, value)


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


def row_cells(columns: Sequence[ExportColumn], values: Cells) -> list[Any]:
    out: list[Any] = []
    for column in columns:
        if column.kind == "yoy":
            current = _number(values.get(column.key, _NO_CELL)[1])
            previous = _number(values.get(column.previous_key, _NO_CELL)[1])
            change = yoy_percent(current, previous)
            out.append(float(change.quantize(YOY_PLACES)) if change is not None else None)
            continue
        cell = values.get(column.key)
        if cell is None:
            out.append(None)
        elif column.numeric and cell[1] is not None:
            # Most cells of a national export are canonical numbers: read them without the general path.
            number = _fast_number(cell[1])
            out.append(number if number is not None else cell_content(column.fld, *cell))
        else:
            out.append(cell_content(column.fld, *cell))
    return out


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


def table_cells(fld: Field, raw: Any, value: Any) -> list[tuple[str | int, list[Any]]]:
    """The filled rows of a small table as (the row's label or number, export cells), a cell per
    table column: the canonical cell where it parsed, what was typed otherwise."""
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
            row.append(cell_content(col, typed_cell, value_cell))
        if any(c not in (None, "") for c in row):
            out.append((fld.row_labels[index] if index < len(fld.row_labels) else index + 1, row))
    return out


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _submissions(
    campaign: Campaign, base_ids: Sequence[int], tables: Mapping[str, Sequence[str]] | None = None
) -> Iterator[tuple[Submission, Cells]]:
    """The campaign's submissions of these bases with their values (but for the `tables`' codes), a
    slice at a time."""
    ordered = list(
        Submission.objects.filter(campaign=campaign, base_id__in=base_ids)
        .order_by("base__authority__code", "base__batch", "base__name")
        .values_list("pk", flat=True)
    )
    for chunk in _chunks(ordered, CHUNK):
        subs = {
            s.pk: s
            for s in Submission.objects.filter(pk__in=chunk).select_related(
                "base__authority", "base__category"
            )
        }
        values: dict[int, Cells] = {pk: {} for pk in chunk}
        # Tables are not exported (export_columns); their rows are the largest cells, so not read.
        cells = Value.objects.filter(submission_id__in=chunk)
        for form, codes in (tables or {}).items():
            cells = cells.exclude(form=form, code__in=codes)
        # The canonical value is what is exported; what was typed only where it did not parse. The
        # query is the ORM's, run on the cursor and decoded here: the ORM's row-by-row conversion
        # was most of the export's own time.
        query = cells.values_list(
            "submission_id", "form", "code", "year",
            Cast("value", output_field=TextField()),
            Case(When(value__isnull=True, then=Cast("raw", output_field=TextField())), default=None),
        ).query  # fmt: skip
        sql, params = query.sql_with_params()
        with connections[cells.db].cursor() as cursor:
            cursor.execute(sql, params)
            for sub_id, form, code, year, value, raw in cursor.fetchall():
                values[sub_id][(form, code, year)] = (
                    (None, unseal_text(value)) if value is not None else (unseal_text(raw), None)
                )
        # The small tables (products, key enterprises, contacts) go to sheets of their own: read
        # through the ORM, as a few large cells a base.
        wanted = Q(pk__in=[])
        for form, codes in (tables or {}).items():
            if codes:
                wanted |= Q(form=form, code__in=codes)
        for sub_id, form, code, year, raw, value in Value.objects.filter(
            wanted, submission_id__in=chunk
        ).values_list("submission_id", "form", "code", "year", "raw", "value"):
            values[sub_id][(form, code, year)] = (raw, value)
        for pk in chunk:
            yield subs[pk], values[pk]


def _column_title(col: Column) -> str:
    label = col.label if not col.unit or col.unit in col.label else f"{col.label}（{col.unit}）"
    return f"{col.group}·{label}" if col.group else label


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


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
    sheets: dict[str, tuple[Any, list[ExportColumn], list[int]]] = {}
    for definition in [summary, *annexes]:
        columns = export_columns(definition, campaign.data_year)
        ws = book.add_worksheet(sheet_name(definition))
        ws.write_row(0, 0, [*BASE_COLUMNS, *(c.title for c in columns)], head)
        ws.set_row(0, 60)
        ws.set_column(1, 1, 40)
        ws.set_column(2, 2, 18)
        ws.set_column(len(BASE_COLUMNS), len(BASE_COLUMNS) + len(columns), 14)
        ws.freeze_panes(1, 2)
        sheets[definition.code] = (ws, columns, [0])
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
            ws.set_column(2, 3, 18)  # 省级主管部门, 类型: readable, as on the per-form sheets
            ws.set_column(len(TABLE_BASE_COLUMNS), len(TABLE_BASE_COLUMNS) + len(fld.columns), 18)
            ws.freeze_panes(1, 2)
            table_sheets.setdefault(definition.code, []).append((fld, ws, [0]))
    count = 0
    tables = {code: [f.code for f in d.fields() if f.type == "table"] for code, d in definitions.items()}
    for submission, values in _submissions(campaign, base_ids, tables):
        base = submission.base
        count += 1
        facts = [
            base.name, base.authority.name, base.category.name, base.batch,
            submission.get_status_display(), _local(submission.submitted_at),
        ]  # fmt: skip
        for code in ("summary", base.category.annex):
            if not code or code not in sheets:
                continue
            ws, columns, row = sheets[code]
            row[0] += 1
            ws.write_row(row[0], 0, [row[0], *facts, *row_cells(columns, values)])
            for fld, table_ws, table_row in table_sheets.get(code, ()):
                raw, value = values.get((code, fld.code, NOT_YEARLY), _NO_CELL)
                for which, cells in table_cells(fld, raw, value):
                    table_row[0] += 1
                    table_ws.write_row(
                        table_row[0], 0,
                        [table_row[0], base.name, base.authority.name, base.category.name, which, *cells],
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
