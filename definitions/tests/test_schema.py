"""The definition parser accepts well-formed forms and names the place of every mistake."""

import pytest

from definitions.schema import BaseProfile, DefinitionError, parse_definition


def minimal(**overrides):
    data = {
        "code": "summary",
        "version": "2099",
        "title": "测试报表",
        "category_defaults": {"datacenter": "optional"},
        "sections": [
            {
                "code": "一",
                "title": "总体发展情况",
                "defaults": {"type": "amount", "unit": "亿元", "years": [0, -1, -2], "yoy": True},
                "fields": [
                    {"code": "1.1", "label": "销售收入"},
                    {"code": "1.1a", "label": "其中：主导产业销售收入", "part_of": "1.1"},
                    {
                        "code": "5.5",
                        "label": "清洁生产审核比例",
                        "type": "percent",
                        "unit": "%",
                        "yoy": False,
                        "applicability": {"industries": ["steel"], "categories": {"software": "optional"}},
                    },
                    {
                        "code": "5.1",
                        "label": "单位工业增加值能耗",
                        "unit": "吨标煤/万元",
                        "label_variants": [
                            {"label": "单位销售收入能耗", "when": {"producer_services_led": True}}
                        ],
                        "applicability": {"categories": {"datacenter": "mandatory"}},
                    },
                ],
            }
        ],
        "rules": [],
    }
    data.update(overrides)
    return data


def test_it_parses_a_minimal_form():
    d = parse_definition(minimal())
    assert [f.code for f in d.fields()] == ["1.1", "1.1a", "5.5", "5.1"]
    assert d.field_map()["1.1a"].years == (0, -1, -2)
    assert d.years_for(d.field_map()["1.1"], 2021) == [2021, 2020, 2019]


def test_industry_restriction_hides_item_for_other_industries():
    d = parse_definition(minimal())
    f = d.field_map()["5.5"]
    assert (
        d.status_for(f, BaseProfile(category="materials", industry_flags=frozenset({"steel"}))) == "mandatory"
    )
    assert d.status_for(f, BaseProfile(category="materials")) == "hidden"
    assert (
        d.status_for(f, BaseProfile(category="software", industry_flags=frozenset({"steel"}))) == "optional"
    )


def test_category_default_and_field_override():
    d = parse_definition(minimal())
    dc = BaseProfile(category="datacenter")
    assert d.status_for(d.field_map()["1.1"], dc) == "optional"
    assert d.status_for(d.field_map()["5.1"], dc) == "mandatory"


def test_label_variant_for_producer_services():
    d = parse_definition(minimal())
    f = d.field_map()["5.1"]
    assert f.label_for(BaseProfile(category="software", producer_services_led=True)) == "单位销售收入能耗"
    assert f.label_for(BaseProfile(category="equipment")) == "单位工业增加值能耗"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sections"][0]["fields"].append({"code": "1.1", "label": "重复"}), "重复"),
        (lambda d: d["sections"][0]["fields"][1].update(part_of="9.9"), "不存在"),
        (lambda d: d["sections"][0]["fields"][1].update(unit="个"), "单位不一致"),
        (lambda d: d["sections"][0]["fields"][0].update(type="money"), "类型"),
        (lambda d: d["sections"][0]["fields"][0].update(years=[1]), "偏移量"),
        (lambda d: d["sections"][0]["fields"][0].update(colour="red"), "未知键"),
        (
            lambda d: d.update(
                rules=[{"id": "r", "kind": "lte", "left": "1.1a", "right": "9", "message": "x"}]
            ),
            "不存在",
        ),
    ],
)
def test_it_names_the_mistake(mutate, message):
    data = minimal()
    mutate(data)
    with pytest.raises(DefinitionError, match=message):
        parse_definition(data)


@pytest.mark.parametrize(
    ("unit", "expected"), [("亿元人民币", "亿美元"), ("万元", "万美元"), ("元", "美元"), ("个", "美元")]
)
def test_a_figure_in_another_currency_keeps_its_units_magnitude(unit: str, expected: str) -> None:
    from definitions.schema import Currency

    assert Currency(code="USD", label="美元", rate=6.4515).unit_of(unit) == expected
