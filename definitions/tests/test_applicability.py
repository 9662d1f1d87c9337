"""What each category must, may or need not fill, by the notice's starred notes after the 指标说明."""

from __future__ import annotations

import pytest

from definitions.schema import BaseProfile, FormDefinition
from registry.reference import CATEGORIES

ALL_INDUSTRIES = frozenset({"nonferrous", "steel", "chemical", "equipment"})
INDUSTRY_ITEMS = {"5.5", "8.5", "18.10"}

# 软件和信息服务业、大数据: 可选填 (1.2 工业总产值 is the whole row; 1.3/1.4/1.7/2.2/6.1 name 其中 rows).
SOFTWARE_OPTIONAL = {
    "1.2",
    "1.3a",
    "1.4c",
    "1.7a",
    "1.7b",
    "2.2a",
    "5.1",
    "5.2",
    "5.4",
    "6.1a",
    "9.2",
    "9.3",
    "19.1",
}
# 产业转移合作、工业互联网: 可选填, of which 9.2, 9.3, 17.2 and 20.1 are 工业互联网必填.
TRANSFER_OPTIONAL = {
    "1.2", "1.2a", "1.3a", "1.4c", "1.7a", "2.2a", "3.3", "5.1", "5.2", "5.3", "5.4", "6.1a",
    "9.2", "9.3", "17.2", "19.1", "20.1",
}  # fmt: skip
INDUSTRIAL_INTERNET_MANDATORY = {"9.2", "9.3", "17.2", "20.1"}
# 数据中心: 所列指标必填, 其他可选填 (18.10 only where the industry applies).
DATACENTER_MANDATORY = {
    "1.4", "1.7", "1.9", "4.1", "4.1a", "4.2", "5.6", "5.7", "5.8", "5.9", "6.1", "6.2",
    "8.1", "8.2", "8.3", "8.4", "10.1", "10.1a", "11.1",
    "18.1", "18.2", "18.3", "18.4", "18.5", "18.6", "18.7", "18.8", "18.9",
}  # fmt: skip


def indicators(summary: FormDefinition):
    return [f for f in summary.fields() if f.section != "基本信息"]


def statuses(summary: FormDefinition, profile: BaseProfile, status: str) -> set[str]:
    return {f.code for f in indicators(summary) if summary.status_for(f, profile) == status}


@pytest.mark.parametrize("category", ["equipment", "materials", "consumer", "electronics", "hightech"])
def test_industrial_categories_may_skip_only_20_1(summary, category):
    profile = BaseProfile(category=category, industry_flags=ALL_INDUSTRIES)
    assert statuses(summary, profile, "optional") == {"20.1"}
    assert statuses(summary, profile, "hidden") == set()


@pytest.mark.parametrize("category", ["software", "bigdata"])
def test_software_and_big_data_optional_list(summary, category):
    assert statuses(summary, BaseProfile(category=category), "optional") == SOFTWARE_OPTIONAL
    assert statuses(summary, BaseProfile(category=category), "hidden") == INDUSTRY_ITEMS
    with_industries = BaseProfile(category=category, industry_flags=ALL_INDUSTRIES)
    assert statuses(summary, with_industries, "optional") == SOFTWARE_OPTIONAL | INDUSTRY_ITEMS
    assert summary.status_for(summary.field_map()["20.1"], with_industries) == "mandatory"


def test_industry_transfer_optional_list(summary):
    profile = BaseProfile(category="transfer", industry_flags=ALL_INDUSTRIES)
    assert statuses(summary, profile, "optional") == TRANSFER_OPTIONAL | INDUSTRY_ITEMS
    assert summary.status_for(summary.field_map()["1.7b"], profile) == "mandatory"


def test_industrial_internet_must_fill_its_exceptions(summary):
    profile = BaseProfile(category="industrial_internet", industry_flags=ALL_INDUSTRIES)
    optional = statuses(summary, profile, "optional")
    assert optional == (TRANSFER_OPTIONAL - INDUSTRIAL_INTERNET_MANDATORY) | INDUSTRY_ITEMS
    for code in INDUSTRIAL_INTERNET_MANDATORY:
        assert summary.status_for(summary.field_map()[code], profile) == "mandatory"


def test_data_centre_mandatory_list(summary):
    assert statuses(summary, BaseProfile(category="datacenter"), "mandatory") == DATACENTER_MANDATORY
    steel = BaseProfile(category="datacenter", industry_flags=frozenset({"steel"}))
    assert statuses(summary, steel, "mandatory") == DATACENTER_MANDATORY | {"18.10"}
    assert summary.status_for(summary.field_map()["5.5"], steel) == "optional"
    assert summary.status_for(summary.field_map()["1.1"], steel) == "optional"


@pytest.mark.parametrize("category", [code for code, _, _ in CATEGORIES])
def test_header_is_required_of_every_base(summary, category):
    profile = BaseProfile(category=category)
    header = {f.code: summary.status_for(f, profile) for f in summary.fields() if f.section == "基本信息"}
    assert {code for code, status in header.items() if status != "mandatory"} == {
        "high_tech_zone_name",
        "econ_zone_name",
    }


@pytest.mark.parametrize(
    ("code", "flags", "expected"),
    [
        ("5.5", set(), "hidden"),
        ("5.5", {"equipment"}, "hidden"),
        ("5.5", {"nonferrous"}, "mandatory"),
        ("5.5", {"chemical"}, "mandatory"),
        ("8.5", {"equipment"}, "mandatory"),
        ("8.5", {"steel"}, "mandatory"),
        ("8.5", set(), "hidden"),
        ("18.10", {"equipment"}, "hidden"),
        ("18.10", {"steel"}, "mandatory"),
    ],
)
def test_industry_items_appear_only_for_their_industries(summary, code, flags, expected):
    profile = BaseProfile(category="materials", industry_flags=frozenset(flags))
    assert summary.status_for(summary.field_map()[code], profile) == expected


def test_patent_label_is_software_copyright_for_software_bases(summary):
    fld = summary.field_map()["3.2"]
    assert fld.label_for(BaseProfile(category="software")) == "软件著作权拥有量"
    assert fld.label_for(BaseProfile(category="bigdata")) == "规模以上企业有效发明专利数"
    assert fld.label_for(BaseProfile(category="equipment")) == "规模以上企业有效发明专利数"


def test_energy_label_follows_producer_services(summary):
    fld = summary.field_map()["5.1"]
    assert fld.label_for(BaseProfile(category="equipment")) == "单位工业增加值能耗"
    assert fld.label_for(BaseProfile(category="software")) == "单位销售收入能耗"
    assert fld.label_for(BaseProfile(category="bigdata", producer_services_led=True)) == "单位销售收入能耗"
    assert fld.label_for(BaseProfile(category="bigdata")) == "单位工业增加值能耗"


def test_each_annex_belongs_to_its_category(forms_2022):
    for code, _name, annex in CATEGORIES:
        profile = BaseProfile(category=code)
        applying = {c for c, d in forms_2022.items() if c != "summary" and d.applies_to(profile)}
        assert applying == ({annex} if annex else set())
        assert forms_2022["summary"].applies_to(profile)


def test_big_data_annex_marks_its_optional_items(forms_2022):
    annex = forms_2022["annex4"]
    profile = BaseProfile(category="bigdata")
    optional = {f.code for f in annex.fields() if annex.status_for(f, profile) == "optional"}
    assert optional == {"gov_departments_share", "gov_data_volume"}
