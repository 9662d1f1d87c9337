"""The Excel template: the notice's layout for the base, typed and protected, pre-filled, with a marker."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from exchange.excel_import import book_marker, read_book
from exchange.excel_template import MARKER_SHEET


def _download(client, user, submission):
    client.force_login(user)
    return client.get(reverse("exchange:excel_template", args=[submission.pk]))


@pytest.mark.parametrize("who", ["filler", "reviewer", "ministry"])
def test_the_base_its_authority_and_the_ministry_download_it(request, client, filled, who):
    response = _download(client, request.getfixturevalue(who), filled)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("who", ["other_reviewer", "other_filler"])
def test_it_refuses_other_authority_and_other_base(request, client, filled, who):
    assert _download(client, request.getfixturevalue(who), filled).status_code == 404


def test_it_refuses_an_outsider(client, filled, sysadmin, expert):
    assert _download(client, sysadmin, filled).status_code == 404
    assert _download(client, expert, filled).status_code == 403  # sees the material, takes no template


def test_anonymous_is_sent_to_login(client, filled):
    response = client.get(reverse("exchange:excel_template", args=[filled.pk]))
    assert response.status_code == 302


def _book(client, filler, submission):
    return load_workbook(io.BytesIO(_download(client, filler, submission).content))


def test_it_lays_out_the_notice_with_years_units_and_notes(client, filler, filled):
    ws = _book(client, filler, filled)["汇总表"]
    texts = {cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert "一、总体发展情况" in texts
    assert {"2021年", "2020年", "2019年", "2021年同比%", "2020年同比%", "计量单位", "填报说明"} <= texts
    assert "1.1 销售收入" in texts
    assert any(t.startswith("【必填】") for t in texts)
    assert any("6.4515" in t for t in texts)  # 1.5's conversion note beside its row


def test_it_shows_only_the_rows_that_apply_to_the_base(
    client, filler, filled, other_filler, other_submission
):
    equipment = {c.value for row in _book(client, filler, filled)["汇总表"].iter_rows() for c in row}
    software = _book(client, other_filler, other_submission)
    software_texts = {c.value for row in software["汇总表"].iter_rows() for c in row}
    assert any(isinstance(t, str) and t.startswith("8.5") for t in equipment)  # 装备制造 answers 8.5
    assert not any(isinstance(t, str) and t.startswith("8.5") for t in software_texts)
    assert "附表1" in software.sheetnames and "附表1" not in _book(client, filler, filled).sheetnames
    assert any(isinstance(t, str) and "软件著作权" in t for t in software_texts)  # the label variant


def test_known_values_are_pre_filled_and_yoy_is_a_formula(client, filler, filled):
    ws = _book(client, filler, filled)["汇总表"]
    row = next(c.row for c in ws["A"] if c.value == "1.1 销售收入")
    assert ws.cell(row=row, column=3).value == pytest.approx(1234.56)
    assert ws.cell(row=row, column=4).value == 1100
    assert str(ws.cell(row=row, column=6).value).startswith("=IF(")
    names = {c.value for c in ws["C"] if c.value}
    assert filled.base.name in names


def test_labels_are_protected_inputs_unlocked_and_typed(client, filler, filled):
    ws = _book(client, filler, filled)["汇总表"]
    assert ws.protection.sheet
    row = next(c.row for c in ws["A"] if c.value == "1.1 销售收入")
    assert ws.cell(row=row, column=1).protection.locked
    assert not ws.cell(row=row, column=3).protection.locked
    rules = {(dv.type, dv.operator) for dv in ws.data_validations.dataValidation}
    assert ("decimal", "greaterThanOrEqual") in rules  # amounts
    assert ("whole", "greaterThanOrEqual") in rules  # counts
    assert ("decimal", "between") in rules  # percentages 0-100
    assert any(dv.type == "list" and "政府" in dv.formula1 for dv in ws.data_validations.dataValidation)
    assert all(dv.error for dv in ws.data_validations.dataValidation)


def test_a_very_hidden_signed_marker_names_version_base_and_data_version(client, filler, filled):
    data = _download(client, filler, filled).content
    assert load_workbook(io.BytesIO(data))[MARKER_SHEET].sheet_state == "veryHidden"
    marker = book_marker(read_book(data))
    assert (marker.version, marker.base, marker.submission) == ("2022", filled.base_id, filled.pk)
    saved = filled.values.get(form="summary", code="1.1", year=2021)
    assert marker.cells["summary|1.1|2021"][0] == saved.revision
    assert marker.data_version >= filled.values.count()


def test_a_whole_number_rule_names_the_unit_of_each_row_it_covers(client, filler, filled):
    ws = _book(client, filler, filled)["汇总表"]
    units = {c.row: c.value for c in ws["B"] if isinstance(c.value, str)}
    wholes = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert len({dv.error for dv in wholes}) > 1  # 个, 次, 人 … each its own rule
    for dv in wholes:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                assert f"计量单位：{units[row]}）" in dv.error, (row, dv.error)
