"""Reading, checking and computing a base's values against a form definition.

Pure: a definition and values in, parsed values, findings and figures out. No models, no database,
so the data-entry page, the Excel import and the API all call exactly this code.

Values are keyed (field code, year); year is 0 for items not asked per year. A value may be raw input
(text as typed, Excel cells) or an already parsed value; both are read with `parse_value`.

Canonical parsed values:
- numbers (amount/count/percent/rate/ratio): Decimal; counts are whole (Decimal("12")); a percent is
  the number before the "%" (85 for "85%"); an amount given in an alternative currency as
  {"amount": ..., "currency": "USD"} is converted to the field's own unit.
- yesno without a note: bool. yesno with a note: {"answer": bool | None, "note": str | None}.
- choice / string / email / phone: str, stripped. text: str with trailing whitespace removed and
  line endings as "\\n"; its length in 字 is `lib.text.char_count` (whitespace is not counted).
- table: list of {column key: parsed cell}, rows in the order given (row indexes are 0-based), blank
  rows at the end dropped.
- None for empty.

Finding keys are stable ids, "<check>:<field>:<year>[:<row>][:<column>]", e.g. "part_of:1.1a:2021",
"rule.<rule id>:1.8:2021", "cell.invalid:12.1:0:2:output". A base's explanation of a warning is stored
against the key together with the finding's `values`, so it can be shown again only while the values
it explained are unchanged.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from definitions.schema import (
    DEFAULT_TEXT_LIMIT,
    NUMERIC_TYPES,
    SOURCE_LABELS,
    BaseProfile,
    Column,
    Field,
    FormDefinition,
    Rule,
    Section,
)
from lib.numbers import NumberError, format_decimal, normalise_text, parse_decimal
from lib.text import char_count, too_long_message

Severity = Literal["error", "warning"]

YOY_PLACES = Decimal("0.01")
CURRENCY_PLACES = Decimal("0.0001")
RMB_CODES = frozenset({"CNY", "RMB", "人民币", "元"})
# The notice: 以人民币计算，如以美元计算，请以2021年平均汇率6.4515进行换算. Names people type for 美元.
USD_CODES = frozenset({"USD", "US$", "美元"})

# Checks on one value alone (parse_value) and the Chinese text shown next to the field.
MSG_NUMBER = "请输入数字"
MSG_INTEGER = "请输入整数（个数不能有小数）"
MSG_NEGATIVE = "不能为负数"
MSG_PERCENT_RANGE = "应在 0 到 100 之间"
MSG_YESNO = "请选择“是”或“否”"
MSG_TEXT = "请输入文字"
MSG_EMAIL = "邮箱格式不正确"
MSG_PHONE = "电话号码格式不正确（数字，可含空格、-、+、括号和分机号，至少 7 位数字）"
MSG_TABLE = "表格数据格式不正确"
MSG_RMB_ONLY = "该指标只能以人民币填写"


class CurrencyError(ValueError):
    """A currency the notice does not allow for the item; the message is for the field."""


def currency_code(fld: Field, named: Any) -> str:
    """The currency an input names, as "CNY" or the field's conversion currency ("USD").

    Empty means 人民币. The notice allows only 人民币, and 美元 where it gives a rate (1.5);
    anything else (欧元, 港币, EUR …) is refused with a Chinese message, never read as 人民币.
    """
    text = normalise_text(str(named or "")).strip()
    code = text.upper()
    if not code or code in RMB_CODES:
        return "CNY"
    if fld.currency is not None and (code in USD_CODES or code == fld.currency.code.upper()):
        return fld.currency.code.upper()
    if code in USD_CODES:
        raise CurrencyError(
            f"{MSG_RMB_ONLY}（通知仅对进出口总额、出口额给出美元换算汇率），不能以“{text}”填写"
        )
    allowed = f"人民币或{fld.currency.label}" if fld.currency is not None else "人民币"
    raise CurrencyError(f"不支持的币种“{text}”，只能以{allowed}填写")


_YES = frozenset({"是", "yes", "y", "true", "1", "√"})
_NO = frozenset({"否", "no", "n", "false", "0", "×"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE = re.compile(
    r"(?P<main>\+?[\d\s\-()]*\d[\d\s\-()]*?)(?:\s*(?:转|分机|ext\.?|x|#)\s*(?P<ext>\d+))?", re.IGNORECASE
)
_PHONE_SEPARATORS = re.compile(r"[/、,;]")
_PUBLIC_CODE = re.compile(r"\d+(?:\.\d+)+")


# --- parsing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem with one value: `code` is the check, `message` the short text for the field."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True)
class Parsed:
    """A value read from input. `value` is None when empty or not understood as the field's type;
    it is kept when the input is understood but breaks a limit (negative, too long …), so it can be shown.
    """

    value: Any = None
    issues: tuple[Issue, ...] = ()

    @property
    def error(self) -> str | None:
        return self.issues[0].message if self.issues else None

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def usable(self) -> bool:
        """A value other checks (其中, rules, 同比, history) may rely on."""
        return self.value is not None and not self.issues


@dataclass(frozen=True)
class _Spec:
    """What parsing needs from a field or a table column."""

    type: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    allow_negative: bool = False
    max_items: int | None = None


# What separates the names listed in one cell. Not the ASCII comma: "Co., Ltd." is one name.
_ITEM_SEPARATORS = re.compile(r"[、，；;\n]+")


def listed_items(text: str) -> list[str]:
    """The names a cell lists (主要企业名称: 甲公司、乙公司), blanks between separators left out."""
    return [item for item in (part.strip() for part in _ITEM_SEPARATORS.split(text)) if item]


def _spec_of(item: Field | Column) -> _Spec:
    max_length = item.max_length
    if item.type == "text" and max_length is None:
        max_length = DEFAULT_TEXT_LIMIT
    return _Spec(
        type=item.type,
        unit=item.unit,
        choices=item.choices,
        max_length=max_length,
        allow_negative=item.allow_negative,
        max_items=item.max_items if isinstance(item, Column) else None,
    )


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _check_number(spec: _Spec, value: Decimal) -> Parsed:
    if value.is_zero():
        value = value.copy_abs()  # "-0" is 0
    if spec.type == "count":
        if value != value.to_integral_value():
            return Parsed(value, (Issue("not_integer", MSG_INTEGER),))
        value = value.quantize(Decimal(1))
    if spec.type == "percent" and not (0 <= value <= 100):
        return Parsed(value, (Issue("out_of_range", MSG_PERCENT_RANGE),))
    if value < 0 and spec.type != "rate" and not spec.allow_negative:
        return Parsed(value, (Issue("negative", MSG_NEGATIVE),))
    return Parsed(value)


def _parse_number(spec: _Spec, raw: Any) -> Parsed:
    try:
        value = parse_decimal(raw, allow_percent_sign=spec.type in ("percent", "rate"), unit=spec.unit)
    except NumberError as exc:
        return Parsed(None, (Issue("invalid", str(exc)),))
    return Parsed(None) if value is None else _check_number(spec, value)


def _as_text(raw: Any) -> str | None:
    """Input as text; None when it is not text-like (a list, a bool …)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Excel hands whole numbers (phone numbers, years) over as floats
    if isinstance(raw, int | float | Decimal):
        try:
            return format_decimal(parse_decimal(raw) or Decimal(0))
        except NumberError:
            return None
    return None


def _phone_ok(text: str) -> bool:
    parts = _PHONE_SEPARATORS.split(text)
    for part in parts:
        match = _PHONE.fullmatch(part.strip())
        if not match or sum(ch.isdigit() for ch in match["main"]) < 7:
            return False
    return True


def _parse_scalar(spec: _Spec, raw: Any) -> Parsed:
    if spec.type in NUMERIC_TYPES:
        return _parse_number(spec, raw)
    if _blank(raw):
        return Parsed(None)
    text = _as_text(raw)
    if text is None:
        return Parsed(None, (Issue("invalid", MSG_TEXT),))
    if spec.type == "choice":
        text = text.strip()
        wanted = normalise_text(text)
        for choice in spec.choices:
            if text == choice or wanted == normalise_text(choice).strip():
                return Parsed(choice)
        return Parsed(None, (Issue("choice", f"请从以下选项中选择：{'、'.join(spec.choices)}"),))
    if spec.type == "text":
        text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    elif spec.type in ("email", "phone"):
        text = normalise_text(text).strip()
    else:
        text = text.strip()
    if not text.strip():
        return Parsed(None)
    if spec.max_length is not None and (count := char_count(text)) > spec.max_length:
        return Parsed(text, (Issue("too_long", too_long_message(spec.max_length, count)),))
    if spec.max_items is not None and (count := len(listed_items(text))) > spec.max_items:
        return Parsed(
            text,
            (
                Issue(
                    "too_many_items",
                    f"最多填写 {spec.max_items} 个（现有 {count} 个，按“、”“，”“；”或换行分隔计）",
                ),
            ),
        )
    if spec.type == "email" and not _EMAIL.fullmatch(text):
        return Parsed(text, (Issue("email", MSG_EMAIL),))
    if spec.type == "phone" and not _phone_ok(text):
        return Parsed(text, (Issue("phone", MSG_PHONE),))
    return Parsed(text)


def _parse_answer(raw: Any) -> Parsed:
    if _blank(raw):
        return Parsed(None)
    if isinstance(raw, bool):
        return Parsed(raw)
    if isinstance(raw, int | str):
        word = normalise_text(str(raw)).strip().lower()
        if word in _YES:
            return Parsed(True)
        if word in _NO:
            return Parsed(False)
    return Parsed(None, (Issue("invalid", MSG_YESNO),))


def _parse_yesno(fld: Field, raw: Any) -> Parsed:
    if isinstance(raw, Mapping):
        answer_raw, note_raw = raw.get("answer"), raw.get("note")
    else:
        answer_raw, note_raw = raw, None
    answer = _parse_answer(answer_raw)
    if fld.note is None:
        return answer
    note = _parse_scalar(_Spec(type="text", max_length=fld.note.max_length), note_raw)
    issues = answer.issues + tuple(replace(i, column="note") for i in note.issues)
    if answer.value is None and note.value is None and not answer.issues:
        return Parsed(None, issues)
    return Parsed({"answer": answer.value, "note": note.value}, issues)


def _parse_amount_in_currency(fld: Field, raw: Mapping[str, Any]) -> Parsed:
    spec = _spec_of(fld)
    try:
        code = currency_code(fld, raw.get("currency"))
    except CurrencyError as exc:
        return Parsed(None, (Issue("currency", str(exc)),))
    try:
        amount = parse_decimal(raw.get("amount"), unit=spec.unit)
    except NumberError as exc:
        return Parsed(None, (Issue("invalid", str(exc)),))
    if amount is None:
        return Parsed(None)
    if code != "CNY":
        amount = convert_currency(fld, amount, code)
    return _check_number(spec, amount)


def _row_cells(fld: Field, raw_row: Any, index: int) -> tuple[dict[str, Any], list[Issue]]:
    keys = [c.key for c in fld.columns]
    if raw_row is None:
        return {}, []
    if isinstance(raw_row, Mapping):
        extra = [k for k, v in raw_row.items() if k not in keys and not _blank(v)]
        return dict(raw_row), [Issue("unknown_column", f"未知的列“{k}”", index, str(k)) for k in extra]
    if isinstance(raw_row, Sequence) and not isinstance(raw_row, str | bytes):
        issues = []
        if any(not _blank(v) for v in raw_row[len(keys) :]):
            issues.append(Issue("unknown_column", f"多出的列（共 {len(keys)} 列）", index))
        return dict(zip(keys, raw_row, strict=False)), issues
    return {}, [Issue("invalid", MSG_TABLE, index)]


def _parse_table(fld: Field, raw: Any) -> Parsed:
    if _blank(raw):
        return Parsed(None)
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        return Parsed(None, (Issue("invalid", MSG_TABLE),))
    rows: list[dict[str, Any]] = []
    filled: list[bool] = []
    issues: list[Issue] = []
    for index, raw_row in enumerate(raw):
        cells, row_issues = _row_cells(fld, raw_row, index)
        issues.extend(row_issues)
        row: dict[str, Any] = {}
        for col in fld.columns:
            cell = _parse_scalar(_spec_of(col), cells.get(col.key))
            row[col.key] = cell.value
            issues.extend(replace(i, row=index, column=col.key) for i in cell.issues)
        rows.append(row)
        filled.append(bool(row_issues) or any(not _blank(cells.get(c.key)) for c in fld.columns))
    while rows and not filled[-1]:
        rows.pop()
        filled.pop()
    bad_cells = {(i.row, i.column) for i in issues}
    for index, row in enumerate(rows):
        if not filled[index]:
            continue
        for col in fld.columns:
            if col.required and row[col.key] is None and (index, col.key) not in bad_cells:
                issues.append(Issue("row_incomplete", f"请填写“{col.label}”", index, col.key))
    count = sum(filled)
    if fld.max_rows is not None and count > fld.max_rows:
        issues.append(Issue("too_many_rows", f"最多填写 {fld.max_rows} 行（现有 {count} 行）"))
    issues.sort(key=lambda i: (-1 if i.row is None else i.row, _column_index(fld, i.column)))
    return Parsed(rows if count else None, tuple(issues))


def _column_index(fld: Field, key: str | None) -> int:
    keys = [c.key for c in fld.columns]
    return keys.index(key) if key in keys else len(keys)


# Inputs whose reading `parsing_memo` keeps: plain scalars (hashable, compared by type as well).
_MEMO_TYPES = frozenset({str, int, float, Decimal})
_memo: ContextVar[dict[tuple[int, int, type, Any], tuple[Field, Column | None, Parsed]] | None] = ContextVar(
    "submissions_parse_memo", default=None
)


@contextmanager
def parsing_memo() -> Iterator[None]:
    """Within the block, `parse_value` reads each input of an item once: a caller that compares,
    validates and stores the same few hundred inputs (the Excel import) parses each of them once.
    Nested blocks share the outer one's memo; it is dropped when the outermost block ends."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def parse_value(fld: Field, raw: Any, column: Column | None = None) -> Parsed:
    """Read one raw input for a field (or one cell of a table field's column) and check it alone:
    type, sign, whole counts, 0-100 percentages, length, choices, email and phone formats, table rows.
    """
    if isinstance(raw, Parsed):
        raw = raw.value
    memo = _memo.get()
    if memo is None or (raw is not None and type(raw) not in _MEMO_TYPES):
        return _parse_value(fld, raw, column)
    key = (id(fld), id(column), type(raw), raw)
    hit = memo.get(key)
    if hit is not None and hit[0] is fld and hit[1] is column:
        return hit[2]
    parsed = _parse_value(fld, raw, column)
    if type(parsed.value) not in (dict, list):  # shared by every caller: nothing they could change
        memo[key] = (fld, column, parsed)
    return parsed


def _parse_value(fld: Field, raw: Any, column: Column | None) -> Parsed:
    if column is not None:
        return _parse_scalar(_spec_of(column), raw)
    if fld.type == "table":
        return _parse_table(fld, raw)
    if fld.type == "yesno":
        return _parse_yesno(fld, raw)
    if isinstance(raw, Mapping) and fld.is_numeric and "amount" in raw:
        return _parse_amount_in_currency(fld, raw)
    return _parse_scalar(_spec_of(fld), raw)


def convert_currency(fld: Field, amount: Decimal, currency_code: str) -> Decimal:
    """An amount entered in the field's alternative currency, in the field's own unit (4 decimals).

    1.5 进出口总额: 10 (USD) → 64.5150 亿元人民币 at the notice's 2021 average rate 6.4515.
    RMB passes through unchanged. Any other currency is a programming error (ValueError).
    """
    code = currency_code.strip().upper()
    if code in RMB_CODES or code == "CNY":
        return amount
    if fld.currency is None or code not in {fld.currency.code.upper(), *USD_CODES}:
        raise ValueError(f"指标 {fld.code} 不接受币种 {currency_code}")
    rate = Decimal(str(fld.currency.rate))
    return (amount * rate).quantize(CURRENCY_PLACES, rounding=ROUND_HALF_UP)


# --- year on year --------------------------------------------------------------------------------


def yoy_percent(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """(current − previous) / |previous| × 100, 2 decimals half up; None if either is missing or previous is 0."""
    if current is None or previous is None or previous.is_zero():
        return None
    return ((current - previous) / abs(previous) * 100).quantize(YOY_PLACES, rounding=ROUND_HALF_UP)


def _number(fld: Field, raw: Any) -> Decimal | None:
    parsed = parse_value(fld, raw)
    return parsed.value if parsed.usable and isinstance(parsed.value, Decimal) else None


def compute_yoy(
    definition: FormDefinition,
    data_year: int,
    values: Mapping[tuple[str, int], Any],
    fields: Iterable[Field] | None = None,
) -> dict[tuple[str, int], Decimal | None]:
    """同比 % of every yoy field (or of `fields` only: a field's 同比 reads its own cells alone) for every
    year whose previous year is also asked (2021 and 2020, not 2019)."""
    result: dict[tuple[str, int], Decimal | None] = {}
    for fld in definition.fields() if fields is None else fields:
        if not fld.yoy:
            continue
        years = definition.years_for(fld, data_year)
        for year in years:
            if year - 1 in years:
                result[(fld.code, year)] = yoy_percent(
                    _number(fld, values.get((fld.code, year))), _number(fld, values.get((fld.code, year - 1)))
                )
    return result


# --- validation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem found. Errors block submission; warnings must be explained by the base."""

    key: str
    severity: Severity
    code: str
    field: str
    section: str
    year: int  # 0 for items not asked per year
    message: str
    row: int | None = None  # 0-based table row
    column: str | None = None  # table column key, or "note" for a 是/否 item's explanation
    values: dict[str, str] = dc_field(default_factory=dict, hash=False)
    source: str = "notice"  # notice (填报要求) or system (系统提示), from the definition

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    @property
    def blocking(self) -> bool:
        return self.severity == "error"


def field_name(fld: Field, profile: BaseProfile) -> str:
    """The item as the base reads it: "1.1 销售收入", "其中：主导产业销售收入", with its label variant."""
    label = fld.label_for(profile)
    if _PUBLIC_CODE.fullmatch(fld.code) and not label.startswith(fld.code):
        return f"{fld.code} {label}"
    return label


def _value_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def _slot(code: str, year: int) -> str:
    return f"{code}:{year}" if year else code


class _Run:
    """One validation pass: parses each value once and builds findings in definition order."""

    def __init__(
        self,
        definition: FormDefinition,
        profile: BaseProfile,
        data_year: int,
        values: Mapping[tuple[str, int], Any],
    ) -> None:
        self.definition = definition
        self.profile = profile
        self.data_year = data_year
        self.values = values
        self.fields = definition.field_map()
        self._parsed: dict[tuple[str, int], Parsed] = {}
        self._status = {f.code: definition.status_for(f, profile) for f in definition.fields()}

    def status(self, fld: Field) -> str:
        return self._status[fld.code]

    def years(self, fld: Field) -> list[int]:
        return self.definition.years_for(fld, self.data_year) if fld.is_yearly else [0]

    def parsed(self, fld: Field, year: int) -> Parsed:
        key = (fld.code, year)
        if key not in self._parsed:
            self._parsed[key] = parse_value(fld, self.values.get(key))
        return self._parsed[key]

    def number(self, fld: Field, year: int) -> Decimal | None:
        parsed = self.parsed(fld, year)
        return parsed.value if parsed.usable and isinstance(parsed.value, Decimal) else None

    def name(self, fld: Field) -> str:
        return field_name(fld, self.profile)

    def where(self, fld: Field, year: int) -> str:
        return f"{year}年 {self.name(fld)}" if year else self.name(fld)

    def finding(
        self,
        fld: Field,
        year: int,
        code: str,
        message: str,
        *,
        severity: Severity = "error",
        check: str | None = None,
        row: int | None = None,
        column: str | None = None,
        values: dict[str, str] | None = None,
        source: str | None = None,
    ) -> Finding:
        parts = [check or code, fld.code, str(year)]
        if row is not None:
            parts.append(str(row))
        if column is not None:
            parts.append(column)
        return Finding(
            key=":".join(parts),
            severity=severity,
            code=code,
            field=fld.code,
            section=fld.section,
            year=year,
            message=message,
            row=row,
            column=column,
            values=values or {},
            source=source or self.definition.source_of(code, fld),
        )

    def count_of(self, fld: Field) -> Decimal | None:
        """The data year's figure of a count another item depends on (a list's 数量)."""
        return self.number(fld, self.data_year if fld.is_yearly else 0)

    def table_needed(self, fld: Field) -> bool:
        """Whether a mandatory list must have rows: not when it may be empty, or its count is 0/blank."""
        if fld.may_be_empty:
            return False
        if fld.rows_from is not None:
            counter = self.fields[fld.rows_from.field]
            count = self.count_of(counter)
            return count is not None and count > 0
        return True


def _cell_place(fld: Field, issue: Issue) -> str:
    place = ""
    if issue.row is not None:
        place = fld.row_labels[issue.row] if issue.row < len(fld.row_labels) else f"第 {issue.row + 1} 行"
    # row_incomplete's own message already names the column
    if issue.column is not None and issue.column != "note" and issue.code != "row_incomplete":
        label = next((c.label for c in fld.columns if c.key == issue.column), issue.column)
        place = f"{place}“{label}”"
    elif issue.column == "note" and fld.note is not None:
        place = f"“{fld.note.label}”"
    return f" {place}" if place else ""


def _value_findings(run: _Run, fld: Field, year: int, parsed: Parsed) -> list[Finding]:
    raw = run.values.get((fld.code, year))
    found = []
    for issue in parsed.issues:
        check = f"cell.{issue.code}" if issue.row is not None else issue.code
        shown = _issue_input(fld, issue, raw, parsed)
        found.append(
            run.finding(
                fld,
                year,
                issue.code,
                f"{run.where(fld, year)}{_cell_place(fld, issue)}：{issue.message}",
                check=check,
                row=issue.row,
                column=issue.column,
                values={"input": shown} if shown else {},
            )
        )
    return found


def _issue_input(fld: Field, issue: Issue, raw: Any, parsed: Parsed) -> str:
    """The input an issue is about, as text, so a stored explanation can name it."""
    if issue.row is not None and issue.column is not None and isinstance(raw, Sequence):
        raw_row = raw[issue.row] if issue.row < len(raw) else None
        if isinstance(raw_row, Mapping):
            return _value_text(raw_row.get(issue.column))
        if isinstance(raw_row, Sequence) and not isinstance(raw_row, str):
            index = _column_index(fld, issue.column)
            return _value_text(raw_row[index]) if index < len(raw_row) else ""
        return ""
    if issue.column == "note" and isinstance(raw, Mapping):
        return _value_text(raw.get("note"))
    if isinstance(raw, Mapping):
        return _value_text(raw.get("answer", raw.get("amount")))
    if isinstance(raw, str | int | float | Decimal | bool):
        return _value_text(raw)
    return ""


def _complete_rows(fld: Field, rows: list[dict[str, Any]] | None) -> int:
    required = [c.key for c in fld.columns if c.required]
    count = 0
    for row in rows or ():
        if any(v is not None for v in row.values()) and all(row.get(k) is not None for k in required):
            count += 1
    return count


def _satisfies(fld: Field, parsed: Parsed) -> bool:
    """Whether a mandatory item counts as filled."""
    if fld.type == "yesno":
        answer = parsed.value.get("answer") if isinstance(parsed.value, dict) else parsed.value
        return answer is not None
    if fld.type == "table":
        return _complete_rows(fld, parsed.value) >= max(fld.min_rows, 1)
    return parsed.value is not None


def _presence_findings(run: _Run, fld: Field, year: int, parsed: Parsed, mandatory: bool) -> list[Finding]:
    where = run.where(fld, year)
    if fld.type == "yesno":
        if any(i.column != "note" for i in parsed.issues) or _satisfies(fld, parsed):
            return []
        if mandatory:
            return [run.finding(fld, year, "required", f"{where}：必填，{MSG_YESNO}")]
        if parsed.value is not None:  # an explanation without its answer is half an answer
            return [run.finding(fld, year, "answer_missing", f"{where}：已填写说明，{MSG_YESNO}")]
        return []
    if not mandatory or parsed.issues:
        return []
    if fld.type == "table":
        complete = _complete_rows(fld, parsed.value)
        if not run.table_needed(fld):
            return []
        if fld.rows_from is not None and parsed.value is None:
            counter = run.fields[fld.rows_from.field]
            count = format_decimal(run.count_of(counter) or Decimal(0))
            return [run.finding(fld, year, "required", f"{where}：{run.name(counter)}为 {count}，请逐一填写")]
        if parsed.value is None:
            required = [c.label for c in fld.columns if c.required]
            detail = f"（须填写{'、'.join(required)}）" if required else ""
            return [run.finding(fld, year, "required", f"{where}：必填，请至少填写一行{detail}")]
        if complete < fld.min_rows:
            return [
                run.finding(
                    fld, year, "too_few_rows", f"{where}：请至少填写 {fld.min_rows} 行（现有 {complete} 行）"
                )
            ]
        return []
    if parsed.value is None:
        return [run.finding(fld, year, "required", f"{where}：必填，请填写")]
    return []


def _rows_count_finding(run: _Run, fld: Field, year: int, parsed: Parsed) -> Finding | None:
    """A list announced by a count should have as many rows; a difference is worth a look, no more."""
    if fld.rows_from is None or not fld.rows_from.match or parsed.issues:
        return None
    counter = run.fields[fld.rows_from.field]
    if run.status(counter) == "hidden":
        return None
    count = run.count_of(counter)
    if count is None:
        return None
    rows = _complete_rows(fld, parsed.value)
    if rows == count or not rows:  # no rows at all is the 必填 finding's business
        return None
    ct = format_decimal(count)
    return run.finding(
        fld,
        year,
        "rows_count",
        f"{run.where(fld, year)}：填写了 {rows} 行，与“{run.name(counter)}”（{ct}）不一致，请核实",
        severity="warning",
        values={_slot(counter.code, run.data_year if counter.is_yearly else 0): ct, "rows": str(rows)},
    )


def _part_finding(run: _Run, fld: Field, year: int) -> Finding | None:
    whole = run.fields.get(fld.part_of or "")
    if whole is None or run.status(whole) == "hidden":
        return None
    part_value, whole_value = run.number(fld, year), run.number(whole, year)
    if part_value is None or whole_value is None or part_value <= whole_value:
        return None
    prefix = f"{year}年 " if year else ""
    part_text, whole_text = format_decimal(part_value), format_decimal(whole_value)
    return run.finding(
        fld,
        year,
        "part_of",
        f"{prefix}{run.name(fld)}（{part_text}）不能大于 {run.name(whole)}（{whole_text}）",
        values={_slot(fld.code, year): part_text, _slot(whole.code, year): whole_text},
    )


class _KeepUnknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _rule_pairs(run: _Run, left: Field, right: Field) -> list[tuple[int, int]]:
    left_years, right_years = run.years(left), run.years(right)
    if left.is_yearly and right.is_yearly:
        return [(y, y) for y in left_years if y in right_years]
    if left.is_yearly:
        return [(y, 0) for y in left_years]
    return [(0, y) for y in right_years]


def _rule_findings(run: _Run, rule: Rule) -> list[Finding]:
    left, right = run.fields[rule.left], run.fields[rule.right]
    if run.status(left) == "hidden" or run.status(right) == "hidden":
        return []
    found = []
    for left_year, right_year in _rule_pairs(run, left, right):
        lv, rv = run.number(left, left_year), run.number(right, right_year)
        if lv is None or rv is None:
            continue
        if (rule.kind == "lte" and lv <= rv) or (rule.kind == "gte" and lv >= rv):
            continue
        year = left_year or right_year
        lt, rt = format_decimal(lv), format_decimal(rv)
        op = "不应大于" if rule.kind == "lte" else "不应小于"
        prefix = f"{year}年 " if year else ""
        if "{" in rule.message:
            fill = {"year": str(year), "left": run.name(left), "right": run.name(right)}
            text = string.Formatter().vformat(
                rule.message, (), _KeepUnknown(fill, left_value=lt, right_value=rt)
            )
            message = f"{prefix}{text}"
        elif rule.message:
            message = f"{prefix}{rule.message}（{run.name(left)} {lt}，{run.name(right)} {rt}）"
        else:
            message = f"{prefix}{run.name(left)}（{lt}）{op} {run.name(right)}（{rt}）"
        found.append(
            run.finding(
                left,
                year,
                "rule",
                message,
                severity="error" if rule.severity == "error" else "warning",
                check=f"rule.{rule.id}",
                source=rule.source,
                values={_slot(left.code, left_year): lt, _slot(right.code, right_year): rt},
            )
        )
    return found


def yoy_threshold(definition: FormDefinition, fld: Field) -> tuple[Decimal | None, Decimal | None]:
    """(percent, absolute) beyond which a 同比 change is a warning; an absolute threshold replaces
    the percentage for small counts."""
    if fld.yoy_absolute_threshold is not None:
        return None, Decimal(str(fld.yoy_absolute_threshold))
    percent = fld.yoy_warning_threshold
    if percent is None:
        percent = definition.yoy_warning_threshold
    return (None if percent is None else Decimal(str(percent))), None


def _yoy_absolute_findings(run: _Run, fld: Field, limit: Decimal) -> list[Finding]:
    years = run.years(fld)
    found = []
    for year in years:
        current, previous = run.number(fld, year), run.number(fld, year - 1) if year - 1 in years else None
        if current is None or previous is None or abs(current - previous) <= limit:
            continue
        ct, pt = format_decimal(current), format_decimal(previous)
        delta = format_decimal(current - previous)
        sign = "+" if current > previous else ""
        found.append(
            run.finding(
                fld,
                year,
                "yoy",
                f"{year}年 {run.name(fld)} 较上年变化 {sign}{delta}（{year}年 {ct}，{year - 1}年 {pt}），"
                f"超过 ±{format_decimal(limit.normalize())} 的预警幅度，请核实并说明原因",
                severity="warning",
                values={_slot(fld.code, year): ct, _slot(fld.code, year - 1): pt},
            )
        )
    return found


def _yoy_findings(run: _Run, fld: Field) -> list[Finding]:
    if not fld.yoy:
        return []
    limit, absolute = yoy_threshold(run.definition, fld)
    if absolute is not None:
        return _yoy_absolute_findings(run, fld, absolute)
    if limit is None:
        return []
    years = run.years(fld)
    found = []
    for year in years:
        if year - 1 not in years:
            continue
        current, previous = run.number(fld, year), run.number(fld, year - 1)
        change = yoy_percent(current, previous)
        if change is None or abs(change) <= limit or current is None or previous is None:
            continue
        ct, pt, yt = format_decimal(current), format_decimal(previous), format(change, "+f")
        found.append(
            run.finding(
                fld,
                year,
                "yoy",
                f"{year}年 {run.name(fld)} 同比变化 {yt}%（{year}年 {ct}，{year - 1}年 {pt}），"
                f"超过 ±{format_decimal(limit.normalize())}% 的预警幅度，请核实并说明原因",
                severity="warning",
                values={_slot(fld.code, year): ct, _slot(fld.code, year - 1): pt, "yoy": format(change, "f")},
            )
        )
    return found


def _history_findings(run: _Run, fld: Field, previous: Mapping[tuple[str, int], Any]) -> list[Finding]:
    found = []
    for year in run.years(fld):
        if not year or year >= run.data_year or (fld.code, year) not in previous:
            continue
        now, before = run.parsed(fld, year), parse_value(fld, previous[(fld.code, year)])
        if not now.usable or not before.usable or now.value == before.value:
            continue
        nt, bt = _value_text(now.value), _value_text(before.value)
        found.append(
            run.finding(
                fld,
                year,
                "history",
                f"{year}年 {run.name(fld)} 本次填报 {nt}，上一年度报送 {bt}，与上一年度报送值不一致，"
                "请核实并说明原因",
                severity="warning",
                values={_slot(fld.code, year): nt, "previous": bt},
            )
        )
    return found


# Dots a typed name may use between its industry and its place (装备制造·长沙经济技术开发区).
_NAME_DOTS = str.maketrans(dict.fromkeys("・•‧･∙⋅.．", "·"))


def name_key(name: str) -> str:
    """A base's name as compared with the registry's: full- and half-width forms alike (NFKC), any
    middle dot the same, spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", name).translate(_NAME_DOTS).split())


def _official_name_finding(run: _Run, fld: Field) -> Finding | None:
    official = run.profile.official_name
    parsed = run.parsed(fld, 0)
    # Parsing strips a text and reads a blank one as no value (left to the required check).
    if not official or not parsed.usable or not isinstance(parsed.value, str):
        return None
    if name_key(parsed.value) == name_key(official):
        return None
    return run.finding(
        fld,
        0,
        "official_name",
        f"{run.name(fld)}“{parsed.value}”与示范基地名录中工业和信息化部公布的名称“{official}”不一致，"
        "请按正式公布的名称填写；如名录中的名称有误，请说明原因并联系省级主管部门更正",
        severity="warning",
        values={fld.code: parsed.value, "official": official},
    )


def validate(
    *,
    definition: FormDefinition,
    profile: BaseProfile,
    data_year: int,
    values: Mapping[tuple[str, int], Any],
    previous: Mapping[tuple[str, int], Any] | None = None,
) -> list[Finding]:
    """Every error and warning for a base's values, in definition order.

    Per item: its values' own checks, then mandatory presence and 其中 ≤ whole per year, then the
    form's rules anchored on it (its `left`), then 同比 warnings, then history warnings.
    """
    if not definition.applies_to(profile):
        return []
    return _findings(_Run(definition, profile, data_year, values), previous)


def validate_with_progress(
    *,
    definition: FormDefinition,
    profile: BaseProfile,
    data_year: int,
    values: Mapping[tuple[str, int], Any],
    previous: Mapping[tuple[str, int], Any] | None = None,
) -> tuple[list[Finding], dict[str, tuple[int, int]]]:
    """`validate` and `progress` of the same values in one pass: each value is parsed once for both."""
    run = _Run(definition, profile, data_year, values)
    findings = _findings(run, previous) if definition.applies_to(profile) else []
    return findings, _progress(run)


def _rules_by_left(definition: FormDefinition) -> dict[str, list[Rule]]:
    rules_by_left: dict[str, list[Rule]] = {}
    for rule in definition.rules:
        rules_by_left.setdefault(rule.left, []).append(rule)
    return rules_by_left


def _findings(run: _Run, previous: Mapping[tuple[str, int], Any] | None) -> list[Finding]:
    rules_by_left = _rules_by_left(run.definition)
    findings: list[Finding] = []
    for fld in run.definition.fields():
        if run.status(fld) != "hidden":
            findings.extend(_field_findings(run, fld, rules_by_left, previous))
    return findings


def field_dependencies(definition: FormDefinition) -> dict[str, frozenset[str]]:
    """{item: the items whose values its findings and its progress read}: its own, the whole it is
    a part of (其中), the count its rows follow, and the right side of the rules anchored on it.
    Nothing else is read across items (the checks below), so a change of an item can only change
    the findings of the items that depend on it."""
    deps: dict[str, set[str]] = {f.code: {f.code} for f in definition.fields()}
    for fld in definition.fields():
        if fld.part_of:
            deps[fld.code].add(fld.part_of)
        if fld.rows_from is not None:
            deps[fld.code].add(fld.rows_from.field)
    for rule in definition.rules:
        deps.setdefault(rule.left, {rule.left}).add(rule.right)
    return {code: frozenset(d) for code, d in deps.items()}


@dataclass(frozen=True)
class Revalidation:
    """What a change of some items changes: the findings of the items that depend on them (each
    item's findings in the order `validate` gives them) and the progress of their sections."""

    findings: dict[str, list[Finding]]  # item code → its findings now ([] when it has none)
    progress: dict[str, tuple[int, int]]  # section code → (filled, required) now


def revalidate(
    *,
    definition: FormDefinition,
    profile: BaseProfile,
    data_year: int,
    values: Mapping[tuple[str, int], Any],
    changed: Iterable[str],
    previous: Mapping[tuple[str, int], Any] | None = None,
) -> Revalidation:
    """The part of `validate_with_progress` that a change of the `changed` items can alter; only the
    values those items read are parsed. The rest of the findings and progress are as before."""
    changed = frozenset(changed)
    deps = field_dependencies(definition)
    run = _Run(definition, profile, data_year, values)
    rules_by_left = _rules_by_left(definition)
    applies = definition.applies_to(profile)
    findings: dict[str, list[Finding]] = {}
    progress: dict[str, tuple[int, int]] = {}
    for section in definition.sections:
        touched = False
        for fld in section.fields:
            if deps.get(fld.code, frozenset()) & changed:
                touched = True
                hidden = run.status(fld) == "hidden" or not applies
                findings[fld.code] = [] if hidden else _field_findings(run, fld, rules_by_left, previous)
        if touched:
            progress[section.code] = _section_progress(run, section, applies)
    return Revalidation(findings=findings, progress=progress)


def _field_findings(
    run: _Run,
    fld: Field,
    rules_by_left: Mapping[str, list[Rule]],
    previous: Mapping[tuple[str, int], Any] | None,
) -> list[Finding]:
    definition = run.definition
    status = run.status(fld)
    findings: list[Finding] = []
    for year in run.years(fld):
        parsed = run.parsed(fld, year)
        findings.extend(_value_findings(run, fld, year, parsed))
        findings.extend(_presence_findings(run, fld, year, parsed, status == "mandatory"))
        if fld.rows_from is not None:
            mismatch = _rows_count_finding(run, fld, year, parsed)
            if mismatch is not None:
                findings.append(mismatch)
        if fld.part_of:
            part = _part_finding(run, fld, year)
            if part is not None:
                findings.append(part)
    if fld.official_name:
        mismatch = _official_name_finding(run, fld)
        if mismatch is not None:
            findings.append(mismatch)
    for rule in rules_by_left.get(fld.code, ()):
        findings.extend(_rule_findings(run, rule))
    findings.extend(_yoy_findings(run, fld))
    if definition.history_check and previous is not None:
        findings.extend(_history_findings(run, fld, previous))
    return findings


# --- progress ------------------------------------------------------------------------------------


def summarise(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    """{section code: {"errors": n, "warnings": m}} for sections with findings, in the order met."""
    summary: dict[str, dict[str, int]] = {}
    for finding in findings:
        counts = summary.setdefault(finding.section, {"errors": 0, "warnings": 0})
        counts["errors" if finding.severity == "error" else "warnings"] += 1
    return summary


def progress(
    definition: FormDefinition,
    profile: BaseProfile,
    data_year: int,
    values: Mapping[tuple[str, int], Any],
) -> dict[str, tuple[int, int]]:
    """{section code: (mandatory cells filled, mandatory cells)} for every section, in order.

    A cell is one item for one year; a 是/否 item counts when answered, a table when it has enough
    complete rows. A value that breaks a limit (too long, negative) still counts as filled: the
    findings say what is wrong with it.
    """
    return _progress(_Run(definition, profile, data_year, values))


def _progress(run: _Run) -> dict[str, tuple[int, int]]:
    applies = run.definition.applies_to(run.profile)
    return {section.code: _section_progress(run, section, applies) for section in run.definition.sections}


def _section_progress(run: _Run, section: Section, applies: bool) -> tuple[int, int]:
    filled = required = 0
    for fld in section.fields if applies else ():
        if run.status(fld) != "mandatory" or (fld.type == "table" and not run.table_needed(fld)):
            continue
        for year in run.years(fld):
            required += 1
            filled += _satisfies(fld, run.parsed(fld, year))
    return (filled, required)
