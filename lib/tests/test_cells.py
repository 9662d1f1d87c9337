"""A spreadsheet cell is read as the user meant it, before the form's own checks see it."""

import datetime as dt
from decimal import Decimal

import pytest

from lib.cells import CellError, cell_ref, excel_decimal, parse_ref, read_number_cell, read_text_cell
from lib.numbers import parse_decimal


def test_float_noise_from_a_formula_is_read_as_excel_shows_it():
    assert excel_decimal(0.1 + 0.2) == Decimal("0.3")
    assert read_number_cell(1234.56).raw == "1234.56"
    assert read_number_cell(12.0).raw == "12"


def test_a_percentage_formatted_cell_is_read_as_the_percentage_typed():
    reading = read_number_cell(0.855, percent=True, percent_style=True)
    assert reading.raw == "85.5"
    assert "百分比" in reading.note


def test_a_plain_number_in_a_percentage_item_is_the_percentage():
    assert read_number_cell(85, percent=True).raw == "85"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1,234.5", Decimal("1234.5")), ("１２３４．５", Decimal("1234.5")), ("12.5亿元", Decimal("12.5"))],
)
def test_text_in_a_number_cell_reaches_the_fields_parser_as_typed(typed, expected):
    raw = read_number_cell(typed, unit="亿元").raw
    assert parse_decimal(raw, unit="亿元") == expected


def test_another_money_unit_is_converted_and_said_so():
    reading = read_number_cell("1250万元", unit="亿元")
    assert reading.raw == "0.125"
    assert "10000万元" in reading.note
    assert read_number_cell("0.5亿元", unit="万元").raw == "5000"
    assert read_number_cell("12.5亿元", unit="亿元人民币").raw == "12.5"  # 亿元 is 亿元人民币
    in_rmb = read_number_cell("1250万元", unit="亿元人民币")
    assert in_rmb.raw == "0.125" and in_rmb.note.endswith("换算为 亿元人民币")


def test_a_non_money_unit_is_left_to_the_fields_parser():
    assert read_number_cell("12个", unit="个").raw == "12个"


@pytest.mark.parametrize("value", [dt.date(2021, 5, 1), dt.datetime(2021, 5, 1, 8, 0), True])
def test_dates_and_booleans_in_number_cells_are_refused(value):
    with pytest.raises(CellError):
        read_number_cell(value)


def test_blank_cells_are_empty():
    assert read_number_cell("  ").raw is None
    assert read_number_cell(None).raw is None
    assert read_text_cell(None).raw is None
    assert read_text_cell(" ").raw is None


def test_a_phone_number_kept_as_a_number_loses_excels_point_zero():
    assert read_text_cell(13800000000.0).raw == "13800000000"
    assert read_text_cell(True).raw == "是"
    assert read_text_cell(dt.datetime(2021, 5, 1)).raw == "2021-05-01"


def test_references_go_both_ways():
    assert cell_ref(5, 3) == "C5"
    assert cell_ref(1, 27) == "AA1"
    assert parse_ref("AA12") == (12, 27)
