"""Reading one spreadsheet cell as the text a user meant, before the form's own parsing sees it.

Pure: a cell's value as a reader hands it over (python-calamine or openpyxl: float, int, str, bool,
date …) and what the cell asks for, in; the raw input the data-entry page would have received, out.
So a filled template goes through exactly the checks of online entry (`submissions.validation`)
after this step, and this step only undoes what a spreadsheet does to what was typed:

- floats carry binary noise (0.1 + 0.2 is 0.30000000000000004): read to Excel's 15 significant digits;
- a cell formatted as a percentage holds the fraction (typed "85%", stored 0.85): back to 85;
- text in a number cell keeps its thousands separators, full-width digits and a trailing unit for the
  field's parser; a money unit other than the field's ("1250万元" where 亿元 is asked) is converted;
- whole numbers in text cells (phone numbers) lose Excel's ".0"; dates in number cells are refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from lib.numbers import NumberError, format_decimal, normalise_text, parse_decimal

# Money units people type, in 元. Only these are converted: 吨标煤/万元 or 个 have no sensible other unit.
MONEY_UNITS: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}


class CellError(ValueError):
    """The cell cannot stand for what it is asked; the message is Chinese, for the cell."""


@dataclass(frozen=True)
class CellReading:
    """`raw` is what online entry would have received (text, or None for empty); `note` says what
    was converted, for the import's preview ("按 1亿元=10000万元 换算")."""

    raw: str | None
    note: str = ""


def excel_decimal(value: float) -> Decimal:
    """A float from a spreadsheet as the number Excel shows: 15 significant digits, no binary noise."""
    if value != value or value in (float("inf"), float("-inf")):
        raise CellError("单元格内容不是有效数字")
    number = Decimal(format(value, ".15g"))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def _number_text(number: Decimal) -> str:
    return format_decimal(number)


def _money_conversion(text: str, unit: str) -> CellReading | None:
    """ "1250万元" in a 亿元 cell → 0.125 (in a 亿元人民币 one too); None when the text carries no other
    money unit."""
    shown, unit = unit, unit.removesuffix("人民币")
    if unit not in MONEY_UNITS or text.endswith(shown):
        return None
    if unit != shown and text.endswith(unit):  # "12.5亿元" in a 亿元人民币 cell: the same unit
        figure = text[: -len(unit)].strip()
        try:
            number = parse_decimal(figure)
        except NumberError as exc:
            raise CellError(str(exc)) from None
        return CellReading(_number_text(number)) if number is not None else None
    for other, factor in sorted(MONEY_UNITS.items(), key=lambda item: -len(item[0])):
        if other == unit or not text.endswith(other):
            continue
        figure = text[: -len(other)].strip()
        try:
            number = parse_decimal(figure)
        except NumberError as exc:
            raise CellError(str(exc)) from None
        if number is None:
            return None
        converted = (number * factor / MONEY_UNITS[unit]).normalize()
        if converted == converted.to_integral_value():
            converted = converted.quantize(Decimal(1))
        ratio = MONEY_UNITS[unit] / factor if MONEY_UNITS[unit] > factor else factor / MONEY_UNITS[unit]
        big, small = (unit, other) if MONEY_UNITS[unit] > factor else (other, unit)
        return CellReading(
            _number_text(converted), f"“{text}”按 1{big}={format_decimal(ratio)}{small} 换算为 {shown}"
        )
    return None


def read_number_cell(
    value: Any, *, unit: str = "", percent: bool = False, percent_style: bool = False
) -> CellReading:
    """A cell of a numeric item. `percent`: the item is a percentage or rate; `percent_style`: the
    cell is formatted as a percentage, so its number is the fraction Excel stores for "85%"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return CellReading(None)
    if isinstance(value, bool):
        raise CellError("请输入数字（单元格为逻辑值 TRUE/FALSE）")
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise CellError("请输入数字（单元格被设置为日期或时间格式，请改为常规或数值格式后重新填写）")
    if isinstance(value, float | int | Decimal):
        scaled = percent and percent_style
        if isinstance(value, float):
            number = excel_decimal(value * 100 if scaled else value)
        else:
            number = Decimal(value) * (100 if scaled else 1)
        if scaled:
            return CellReading(_number_text(number), f"单元格为百分比格式，按 {_number_text(number)}% 读取")
        return CellReading(_number_text(number))
    if not isinstance(value, str):
        raise CellError("请输入数字")
    text = normalise_text(value).strip()
    converted = _money_conversion(text, normalise_text(unit).strip())
    if converted is not None:
        return converted
    return CellReading(text)  # separators, full-width digits, "%" and the field's own unit: its parser


def read_text_cell(value: Any) -> CellReading:
    """A cell of a text, choice, 是/否, phone or e-mail item, as typed."""
    if value is None:
        return CellReading(None)
    if isinstance(value, bool):
        return CellReading("是" if value else "否")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return CellReading(str(int(value)))  # a phone number or a year Excel keeps as a number
        return CellReading(_number_text(excel_decimal(value)))
    if isinstance(value, int | Decimal):
        return CellReading(str(value))
    if isinstance(value, dt.datetime):
        return CellReading(
            value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
        )
    if isinstance(value, dt.date):
        return CellReading(value.strftime("%Y-%m-%d"))
    text = str(value)
    return CellReading(text if text.strip() else None)


@cache
def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(row: int, column: int) -> str:
    """(5, 3) → "C5"."""
    return f"{column_letter(column)}{row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """ "C5" → (5, 3)."""
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    digits = "".join(ch for ch in ref if ch.isdigit())
    if not letters or not digits:
        raise ValueError(f"not a cell reference: {ref!r}")
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return int(digits), column


def same_number(a: Any, b: Any) -> bool:
    """Whether two numeric texts stand for the same number ("1234.50" and "1234.5")."""
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False
