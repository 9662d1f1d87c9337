"""The data-entry pages per role: who fills, who reads, who gets 404 for URL tampering."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import Campaign
from submissions.models import Submission
from submissions.services import CellChange, values_save


def section_url(submission, section: str, form: str = "summary") -> str:
    return reverse("submissions:section", args=[submission.pk, form, section])


def detail_url(submission) -> str:
    return reverse("submissions:detail", args=[submission.pk])


def entry_part(html: str) -> str:
    """The section's own content, without the page header (which has the logout form)."""
    return html.split('id="entry"', 1)[1]


# --- the filler's entry point ------------------------------------------------------------------


def test_filler_entry_point_starts_the_material_and_opens_it(client, definitions, campaign, base, filler):
    client.force_login(filler)
    response = client.get(reverse("submissions:mine"))
    submission = Submission.objects.get(campaign=campaign, base=base)
    assert response.status_code == 302
    assert response.url == detail_url(submission)
    # A second visit opens the same material.
    assert client.get(reverse("submissions:mine")).url == detail_url(submission)
    assert Submission.objects.filter(base=base).count() == 1


def test_entry_point_says_so_when_no_campaign_is_open(client, definitions, campaign, filler):
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    client.force_login(filler)
    response = client.get(reverse("submissions:mine"))
    assert response.status_code == 200
    assert "当前没有正在填报的年度评价" in response.content.decode()
    assert not Submission.objects.exists()


def test_entry_point_says_so_when_the_base_does_not_take_part(client, definitions, campaign, base, filler):
    campaign.bases.remove(base)
    client.force_login(filler)
    response = client.get(reverse("submissions:mine"))
    assert response.status_code == 200
    assert "不在“2022年示范基地发展质量评价”的参评名单中" in response.content.decode()
    assert not Submission.objects.exists()


def test_entry_point_sends_other_roles_home(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("submissions:mine"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")


def test_pages_need_login(client, submission):
    response = client.get(section_url(submission, "一"))
    assert response.status_code == 302
    assert "/login/" in response.url


# --- overview ------------------------------------------------------------------------------------


def test_overview_lists_sections_with_progress_and_counts(client, submission, filler):
    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.1", year=2021, raw="100"),
            CellChange(form="summary", code="1.1a", year=2021, raw="150"),
        ],
    )
    client.force_login(filler)
    response = client.get(detail_url(submission))
    html = response.content.decode()
    assert response.status_code == 200
    assert "国家新型工业化产业示范基地发展情况汇总表（2022年版）" in html
    for title in ("总体发展情况", "示范基地绿色安全发展情况", "示范基地产业规划主要进展情况"):
        assert title in html
    assert "2 / 54" in html  # two of section 一's mandatory cells filled
    assert '<span class="badge err">1</span>' in html  # 其中 exceeds its whole
    assert section_url(submission, "十八") in html
    assert "开始填写" in html


# --- section page per role -------------------------------------------------------------------------


def test_filler_gets_inputs_with_revision_and_server_yoy(client, submission, filler):
    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.1", year=2021, raw="120"),
            CellChange(form="summary", code="1.1", year=2020, raw="100"),
        ],
    )
    client.force_login(filler)
    response = client.get(section_url(submission, "一"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="1.1" data-year="2021" data-revision="1" data-currency="" value="120"' in html
    assert 'data-yoy-year="2021">20.00</td>' in html
    assert "2021 年<br>同比%" in html
    assert "其中：主导产业销售收入" in html
    assert '<option value="USD">美元</option>' in html  # 1.5 currency switch
    assert "js/entry.js" in html


def test_label_variant_optional_and_hidden_items(client, other_submission, other_filler):
    # 苏州 is a software base: 3.2 reads 软件著作权拥有量, 1.2 is optional, 5.5 does not apply.
    client.force_login(other_filler)
    html = client.get(section_url(other_submission, "三")).content.decode()
    assert "3.2 软件著作权拥有量" in html
    assert "规模以上企业有效发明专利数" not in html
    html = client.get(section_url(other_submission, "一")).content.decode()
    assert 'data-code="1.2"' in html and "选填" in html
    html = client.get(section_url(other_submission, "五")).content.decode()
    assert 'data-code="5.5"' not in html


def test_text_yes_no_and_table_items_render(client, submission, filler):
    client.force_login(filler)
    html = client.get(section_url(submission, "十八")).content.decode()
    assert "已输入 <b>0</b> / 500 字" in html
    assert 'type="radio"' in html and "详细情况说明" in html
    assert 'placeholder="示例：xx示范基地采取xx等措施' in html
    assert 'data-code="18.10"' not in html  # only 有色金属、钢铁、化工
    html = client.get(section_url(submission, "十二")).content.decode()
    # Five printed rows and at most five: nothing to add (issue 8).
    assert 'data-kind="table"' in html and "产品5" in html and "＋ 添加一行" not in html
    assert "<option>国际先进</option>" in html


def test_annex_sections_follow_the_base_category(client, other_submission, other_filler):
    client.force_login(other_filler)
    html = client.get(section_url(other_submission, "indicators", form="annex1")).content.decode()
    assert "软件百强企业数量" in html
    assert client.get(section_url(other_submission, "indicators", form="annex2")).status_code == 404


def test_findings_show_at_the_field_on_load(client, submission, filler):
    values_save(
        submission=submission,
        user=filler,
        changes=[
            CellChange(form="summary", code="1.4", year=2021, raw="abc"),
            CellChange(form="summary", code="1.1", year=2021, raw="300"),
            CellChange(form="summary", code="1.1", year=2020, raw="100"),
        ],
    )
    client.force_login(filler)
    html = client.get(section_url(submission, "一")).content.decode()
    assert "2021年 1.4 全部企业数量：请输入数字" in html
    assert 'value="abc"' in html
    assert "同比变化 +200.00%" in html
    assert 'class="explain-form"' in html


@pytest.mark.parametrize("who", ["reviewer", "ministry", "expert"])
def test_readers_see_the_same_pages_without_inputs(client, submission, filler, who, request):
    values_save(
        submission=submission,
        user=filler,
        changes=[CellChange(form="summary", code="1.1", year=2021, raw="120")],
    )
    client.force_login(request.getfixturevalue(who))
    html = client.get(section_url(submission, "一")).content.decode()
    assert "120" in entry_part(html)
    assert "<input" not in entry_part(html) and "<textarea" not in entry_part(html)
    assert '"editable": false' in html
    html = client.get(section_url(submission, "十八")).content.decode()
    assert "<input" not in entry_part(html) and "<textarea" not in entry_part(html)
    overview = client.get(detail_url(submission)).content.decode()
    assert "查看材料" in overview


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin", "auditor", "secadmin"])
def test_outsiders_get_404_for_every_page(client, submission, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail_url(submission)).status_code == 404
    assert client.get(section_url(submission, "一")).status_code == 404


def test_expert_not_assigned_gets_404(client, other_submission, expert):
    client.force_login(expert)
    assert client.get(detail_url(other_submission)).status_code == 404
    assert client.get(section_url(other_submission, "一")).status_code == 404


def test_filler_tampering_with_the_id_gets_404(client, submission, other_submission, filler):
    client.force_login(filler)
    assert client.get(detail_url(other_submission)).status_code == 404
    assert client.get(section_url(other_submission, "一")).status_code == 404
    assert client.get(f"/submissions/{other_submission.pk + 1000}/").status_code == 404


def test_unknown_form_or_section_is_404(client, submission, filler):
    client.force_login(filler)
    assert client.get(section_url(submission, "九十九")).status_code == 404
    assert client.get(section_url(submission, "indicators", form="annex6")).status_code == 404


def test_submitted_material_is_read_only_for_its_filler(client, submission, filler):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    client.force_login(filler)
    html = client.get(section_url(submission, "一")).content.decode()
    assert "<input" not in entry_part(html)
    assert "只读" in html


def test_prev_and_next_links(client, submission, filler):
    client.force_login(filler)
    html = client.get(section_url(submission, "一")).content.decode()
    assert section_url(submission, "基本信息") in html
    assert section_url(submission, "二") in html
    assert "上一部分" in html and "下一部分" in html


def test_the_entry_header_shows_the_deadline_day_as_included(client, submission, filler):
    client.force_login(filler)
    html = client.get(section_url(submission, "一")).content.decode()
    assert "报送截止 2022年8月24日（含）" in html
