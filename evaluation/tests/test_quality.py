"""Each data-quality check as a pure function."""

from __future__ import annotations

import pytest

from evaluation.quality import (
    COPIED,
    ReportItem,
    Text,
    contradictions,
    copied_texts,
    history_mismatches,
    jaccard,
    peer_outliers,
    report_contradictions,
    report_numbers,
    shared_passage,
    shingles,
    unexplained_jumps,
)
from evaluation.schema import AnswerCheck, Consistency

LABELS = {"1.1": "销售收入", "6.1": "年末从业人数", "6.2": "研发人数", "1.6": "实际使用外资金额"}


def test_a_same_year_value_differing_from_last_campaign_is_flagged():
    flags = history_mismatches(
        {"1.1": {2021: 520, 2020: 480, 2019: 400}},
        {"1.1": {2020: 450, 2019: 400}},
        years=[2020, 2019],
        tolerance=0.005,
        labels=LABELS,
    )
    assert len(flags) == 1
    assert (
        flags[0].year == 2020
        and "本次填报 480" in flags[0].message
        and "上年度材料中为 450" in flags[0].message
    )


def test_a_rounding_difference_is_not_a_mismatch():
    assert not history_mismatches(
        {"1.1": {2020: 450.01}}, {"1.1": {2020: 450}}, years=[2020], tolerance=0.005, labels={}
    )


def test_a_value_far_outside_its_category_band_is_flagged():
    per_base = {i: {"1.1": 100.0 + i} for i in range(1, 11)}
    per_base[11] = {"1.1": 5000.0}
    categories = dict.fromkeys(per_base, "equipment")
    flags = peer_outliers(per_base, categories, keys=["1.1"], limit=3.5, labels=LABELS, year=2021)
    assert list(flags) == [11]
    assert "合理区间" in flags[11][0].message and flags[11][0].detail["peers"] == 11


def test_peers_are_the_category_not_everyone():
    # Software bases are small, equipment bases big: a small equipment base is odd, a small software one is not.
    per_base = {i: {"1.1": 1000.0 + i} for i in range(1, 8)} | {i: {"1.1": 10.0 + i} for i in range(20, 27)}
    per_base[8] = {"1.1": 12.0}
    categories = {i: "equipment" if i < 20 else "software" for i in per_base}
    flags = peer_outliers(per_base, categories, keys=["1.1"], limit=3.5, labels=LABELS, year=2021)
    assert list(flags) == [8]


def test_a_jump_without_an_accepted_explanation_is_flagged():
    values = {"1.6": {2021: 30, 2020: 10, 2019: 9}}
    flags = unexplained_jumps(values, years=[2021, 2020], limit=50, accepted=set(), labels=LABELS)
    assert [(f.code, f.year) for f in flags] == [("1.6", 2021)]
    assert "+200.0%" in flags[0].message
    assert not unexplained_jumps(
        values, years=[2021, 2020], limit=50, accepted={("1.6", 2021)}, labels=LABELS
    )


def test_contradicting_items_are_flagged():
    flags = contradictions(
        {"6.2": {2021: 9000}, "6.1": {2021: 8000}, "5.6": {2021: 1}},
        {"18.4": True},
        year=2021,
        rules=[Consistency("6.2", "<=", "6.1", "研发人数超过年末从业人数")],
        answer_checks=[AnswerCheck(("5.6", "5.7"), "18.4", "填报了环境事件，但18.4答“是”")],
    )
    assert [f.code for f in flags] == ["6.2", "18.4"]
    assert "6.2 = 9,000" in flags[0].message


ITEMS = [
    ReportItem("1.1", "亿元", ("销售收入",)),
    ReportItem("1.1a", "亿元", ("主导产业销售收入",)),
    ReportItem("6.1", "人", ("年末从业人数", "年末从业人员")),
]


def test_report_numbers_read_the_longest_label_and_the_sentences_year():
    text = "2021年，基地实现销售收入469.50亿元，同比增长10.6%，其中主导产业销售收入322.36亿元；2020年末从业人员78085人。"
    assert report_numbers(text, ITEMS, data_year=2021) == [
        ("1.1", 2021, 469.5, "亿元", "销售收入469.50亿元"),
        ("1.1a", 2021, 322.36, "亿元", "主导产业销售收入322.36亿元"),
        ("6.1", 2020, 78085.0, "人", "年末从业人员78085人"),
    ]


def test_a_report_figure_contradicting_the_form_is_flagged():
    flags = report_contradictions(
        [("发展概述", "基地实现销售收入469.50亿元，主导产业销售收入322.36亿元。")],
        {"1.1": {2021: 520}, "1.1a": {2021: 322.36}},
        ITEMS,
        data_year=2021,
        tolerance=0.01,
        labels=LABELS,
    )
    assert len(flags) == 1
    assert flags[0].code == "1.1"
    assert "销售收入469.50亿元" in flags[0].message and "为 520" in flags[0].message


def test_ten_thousand_yuan_are_converted():
    flags = report_contradictions(
        [("发展概述", "销售收入5200000万元")],
        {"1.1": {2021: 520}},
        ITEMS,
        data_year=2021,
        tolerance=0.01,
        labels={},
    )
    assert flags == []


ANSWER = "基地围绕新能源汽车产业推进高端化、智能化、绿色化发展，龙头企业牵头制定行业标准三项，带动全行业提质增效，配套企业六十余家就近布局，形成研发在基地、配套在周边的协作格局。"


def test_shingles_and_jaccard():
    assert shingles("abcd", 3) == {"abc", "bcd"}
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)


def test_a_text_copied_from_another_base_is_flagged_with_the_shared_passage():
    copied = ANSWER.replace("新能源汽车", "新能源装备")
    other = "本基地着力建设公共服务平台，引进高校院所共建实验室，服务中小企业数千家次，金融服务覆盖主要企业，人才公寓和职业培训配套完善，营商环境持续优化。"
    texts = [Text(1, "13.1", "13.1", ANSWER), Text(2, "13.1", "13.1", copied), Text(3, "13.1", "13.1", other)]
    flags = copied_texts(
        texts, {}, k=8, threshold=0.6, min_chars=20, names={1: "甲基地", 2: "乙基地", 3: "丙基地"}
    )
    assert set(flags) == {1, 2}
    flag = flags[2][0]
    assert flag.kind == COPIED and "甲基地" in flag.message
    passage = shared_passage(flag.detail["text"], flag.detail["other_text"])
    assert passage.startswith("产业推进高端化、智能化、绿色化发展")


def test_a_text_repeating_last_years_own_answer_is_flagged():
    flags = copied_texts(
        [Text(1, "13.1", "13.1", ANSWER)],
        {(1, "13.1"): ANSWER.replace("三项", "两项")},
        k=8,
        threshold=0.6,
        min_chars=20,
        names={},
    )
    assert flags[1][0].detail["source"] == "own_last_year"
    assert "上年度" in flags[1][0].message


def test_different_texts_are_not_copies():
    texts = [Text(1, "13.1", "13.1", ANSWER), Text(2, "13.1", "13.1", "完全不同的内容，" * 10)]
    assert copied_texts(texts, {}, k=8, threshold=0.6, min_chars=20, names={}) == {}
