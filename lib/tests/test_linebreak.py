"""lib.linebreak: the 禁则 of Chinese line breaking, on text measured one unit per character."""

from __future__ import annotations

import pytest

from lib.linebreak import (
    NO_LINE_END,
    NO_LINE_START,
    break_allowed,
    line_starts,
    lines,
    title_spans,
    word_spans,
)


def one(ch: str) -> float:
    return 1.0


def test_it_fills_each_line_with_as_many_characters_as_fit():
    assert lines("示范基地发展情况汇总表", one, 4) == ["示范基地", "发展情况", "汇总表"]


@pytest.mark.parametrize("mark", list("，。；：、）》」"))
def test_no_line_begins_with_a_closing_mark_or_pause(mark):
    text = f"一二三四{mark}五六七"
    result = lines(text, one, 4)
    assert all(line[0] not in NO_LINE_START for line in result)
    # The character before the mark goes down with it rather than the mark starting the line.
    assert result == ["一二三", f"四{mark}五六", "七"]


def test_two_closing_marks_stay_with_the_character_before_them():
    result = lines("一二三四”。五六", one, 4)
    assert result == ["一二三", "四”。五", "六"]


@pytest.mark.parametrize("mark", list("（《「“"))
def test_no_line_ends_with_an_opening_mark(mark):
    result = lines(f"一二三{mark}四五六", one, 4)
    assert all(line[-1] not in NO_LINE_END for line in result)
    assert result == ["一二三", f"{mark}四五六"]


def test_a_number_and_a_latin_word_stay_whole():
    assert lines("共有PUE指标", one, 4) == ["共有", "PUE指", "标"]
    assert lines("产值1234亿元", one, 5) == ["产值", "1234亿", "元"]


def test_a_number_is_not_split_when_a_break_before_it_fits():
    assert lines("产值12.5%以上", one, 6) == ["产值", "12.5%以", "上"]


def test_a_word_longer_than_the_line_is_cut_rather_than_overflowing():
    result = lines("ABCDEFGHIJ", one, 4)
    assert result == ["ABCD", "EFGH", "IJ"]


def test_a_title_breaks_only_between_its_words():
    words = ["国家", "新型", "工业化", "产业", "示范", "基地"]
    title = "".join(words)
    result = lines(title, one, 6, keep=word_spans(words))
    assert result == ["国家新型", "工业化产业", "示范基地"]


def test_each_line_may_have_its_own_width():
    assert line_starts("一二三四五六七", [1.0] * 7, [2, 5]) == [0, 2]


def test_widths_are_respected_not_character_counts():
    widths = {"W": 2.0}
    assert lines("WW一二", lambda ch: widths.get(ch, 1.0), 4) == ["WW", "一二"]


def test_a_break_at_a_space_drops_the_space():
    assert lines("abc def", one, 5) == ["abc", "def"]


def test_break_allowed_never_at_the_ends():
    assert not break_allowed("一二", 0) and not break_allowed("一二", 2) and break_allowed("一二", 1)


def test_it_needs_one_width_per_character():
    with pytest.raises(ValueError):
        line_starts("一二", [1.0], 4)


def test_a_report_title_breaks_between_words_not_inside_them():
    name = "湖南长沙工程机械国家新型工业化产业示范基地"
    title = f"{name}2021年发展情况报告"
    result = lines(title, one, 14, keep=title_spans(title, [name]))
    assert result == ["湖南长沙工程机械国家", "新型工业化产业示范基地", "2021年发展情况报告"]


def test_the_system_title_words_are_never_split():
    title = "国家新型工业化产业示范基地发展情况汇总表（2022年版）"
    for width in range(6, 20):
        for line in lines(title, one, width, keep=title_spans(title)):
            assert not line.startswith(("总表", "表")) and not line.endswith("汇")
            assert not line.endswith(("示", "示范", "示范基")) and line[0] not in NO_LINE_START


def test_without_title_spans_the_same_title_would_be_broken_inside_a_word():
    title = "国家新型工业化产业示范基地发展情况汇总表"
    assert lines(title, one, 18)[1] == "总表"
    assert lines(title, one, 18, keep=title_spans(title))[1] == "汇总表"
