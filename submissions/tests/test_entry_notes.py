"""The notice's notes where people fill (issue 8): 指标说明 at the field, the general notes at the
top of the form, 附表2's warning on every page of that annex, and each finding marked as the
notice's (填报要求) or ours (系统提示)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_base
from registry.models import Category
from submissions.services import CellChange, submission_start, values_save

pytestmark = pytest.mark.django_db


def page(client, submission, section: str, form: str = "summary") -> str:
    return client.get(reverse("submissions:section", args=[submission.pk, form, section])).content.decode()


def test_the_general_notes_open_at_the_top_of_the_form(client, submission, filler):
    client.force_login(filler)
    first = page(client, submission, "基本信息")
    assert '<details class="form-notes" open>' in first
    assert "“近三年”是指2022年以前的连续三年（不含2022年）。" in first
    assert "指标中标明“以上”的包括本数，标明“以下”的不包括本数。" in first
    later = page(client, submission, "一")
    assert '<details class="form-notes">' in later  # still there, folded


@pytest.mark.parametrize(
    ("section", "code", "words"),
    [
        ("一", "1.5", "如以美元计算，请以2021年平均汇率6.4515进行换算"),
        ("一", "1.8", "指园区自成立之日起至报告期止的累计固定资产投资额"),
        ("三", "3.2", "软件和信息服务示范基地请填写“软件著作权拥有量”"),
        ("三", "3.4", "以国家有关部委正式公布名单为准"),
        ("七", "7.1", "ISO9000族标准"),
        ("八", "8.5", "安监总办〔2014〕49号"),
        ("九", "9.3", "关键工序数控化率的平均值"),
        ("十", "10.1a", "经国家有关部委认定或批复的公共服务平台"),
        ("十六", "16.3", "相关称号特指国家级"),
    ],
)
def test_each_note_of_the_notice_is_shown_at_its_field(client, submission, filler, section, code, words):
    client.force_login(filler)
    html = page(client, submission, section)
    note = html.split(f'data-field-note="{code}"', 1)[1].split("</details>", 1)[0]
    assert "指标说明" in note and words in note


def test_an_added_hint_is_marked_as_the_system_s(client, submission, filler):
    client.force_login(filler)
    html = page(client, submission, "基本信息")
    assert '<span class="src src-system"' in html and "每行至少填写姓名和移动电话" in html


def test_findings_say_whose_rule_they_are(client, submission, filler):
    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.1", year=2021, raw="100"),
            CellChange(form="summary", code="1.1a", year=2021, raw="200"),
        ],
    )
    client.force_login(filler)
    html = page(client, submission, "一")
    finding = html.split('data-key="part_of:1.1a:2021"', 1)[1].split("</div>", 1)[0]
    assert '<span class="src src-system"' in finding and "系统提示" in finding


def test_annex2_pages_carry_the_sensitive_content_warning(client, definitions, campaign, hunan, filler):
    hightech = Category.objects.get(code="hightech")
    base = make_base("高技术转化应用·示例基地", hunan, hightech)
    campaign.bases.add(base)
    filler.base = base
    filler.save(update_fields=["base"])
    submission = submission_start(campaign=campaign, base=base, user=filler)
    client.force_login(filler)
    for section in ("indicators", "platforms"):
        html = page(client, submission, section, form="annex2")
        assert "不得涉及敏感内容" in html and "通过机要交换形式" in html
    assert "不得涉及敏感内容" not in page(client, submission, "一")
    overview = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert "不得涉及敏感内容" in overview


def test_annex6_items_that_ask_for_evidence_link_to_their_slot(client, definitions, campaign, hunan, filler):
    base = make_base("数据中心·示例数据中心产业园", hunan, Category.objects.get(code="datacenter"))
    campaign.bases.add(base)
    filler.base = base
    filler.save(update_fields=["base"])
    submission = submission_start(campaign=campaign, base=base, user=filler)
    client.force_login(filler)
    html = page(client, submission, "main", form="annex6")
    evidence = reverse("exchange:evidence", args=[submission.pk])
    assert html.count(f'href="{evidence}#ev-') == 7
    assert "提供能耗监测及PUE计算拓扑图" in html
