"""The validation engine reads input as people type it, blocks what the notice forbids, warns about
what a base must explain, and says so in Chinese naming the item and the year. Pure: no database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from definitions.schema import BaseProfile, FormDefinition, parse_definition
from submissions.validation import (
    Finding,
    compute_yoy,
    convert_currency,
    field_name,
    parse_value,
    progress,
    summarise,
    validate,
)

YEAR = 2021
YEARS = (2021, 2020, 2019)
EQUIPMENT = BaseProfile(category="equipment")
STEEL = BaseProfile(category="materials", industry_flags=frozenset({"steel"}))
SOFTWARE = BaseProfile(category="software", producer_services_led=True)
DATACENTER = BaseProfile(category="datacenter")
USD = {"code": "USD", "label": "美元", "rate": 6.4515}


def form_data() -> dict[str, Any]:
    return {
        "code": "summary",
        "version": "2099",
        "title": "测试报表",
        "category_defaults": {"datacenter": "optional"},
        "yoy_warning_threshold": 50,
        "history_check": True,
        "sections": [
            {
                "code": "一",
                "title": "总体发展情况",
                "defaults": {"type": "amount", "unit": "亿元", "years": [0, -1, -2], "yoy": True},
                "fields": [
                    {"code": "1.1", "label": "销售收入"},
                    {"code": "1.1a", "label": "其中：主导产业销售收入", "part_of": "1.1"},
                    {"code": "1.4", "label": "全部企业数量", "type": "count", "unit": "个"},
                    {
                        "code": "1.5",
                        "label": "进出口总额",
                        "unit": "亿元人民币",
                        "currency": USD,
                        "applicability": {"default": "optional"},
                    },
                    {"code": "1.7", "label": "固定资产投资额"},
                    {"code": "1.8", "label": "累计固定资产投资额", "yoy_warning_threshold": 200},
                    {"code": "2.2", "label": "利润总额", "allow_negative": True},
                ],
            },
            {
                "code": "三",
                "title": "创新能力",
                "fields": [
                    {
                        "code": "3.2",
                        "label": "规模以上企业有效发明专利数",
                        "type": "count",
                        "unit": "个",
                        "years": [0, -1, -2],
                        "label_variants": [
                            {"label": "软件著作权拥有量", "when": {"categories": ["software"]}}
                        ],
                    }
                ],
            },
            {
                "code": "五",
                "title": "节能环保",
                "defaults": {"years": [0, -1, -2], "yoy": True},
                "fields": [
                    {
                        "code": "5.1",
                        "label": "单位工业增加值能耗",
                        "type": "amount",
                        "unit": "吨标煤/万元",
                        "label_variants": [
                            {"label": "单位销售收入能耗", "when": {"producer_services_led": True}}
                        ],
                    },
                    {"code": "5.4", "label": "工业固体废物综合利用率", "type": "percent", "unit": "%"},
                    {
                        "code": "5.5",
                        "label": "基地内企业实施清洁生产审核的比例",
                        "type": "percent",
                        "unit": "%",
                        "applicability": {"industries": ["steel"]},
                    },
                ],
            },
            {
                "code": "十二",
                "title": "主导产业竞争力情况",
                "fields": [
                    {
                        "code": "12.1",
                        "label": "主导产业代表性产品及技术",
                        "type": "table",
                        "row_labels": ["产品1", "产品2", "产品3"],
                        "max_rows": 3,
                        "columns": [
                            {"key": "product", "label": "产品名称", "type": "string", "required": True},
                            {"key": "output", "label": "年产量", "type": "amount"},
                            {"key": "share", "label": "国内市场占有率", "type": "percent"},
                            {
                                "key": "level",
                                "label": "技术水平",
                                "type": "choice",
                                "choices": ["国际先进", "国内领先", "国内先进"],
                            },
                        ],
                    },
                    {
                        "code": "12.3",
                        "label": "其他情况",
                        "type": "table",
                        "columns": [
                            {"key": "a", "label": "甲", "type": "string"},
                            {"key": "b", "label": "乙", "type": "count"},
                            {"key": "profit", "label": "营业利润", "type": "amount", "allow_negative": True},
                        ],
                    },
                ],
            },
            {
                "code": "十三",
                "title": "示范和带动情况",
                "defaults": {"type": "text"},
                "fields": [
                    {"code": "13.1", "label": "示范作用"},
                    {"code": "13.2", "label": "辐射带动情况", "applicability": {"default": "optional"}},
                ],
            },
            {
                "code": "十八",
                "title": "绿色安全发展情况",
                "defaults": {"type": "yesno"},
                "fields": [
                    {
                        "code": "18.3",
                        "label": "完成国家或地方政府的节能、节水、碳排放下降目标",
                        "note": {"label": "详细情况说明", "max_length": 50},
                    },
                    {
                        "code": "18.4",
                        "label": "环境质量达标",
                        "note": {"label": "详细情况说明"},
                        "applicability": {"default": "optional"},
                    },
                ],
            },
            {
                "code": "基本信息",
                "title": "基本信息",
                "fields": [
                    {
                        "code": "kind",
                        "label": "填报单位属性",
                        "type": "choice",
                        "choices": ["政府", "国企", "私企"],
                    },
                    {"code": "email", "label": "邮箱", "type": "email"},
                    {"code": "phone", "label": "固定电话", "type": "phone"},
                ],
            },
        ],
        "rules": [
            {
                "id": "2.2-lte-1.1",
                "kind": "lte",
                "left": "2.2",
                "right": "1.1",
                "message": "利润总额不能超过销售收入",
            },
            {
                "id": "1.8-gte-1.7",
                "kind": "gte",
                "left": "1.8",
                "right": "1.7",
                "severity": "warning",
                "message": "累计固定资产投资额应不小于当年固定资产投资额",
            },
        ],
    }


def form(mutate=None) -> FormDefinition:
    data = form_data()
    if mutate:
        mutate(data)
    return parse_definition(data)


DEF = form()


def complete() -> dict[tuple[str, int], Any]:
    """A valid, complete set of values for an equipment base: validates without any finding."""
    values: dict[tuple[str, int], Any] = {}
    for year in YEARS:
        values |= {
            ("1.1", year): "100",
            ("1.1a", year): "80",
            ("1.4", year): "50",
            ("1.7", year): "10",
            ("1.8", year): "300",
            ("2.2", year): "5",
            ("3.2", year): "7",
            ("5.1", year): "0.5",
            ("5.4", year): "90%",
        }
    values[("12.1", 0)] = [{"product": "风电整机", "output": "1,200", "share": "12.5", "level": "国内领先"}]
    values[("12.3", 0)] = [{"a": "x"}]
    values[("13.1", 0)] = "示范作用显著。"
    values[("18.3", 0)] = {"answer": "是", "note": "完成了节能目标。"}
    values[("kind", 0)] = "国企"
    values[("email", 0)] = "lianxi@example.com"
    values[("phone", 0)] = "010-68205143"
    return values


def run(values=None, *, definition=DEF, profile=EQUIPMENT, previous=None) -> list[Finding]:
    return validate(
        definition=definition,
        profile=profile,
        data_year=YEAR,
        values=complete() if values is None else values,
        previous=previous,
    )


def with_(**changes: Any) -> dict[tuple[str, int], Any]:
    """complete() with some values changed: `f_1_1__2021="x"` sets ("1.1", 2021), `f_1_1__all` every year."""
    values = complete()
    for name, value in changes.items():
        code, year = name[2:].split("__")
        for y in YEARS if year == "all" else (int(year),):
            key = (code.replace("_", "."), y)
            if value is None:
                values.pop(key, None)
            else:
                values[key] = value
    return values


def keys(findings: list[Finding]) -> list[str]:
    return [f.key for f in findings]


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.message for f in findings]
    return findings[0]


# --- parsing -------------------------------------------------------------------------------------

F = DEF.field_map()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.56", Decimal("1234.56")),
        ("1 234", Decimal("1234")),
        ("１２３．５", Decimal("123.5")),
        ("  7.25  ", Decimal("7.25")),
        (12, Decimal("12")),
        (Decimal("3.5"), Decimal("3.5")),
        ("100亿元", Decimal("100")),
    ],
)
def test_amounts_read_commas_spaces_and_full_width(raw, expected):
    parsed = parse_value(F["1.1"], raw)
    assert (parsed.value, parsed.error) == (expected, None)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blank_input_parses_to_none_without_error(raw):
    for code in ("1.1", "1.4", "5.4", "13.1", "18.3", "12.1", "kind", "email"):
        parsed = parse_value(F[code], raw)
        assert (parsed.value, parsed.error) == (None, None), code


def test_percent_accepts_a_trailing_percent_sign_and_full_width():
    assert parse_value(F["5.4"], "85%").value == Decimal("85")
    assert parse_value(F["5.4"], "８５．５％").value == Decimal("85.5")
    assert parse_value(F["1.1"], "85%").error is not None


def test_wrong_type_says_enter_a_number():
    parsed = parse_value(F["1.1"], "一百")
    assert (parsed.value, parsed.error) == (None, "请输入数字")
    assert parse_value(F["1.1"], True).error == "请输入数字"


def test_counts_must_be_whole_numbers():
    assert parse_value(F["1.4"], "12.5").error == "请输入整数（个数不能有小数）"
    assert parse_value(F["1.4"], 12.0).value == Decimal("12")
    assert str(parse_value(F["1.4"], "12.00").value) == "12"


def test_yesno_reads_chinese_and_booleans():
    no_note = parse_definition(
        {
            "code": "x",
            "version": "1",
            "title": "t",
            "sections": [
                {"code": "一", "title": "t", "fields": [{"code": "y", "label": "是否", "type": "yesno"}]}
            ],
        }
    ).field_map()["y"]
    assert parse_value(no_note, "是").value is True
    assert parse_value(no_note, " 否 ").value is False
    assert parse_value(no_note, True).value is True
    assert parse_value(no_note, "可能").error == "请选择“是”或“否”"


def test_yesno_with_note_parses_to_answer_and_note():
    assert parse_value(F["18.3"], {"answer": "否", "note": "说明  \n"}).value == {
        "answer": False,
        "note": "说明",
    }
    assert parse_value(F["18.3"], "是").value == {"answer": True, "note": None}
    assert parse_value(F["18.3"], {"answer": "", "note": ""}).value is None


def test_choice_outside_the_list_names_the_choices():
    assert parse_value(F["kind"], " 国企 ").value == "国企"
    assert parse_value(F["kind"], "外企").error == "请从以下选项中选择：政府、国企、私企"


def test_text_drops_trailing_whitespace_and_normalises_line_endings():
    assert parse_value(F["13.1"], "第一段。\r\n第二段。  \n\n").value == "第一段。\n第二段。"


def test_table_cells_are_parsed_and_trailing_blank_rows_dropped():
    parsed = parse_value(
        F["12.1"],
        [
            {"product": "甲", "output": "1,200", "share": "12.5%", "level": "国内领先"},
            ["乙", "３００", "", None],
            {"product": "", "output": None},
        ],
    )
    assert parsed.error is None
    assert parsed.value == [
        {"product": "甲", "output": Decimal("1200"), "share": Decimal("12.5"), "level": "国内领先"},
        {"product": "乙", "output": Decimal("300"), "share": None, "level": None},
    ]


def test_a_table_cell_is_parsed_by_its_column():
    column = F["12.1"].columns[2]
    assert parse_value(F["12.1"], "101", column=column).error == "应在 0 到 100 之间"
    assert parse_value(F["12.1"], "55", column=column).value == Decimal("55")


def test_parsing_a_parsed_value_gives_it_back():
    for code, raw in complete().items():
        fld = F[code[0]]
        once = parse_value(fld, raw)
        assert parse_value(fld, once.value) == once, code


def test_amount_in_usd_is_converted_to_rmb():
    parsed = parse_value(F["1.5"], {"amount": "10", "currency": "USD"})
    assert parsed.value == Decimal("64.515")
    assert parse_value(F["1.5"], {"amount": "10", "currency": "CNY"}).value == Decimal("10")
    assert (
        parse_value(F["1.5"], {"amount": "10", "currency": "EUR"}).error
        == "不支持的币种“EUR”，只能以人民币或美元填写"
    )


def test_convert_currency_uses_the_notice_rate_with_four_decimals():
    assert convert_currency(F["1.5"], Decimal("10"), "USD") == Decimal("64.515")
    assert str(convert_currency(F["1.5"], Decimal("1.23456"), "usd")) == "7.9648"
    assert convert_currency(F["1.5"], Decimal("10"), "CNY") == Decimal("10")
    with pytest.raises(ValueError, match="不接受币种"):
        convert_currency(F["1.1"], Decimal("10"), "USD")


# --- a complete form passes ----------------------------------------------------------------------


def test_complete_valid_values_have_no_findings():
    assert run() == []


def test_form_for_other_categories_is_not_validated():
    annex = form(lambda d: d.update(categories=["software"]))
    assert run({}, definition=annex) == []
    assert run({}, definition=annex, profile=SOFTWARE) != []


# --- errors: value checks ------------------------------------------------------------------------


def test_wrong_type_is_an_error_naming_year_and_label():
    f = only(run(with_(f_1_1__2020="一百")))
    assert (f.key, f.severity, f.code, f.year) == ("invalid:1.1:2020", "error", "invalid", 2020)
    assert f.message == "2020年 1.1 销售收入：请输入数字"
    assert f.values == {"input": "一百"}


def test_negative_amount_is_an_error_unless_allowed():
    f = only(run(with_(f_1_7__2021="-3")))
    assert (f.key, f.message) == ("negative:1.7:2021", "2021年 1.7 固定资产投资额：不能为负数")
    assert run(with_(f_2_2__all="-3")) == []  # 利润总额 may be a loss


def test_negative_count_is_an_error():
    assert keys(run(with_(f_1_4__2019="-1"))) == ["negative:1.4:2019"]


def test_fractional_count_is_an_error():
    f = only(run(with_(f_1_4__2021="50.5")))
    assert f.code == "not_integer"
    assert "请输入整数" in f.message


@pytest.mark.parametrize(
    ("raw", "ok"), [("0", True), ("100", True), ("100%", True), ("100.01", False), ("-1", False)]
)
def test_percent_must_be_between_0_and_100(raw, ok):
    findings = run(with_(f_5_4__all=raw))
    assert (findings == []) is ok
    if not ok:
        assert keys(findings) == ["out_of_range:5.4:2021", "out_of_range:5.4:2020", "out_of_range:5.4:2019"]


def test_text_over_its_limit_is_an_error_counting_chinese_characters_once():
    assert run(with_(f_13_1__0="字" * 500 + "   \n")) == []
    f = only(run(with_(f_13_1__0="字" * 501)))
    assert (f.key, f.message) == ("too_long:13.1:0", "13.1 示范作用：不能超过 500 字（现为 501 字）")


def test_choice_not_in_choices_is_an_error():
    assert keys(run(with_(f_kind__0="外资"))) == ["choice:kind:0"]


@pytest.mark.parametrize(
    "phone",
    [
        "010-68205143",
        "(010) 6820 5143",
        "+86 138 0013 8000",
        "010-68205143 转 801",
        "6820-5143 ext. 12",
        "010-68200358/010-68200304",
    ],
)
def test_phone_numbers_in_common_forms_pass(phone):
    assert run(with_(f_phone__0=phone)) == []


@pytest.mark.parametrize("phone", ["123456", "010-6820514a", "电话：010-68205143", "010-68205143/"])
def test_malformed_phone_numbers_are_errors(phone):
    assert keys(run(with_(f_phone__0=phone))) == ["phone:phone:0"]


def test_email_format_is_checked():
    assert run(with_(f_email__0="ｌｉａｎｘｉ＠ｅｘａｍｐｌｅ．ｃｏｍ")) == []
    for bad in ("lianxi", "lianxi@example", "a b@example.com", "@example.com"):
        assert keys(run(with_(f_email__0=bad))) == ["email:email:0"], bad


# --- errors: mandatory items ---------------------------------------------------------------------


def test_missing_mandatory_item_is_an_error_for_each_year_asked():
    findings = run(with_(f_1_1__2019=None, f_13_1__0="  "))
    assert keys(findings) == ["required:1.1:2019", "required:13.1:0"]
    assert findings[0].message == "2019年 1.1 销售收入：必填，请填写"


def test_optional_items_are_never_required_but_checked_when_filled():
    values = complete()
    assert ("1.5", 2021) not in values and ("13.2", 0) not in values
    assert run(values) == []
    assert keys(run(with_(f_1_5__2021="-1", f_13_2__0="字" * 501))) == [
        "negative:1.5:2021",
        "too_long:13.2:0",
    ]


def test_category_default_makes_items_optional_for_data_centers():
    assert run({}, profile=DATACENTER) == []
    assert keys(run({("1.1", 2021): "abc"}, profile=DATACENTER)) == ["invalid:1.1:2021"]


def test_mandatory_table_needs_a_row_with_its_required_columns():
    f = only(run(with_(f_12_1__0=[])))
    assert (f.key, f.message) == (
        "required:12.1:0",
        "12.1 主导产业代表性产品及技术：必填，请至少填写一行（须填写产品名称）",
    )
    findings = run(with_(f_12_1__0=[{"output": "10"}]))
    assert keys(findings) == ["cell.row_incomplete:12.1:0:0:product"]
    assert findings[0].message == "12.1 主导产业代表性产品及技术 产品1：请填写“产品名称”"
    assert run(with_(f_12_1__0=[{"product": "甲"}])) == []


def test_table_without_required_columns_needs_any_non_empty_row():
    assert keys(run(with_(f_12_3__0=[{"a": " ", "b": None}]))) == ["required:12.3:0"]
    assert run(with_(f_12_3__0=[{"b": "3"}])) == []


def test_min_rows_is_enforced_for_mandatory_tables():
    definition = form(lambda d: d["sections"][3]["fields"][0].update(min_rows=2))
    f = only(run(definition=definition))
    assert (f.key, f.code) == ("too_few_rows:12.1:0", "too_few_rows")
    two = with_(f_12_1__0=[{"product": "甲"}, {"product": "乙"}])
    assert run(two, definition=definition) == []


def test_mandatory_yesno_needs_its_answer_but_not_its_note():
    f = only(run(with_(f_18_3__0={"answer": None, "note": "说明"})))
    assert (f.key, f.message) == (
        "required:18.3:0",
        "18.3 完成国家或地方政府的节能、节水、碳排放下降目标：必填，请选择“是”或“否”",
    )
    assert keys(run(with_(f_18_3__0=None))) == ["required:18.3:0"]
    assert run(with_(f_18_3__0={"answer": False})) == []


def test_optional_yesno_with_a_note_but_no_answer_is_an_error():
    assert keys(run(with_(f_18_4__0={"note": "已达标"}))) == ["answer_missing:18.4:0"]
    assert run(with_(f_18_4__0={"answer": "是", "note": "已达标"})) == []


def test_yesno_note_over_its_limit_is_an_error_on_the_note():
    f = only(run(with_(f_18_3__0={"answer": "是", "note": "字" * 51})))
    assert (f.key, f.column) == ("too_long:18.3:0:note", "note")
    assert "详细情况说明" in f.message


def test_unreadable_answer_is_a_type_error_not_a_missing_one():
    assert keys(run(with_(f_18_3__0={"answer": "也许"}))) == ["invalid:18.3:0"]


# --- errors: parts, rules, table cells -----------------------------------------------------------


def test_part_larger_than_its_whole_is_an_error():
    f = only(run(with_(f_1_1a__2021="120")))
    assert f.key == "part_of:1.1a:2021"
    assert f.severity == "error"
    assert f.message == "2021年 其中：主导产业销售收入（120）不能大于 1.1 销售收入（100）"
    assert f.values == {"1.1a:2021": "120", "1.1:2021": "100"}


def test_part_equal_to_its_whole_passes():
    assert run(with_(f_1_1a__2021="100")) == []


def test_part_check_waits_for_both_values():
    assert keys(run(with_(f_1_1__2021=None, f_1_1a__2021="120"))) == ["required:1.1:2021"]
    assert keys(run(with_(f_1_1__2021="abc", f_1_1a__2021="120"))) == ["invalid:1.1:2021"]


def test_error_rule_blocks_when_broken():
    findings = run(with_(f_2_2__all="150"))
    assert keys(findings) == [f"rule.2.2-lte-1.1:2.2:{y}" for y in YEARS]
    f = findings[1]
    assert (f.severity, f.code, f.year) == ("error", "rule", 2020)
    assert f.message == "2020年 利润总额不能超过销售收入（2.2 利润总额 150，1.1 销售收入 100）"
    assert f.values == {"2.2:2020": "150", "1.1:2020": "100"}
    assert run(with_(f_2_2__all="100")) == []


def test_warning_rule_asks_for_an_explanation():
    f = only(run(with_(f_1_8__2021="9")))
    assert (f.key, f.severity) == ("rule.1.8-gte-1.7:1.8:2021", "warning")
    assert "累计固定资产投资额应不小于当年固定资产投资额" in f.message
    assert run(with_(f_1_8__2021="10")) == []


def test_rules_only_fire_when_both_sides_have_values():
    definition = form(lambda d: d["sections"][0]["fields"][4].update(applicability={"default": "optional"}))
    assert run(with_(f_1_7__2021=None, f_1_8__2021="1"), definition=definition) == []


def test_rule_message_may_name_its_sides():
    definition = form(
        lambda d: d["rules"][0].update(message="{left}（{left_value}）高于{right}（{right_value}）")
    )
    f = run(with_(f_2_2__all="150"), definition=definition)[0]
    assert f.message == "2021年 2.2 利润总额（150）高于1.1 销售收入（100）"


def test_table_cells_are_validated_with_row_and_column():
    rows = [
        {"product": "甲", "output": "-5", "share": "120", "level": "国际先进"},
        {"product": "乙", "output": "多", "level": "世界第一"},
    ]
    findings = run(with_(f_12_1__0=rows))
    assert [(f.key, f.row, f.column) for f in findings] == [
        ("cell.negative:12.1:0:0:output", 0, "output"),
        ("cell.out_of_range:12.1:0:0:share", 0, "share"),
        ("cell.invalid:12.1:0:1:output", 1, "output"),
        ("cell.choice:12.1:0:1:level", 1, "level"),
    ]
    assert findings[2].message == "12.1 主导产业代表性产品及技术 产品2“年产量”：请输入数字"
    assert findings[2].values == {"input": "多"}
    assert all(f.severity == "error" and f.section == "十二" for f in findings)


def test_table_column_may_allow_negatives():
    assert run(with_(f_12_3__0=[{"a": "x", "profit": "-12.5"}])) == []
    assert keys(run(with_(f_12_3__0=[{"a": "x", "b": "-1"}]))) == ["cell.negative:12.3:0:0:b"]


def test_table_with_more_rows_than_allowed_is_an_error():
    rows = [{"product": str(i)} for i in range(4)]
    f = only(run(with_(f_12_1__0=rows)))
    assert (f.key, f.message) == (
        "too_many_rows:12.1:0",
        "12.1 主导产业代表性产品及技术：最多填写 3 行（现有 4 行）",
    )
    assert run(with_(f_12_1__0=rows[:3])) == []


def test_unknown_table_columns_are_refused():
    assert keys(run(with_(f_12_3__0=[{"a": "x", "zzz": "y"}]))) == ["cell.unknown_column:12.3:0:0:zzz"]


# --- warnings ------------------------------------------------------------------------------------


def test_yoy_change_beyond_the_threshold_is_a_warning():
    f = only(run(with_(f_1_1__2021="151")))
    assert (f.key, f.severity, f.code) == ("yoy:1.1:2021", "warning", "yoy")
    assert f.message == (
        "2021年 1.1 销售收入 同比变化 +51.00%（2021年 151，2020年 100），超过 ±50% 的预警幅度，请核实并说明原因"
    )
    assert f.values == {"1.1:2021": "151", "1.1:2020": "100", "yoy": "51.00"}


def test_yoy_change_at_the_threshold_passes():
    assert run(with_(f_1_1__2021="150", f_1_1a__2021="80")) == []
    assert keys(run(with_(f_1_1__2020="49", f_1_1a__all="40"))) == ["yoy:1.1:2021", "yoy:1.1:2020"]


def test_field_threshold_overrides_the_forms():
    assert run(with_(f_1_8__2021="800")) == []  # +166.67%, under 1.8's own 200
    assert keys(run(with_(f_1_8__2021="901"))) == ["yoy:1.8:2021"]


def test_no_threshold_means_no_yoy_warning():
    definition = form(lambda d: d.pop("yoy_warning_threshold"))
    assert run(with_(f_1_1__2021="1000"), definition=definition) == []


def test_history_value_different_from_last_campaign_is_a_warning():
    previous = {("1.1", 2020): "99", ("1.1", 2019): "100.00", ("1.1", 2021): "1"}
    f = only(run(previous=previous))
    assert (f.key, f.severity, f.year) == ("history:1.1:2020", "warning", 2020)
    assert (
        f.message
        == "2020年 1.1 销售收入 本次填报 100，上一年度报送 99，与上一年度报送值不一致，请核实并说明原因"
    )
    assert f.values == {"1.1:2020": "100", "previous": "99"}


def test_history_check_needs_the_form_flag_and_previous_values():
    previous = {("1.1", 2020): "99"}
    assert run() == []
    assert run(definition=form(lambda d: d.update(history_check=False)), previous=previous) == []


def test_history_check_ignores_values_missing_on_either_side():
    assert run(previous={("1.1", 2020): None, ("1.7", 2020): "abc"}) == []


# --- applicability and labels --------------------------------------------------------------------


def test_hidden_items_are_neither_required_nor_validated():
    values = with_(f_5_5__2021="abc", f_5_5__2020="-1")
    assert run(values) == []
    findings = run(values, profile=STEEL)
    assert keys(findings) == ["invalid:5.5:2021", "out_of_range:5.5:2020", "required:5.5:2019"]


def test_hidden_items_take_no_part_in_rules():
    definition = form(lambda d: d["sections"][0]["fields"][6].update(applicability={"industries": ["steel"]}))
    assert run(with_(f_2_2__2021="1000"), definition=definition) == []


def test_messages_use_the_label_variant_for_the_base():
    values = with_(f_3_2__2021="1.5", f_5_1__2021="x")
    software = [f.message for f in run(values, profile=SOFTWARE)]
    assert software == [
        "2021年 3.2 软件著作权拥有量：请输入整数（个数不能有小数）",
        "2021年 5.1 单位销售收入能耗：请输入数字",
    ]
    equipment = [f.message for f in run(values)]
    assert equipment[0].startswith("2021年 3.2 规模以上企业有效发明专利数")
    assert equipment[1].startswith("2021年 5.1 单位工业增加值能耗")


def test_field_name_prefixes_only_the_notices_own_codes():
    assert field_name(F["1.1"], EQUIPMENT) == "1.1 销售收入"
    assert field_name(F["1.1a"], EQUIPMENT) == "其中：主导产业销售收入"
    assert field_name(F["kind"], EQUIPMENT) == "填报单位属性"


# --- determinism ---------------------------------------------------------------------------------


def test_finding_keys_and_order_are_stable_across_calls():
    values = with_(f_1_1__2021="abc", f_1_1a__2020="120", f_1_8__2019="1", f_12_1__0=[{"output": "x"}])
    first, second = run(values), run(dict(reversed(list(values.items()))))
    assert first == second
    assert keys(first) == [
        "invalid:1.1:2021",
        "part_of:1.1a:2020",
        "rule.1.8-gte-1.7:1.8:2019",
        "yoy:1.8:2020",
        "cell.row_incomplete:12.1:0:0:product",
        "cell.invalid:12.1:0:0:output",
    ]
    assert len(set(keys(first))) == len(first)


def test_findings_are_hashable_and_frozen():
    f = run(with_(f_1_1__2021="abc"))[0]
    assert {f} == {f}
    with pytest.raises(AttributeError):
        f.message = "x"  # type: ignore[misc]


def test_values_may_be_raw_or_already_parsed():
    parsed = {key: parse_value(F[key[0]], raw).value for key, raw in complete().items()}
    assert run(parsed) == []
    broken = parsed | {("1.1a", 2021): Decimal("120")}
    assert keys(run(broken)) == ["part_of:1.1a:2021"]


# --- year on year --------------------------------------------------------------------------------


def test_compute_yoy_covers_years_with_a_previous_year_only():
    yoy = compute_yoy(DEF, YEAR, complete())
    assert yoy[("1.1", 2021)] == Decimal("0.00")
    assert ("1.1", 2020) in yoy
    assert ("1.1", 2019) not in yoy
    assert ("3.2", 2021) not in yoy  # not a yoy item
    assert ("13.1", 0) not in yoy


def test_compute_yoy_formula_and_rounding():
    values = {("1.1", 2021): "130", ("1.1", 2020): "80", ("2.2", 2020): "80", ("2.2", 2019): "-40",
              ("1.7", 2021): "200.01", ("1.7", 2020): "200", ("1.8", 2021): "4", ("1.8", 2020): "3"}  # fmt: skip
    yoy = compute_yoy(DEF, YEAR, values)
    assert yoy[("1.1", 2021)] == Decimal("62.50")
    assert yoy[("2.2", 2020)] == Decimal("300.00")  # from a loss of 40 to 80, divided by |−40|
    assert yoy[("1.7", 2021)] == Decimal("0.01")  # 0.005 rounds half up
    assert yoy[("1.8", 2021)] == Decimal("33.33")


def test_compute_yoy_is_none_for_missing_or_zero_previous():
    values = {("1.1", 2021): "100", ("1.1", 2020): "0", ("1.7", 2021): "5", ("1.7", 2019): "5",
              ("1.8", 2021): "abc", ("1.8", 2020): "3"}  # fmt: skip
    yoy = compute_yoy(DEF, YEAR, values)
    assert yoy[("1.1", 2021)] is None
    assert yoy[("1.1", 2020)] is None
    assert yoy[("1.7", 2021)] is None
    assert yoy[("1.8", 2021)] is None


# --- progress ------------------------------------------------------------------------------------


def test_summarise_counts_errors_and_warnings_per_section():
    findings = run(with_(f_1_1__2021="abc", f_1_8__2021="1", f_1_7__2020="-1", f_13_1__0=None))
    assert summarise(findings) == {"一": {"errors": 2, "warnings": 1}, "十三": {"errors": 1, "warnings": 0}}
    assert summarise([]) == {}


def test_progress_counts_mandatory_cells_filled_per_section():
    assert progress(DEF, EQUIPMENT, YEAR, complete()) == {
        "一": (18, 18),
        "三": (3, 3),
        "五": (6, 6),
        "十二": (2, 2),
        "十三": (1, 1),
        "十八": (1, 1),
        "基本信息": (3, 3),
    }
    partial = with_(f_1_1__2021=None, f_1_4__2020="abc", f_12_1__0=[{"output": "1"}], f_18_3__0={"note": "x"})
    result = progress(DEF, STEEL, YEAR, partial)
    assert result["一"] == (16, 18)
    assert result["五"] == (6, 9)  # 5.5 is asked of steel bases
    assert result["十二"] == (1, 2)
    assert result["十八"] == (0, 1)
    assert progress(DEF, DATACENTER, YEAR, {})["一"] == (0, 0)


# --- the real 2022 summary form ------------------------------------------------------------------

SUMMARY = Path(__file__).resolve().parents[2] / "forms" / "2022" / "summary.yaml"


def _summary() -> FormDefinition:
    return parse_definition(yaml.safe_load(SUMMARY.read_text(encoding="utf-8")))


def _sample(kind: str, choices: tuple[str, ...]) -> Any:
    return {
        "amount": "1", "count": "1", "percent": "1", "rate": "1", "ratio": "1", "choice": choices[0] if choices else "",
        "text": "情况说明", "string": "名称", "email": "lianxi@example.com", "phone": "010-68205143",
    }[kind]  # fmt: skip


def _filled(definition: FormDefinition) -> dict[tuple[str, int], Any]:
    values: dict[tuple[str, int], Any] = {}
    for fld in definition.fields():
        if fld.type == "table":
            row = {c.key: _sample(c.type, c.choices) for c in fld.columns}
            raw: Any = [dict(row) for _ in range(max(fld.min_rows, 1))]
        elif fld.type == "yesno":
            raw = {"answer": "是", "note": "说明"} if fld.note else "是"
        else:
            raw = _sample(fld.type, fld.choices)
        for year in definition.years_for(fld, YEAR) if fld.is_yearly else [0]:
            values[(fld.code, year)] = raw
    return values


@pytest.mark.parametrize(
    "profile",
    [EQUIPMENT, STEEL, SOFTWARE, DATACENTER, BaseProfile(category="industrial_internet")],
    ids=lambda p: p.category,
)
def test_real_summary_form_filled_consistently_has_no_findings(profile):
    definition = _summary()
    values = _filled(definition)
    assert run(values, definition=definition, profile=profile, previous=values) == []
    filled = progress(definition, profile, YEAR, values)
    assert all(done == asked for done, asked in filled.values())


def test_real_summary_form_checks_parts_currency_and_yoy():
    definition = _summary()
    fields = definition.field_map()
    values = _filled(definition) | {
        ("1.1", 2021): "200",
        ("1.1", 2020): "100",
        ("1.1a", 2020): "150",
        ("1.5", 2021): {"amount": "10", "currency": "USD"},
        ("1.5a", 2021): "70",
    }
    found = keys(run(values, definition=definition))
    assert "yoy:1.1:2021" in found
    assert "part_of:1.1a:2020" in found
    assert "part_of:1.5a:2021" in found  # 70 > 10 USD = 64.515 亿元
    assert parse_value(fields["1.5"], {"amount": "10", "currency": "USD"}).value == Decimal("64.515")
    empty = run({}, definition=definition)
    assert empty and all(f.code in ("required", "too_few_rows") for f in empty)
    assert {f.field for f in empty} >= {"1.1", "12.1", "13.1"}


@pytest.mark.parametrize("path", sorted(SUMMARY.parent.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_2022_form_filled_consistently_passes_and_empty_is_required(path):
    definition = parse_definition(yaml.safe_load(path.read_text(encoding="utf-8")))
    profile = BaseProfile(
        category=sorted(definition.categories)[0] if definition.categories else "equipment",
        industry_flags=frozenset({"steel", "chemical", "nonferrous", "equipment"}),
    )
    values = _filled(definition)
    assert run(values, definition=definition, profile=profile, previous=values) == []
    empty = run({}, definition=definition, profile=profile)
    assert empty and {f.code for f in empty} <= {"required", "too_few_rows"}
