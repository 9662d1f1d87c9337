"""The 2022 forms carry the notice's units, years, 其中 links, notes, limits and rules."""

from __future__ import annotations

import pytest

from definitions.schema import NUMERIC_TYPES

NUMERIC_SECTIONS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一")


def test_every_indicator_asks_three_years_with_computed_yoy(summary):
    numeric = [f for f in summary.fields() if f.section in NUMERIC_SECTIONS]
    assert len(numeric) == 56
    for fld in numeric:
        assert fld.type in NUMERIC_TYPES, fld.code
        assert fld.years == (0, -1, -2), fld.code
        assert fld.yoy, fld.code
    assert summary.yoy_warning_threshold == 50
    assert summary.history_check


def test_nothing_outside_the_indicator_sections_is_yearly(summary):
    assert [f.code for f in summary.fields() if f.section not in NUMERIC_SECTIONS and f.years] == []


@pytest.mark.parametrize(
    ("code", "ftype", "unit"),
    [
        ("1.1", "amount", "亿元"),
        ("1.4", "count", "个"),
        ("1.5", "amount", "亿元人民币"),
        ("1.6", "amount", "亿元人民币"),
        ("4.1", "amount", "公顷"),
        ("4.2", "ratio", ""),
        ("5.1", "amount", "吨标煤/万元"),
        ("5.2", "amount", "立方米/万元"),
        ("5.3", "amount", "亿千瓦时"),
        ("5.4", "percent", "%"),
        ("5.6", "count", "次"),
        ("6.1", "count", "人"),
        ("6.3", "count", "个"),
        ("8.1", "count", "起"),
        ("8.5", "percent", "%"),
        ("9.3", "percent", "%"),
        ("11.1", "amount", "万元"),
    ],
)
def test_units_and_types_as_printed(summary, code, ftype, unit):
    fld = summary.field_map()[code]
    assert (fld.type, fld.unit) == (ftype, unit)


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        ("1.1a", "1.1"),
        ("1.2a", "1.2"),
        ("1.3a", "1.3"),
        ("1.4a", "1.4"),
        ("1.4b", "1.4"),
        ("1.4c", "1.4b"),
        ("1.5a", "1.5"),
        ("1.7a", "1.7"),
        ("1.7b", "1.7a"),
        ("2.2a", "2.2"),
        ("4.1a", "4.1"),
        ("6.1a", "6.1"),
        ("10.1a", "10.1"),
    ],
)
def test_parts_point_at_their_whole(summary, part, whole):
    assert summary.field_map()[part].part_of == whole


def test_foreign_trade_converts_from_dollars_at_the_2021_rate(summary):
    for code in ("1.5", "1.5a"):
        currency = summary.field_map()[code].currency
        assert (currency.code, currency.label, currency.rate) == ("USD", "美元", 6.4515)
    assert summary.field_map()["1.6"].currency is None


def test_only_profits_may_be_losses(summary):
    assert {f.code for f in summary.fields() if f.allow_negative} == {"2.2", "2.2a"}


def test_rules_beyond_direct_parts(summary):
    rules = {(r.left, r.kind, r.right): r for r in summary.rules}
    assert ("1.4c", "lte", "1.4") in rules
    assert ("1.7b", "lte", "1.7") in rules
    assert ("6.2", "lte", "6.1") in rules
    cumulative = rules[("1.8", "gte", "1.7")]
    assert cumulative.severity == "warning"
    assert cumulative.message == "累计固定资产投资额低于当年固定资产投资额"
    parts = {(f.code, f.part_of) for f in summary.fields() if f.part_of}
    assert not {(r.left, r.right) for r in summary.rules if r.kind == "lte"} & parts


@pytest.mark.parametrize(
    ("code", "starts"),
    [
        ("1.5", "1.5 进出口总额和出口额"),
        ("1.8", "1.8 累计固定资产投资额：指园区自成立之日起"),
        ("3.2", "3.2 有效发明专利"),
        ("3.4", "3.4 国家级研发机构"),
        ("5.1", "5.1 单位工业增加值能耗"),
        ("7.1", "7.1 质量管理体系认证"),
        ("7.2", "7.2 国家标准"),
        ("7.3", "7.3 国际标准"),
        ("8.5", "8.5 安全生产标准化"),
        ("9.3", "9.3 规模以上工业企业关键工序数控化率"),
        ("10.1a", "10.1 国家级公共服务平台"),
        ("16.3", "相关称号特指国家级"),
        ("17.2", "工业互联网产业示范基地还需阐述"),
    ],
)
def test_explanations_from_the_notice(summary, code, starts):
    assert summary.field_map()[code].explanation.startswith(starts)


def test_general_notes(summary):
    notes = "\n".join(summary.notes)
    for phrase in ("正式公布", "不含2022年", "包括本数", "《高技术产业（制造业）分类（2017）》", "（2018）"):
        assert phrase in notes


def test_text_items_are_limited_to_500_characters(summary):
    texts = [f for f in summary.fields() if f.type == "text"]
    assert len(texts) == 22
    assert {f.max_length for f in texts} == {500}


def test_green_and_safety_items_are_yes_no_with_explanations(summary):
    fields = summary.field_map()
    green = [fields[f"18.{n}"] for n in range(2, 6)]
    safety = [fields[f"18.{n}"] for n in range(6, 11)]
    assert {f.group for f in green} == {"绿色生产相应指标"}
    assert {f.group for f in safety} == {"安全生产相应指标"}
    for fld in green + safety:
        assert fld.type == "yesno"
        assert fld.note.label == "详细情况说明"
    with_example = {f.code for f in green + safety if f.note.example}
    assert with_example == {"18.3", "18.5", "18.7", "18.8"}
    assert "2019年至2021年" in fields["18.7"].note.example


def test_product_table(summary):
    table = summary.field_map()["12.1"]
    assert table.row_labels == ("产品1", "产品2", "产品3", "产品4", "产品5")
    # The notice prints five product rows: at least one, at most five (issue 8).
    assert (table.min_rows, table.max_rows) == (1, 5)
    columns = {c.key: c for c in table.columns}
    assert columns["tech_level"].choices == ("国际先进", "国内领先", "国内先进")
    assert columns["domestic_share"].type == columns["world_share"].type == "percent"


def test_contacts_table(summary):
    table = summary.field_map()["contacts"]
    assert table.row_labels == ("示范基地负责人", "联系人")
    types = {c.label: c.type for c in table.columns}
    assert types == {
        "姓名": "string",
        "职务": "string",
        "固定电话": "phone",
        "移动电话": "phone",
        "传真": "phone",
        "邮箱": "email",
        "备注": "string",
    }
    assert summary.field_map()["reporter_kind"].choices == ("政府", "国企", "私企")


def test_plan_table_is_extensible(summary):
    table = summary.field_map()["25.1t"]
    assert table.row_labels == ("指标1", "指标2", "指标3", "指标4")
    assert table.max_rows is None


def test_annex_text_limits(forms_2022):
    fields = {code: d.field_map() for code, d in forms_2022.items()}
    assert fields["annex2"]["overview"].max_length == 1000
    assert fields["annex4"]["funding"].max_length == 600
    summaries = {c.key: c for c in fields["annex4"]["applications"].columns}
    assert summaries["summary"].max_length == 200
    assert fields["annex1"]["xc_projects"].max_rows == 10
    other = [
        f.max_length
        for d in forms_2022.values()
        for f in d.fields()
        if f.type == "text" and f.code not in {"overview", "funding"}
    ]
    assert set(other) == {500}


def test_annex_indicators_are_yearly_without_yoy(forms_2022):
    for code in ("annex1", "annex2", "annex3", "annex4", "annex5"):
        numeric = [f for f in forms_2022[code].fields() if f.years]
        assert numeric, code
        for fld in numeric:
            assert fld.years == (0, -1, -2) and not fld.yoy and fld.unit, (code, fld.code)


def test_high_tech_main_companies_group_the_2021_columns(forms_2022):
    table = forms_2022["annex2"].field_map()["main_companies"]
    grouped = [c.label for c in table.columns if c.group == "2021年"]
    assert grouped == ["销售收入", "占示范基地收入比重", "特色主导产品收入", "在岗员工总数"]
    assert "信用情况" in table.explanation


def test_every_field_of_every_form_has_a_label(forms_2022):
    counts = {code: len(list(d.fields())) for code, d in forms_2022.items()}
    assert counts == {
        "summary": 105,
        "annex1": 14,
        "annex2": 12,
        "annex3": 19,
        "annex4": 11,
        "annex5": 13,
        "annex6": 23,
    }
