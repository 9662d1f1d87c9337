"""Numbers are read as Chinese offices type them and refused when the reading would be a guess."""

from decimal import Decimal

import pytest

from lib.numbers import NumberError, format_decimal, normalise_text, parse_decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1 234", Decimal("1234")),
        ("12 345 678.9", Decimal("12345678.9")),
        ("１２３．５", Decimal("123.5")),
        ("１，２３４", Decimal("1234")),
        ("  42  ", Decimal("42")),
        ("\u300042\u3000", Decimal("42")),  # full-width spaces around
        ("1\u00a0234", Decimal("1234")),  # non-breaking space from Excel/Word
        ("-5", Decimal("-5")),
        ("－５", Decimal("-5")),  # full-width minus
        ("\u22125", Decimal("-5")),  # mathematical minus sign
        ("+7", Decimal("7")),
        (".5", Decimal("0.5")),
        ("5.", Decimal("5")),
        ("0.000", Decimal("0.000")),
        (12, Decimal(12)),
        (0.1, Decimal("0.1")),
        (Decimal("3.14"), Decimal("3.14")),
    ],
)
def test_it_reads_numbers_as_typed(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blank_input_is_empty_not_zero(raw):
    assert parse_decimal(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["abc", "1,23", "12,3456", "1.2.3", "1e5", "约100", "100以上", "--5", ".", "-", True, [1], float("nan")],
)
def test_it_refuses_what_is_not_a_plain_number(raw):
    with pytest.raises(NumberError, match="请输入数字"):
        parse_decimal(raw)


def test_percent_sign_is_accepted_only_when_allowed():
    assert parse_decimal("85%", allow_percent_sign=True) == Decimal("85")
    assert parse_decimal("８５．５％", allow_percent_sign=True) == Decimal("85.5")
    assert parse_decimal("85 %", allow_percent_sign=True) == Decimal("85")
    with pytest.raises(NumberError, match="不带"):
        parse_decimal("85%")


def test_trailing_unit_equal_to_the_fields_unit_is_dropped():
    assert parse_decimal("100亿元", unit="亿元") == Decimal("100")
    assert parse_decimal("100 亿元", unit="亿元") == Decimal("100")
    with pytest.raises(NumberError):
        parse_decimal("100万元", unit="亿元")
    assert parse_decimal("12.5亿元人民币", unit="亿元人民币") == Decimal("12.5")


def test_a_figure_with_another_unit_is_told_to_drop_it():
    with pytest.raises(NumberError, match="请输入数字，不带单位或文字（本项计量单位为亿元人民币）"):
        parse_decimal("12.5亿美元", unit="亿元人民币")
    with pytest.raises(NumberError, match="不带单位或文字"):
        parse_decimal("3万人", unit="人")
    with pytest.raises(NumberError, match=r"^请输入数字$"):
        parse_decimal("约十二亿", unit="亿元")


def test_format_decimal_never_uses_scientific_notation():
    assert format_decimal(Decimal("1E+2")) == "100"
    assert format_decimal(Decimal("1E-5")) == "0.00001"
    assert format_decimal(Decimal("120.50")) == "120.50"
    assert format_decimal(Decimal("-0")) == "0"
    assert format_decimal(Decimal("-3.5")) == "-3.5"


def test_normalise_text_turns_full_width_into_ascii():
    assert normalise_text("１２３．５％（ａ）") == "123.5%(a)"
