"""The official Excel template of a base's 汇总表 and its annex, pre-filled with what is saved.

One sheet per form in the notice's layout (`exchange.excel_layout`): labels protected, input cells
unlocked and typed with Excel data validation, 同比% computed by formulas, the notice's notes beside
their rows. A very hidden sheet carries the marker: form version, campaign, base, the material's
data version and, per cell, the revision and a digest of the value written, signed so that an
edited marker is recognised. The import reads the marker to rebuild the same layout, to refuse a
template of another version or base, and to tell a cell the user changed from one changed online
since the download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core import signing

from definitions.schema import BaseProfile, Field, FormDefinition
from exchange.excel_layout import (
    FIRST_VALUE_COL,
    LABEL_COL,
    UNIT_COL,
    Input,
    SheetLayout,
    build_sheet,
    table_rows,
)
from lib.cells import cell_ref
from lib.numbers import format_decimal
from submissions.models import NOT_YEARLY, Submission, Value
from submissions.validation import parse_value

MARKER_SHEET = "模板标记"
MARKER_KIND = "sfjd-excel-template"
MARKER_SALT = "exchange.excel_template"
MARKER_CHUNK = 30_000  # an Excel cell holds at most 32,767 characters
SUMMARY_TITLE = "国家新型工业化产业示范基地发展情况汇总表（2022年版）"
BEIJING = ZoneInfo("Asia/Shanghai")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Marker:
    """What the hidden sheet says about the template. `cells`: "form|code|year" → [revision, digest]."""

    version: str
    campaign: int
    base: int
    submission: int
    base_name: str
    forms: list[str]
    rows: dict[str, int]  # "form|code" → rows of that table in the file
    cells: dict[str, list[Any]] = field(default_factory=dict)
    data_version: int = 0
    generated: str = ""
    kind: str = MARKER_KIND


def cell_key(form: str, code: str, year: int) -> str:
    return f"{form}|{code}|{year}"


def marker_dump(marker: Marker) -> str:
    return signing.dumps(asdict(marker), salt=MARKER_SALT, compress=True)


class MarkerError(ValueError):
    """The file's marker is missing, edited or unreadable; the message is Chinese."""


def marker_load(token: str) -> Marker:
    try:
        data = signing.loads(token, salt=MARKER_SALT)
    except signing.BadSignature:
        raise MarkerError("模板标记已被修改或不是本系统生成的模板，请重新下载模板后填写。") from None
    if not isinstance(data, dict) or data.get("kind") != MARKER_KIND:
        raise MarkerError("不是本系统生成的填报模板，请在系统中下载模板后填写。")
    try:
        return Marker(**data)
    except TypeError:
        raise MarkerError("模板标记无法识别，请重新下载模板后填写。") from None


# --- values as the template shows them ---------------------------------------------------------


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        number = value.normalize()
        return format_decimal(number.quantize(Decimal(1)) if number == number.to_integral_value() else number)
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_comparable(v) for v in value]
    return value


def comparable(fld: Field, raw: Any) -> Any:
    """A value as compared between the file and the database: parsed where it parses (so 1234.50,
    1234.5 and "1,234.5" are the same), otherwise what was typed, stripped."""
    if raw is None or raw == "" or raw == []:
        return None
    parsed = parse_value(fld, raw)
    if parsed.value is not None:
        return _comparable(parsed.value)
    if isinstance(raw, str):
        return ["typed", raw.strip()] if raw.strip() else None
    return ["typed", json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)]


def digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def stored_raw(fld: Field, value: Value) -> Any:
    """What a saved value stands for in the template: an amount typed in 美元 is shown in 人民币."""
    if value.entered_currency and value.value is not None:
        return value.value
    return value.raw


def _scalar_out(spec_field: Any, parsed_value: Any, raw: Any) -> Any:
    """A cell's content: numbers as numbers, 是/否 as text, what did not parse as typed."""
    if parsed_value is None:
        return None if raw in (None, "") else (raw if isinstance(raw, str) else str(raw))
    if isinstance(parsed_value, bool):
        return "是" if parsed_value else "否"
    if isinstance(parsed_value, Decimal):
        return int(parsed_value) if parsed_value == parsed_value.to_integral_value() else float(parsed_value)
    return parsed_value


def cell_values(fld: Field, raw: Any) -> dict[tuple[int | None, str | None], Any]:
    """{(table row, column): content} of one item's saved value, as the template's cells hold it."""
    if raw is None:
        return {}
    parsed = parse_value(fld, raw)
    out: dict[tuple[int | None, str | None], Any] = {}
    if fld.type == "table":
        raw_rows = raw if isinstance(raw, list) else []
        for index, raw_row in enumerate(raw_rows):
            parsed_row = parsed.value[index] if parsed.value and index < len(parsed.value) else {}
            for position, col in enumerate(fld.columns):
                typed = None
                if isinstance(raw_row, dict):
                    typed = raw_row.get(col.key)
                elif isinstance(raw_row, list) and position < len(raw_row):
                    typed = raw_row[position]
                cell = _scalar_out(col, (parsed_row or {}).get(col.key), typed)
                if cell not in (None, ""):
                    out[(index, col.key)] = cell
        return out
    if fld.type == "yesno" and fld.note is not None:
        value = parsed.value if isinstance(parsed.value, dict) else {}
        typed = raw if isinstance(raw, dict) else {"answer": raw}
        answer = _scalar_out(fld, value.get("answer"), typed.get("answer"))
        note = value.get("note") if value.get("note") is not None else typed.get("note")
        out[(None, "answer")] = answer
        out[(None, "note")] = note
        return out
    out[(None, None)] = _scalar_out(fld, parsed.value, raw)
    return out


# --- layout for a submission --------------------------------------------------------------------


def form_title(definition: FormDefinition) -> str:
    return SUMMARY_TITLE if definition.code == "summary" else definition.title


def layouts_for(
    submission: Submission,
    definitions: Iterable[FormDefinition],
    profile: BaseProfile,
    rows: Mapping[str, int],
) -> list[SheetLayout]:
    sheets = []
    data_year = submission.campaign.data_year
    subtitle = f"示范基地：{submission.base.name}　　数据年度：{data_year}年"
    for definition in definitions:
        if not definition.applies_to(profile):
            continue
        mine = {key.split("|", 1)[1]: n for key, n in rows.items() if key.split("|", 1)[0] == definition.code}
        sheets.append(_sheet_for(definition, profile, data_year, mine, subtitle))
    return sheets


# Layouts already built, by definition, profile, data year and table rows: 450 bases share a few
# dozen of them, and building one was a tenth of an import. The entry keeps its definition so that
# `id()` stays that definition's while the entry lives.
_LAYOUTS: dict[tuple[Any, ...], tuple[FormDefinition, SheetLayout]] = {}
_LAYOUTS_MAX = 256
_SUBTITLE = "\0subtitle"


def _sheet_for(
    definition: FormDefinition, profile: BaseProfile, data_year: int, rows: Mapping[str, int], subtitle: str
) -> SheetLayout:
    key = (id(definition), profile, data_year, tuple(sorted(rows.items())))
    entry = _LAYOUTS.get(key)
    if entry is None or entry[0] is not definition:
        if len(_LAYOUTS) >= _LAYOUTS_MAX:
            _LAYOUTS.clear()
        layout = build_sheet(
            definition, profile, data_year, rows, title=form_title(definition), subtitle=_SUBTITLE
        )
        entry = _LAYOUTS[key] = (definition, layout)
    layout = entry[1]
    # Only the subtitle (the base's name) differs between bases; the rest is shared and never changed.
    labels = [replace(label, text=subtitle) if label.text == _SUBTITLE else label for label in layout.labels]
    return replace(layout, labels=labels)


def template_rows(
    definitions: Iterable[FormDefinition], values: Mapping[tuple[str, str, int], Value]
) -> dict[str, int]:
    rows: dict[str, int] = {}
    for definition in definitions:
        for fld in definition.fields():
            if fld.type != "table":
                continue
            saved = values.get((definition.code, fld.code, NOT_YEARLY))
            filled = len(saved.raw) if saved is not None and isinstance(saved.raw, list) else 0
            rows[f"{definition.code}|{fld.code}"] = table_rows(fld, filled)
    return rows


# --- writing ----------------------------------------------------------------------------------


def _validation_for(cell: Input) -> tuple[str, dict[str, Any]] | None:
    """(a key grouping cells of the same rule, DataValidation arguments)."""
    unit = f"（计量单位：{cell.unit}）" if cell.unit else ""
    if cell.type == "count":
        # One rule per unit: its message names the unit of the cells it covers (次, 人, 起, 个 …).
        return f"count{cell.allow_negative}:{cell.unit}", {
            "type": "whole", "operator": "greaterThanOrEqual", "formula1": "0",
            "error": f"请输入不小于 0 的整数{unit}", "prompt": "整数",
        }  # fmt: skip
    if cell.type == "percent":
        return "percent", {
            "type": "decimal", "operator": "between", "formula1": "0", "formula2": "100",
            "error": "请输入 0 到 100 之间的数字（单位为 %，如 85 表示 85%）", "prompt": "0 到 100 之间的数字",
        }  # fmt: skip
    if cell.type in ("amount", "ratio") and not cell.allow_negative:
        return f"amount:{cell.unit}", {
            "type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0",
            "error": f"请输入不小于 0 的数字{unit}", "prompt": f"数字{unit}",
        }  # fmt: skip
    if cell.type in ("amount", "ratio", "rate"):
        return f"number:{cell.unit}", {
            "type": "decimal", "operator": "between", "formula1": "-1000000000000", "formula2": "1000000000000",
            "error": f"请输入数字{unit}", "prompt": f"数字{unit}",
        }  # fmt: skip
    if cell.type == "choice" or (cell.type == "yesno" and cell.column != "note"):
        choices = cell.choices or ("是", "否")
        return "choice:" + ",".join(choices), {
            "type": "list", "formula1": '"' + ",".join(choices) + '"',
            "error": f"请从下拉列表中选择：{'、'.join(choices)}", "prompt": "请从下拉列表中选择",
        }  # fmt: skip
    if cell.type == "text" and cell.max_length:
        return f"text:{cell.max_length}", {
            "type": "textLength", "operator": "lessThanOrEqual", "formula1": str(cell.max_length),
            "error": f"每格不超过{cell.max_length}字", "prompt": f"不超过{cell.max_length}字", "errorStyle": "warning",
        }  # fmt: skip
    return None


def _number_format(cell: Input) -> str:
    if cell.type == "count":
        return "0"
    if cell.type in ("amount", "ratio", "rate", "percent"):
        return "#,##0.####" if cell.type == "amount" else "0.####"
    return "@"


def _display_width(text: str) -> int:
    """Columns a text takes in a cell: a CJK character is two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_workbook(
    *,
    layouts: list[SheetLayout],
    contents: Mapping[tuple[str, int, int], Any],
    marker: Marker | None,
    protect: bool = True,
) -> bytes:
    """The workbook of `layouts` with `contents` ((sheet, row, col) → value) in the input cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="9AA5B1")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fills = {
        "header": PatternFill("solid", fgColor="DDE5EE"),
        "label": PatternFill("solid", fgColor="F3F5F8"),
        "unit": PatternFill("solid", fgColor="F3F5F8"),
        "section": PatternFill("solid", fgColor="C9D6E3"),
        "group": PatternFill("solid", fgColor="EEF2F6"),
        "yoy": PatternFill("solid", fgColor="F3F5F8"),
    }
    fonts = {
        "title": Font(name="宋体", size=14, bold=True),
        "section": Font(name="宋体", size=11, bold=True),
        "header": Font(name="宋体", size=10, bold=True),
        "note": Font(name="宋体", size=9, color="52606D"),
        "intro": Font(name="宋体", size=9, color="52606D"),
        "subtitle": Font(name="宋体", size=10, color="52606D"),
    }
    body_font = Font(name="宋体", size=10)
    wrap = Alignment(wrap_text=True, vertical="center")
    wrap_top = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook()
    for sheet in list(workbook.worksheets):
        workbook.remove(sheet)
    for layout in layouts:
        ws = workbook.create_sheet(layout.name)
        ws.sheet_properties.tabColor = "1F4E79"
        widths = {LABEL_COL: 44, UNIT_COL: 14, layout.note_col: 56}
        for col in range(FIRST_VALUE_COL, layout.note_col):
            widths.setdefault(col, 16)
        widest = max((c.col for c in layout.inputs), default=layout.note_col)
        for col in range(layout.note_col + 1, widest + 1):
            widths.setdefault(col, 16)
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        for label in layout.labels:
            cell = ws.cell(row=label.row, column=label.col, value=label.text)
            cell.font = fonts.get(label.kind, body_font)
            if label.kind in fills:
                cell.fill = fills[label.kind]
            if label.kind not in ("title", "subtitle", "intro"):
                cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True) if label.kind in (
                "title", "header", "unit") else wrap  # fmt: skip
        for r1, c1, r2, c2 in layout.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        validations: dict[str, tuple[DataValidation, list[str]]] = {}
        for item in layout.inputs:
            cell = ws.cell(row=item.row, column=item.col)
            value = contents.get((layout.name, item.row, item.col))
            if value is not None:
                cell.value = value
            cell.protection = Protection(locked=False)
            cell.border = border
            cell.font = body_font
            cell.number_format = _number_format(item)
            cell.alignment = (
                wrap_top if item.type == "text" or item.column == "note" else Alignment(vertical="center")
            )
            for extra in range(1, item.width):  # the merged cells of a wide input are unlocked too
                ws.cell(row=item.row, column=item.col + extra).protection = Protection(locked=False)
            rule = _validation_for(item)
            if rule is not None:
                key, kwargs = rule
                if key not in validations:
                    error_style = kwargs.pop("errorStyle", "stop")
                    dv = DataValidation(
                        allow_blank=True, showErrorMessage=True, showInputMessage=True, errorStyle=error_style,
                        errorTitle="填写有误", promptTitle="填写要求", **kwargs,
                    )  # fmt: skip
                    validations[key] = (dv, [])
                validations[key][1].append(cell_ref(item.row, item.col))
        for dv, refs in validations.values():
            dv.sqref = " ".join(refs)
            ws.add_data_validation(dv)
        for yoy in layout.yoy:
            cur, prev = cell_ref(*yoy.current), cell_ref(*yoy.previous)
            cell = ws.cell(row=yoy.row, column=yoy.col)
            cell.value = f'=IF(AND(ISNUMBER({cur}),ISNUMBER({prev}),{prev}<>0),ROUND(({cur}-{prev})/ABS({prev})*100,2),"")'
            cell.fill, cell.border, cell.number_format = fills["yoy"], border, "0.00"
        heights = dict(layout.tall_rows)
        merged_width = sum(widths.get(c, 16) for c in range(LABEL_COL, layout.last_col + 1))
        for label in layout.labels:
            if label.kind in ("label", "note", "intro", "header"):
                width = merged_width if label.kind == "intro" else widths.get(label.col, 16)
                lines = -(-_display_width(label.text) // max(int(width * 0.95), 1))
                heights[label.row] = max(heights.get(label.row, 15), 14.5 * lines)
        for row, height in heights.items():
            ws.row_dimensions[row].height = min(height, 400)
        ws.freeze_panes = "C1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:2"
        if protect:
            ws.protection.sheet = True
            ws.protection.formatColumns = False
            ws.protection.formatRows = False
            ws.protection.selectLockedCells = False
    if marker is not None:
        hidden = workbook.create_sheet(MARKER_SHEET)
        hidden["A1"] = MARKER_KIND
        token = marker_dump(marker)
        for index in range(0, len(token), MARKER_CHUNK):
            hidden.cell(row=2 + index // MARKER_CHUNK, column=1, value=token[index : index + MARKER_CHUNK])
        hidden.sheet_state = "veryHidden"
        hidden.protection.sheet = True
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def contents_for(
    layouts: Iterable[SheetLayout],
    definitions: Mapping[str, FormDefinition],
    raws: Mapping[tuple[str, str, int], Any],
) -> dict[tuple[str, int, int], Any]:
    """(sheet, row, col) → content of every input cell, from each item's raw value."""
    contents: dict[tuple[str, int, int], Any] = {}
    cache: dict[tuple[str, str, int], dict[tuple[int | None, str | None], Any]] = {}
    for layout in layouts:
        fields = definitions[layout.form].field_map()
        for item in layout.inputs:
            key = item.key
            if key not in cache:
                raw = raws.get(key)
                cache[key] = cell_values(fields[item.code], raw) if raw is not None else {}
            value = cache[key].get((item.table_row, item.column))
            if value is not None and value != "":
                contents[(layout.name, item.row, item.col)] = value
    return contents


def submission_template(
    *, submission: Submission, profile: BaseProfile, now: dt.datetime
) -> tuple[bytes, Marker]:
    """The template of `submission`, pre-filled with its saved values, and the marker it carries."""
    definitions = [d.parsed() for d in submission.definitions()]
    by_code = {d.code: d for d in definitions}
    values = {(v.form, v.code, v.year): v for v in submission.values.all()}
    rows = template_rows(definitions, values)
    layouts = layouts_for(submission, definitions, profile, rows)
    raws: dict[tuple[str, str, int], Any] = {}
    cells: dict[str, list[Any]] = {}
    for key, value in values.items():
        definition = by_code.get(key[0])
        fld = definition.field_map().get(key[1]) if definition else None
        if fld is None:
            continue
        raw = stored_raw(fld, value)
        raws[key] = raw
        cells[cell_key(*key)] = [value.revision, digest(comparable(fld, raw))]
    data_version = sum(v.revision for v in values.values())  # grows with every saved change
    marker = Marker(
        version=submission.campaign.form_version,
        campaign=submission.campaign_id,
        base=submission.base_id,
        submission=submission.pk,
        base_name=submission.base.name,
        forms=[layout.form for layout in layouts],
        rows=rows,
        cells=cells,
        data_version=data_version,
        generated=now.astimezone(BEIJING).isoformat(timespec="seconds"),
    )
    data = write_workbook(layouts=layouts, contents=contents_for(layouts, by_code, raws), marker=marker)
    return data, marker


def template_filename(submission: Submission, now: dt.datetime) -> str:
    stamp = now.astimezone(BEIJING).strftime("%Y%m%d%H%M")
    return f"填报模板_{submission.base.name}_{submission.campaign.year}_{stamp}.xlsx"
