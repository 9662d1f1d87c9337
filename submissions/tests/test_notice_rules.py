"""The 2022 forms checked against 工规函〔2022〕530号 (issue 8): lists that may be empty, row limits,
500 characters, currency, applicability by category, per-item 同比 thresholds, and every finding
saying whether the notice asks for it (填报要求) or the system adds it (系统提示). Pure: no database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from definitions.schema import CHECKS, BaseProfile, DefinitionError, FormDefinition, parse_definition
from submissions.validation import Finding, parse_value, progress, validate

FORMS = Path(settings.BASE_DIR) / "forms" / "2022"
YEAR = 2021


def form(code: str) -> FormDefinition:
    return parse_definition(yaml.safe_load((FORMS / f"{code}.yaml").read_text(encoding="utf-8")))


SUMMARY = form("summary")
ANNEX1, ANNEX2, ANNEX3, ANNEX4, ANNEX6 = (form(c) for c in ("annex1", "annex2", "annex3", "annex4", "annex6"))


def run(
    definition: FormDefinition, profile: BaseProfile, values: dict[tuple[str, int], Any]
) -> list[Finding]:
    return validate(definition=definition, profile=profile, data_year=YEAR, values=values)


def about(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.field == code]


# --- every rule says whose it is -------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_definition_names_the_source_of_every_check_and_rule(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data["check_sources"]) == set(CHECKS), "every check the engine runs is listed"
    assert all(rule.get("source") in ("notice", "system") for rule in data.get("rules") or ())


def test_our_additions_are_marked_as_the_system_s():
    values = {("1.1", 2021): "100", ("1.1", 2020): "10", ("1.1a", 2021): "200"}
    findings = run(SUMMARY, BaseProfile(category="equipment"), values)
    yoy = next(f for f in findings if f.code == "yoy" and f.field == "1.1")
    part = next(f for f in findings if f.code == "part_of")
    required = next(f for f in findings if f.code == "required")
    assert (yoy.source, yoy.source_label) == ("system", "系统提示")
    assert part.source == "system"
    assert (required.source, required.source_label) == ("notice", "填报要求")


def test_cross_checks_are_ours():
    findings = run(SUMMARY, BaseProfile(category="equipment"), {("7.1", 2021): "50", ("1.4", 2021): "10"})
    rule = next(f for f in findings if f.key.startswith("rule.7.1-lte-1.4"))
    assert rule.source == "system"


# --- lists that may be empty -----------------------------------------------------------------------

II = BaseProfile(category="industrial_internet")


def test_an_annex3_list_is_not_needed_when_its_count_is_zero():
    findings = run(ANNEX3, II, {("labs_count", 0): "0"})
    assert about(findings, "labs") == []


def test_an_annex3_list_is_needed_when_its_count_is_above_zero():
    findings = run(ANNEX3, II, {("labs_count", 0): "2"})
    [finding] = about(findings, "labs")
    assert (finding.code, finding.severity) == ("required", "error")
    assert "为 2，请逐一填写" in finding.message


def test_fewer_rows_than_the_count_is_a_warning_not_an_error():
    rows = [{"name": "甲实验室"}]
    findings = run(ANNEX3, II, {("labs_count", 0): "2", ("labs", 0): rows})
    [finding] = about(findings, "labs")
    assert (finding.code, finding.severity, finding.source) == ("rows_count", "warning", "system")
    assert "填写了 1 行" in finding.message
    assert about(run(ANNEX3, II, {("labs_count", 0): "1", ("labs", 0): rows}), "labs") == []


def test_an_empty_list_beside_a_zero_count_counts_as_done_in_progress():
    _, required = progress(ANNEX3, II, YEAR, {("labs_count", 0): "0"})["institutions"]
    filled_with_labs, required_with_labs = progress(ANNEX3, II, YEAR, {("labs_count", 0): "3"})[
        "institutions"
    ]
    assert required_with_labs == required + 1
    assert filled_with_labs == 1  # the count is filled, its list is not


def test_annex1_projects_are_needed_only_with_projects_and_have_no_invented_mandatory_column():
    software = BaseProfile(category="software")
    assert about(run(ANNEX1, software, {("xc_projects_count", 2021): "0"}), "xc_projects") == []
    rows = [{"user": "某市大数据中心"}]  # no 项目名称: not a column of the notice
    findings = run(ANNEX1, software, {("xc_projects_count", 2021): "12", ("xc_projects", 0): rows})
    assert about(findings, "xc_projects") == []  # 12 projects, ten cases at most: no mismatch warning


def test_annex2_platforms_and_annex4_applications_may_be_empty():
    assert about(run(ANNEX2, BaseProfile(category="hightech"), {}), "platforms") == []
    assert about(run(ANNEX4, BaseProfile(category="bigdata"), {}), "applications") == []


# --- rows and lengths --------------------------------------------------------------------------------


def product(name: str) -> dict[str, str]:
    return {"product": name}


def test_one_product_is_enough_and_six_are_too_many():
    fld = SUMMARY.field_map()["12.1"]
    assert (
        about(run(SUMMARY, BaseProfile(category="equipment"), {("12.1", 0): [product("甲")]}), "12.1") == []
    )
    six = parse_value(fld, [product(str(i)) for i in range(6)])
    assert [i.code for i in six.issues] == ["too_many_rows"]


def test_twelve_two_takes_one_to_five_enterprises_and_profit_with_its_own_unit():
    fld = SUMMARY.field_map()["12.2"]
    assert parse_value(fld, [{"company": "甲", "operating_profit": "3.2亿元"}]).ok
    assert not parse_value(fld, [{"company": str(i)} for i in range(6)]).ok
    profit = next(c for c in fld.columns if c.key == "operating_profit")
    assert profit.unit == "" and "万元" not in fld.hint


@pytest.mark.parametrize(("code", "key"), [("12.1", "producers"), ("12.2", "company"), ("25.1t", "target")])
def test_text_cells_of_twelve_to_twenty_five_take_500_characters(code, key):
    fld = SUMMARY.field_map()[code]
    required = {c.key: "甲" for c in fld.columns if c.required}
    assert parse_value(fld, [{**required, key: "字" * 500}]).ok
    [issue] = parse_value(fld, [{**required, key: "字" * 501}]).issues
    assert issue.code == "too_long" and "500" in issue.message


def test_twenty_five_one_keeps_the_notice_label():
    assert SUMMARY.field_map()["25.1"].label.startswith("规划中设定的主要目标及进展情况")


# --- currency -----------------------------------------------------------------------------------------


def test_a_currency_other_than_rmb_or_usd_is_refused():
    fld = SUMMARY.field_map()["1.5"]
    refused = parse_value(fld, {"amount": "10", "currency": "欧元"})
    assert refused.value is None and refused.issues[0].code == "currency"
    assert "不支持的币种“欧元”" in refused.error
    assert parse_value(fld, {"amount": "10", "currency": "美元"}).value == Decimal("64.5150")
    assert parse_value(fld, {"amount": "10", "currency": "人民币"}).value == Decimal("10")


def test_usd_is_refused_where_the_notice_gives_no_rate():
    refused = parse_value(SUMMARY.field_map()["1.6"], {"amount": "10", "currency": "USD"})
    assert refused.value is None and "只能以人民币填写" in refused.error


# --- applicability by category -----------------------------------------------------------------------


def test_every_equipment_base_answers_8_5_from_its_category():
    fld = SUMMARY.field_map()["8.5"]
    assert SUMMARY.status_for(fld, BaseProfile(category="equipment")) == "mandatory"
    assert SUMMARY.status_for(SUMMARY.field_map()["5.5"], BaseProfile(category="equipment")) == "hidden"


def test_materials_bases_answer_by_their_industry():
    f = SUMMARY.field_map()
    steel = BaseProfile(category="materials", industry_flags=frozenset({"steel"}))
    other = BaseProfile(category="materials")
    for code in ("5.5", "8.5", "18.10"):
        assert SUMMARY.status_for(f[code], steel) == "mandatory", code
        assert SUMMARY.status_for(f[code], other) == "hidden", code


# --- 同比 thresholds per item ----------------------------------------------------------------------


def test_accidents_are_judged_by_absolute_change():
    equipment = BaseProfile(category="equipment")
    one_more = run(SUMMARY, equipment, {("8.1", 2021): "2", ("8.1", 2020): "1"})  # +100%, one accident
    assert [f for f in about(one_more, "8.1") if f.code == "yoy"] == []
    from_zero = run(SUMMARY, equipment, {("8.1", 2021): "3", ("8.1", 2020): "0"})
    [warning] = [f for f in about(from_zero, "8.1") if f.code == "yoy"]
    assert "较上年变化 +3" in warning.message and warning.source == "system"


def test_sales_keep_the_percentage_threshold():
    findings = run(SUMMARY, BaseProfile(category="equipment"), {("1.1", 2021): "160", ("1.1", 2020): "100"})
    assert [f.code for f in about(findings, "1.1") if f.code == "yoy"] == ["yoy"]


# --- 附表4 特色行业应用情况：主要企业名称（不超过3个） -----------------------------------------------


def applications(companies: str) -> list[Finding]:
    row = {"domain": "工业互联网", "companies": companies, "summary": "应用情况概要"}
    return about(run(ANNEX4, BaseProfile(category="bigdata"), {("applications", 0): [row]}), "applications")


def test_annex4_lists_at_most_three_companies_per_domain():
    [finding] = applications("甲公司、乙公司，丙公司；丁公司")
    assert (finding.code, finding.severity, finding.source_label) == ("too_many_items", "error", "填报要求")
    assert (finding.row, finding.column) == (0, "companies")
    assert "最多填写 3 个（现有 4 个" in finding.message
    assert finding.values == {"input": "甲公司、乙公司，丙公司；丁公司"}


@pytest.mark.parametrize(
    "companies",
    [
        "甲公司、乙公司、丙公司",
        "甲公司\n乙公司\n丙公司\n",
        "甲公司、、乙公司",
        "Acme Co., Ltd.、Beta Inc., Ltd.",
    ],
)
def test_three_companies_or_fewer_pass_and_a_comma_inside_a_name_does_not_split_it(companies):
    assert applications(companies) == []


def test_max_items_is_for_text_columns_only():
    data = yaml.safe_load((FORMS / "annex4.yaml").read_text(encoding="utf-8"))
    data["sections"][1]["fields"][0]["columns"][2]["max_items"] = 3  # 应用情况概要 is a text column
    with pytest.raises(DefinitionError, match="max_items 只能用于文字列"):
        parse_definition(data)
