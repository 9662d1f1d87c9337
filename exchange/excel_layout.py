"""Where every label and every input of the Excel template sits: one layout for writing and reading.

Pure: a form definition, the base's profile, the data year and the number of rows of each small
table in; the sheet's cells out. The template is written from this layout, and an uploaded file is
read against the same layout rebuilt from its marker, so a label that moved (an inserted row, an
edited heading) is found by comparing the file's label cells with what the layout says they hold.

Columns of every sheet: A 指标名称, B 计量单位, C… the years (data year first, as the notice prints),
then the computed 同比% columns, then 填报说明 (the notice's notes beside their row). Small tables
(products, key enterprises, contacts) have their own header row and put their columns from B on.
Only the items that apply to the base are laid out (the definition's applicability by category).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from definitions.schema import NUMERIC_TYPES, BaseProfile, Column, Field, FormDefinition, Section
from submissions.validation import field_name

LABEL_COL, UNIT_COL, FIRST_VALUE_COL = 1, 2, 3
DEFAULT_TABLE_ROWS = 5  # blank rows offered for an open-ended list, beyond those already filled
MAX_TABLE_ROWS = 200
MIN_VALUE_COLS = 3
_CN_SECTION = "一二三四五六七八九十"


def sheet_name(definition: FormDefinition) -> str:
    if definition.code == "summary":
        return "汇总表"
    return (definition.short_title.split() or [definition.code])[0][:31]


@dataclass(frozen=True)
class Label:
    row: int
    col: int
    text: str
    kind: str  # title | subtitle | section | intro | group | header | label | unit | note
    checked: bool = True  # compared with the file on import (notes and titles are not)


@dataclass(frozen=True)
class Input:
    """One cell the base fills: an item for a year, a table cell, a 是/否 answer or its explanation."""

    row: int
    col: int
    form: str
    code: str
    year: int
    type: str
    where: str  # the item as messages name it: "2021年 1.1 销售收入", "12.1 第 2 行“产品名称”"
    table_row: int | None = None
    column: str | None = None  # table column key, or "note" for a 是/否 item's explanation
    unit: str = ""
    choices: tuple[str, ...] = ()
    allow_negative: bool = False
    max_length: int | None = None
    width: int = 1  # merged over this many columns (texts)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.form, self.code, self.year)

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class Yoy:
    row: int
    col: int
    current: tuple[int, int]
    previous: tuple[int, int]


@dataclass
class SheetLayout:
    name: str
    form: str
    years: list[int]
    yoy_years: list[int]
    labels: list[Label] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # row1, col1, row2, col2
    yoy: list[Yoy] = field(default_factory=list)
    tall_rows: dict[int, float] = field(default_factory=dict)
    row: int = 0

    @property
    def note_col(self) -> int:
        # A form without yearly items (附表6) still gets room for its texts before the notes.
        return FIRST_VALUE_COL + max(len(self.years) + len(self.yoy_years), MIN_VALUE_COLS)

    @property
    def last_col(self) -> int:
        return self.note_col

    def next_row(self) -> int:
        self.row += 1
        return self.row

    def label(self, row: int, col: int, text: str, kind: str, *, checked: bool = True) -> None:
        if text:
            self.labels.append(Label(row, col, text, kind, checked))

    def merge(self, row: int, col1: int, col2: int) -> None:
        if col2 > col1:
            self.merges.append((row, col1, row, col2))


def table_rows(fld: Field, filled: int) -> int:
    """How many rows a small table offers: the printed rows, else the filled ones and a few blank."""
    if fld.row_labels:
        return max(len(fld.row_labels), filled)
    if fld.max_rows is not None and fld.max_rows <= 20:
        return int(fld.max_rows)
    limit = int(fld.max_rows) if fld.max_rows is not None else MAX_TABLE_ROWS
    return min(max(fld.min_rows, filled + DEFAULT_TABLE_ROWS, DEFAULT_TABLE_ROWS), limit)


def _heading(section: Section) -> str:
    if section.code and all(ch in _CN_SECTION for ch in section.code) and section.code != section.title:
        return f"{section.code}、{section.title}"
    return section.title


def _notes(definition: FormDefinition, fld: Field, status: str) -> str:
    parts = ["【必填】" if status == "mandatory" else "【选填】"]
    for text in (fld.hint, fld.explanation):
        if text and text not in parts:
            parts.append(text)
    if fld.system_hint:
        parts.append(f"系统提示：{fld.system_hint}")
    if fld.currency is not None and str(fld.currency.rate) not in " ".join(parts):
        parts.append(
            f"以人民币填写；如以{fld.currency.label}计算，请按汇率 {fld.currency.rate} 换算为人民币后填写"
        )
    if fld.evidence:
        parts.append(f"证明材料（{fld.evidence}）请在系统中上传")
    return " ".join(parts)


def _column_label(col: Column) -> str:
    label = col.label if not col.unit or col.unit in col.label else f"{col.label}（{col.unit}）"
    return f"{col.group}·{label}" if col.group else label


def build_sheet(
    definition: FormDefinition,
    profile: BaseProfile,
    data_year: int,
    rows: Mapping[str, int],
    *,
    title: str,
    subtitle: str,
) -> SheetLayout:
    """The layout of one form's sheet for one base. `rows`: each table's row count (the marker's)."""
    yearly = [f for f in definition.fields() if f.is_yearly]
    years = sorted({y for f in yearly for y in definition.years_for(f, data_year)}, reverse=True)
    yoy_years = [y for y in years if y - 1 in years] if any(f.yoy for f in yearly) else []
    sheet = SheetLayout(sheet_name(definition), definition.code, years, yoy_years)
    r = sheet.next_row()
    sheet.label(r, LABEL_COL, title, "title", checked=False)
    sheet.merge(r, LABEL_COL, sheet.last_col)
    r = sheet.next_row()
    sheet.label(r, LABEL_COL, subtitle, "subtitle", checked=False)
    sheet.merge(r, LABEL_COL, sheet.last_col)
    for section in definition.sections:
        fields = [f for f in section.fields if definition.status_for(f, profile) != "hidden"]
        if not fields:
            continue
        sheet.next_row()
        r = sheet.next_row()
        sheet.label(r, LABEL_COL, _heading(section), "section")
        sheet.merge(r, LABEL_COL, sheet.last_col)
        if section.intro:
            r = sheet.next_row()
            sheet.label(r, LABEL_COL, section.intro, "intro", checked=False)
            sheet.merge(r, LABEL_COL, sheet.last_col)
        previous_kind, group = "", ""
        for fld in fields:
            kind = fld.layout
            if fld.group and fld.group != group:
                r = sheet.next_row()
                sheet.label(r, LABEL_COL, fld.group, "group")
                sheet.merge(r, LABEL_COL, sheet.last_col)
                previous_kind = ""
            group = fld.group
            status = definition.status_for(fld, profile)
            if kind == "table":
                _table(sheet, definition, profile, fld, status, rows.get(fld.code, table_rows(fld, 0)))
                previous_kind = ""
                continue
            if kind != previous_kind:
                _header(sheet, kind, fld)
            previous_kind = kind
            _item(sheet, definition, profile, data_year, fld, kind, status)
    if definition.notes:
        sheet.next_row()
        r = sheet.next_row()
        sheet.label(r, LABEL_COL, "说明", "section", checked=False)
        for number, note in enumerate(definition.notes, start=1):
            r = sheet.next_row()
            sheet.label(r, LABEL_COL, f"{number}. {note}", "intro", checked=False)
            sheet.merge(r, LABEL_COL, sheet.last_col)
    return sheet


def _header(sheet: SheetLayout, kind: str, fld: Field) -> None:
    r = sheet.next_row()
    sheet.label(r, LABEL_COL, "指标名称", "header")
    sheet.label(r, UNIT_COL, "计量单位", "header")
    if kind == "yearly":
        for index, year in enumerate(sheet.years):
            sheet.label(r, FIRST_VALUE_COL + index, f"{year}年", "header")
        for index, year in enumerate(sheet.yoy_years):
            sheet.label(r, FIRST_VALUE_COL + len(sheet.years) + index, f"{year}年同比%", "header")
    elif kind == "yesno":
        sheet.label(r, FIRST_VALUE_COL, "是/否", "header")
        sheet.label(r, FIRST_VALUE_COL + 1, fld.note.label if fld.note else "详细情况说明", "header")
        sheet.merge(r, FIRST_VALUE_COL + 1, sheet.note_col - 1)
    else:
        sheet.label(r, FIRST_VALUE_COL, "填报内容", "header")
        sheet.merge(r, FIRST_VALUE_COL, sheet.note_col - 1)
    sheet.label(r, sheet.note_col, "填报说明", "header")


def _item(
    sheet: SheetLayout,
    definition: FormDefinition,
    profile: BaseProfile,
    data_year: int,
    fld: Field,
    kind: str,
    status: str,
) -> None:
    r = sheet.next_row()
    name = field_name(fld, profile)
    sheet.label(r, LABEL_COL, ("　" if fld.part_of else "") + name, "label")
    sheet.label(r, UNIT_COL, fld.unit, "unit")
    sheet.label(r, sheet.note_col, _notes(definition, fld, status), "note", checked=False)

    def cell(row: int, col: int, year: int, where: str, **extra: Any) -> Input:
        spec: dict[str, Any] = {
            "form": definition.code, "code": fld.code, "type": fld.type, "unit": fld.unit,
            "choices": fld.choices, "allow_negative": fld.allow_negative, "max_length": fld.max_length,
        }  # fmt: skip
        spec.update(extra)
        return Input(row=row, col=col, year=year, where=where, **spec)

    if kind == "yearly":
        asked = set(definition.years_for(fld, data_year))
        for index, year in enumerate(sheet.years):
            if year in asked:
                col = FIRST_VALUE_COL + index
                sheet.inputs.append(cell(r, col, year, f"{year}年 {name}"))
        if fld.yoy:
            for index, year in enumerate(sheet.yoy_years):
                if year in asked and year - 1 in asked:
                    current = (r, FIRST_VALUE_COL + sheet.years.index(year))
                    previous = (r, FIRST_VALUE_COL + sheet.years.index(year - 1))
                    sheet.yoy.append(Yoy(r, FIRST_VALUE_COL + len(sheet.years) + index, current, previous))
        return
    if kind == "yesno":
        sheet.inputs.append(cell(r, FIRST_VALUE_COL, 0, name, column="answer"))
        width = sheet.note_col - FIRST_VALUE_COL - 1
        note_length = fld.note.max_length if fld.note else None
        note = cell(
            r,
            FIRST_VALUE_COL + 1,
            0,
            f"{name}（说明）",
            column="note",
            width=width,
            type="text",
            max_length=note_length,
        )
        sheet.inputs.append(note)
        sheet.merge(r, FIRST_VALUE_COL + 1, sheet.note_col - 1)
        sheet.tall_rows[r] = 60
        return
    wide = fld.type in ("text", "string", "email", "phone")
    width = sheet.note_col - FIRST_VALUE_COL if wide else 1
    sheet.inputs.append(cell(r, FIRST_VALUE_COL, 0, name, width=width))
    if width > 1:
        sheet.merge(r, FIRST_VALUE_COL, FIRST_VALUE_COL + width - 1)
    if fld.type == "text":
        sheet.tall_rows[r] = 90


def _table(
    sheet: SheetLayout, definition: FormDefinition, profile: BaseProfile, fld: Field, status: str, count: int
) -> None:
    r = sheet.next_row()
    name = field_name(fld, profile)
    sheet.label(r, LABEL_COL, name, "label")
    sheet.label(r, sheet.note_col, _notes(definition, fld, status), "note", checked=False)
    r = sheet.next_row()
    sheet.label(r, LABEL_COL, "序号", "header")
    for index, col in enumerate(fld.columns):
        sheet.label(r, UNIT_COL + index, _column_label(col), "header")
    for row_index in range(count):
        r = sheet.next_row()
        label = fld.row_labels[row_index] if row_index < len(fld.row_labels) else str(row_index + 1)
        sheet.label(r, LABEL_COL, label, "label")
        for index, col in enumerate(fld.columns):
            sheet.inputs.append(
                Input(
                    row=r, col=UNIT_COL + index, form=definition.code, code=fld.code, year=0, type=col.type,
                    where=f"{name} {label if fld.row_labels else f'第 {row_index + 1} 行'}“{col.label}”",
                    table_row=row_index, column=col.key, unit=col.unit, choices=col.choices,
                    allow_negative=col.allow_negative, max_length=col.max_length,
                )
            )  # fmt: skip
