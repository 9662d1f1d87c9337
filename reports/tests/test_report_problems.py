"""report_problems: what keeps a development report from being complete."""

from __future__ import annotations

from typing import Any

from reports.models import DevelopmentReport
from reports.services import TEXT_MAX, char_count, report_guidance, report_problems
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


def test_only_the_system_s_sanity_limit_is_a_problem():
    # Issue 8: 600/60/400/1500 were ours; “300字左右” is guidance. Only a pasted document is refused.
    highlights = filled_items(3)
    highlights[0]["lead"] = "领" * 61
    highlights[2]["content"] = "内" * (TEXT_MAX + 1)
    problems = report_problems(complete(overview="字" * 601, highlights=highlights, problems="议" * 1501))
    assert problems == [
        f"系统提示：成效3的具体内容超过{TEXT_MAX}字（已输入{TEXT_MAX + 1}字），请删减后保存。"
    ]


def test_lengths_far_from_the_notice_s_targets_are_guidance_only():
    highlights = filled_items(3)
    highlights[1]["content"] = "内" * 450
    guidance = report_guidance(overview="字" * 600, highlights=highlights + filled_items(3), practices=[])
    messages = [g.message for g in guidance]
    assert "一、示范基地发展概述：通知要求300字左右，现为600字。" in messages
    assert "二、发展亮点和成效：通知要求总结3-5个方面，现有6个，提交前请调整。" in messages
    assert "二、发展亮点和成效 · 成效2：通知要求每个方面200字左右，现为450字。" in messages
    about_right = [{"lead": "领句", "content": "内" * 200} for _ in range(3)]
    assert report_guidance(overview="字" * 300, highlights=about_right, practices=[]) == []


def test_texts_at_the_hard_limit_are_accepted():
    assert report_problems(complete(overview="字" * TEXT_MAX)) == []


def test_counting_ignores_whitespace_and_line_breaks():
    assert char_count("示范 基地\n发展\t概述 ") == 8
    assert char_count(None) == 0
