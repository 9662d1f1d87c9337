"""report_problems: what keeps a development report from being complete."""

from __future__ import annotations

from typing import Any

from reports.models import DevelopmentReport
from reports.services import CONTENT_MAX, LEAD_MAX, OVERVIEW_MAX, PROBLEMS_MAX, char_count, report_problems
from reports.tests.conftest import filled_items


def complete(**changes: Any) -> DevelopmentReport:
    values: dict[str, Any] = {
        "overview": "概述" * 150,
        "highlights": filled_items(3, "成效"),
        "practices": filled_items(5, "经验"),
        "problems": "问题及建议",
    }
    values.update(changes)
    return DevelopmentReport(**values)


def test_a_complete_report_has_no_problems():
    assert report_problems(complete()) == []


def test_a_missing_report_is_one_problem():
    assert report_problems(None) == ["尚未填写发展情况报告。"]


def test_it_reports_a_missing_overview():
    assert report_problems(complete(overview="  \n ")) == ["未填写“一、示范基地发展概述”。"]


def test_it_reports_fewer_than_three_highlights():
    assert report_problems(complete(highlights=filled_items(2))) == [
        "“二、发展亮点和成效”需总结3-5个方面，目前只有2个。"
    ]


def test_it_reports_more_than_five_practices():
    assert report_problems(complete(practices=filled_items(6, "经验"))) == [
        "“三、示范性做法和经验”最多总结5个方面，目前有6个。"
    ]


def test_entirely_empty_items_do_not_count():
    items = [*filled_items(2), {"lead": "", "content": "  "}]
    assert "目前只有2个" in report_problems(complete(highlights=items))[0]


def test_it_reports_an_item_without_lead_or_content():
    practices = filled_items(3, "经验")
    practices[1]["lead"] = ""
    practices[2]["content"] = ""
    assert report_problems(complete(practices=practices)) == [
        "“三、示范性做法和经验”经验2缺少领句。",
        "“三、示范性做法和经验”经验3缺少具体内容。",
    ]


def test_it_reports_missing_problems_and_suggestions():
    assert report_problems(complete(problems="")) == ["未填写“四、存在的问题及建议”。"]


def test_it_reports_texts_over_the_hard_limits():
    highlights = filled_items(3)
    highlights[0]["lead"] = "领" * (LEAD_MAX + 1)
    highlights[2]["content"] = "内" * (CONTENT_MAX + 1)
    problems = report_problems(
        complete(
            overview="字" * (OVERVIEW_MAX + 1), highlights=highlights, problems="议" * (PROBLEMS_MAX + 1)
        )
    )
    assert problems == [
        f"发展概述要求300字左右，不能超过{OVERVIEW_MAX}字（已输入{OVERVIEW_MAX + 1}字）。",
        f"成效1的领句应为概括性的一句话，不超过{LEAD_MAX}字（已输入{LEAD_MAX + 1}字）。",
        f"成效3的具体内容不能超过{CONTENT_MAX}字（已输入{CONTENT_MAX + 1}字）。",
        f"存在的问题及建议不能超过{PROBLEMS_MAX}字（已输入{PROBLEMS_MAX + 1}字）。",
    ]


def test_texts_at_the_hard_limit_are_accepted():
    assert report_problems(complete(overview="字" * OVERVIEW_MAX)) == []


def test_counting_ignores_whitespace_and_line_breaks():
    assert char_count("示范 基地\n发展\t概述 ") == 8
    assert char_count(None) == 0
