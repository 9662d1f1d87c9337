"""The scoring function on a small example worked out by hand (numbers written out below)."""

from __future__ import annotations

import pytest

from evaluation.schema import parse_model
from evaluation.scoring import EXCLUDED, MISSING, BaseInput, score_all

# Two dimensions: 规模 (weight 60): 销售收入 (weight 2) and its 同比增速 (weight 1);
# 效益 (weight 40): 利润率 = 2.2/1.1×100 (weight 1) and 单位工业增加值用水量, lower is better, min-max (weight 1).
MODEL = {
    "version": "t1",
    "campaign_year": 2022,
    "form_version": "2022",
    "title": "示例模型",
    "min_peers": 2,
    "expert": {"weight": 0.5, "min_experts": 1},
    "dimensions": [
        {
            "code": "scale",
            "name": "规模",
            "weight": 60,
            "indicators": [
                {"code": "sales", "name": "销售收入", "op": "value", "item": "1.1", "weight": 2},
                {"code": "growth", "name": "销售收入同比增速", "op": "growth", "item": "1.1", "weight": 1},
            ],
        },
        {
            "code": "benefit",
            "name": "效益",
            "weight": 40,
            "indicators": [
                {
                    "code": "margin",
                    "name": "利润率",
                    "op": "ratio",
                    "item": "2.2",
                    "over": "1.1",
                    "scale": 100,
                    "weight": 1,
                },
                {
                    "code": "water",
                    "name": "用水量",
                    "op": "value",
                    "item": "5.2",
                    "weight": 1,
                    "direction": "lower",
                    "normalisation": "minmax",
                },
            ],
        },
    ],
    "deductions": {"cap": 30, "items": [{"item": "8.1", "name": "一般事故", "points": 1}]},
    "bonuses": {
        "cap": 5,
        "items": [{"item": "is_high_tech_zone", "kind": "answer", "name": "国家高新区", "points": 1}],
    },
    "stars": {"method": "share", "overall": {5: 7, 4: 58}},
}


def inp(base_id, category, sales, sales_prev, profit, water, **extra):
    values = {"1.1": {2021: sales, 2020: sales_prev}, "2.2": {2021: profit}}
    if water is not None:
        values["5.2"] = {2021: water}
    values.update(extra.pop("values", {}))
    return BaseInput(base_id=base_id, category=category, values=values, **extra)


def example(overrides=None):
    bases = {
        1: inp(1, "equipment", 100, 80, 10, 20),
        2: inp(2, "equipment", 200, 200, 10, 10),
        3: inp(3, "equipment", 50, 40, 2.5, 30),  # 利润率 2.5/50 = 5%
        # The only software base: fewer than min_peers in its category, so compared with everyone;
        # 5.2 is optional for software (可选填) and left blank.
        4: inp(4, "software", 10, 10, 1, None, blank_allowed=frozenset({"5.2"})),
    }
    bases.update(overrides or {})
    return score_all(parse_model(MODEL), list(bases.values()), data_year=2021)


def test_hand_worked_example():
    r = example()
    # 销售收入 among equipment peers [50, 100, 200]: mid-rank percentile below/(n-1):
    #   b1 = 1/2 = 50, b2 = 100, b3 = 0.  b4 (software, alone) among all [10, 50, 100, 200]: 0.
    # 同比: b1 25%, b2 0%, b3 25%; equipment [0, 25, 25]: b1 = b3 = (1 + ½)/2 = 75, b2 = 0.
    #   b4 0% among all [0, 0, 25, 25]: (0 + ½)/3 = 16.667.
    # 规模 = (2·sales + 1·growth)/3: b1 (100+75)/3 = 58.333, b2 200/3 = 66.667, b3 75/3 = 25, b4 16.667/3 = 5.556.
    # 利润率: b1 10%, b2 5%, b3 5%; equipment [5, 5, 10]: b1 = 100, b2 = b3 = (0+½)/2 = 25.
    #   b4 10% among all [5, 5, 10, 10]: (2 + ½)/3 = 83.333.
    # 用水量 lower, min-max over [10, 30]: b1 (30-20)/20 = 50, b2 100, b3 0; b4 blank & optional: dropped.
    # 效益: b1 (100+50)/2 = 75, b2 (25+100)/2 = 62.5, b3 (25+0)/2 = 12.5, b4 83.333 (利润率 alone).
    # Total 0.6·规模 + 0.4·效益: b1 35 + 30 = 65, b2 40 + 25 = 65, b3 15 + 5 = 20, b4 3.333 + 33.333 = 36.667.
    assert r[1].dimension("scale").indicators[0].normalised == pytest.approx(50)
    assert r[1].dimension("scale").indicators[1].normalised == pytest.approx(75)
    assert r[4].dimension("scale").indicators[0].peer_group == "all"
    assert r[4].dimension("scale").indicators[1].normalised == pytest.approx(100 / 6)
    assert r[1].dimension("benefit").indicators[0].value == pytest.approx(10)
    assert r[2].dimension("benefit").indicators[0].normalised == pytest.approx(25)
    assert r[1].dimension("benefit").indicators[1].normalised == pytest.approx(50)
    assert r[4].dimension("benefit").indicators[0].normalised == pytest.approx(250 / 3)
    assert [round(r[i].dimension("scale").score, 3) for i in (1, 2, 3, 4)] == [58.333, 66.667, 25.0, 5.556]
    assert [r[i].dimension("benefit").score for i in (1, 2, 3)] == pytest.approx([75, 62.5, 12.5])
    assert [r[i].total for i in (1, 2, 3, 4)] == pytest.approx([65, 65, 20, 110 / 3])
    # Contribution = effective weight × normalised value: 销售收入 of b1 gives 2/3 × 50 points of 规模.
    sales = r[1].dimension("scale").indicators[0]
    assert sales.effective_weight == pytest.approx(2 / 3)
    assert sales.contribution == pytest.approx(100 / 3)


def test_optional_blank_does_not_lower_the_score():
    r = example()
    water = r[4].dimension("benefit").indicators[1]
    assert water.status == EXCLUDED and water.effective_weight == 0
    # 利润率 carries the whole dimension: the blank costs nothing.
    assert r[4].dimension("benefit").score == pytest.approx(
        r[4].dimension("benefit").indicators[0].normalised
    )


def test_mandatory_blank_scores_zero():
    r = example({4: inp(4, "software", 10, 10, 1, None)})  # 5.2 mandatory here
    water = r[4].dimension("benefit").indicators[1]
    assert water.status == MISSING and water.normalised == 0
    assert r[4].dimension("benefit").score == pytest.approx(250 / 3 / 2)


def test_deductions_and_bonuses():
    r = example(
        {
            1: inp(1, "equipment", 100, 80, 10, 20, answers={"is_high_tech_zone": True}),
            2: inp(2, "equipment", 200, 200, 10, 10, values={"8.1": {2021: 3}}),
        }
    )
    assert r[1].bonus == 1 and r[1].total == pytest.approx(66)
    assert r[2].deduction == 3 and r[2].total == pytest.approx(62)
    assert r[2].deductions[0].name == "一般事故"


def test_expert_scores_mix_in_by_the_model_weight():
    r = example(
        {3: inp(3, "equipment", 50, 40, 2.5, 30, expert={"scale": 80, "benefit": 60}, expert_count=2)}
    )
    # 规模 = ½·25 + ½·80 = 52.5; 效益 = ½·12.5 + ½·60 = 36.25; total = 0.6·52.5 + 0.4·36.25 = 46.
    assert r[3].dimension("scale").score == pytest.approx(52.5)
    assert r[3].dimension("benefit").expert_score == 60
    assert r[3].total == pytest.approx(46)
    assert r[3].data_total == pytest.approx(20)


def test_disqualified_base_gets_no_score_and_is_not_a_peer():
    r = example({2: inp(2, "equipment", 200, 200, 10, 10, disqualified="虚报：销售收入")})
    assert r[2].total is None and r[2].disqualified.startswith("虚报")
    # Without b2, equipment 销售收入 peers are [50, 100]: b1 now tops them.
    assert r[1].dimension("scale").indicators[0].normalised == 100
