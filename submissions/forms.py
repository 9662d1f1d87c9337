"""The data-entry grid: what one section page shows, built from a definition and the stored values.

Nothing here touches the database: the view hands in the values, findings and explanations it
fetched (a fixed number of queries), and gets back plain objects the templates render as inputs or,
for read-only users, as text.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from definitions.schema import SOURCE_LABELS, BaseProfile, Column, Field, FormDefinition, Section
from lib.text import char_count
from submissions.models import NOT_YEARLY, Value, WarningExplanation
from submissions.validation import Finding, field_name

# Types shown on one line (label left, input right); the rest get the full width under the label.
INLINE_TYPES = frozenset(
    {"string", "choice", "email", "phone", "amount", "count", "percent", "rate", "ratio"}
)
YES, NO = "是", "否"
MISSING_CHECKS = frozenset({"required"})


@dataclass
class FindingView:
    key: str
    severity: str
    message: str
    field: str
    year: int
    row: int | None
    column: str | None
    check: str = ""
    explanation: str = ""
    explanation_valid: bool = False
    verdict: str = ""
    rejected: bool = False  # the reviewer did not accept this explanation: revise before submitting
    verdict_comment: str = ""
    verdict_by: str = ""
    source: str = "notice"  # notice (填报要求) or system (系统提示)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def missing(self) -> bool:
        """A mandatory cell left empty: outlined at the cell and counted in the progress, not listed
        in words under every empty row of a fresh form."""
        return self.check in MISSING_CHECKS

    def mark(self) -> dict[str, Any]:
        """Where the page outlines the cell the finding is about."""
        return {
            "severity": "missing" if self.missing else self.severity,
            "field": self.field,
            "year": self.year,
            "row": self.row,
            "column": self.column,
        }


@dataclass
class Cell:
    form: str
    code: str
    year: int
    raw: Any = None
    revision: int = 0
    currency: str = ""
    value: Any = None

    @property
    def dom_id(self) -> str:
        return f"c-{self.form}-{self.code}-{self.year}".replace(".", "_")

    @property
    def text(self) -> str:
        """The raw input as the user typed it, for an input's value or a read-only page."""
        return "" if self.raw is None else raw_text(self.raw)

    @property
    def chars(self) -> int:
        """The text's length in 字, as the limit counts it."""
        return char_count(self.text)

    @property
    def converted(self) -> str:
        """The RMB figure of a value entered in another currency."""
        if not self.currency or self.value in (None, ""):
            return ""
        return str(self.value)


@dataclass
class TableRow:
    index: int
    label: str
    cells: list[tuple[Column, str]]
    removable: bool


@dataclass
class Item:
    form: str
    field: Field
    label: str
    status: str
    depth: int = 0
    cells: list[Cell] = dataclasses.field(default_factory=list)
    yoy: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    findings: list[FindingView] = dataclasses.field(default_factory=list)
    rows: list[TableRow] = dataclasses.field(default_factory=list)
    # The reviewer's comments on this item from the last return: (year label, text).
    comments: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def code(self) -> str:
        return self.field.code

    @property
    def listed_findings(self) -> list[FindingView]:
        return [f for f in self.findings if not f.missing]

    @property
    def kind(self) -> str:
        if self.field.is_yearly:
            return "yearly"
        return self.field.type

    @property
    def inline(self) -> bool:
        return self.field.type in INLINE_TYPES or (self.field.type == "yesno" and self.field.note is None)

    @property
    def cell(self) -> Cell:
        return self.cells[0]

    @property
    def optional(self) -> bool:
        return self.status == "optional"

    @property
    def answer(self) -> str:
        raw = self.cell.raw
        if isinstance(raw, Mapping):
            raw = raw.get("answer")
        return yesno_text(raw)

    @property
    def note(self) -> str:
        raw = self.cell.raw
        return str(raw.get("note") or "") if isinstance(raw, Mapping) else ""

    @property
    def note_chars(self) -> int:
        return char_count(self.note)

    @property
    def extensible(self) -> bool:
        return self.field.type == "table" and (
            self.field.max_rows is None or self.field.max_rows > len(self.field.row_labels)
        )

    @property
    def max_length(self) -> int | None:
        return self.field.max_length

    @property
    def currency_code(self) -> str:
        """The currency the row's cells are entered in: the first filled cell decides."""
        return next((c.currency for c in self.cells if c.raw not in (None, "")), "")

    @property
    def foreign_unit(self) -> str:
        """The unit of the row's figures when typed in its other currency (1.5: 亿美元)."""
        currency = self.field.currency
        return currency.unit_of(self.field.unit) if currency is not None else ""

    @property
    def unit_shown(self) -> str:
        """The unit the row's figures are in as entered: 亿美元 while they are typed in 美元."""
        currency = self.field.currency
        if currency is not None and self.currency_code == currency.code:
            return self.foreign_unit
        return self.field.unit

    @property
    def has_column_groups(self) -> bool:
        return any(c.group for c in self.field.columns)

    def column_groups(self) -> list[tuple[str, list[Column]]]:
        """Runs of columns under one spanning header (附表2's 2021年 sub-columns); "" for no group."""
        groups: list[tuple[str, list[Column]]] = []
        for col in self.field.columns:
            if groups and groups[-1][0] == col.group:
                groups[-1][1].append(col)
            else:
                groups.append((col.group, [col]))
        return groups


@dataclass
class Block:
    """A run of items rendered together: a year grid, or single items under an optional group heading."""

    kind: str  # grid | items
    items: list[Item]
    group: str = ""
    years: list[int] = field(default_factory=list)
    yoy_years: list[int] = field(default_factory=list)
    html: str = ""  # a grid's markup, built by the page (submissions.entry_html.grid_html)

    @property
    def ncols(self) -> int:
        return 2 + len(self.years) + len(self.yoy_years)


def raw_text(raw: Any) -> str:
    """A stored raw value as one line of text (history, read-only pages)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, Mapping):
        if "amount" in raw:
            return f"{raw.get('amount')} {raw.get('currency', '')}".strip()
        answer = yesno_text(raw.get("answer"))
        note = str(raw.get("note") or "")
        return f"{answer}；{note}" if note else answer
    if isinstance(raw, list):
        rows = [r for r in raw if isinstance(r, Mapping) and any(str(v or "").strip() for v in r.values())]
        return "；".join(" / ".join(str(v) for v in r.values() if str(v or "").strip()) for r in rows)
    return str(raw)


def yesno_text(raw: Any) -> str:
    if raw is True:
        return YES
    if raw is False:
        return NO
    text = str(raw or "").strip()
    return {"是": YES, "否": NO, "true": YES, "false": NO}.get(text.lower(), text)


def format_yoy(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def depth_of(fld: Field, fields: Mapping[str, Field]) -> int:
    depth, seen = 0, fld
    while seen.part_of and seen.part_of in fields and depth < 5:
        depth += 1
        seen = fields[seen.part_of]
    return depth


def finding_views(
    findings: Iterable[Finding], form: str, explanations: Mapping[tuple[str, str], WarningExplanation]
) -> list[FindingView]:
    views: list[FindingView] = []
    for f in findings:
        view = FindingView(
            key=f.key,
            severity=f.severity,
            message=f.message,
            field=f.field,
            year=f.year,
            row=f.row,
            column=f.column,
            check=f.code,
            source=f.source,
        )
        explanation = explanations.get((form, f.key))
        if f.severity == "warning" and explanation is not None:
            view.explanation = explanation.text
            view.explanation_valid = explanation.explained_values == f.values
            view.verdict = explanation.get_verdict_display()
            view.rejected = (
                view.explanation_valid and explanation.verdict == WarningExplanation.Verdict.REJECTED
            )
            view.verdict_comment = explanation.verdict_comment
            view.verdict_by = explanation.verdict_by.display_name if explanation.verdict_by else ""
        views.append(view)
    return views


def table_rows(fld: Field, raw: Any, editable: bool) -> list[TableRow]:
    stored = [r for r in raw if isinstance(r, Mapping)] if isinstance(raw, list) else []
    count = max(len(fld.row_labels), fld.min_rows, len(stored), 1)
    if fld.max_rows is not None:
        count = min(count, max(fld.max_rows, len(stored)))
    rows: list[TableRow] = []
    for index in range(count):
        data = stored[index] if index < len(stored) else {}
        label = fld.row_labels[index] if index < len(fld.row_labels) else f"{index + 1}"
        rows.append(
            TableRow(
                index=index,
                label=label,
                cells=[(c, raw_text(data.get(c.key))) for c in fld.columns],
                removable=editable and index >= max(len(fld.row_labels), fld.min_rows),
            )
        )
    return rows


def section_blocks(
    *,
    definition: FormDefinition,
    section: Section,
    profile: BaseProfile,
    data_year: int,
    values: Mapping[tuple[str, int], Value],
    yoy: Mapping[tuple[str, int], Decimal | None],
    findings: list[FindingView],
    editable: bool,
) -> list[Block]:
    """The section's items in definition order, hidden ones left out, yearly ones gathered in grids."""
    fields = definition.field_map()
    by_field: dict[str, list[FindingView]] = {}
    for f in findings:
        by_field.setdefault(f.field, []).append(f)
    blocks: list[Block] = []
    for fld in section.fields:
        status = definition.status_for(fld, profile)
        if status == "hidden":
            continue
        years = definition.years_for(fld, data_year) if fld.is_yearly else [NOT_YEARLY]
        item = Item(
            form=definition.code,
            field=fld,
            label=field_name(fld, profile),
            status=status,
            depth=depth_of(fld, fields),
            findings=by_field.get(fld.code, []),
        )
        for year in years:
            stored = values.get((fld.code, year))
            item.cells.append(
                Cell(
                    form=definition.code,
                    code=fld.code,
                    year=year,
                    raw=stored.raw if stored else None,
                    revision=stored.revision if stored else 0,
                    currency=stored.entered_currency if stored else "",
                    value=stored.value if stored else None,
                )
            )
        if fld.yoy:
            item.yoy = [(y, format_yoy(yoy.get((fld.code, y)))) for y in years if y - 1 in years]
        if fld.type == "table":
            item.rows = table_rows(fld, item.cell.raw, editable)
        last = blocks[-1] if blocks else None
        if fld.is_yearly:
            if last is not None and last.kind == "grid" and last.group == fld.group and last.years == years:
                last.items.append(item)
            else:
                blocks.append(
                    Block(
                        kind="grid",
                        items=[item],
                        group=fld.group,
                        years=years,
                        yoy_years=[y for y in years if y - 1 in years] if fld.yoy else [],
                    )
                )
        elif last is not None and last.kind == "items" and last.group == fld.group:
            last.items.append(item)
        else:
            blocks.append(Block(kind="items", items=[item], group=fld.group))
    for block in blocks:
        if block.kind == "grid" and not block.yoy_years:
            block.yoy_years = sorted({y for item in block.items for y, _ in item.yoy}, reverse=True)
    return blocks


@dataclass(frozen=True)
class ParsedChange:
    form: str
    code: str
    year: int
    raw: Any
    base_revision: int | None
    currency: str
    force: bool


class PayloadError(ValueError):
    """A save request the page could not have sent. The message is shown to the user."""


def _scalar_raw(raw: Any) -> bool:
    if raw is None or isinstance(raw, str | bool | int | float):
        return True
    if isinstance(raw, Mapping):
        return all(_scalar_raw(v) for v in raw.values())
    if isinstance(raw, list):
        return all(_scalar_raw(v) for v in raw)
    return False


MAX_CHANGES = 500
MAX_BODY = 1_000_000


def parse_save_payload(body: bytes) -> list[ParsedChange]:
    """Read the autosave JSON: {"changes": [{form, code, year, raw, base_revision, currency, force}]}."""
    if len(body) > MAX_BODY:
        raise PayloadError("提交的内容过大，请分批保存。")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PayloadError("保存请求格式不正确。") from None
    changes = data.get("changes") if isinstance(data, dict) else None
    if not isinstance(changes, list) or not changes:
        raise PayloadError("保存请求中没有要保存的内容。")
    if len(changes) > MAX_CHANGES:
        raise PayloadError(f"一次最多保存 {MAX_CHANGES} 项，请分批保存。")
    out: list[ParsedChange] = []
    for item in changes:
        if not isinstance(item, dict):
            raise PayloadError("保存请求格式不正确。")
        form, code = item.get("form"), item.get("code")
        if not isinstance(form, str) or not isinstance(code, str) or not form or not code:
            raise PayloadError("保存请求缺少报表或指标代码。")
        try:
            year = int(item.get("year") or 0)
            base_revision = item.get("base_revision")
            base_revision = None if base_revision in (None, "") else int(base_revision)
        except (TypeError, ValueError):
            raise PayloadError("保存请求中的年度或修订号不正确。") from None
        raw = item.get("raw")
        if not _scalar_raw(raw):
            raise PayloadError("保存请求中的填写内容格式不正确。")
        currency = item.get("currency") or ""
        if not isinstance(currency, str) or len(currency) > 8:
            raise PayloadError("保存请求中的币种不正确。")
        out.append(
            ParsedChange(
                form=form,
                code=code,
                year=year,
                raw=raw,
                base_revision=base_revision,
                currency=currency.upper(),
                force=bool(item.get("force")),
            )
        )
    return out
