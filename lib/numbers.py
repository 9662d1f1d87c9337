"""Reading numbers the way people type them in a Chinese office, and writing them back.

Pure helpers shared by the data-entry page, the Excel import and the API, so "1,234.5", "１２３４．５"
and an Excel float all become the same Decimal everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

# Grouping separators must really group thousands: "1,23" is more likely a mistyped 1.23 than 123,
# so it is refused rather than guessed.
_NUMBER = re.compile(r"(?P<sign>[+-]?)\s*(?P<int>\d{1,3}(?:[, ]\d{3})+|\d*)(?:\.(?P<frac>\d*))?")
# Most input is already plain ("12.5", "-3"): read it at once, without the normalising below.
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-"})


class NumberError(ValueError):
    """The input is not a number. The message is Chinese and fit to show next to the field."""


def normalise_text(raw: str) -> str:
    """Full-width forms to ASCII (１２３．５ → 123.5, ％ → %, full-width space → space), minus signs to '-'."""
    return unicodedata.normalize("NFKC", raw).translate(_MINUS_SIGNS)


def parse_decimal(raw: Any, *, allow_percent_sign: bool = False, unit: str = "") -> Decimal | None:
    """The Decimal a raw input stands for, None when it is empty. Raises NumberError otherwise.

    Accepts Decimal, int and float (as Excel hands them over), and text with thousands separators
    (comma or space), full-width digits, surrounding spaces, a trailing "%" when allow_percent_sign,
    and a trailing unit equal to `unit` ("100亿元" when the unit is 亿元).
    """
    if raw is None:
        return None
    if isinstance(raw, bool):  # bool is an int subclass; True is not the number 1 here
        raise NumberError("请输入数字")
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NumberError("请输入数字")
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise NumberError("请输入数字")
        # repr gives the shortest text that round-trips, so 0.1 stays 0.1 and not 0.1000000000000000055…
        return Decimal(repr(raw))
    if not isinstance(raw, str):
        raise NumberError("请输入数字")
    if _PLAIN.fullmatch(raw):
        return Decimal(raw)
    text = normalise_text(raw).strip()
    if not text:
        return None
    norm_unit = normalise_text(unit).strip()
    if norm_unit and norm_unit != "%" and text.endswith(norm_unit):
        text = text[: -len(norm_unit)].rstrip()
    if text.endswith("%"):
        if not allow_percent_sign:
            raise NumberError("请输入数字（该指标不带“%”）")
        text = text[:-1].rstrip()
    text = re.sub(r"\s+", " ", text)
    match = _NUMBER.fullmatch(text)
    if not match or not (match["int"] or match["frac"]):
        if _WITH_UNIT.fullmatch(text):  # "12.5亿美元", "3万人": a figure with a unit not the item's
            raise NumberError(
                f"请输入数字，不带单位或文字（本项计量单位为{unit}）"
                if unit
                else "请输入数字，不带单位或文字"
            )
        raise NumberError("请输入数字")
    digits = (match["int"] or "0").replace(",", "").replace(" ", "")
    frac = match["frac"] or ""
    try:
        value = Decimal(f"{match['sign']}{digits}.{frac}" if frac else f"{match['sign']}{digits}")
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets digits through
        raise NumberError("请输入数字") from exc
    return value


# A figure followed by a word: what someone typed with a unit the parser does not take.
_WITH_UNIT = re.compile(r"[-+]?[0-9][0-9.,\s]*[^\W\d_]+")


def format_decimal(value: Decimal) -> str:
    """Plain positional text, never scientific notation: Decimal("1E+2") → "100", 1E-5 → "0.00001"."""
    text = format(value, "f")
    return text[1:] if value.is_zero() and text.startswith("-") else text
