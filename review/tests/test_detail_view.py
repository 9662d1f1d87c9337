"""The authority's review detail: read-only material, changes since the return first, explanation
verdicts, return with field comments, approve; every other role and authority is kept out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import FieldComment
from review.services import review_return, submission_submit
from review.tests.conftest import cell, reload, rescan
from submissions.models import WarningExplanation

pytestmark = pytest.mark.django_db


def url(s) -> str:
    return reverse("review:detail", args=[s.pk])


def test_the_reviewer_sees_the_material_and_the_actions(client, reviewer, submitted):
    client.force_login(reviewer)
    html = client.get(url(submitted)).content.decode()
    assert submitted.base.name in html
    assert reverse("submissions:detail", args=[submitted.pk]) in html
    assert reverse("reports:report_edit", args=[submitted.pk]) in html
    assert reverse("exchange:scans", args=[submitted.pk]) in html
    assert 'id="approve-button"' in html and 'id="return-button"' in html
    assert 'value="summary|1.1|2021"' in html  # fields to comment on
    assert "流转记录" in html


def test_the_reviewer_returns_with_field_comments(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(
        url(submitted),
        {
            "action": "return",
            "comment": "请核实。",
            "note_field": ["summary|1.1|2021", "", "summary|13.1|0"],
            "note_text": ["偏高", "", "请补充"],
        },
    )
    assert response.status_code == 302
    assert reload(submitted).status == "returned"
    assert sorted(FieldComment.objects.values_list("code", "text")) == [("1.1", "偏高"), ("13.1", "请补充")]


def test_a_return_with_nothing_written_keeps_the_input_and_says_why(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(
        url(submitted),
        {"action": "return", "comment": "", "note_field": ["summary|1.1|2021"], "note_text": [""]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "未填写意见内容" in html
    assert 'value="summary|1.1|2021" selected' in html
    assert reload(submitted).status == "submitted"


def test_a_tampered_field_code_is_refused(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(
        url(submitted),
        {"action": "return", "comment": "x", "note_field": ["summary|99|0"], "note_text": ["x"]},
    )
    assert response.status_code == 400 and "指标不存在" in response.content.decode()
    assert reload(submitted).status == "submitted"


def test_the_reviewer_approves(client, reviewer, submitted):
    client.force_login(reviewer)
    response = client.post(url(submitted), {"action": "approve", "comment": "同意"}, follow=True)
    assert reload(submitted).status == "approved"
    assert "初审通过，已报送规划司" in response.content.decode()


def test_resubmitted_material_shows_only_what_changed_first(client, reviewer, returned, filler):
    cell(returned, filler, "1.1", 2021, "112")
    rescan(returned, filler)
    submission_submit(submission=returned, user=filler)
    client.force_login(reviewer)
    html = client.get(url(returned)).content.decode()
    assert "自上次退回" in html
    changes = html[html.index('id="changes"') : html.index("</section>", html.index('id="changes"'))]
    assert (
        "1.1 销售收入 · 2021年" in changes and "110" in changes and "112" in changes and "张填报" in changes
    )
    assert "2020年" not in changes  # untouched cells are not listed
    assert html.index('id="changes"') < html.index('id="explanations"')


def test_explanations_are_decided_from_the_page(client, reviewer, with_warning, filler):
    submission_submit(submission=with_warning, user=filler)
    explanation = with_warning.explanations.get()
    client.force_login(reviewer)
    html = client.get(url(with_warning)).content.decode()
    assert "新项目投产带动增长。" in html and "待审核" in html
    assert "disabled" in html[html.index('id="approve-button"') - 5 : html.index('id="approve-button"') + 60]
    decide = reverse("review:explanation_decide", args=[explanation.pk])
    response = client.post(decide, {"decision": "no", "comment": ""}, follow=True)
    assert "不认可情况说明时请填写理由" in response.content.decode()
    client.post(decide, {"decision": "no", "comment": "依据不足"})
    assert WarningExplanation.objects.get(pk=explanation.pk).verdict == "rejected"
    client.post(decide, {"decision": "yes"})
    assert WarningExplanation.objects.get(pk=explanation.pk).verdict == "accepted"
    client.post(url(with_warning), {"action": "approve"})
    assert reload(with_warning).status == "approved"


@pytest.mark.parametrize("who", ["other_reviewer", "other_filler", "sysadmin", "auditor"])
def test_other_authorities_and_operators_get_404_even_guessing_the_id(client, request, submitted, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(submitted)).status_code == 404
    assert client.post(url(submitted), {"action": "approve"}).status_code == 404
    assert reload(submitted).status == "submitted"


def test_other_authority_cannot_decide_an_explanation(client, other_reviewer, with_warning, filler):
    submission_submit(submission=with_warning, user=filler)
    explanation = with_warning.explanations.get()
    client.force_login(other_reviewer)
    response = client.post(reverse("review:explanation_decide", args=[explanation.pk]), {"decision": "yes"})
    assert response.status_code == 404
    assert WarningExplanation.objects.get(pk=explanation.pk).verdict == "pending"


def test_the_filler_is_sent_to_the_submit_page_and_cannot_act(client, filler, submitted):
    client.force_login(filler)
    response = client.get(url(submitted))
    assert response.status_code == 302 and response.url == reverse("review:submit", args=[submitted.pk])
    client.post(url(submitted), {"action": "approve"})
    assert reload(submitted).status == "submitted"


def test_the_ministry_reads_without_the_authority_actions(client, ministry, submitted):
    client.force_login(ministry)
    html = client.get(url(submitted)).content.decode()
    assert submitted.base.name in html and 'id="approve-button"' not in html
    assert client.post(url(submitted), {"action": "approve"}).status_code == 403
    assert reload(submitted).status == "submitted"


def test_the_ministry_is_led_from_approved_material_to_its_acceptance_page(client, ministry, approved):
    client.force_login(ministry)
    html = client.get(url(approved)).content.decode()
    assert 'id="to-ministry-detail"' in html and "待部级受理" in html
    assert reverse("review:ministry_detail", args=[approved.pk]) in html


def test_the_reviewer_is_not_offered_the_acceptance(client, reviewer, approved):
    client.force_login(reviewer)
    assert 'id="to-ministry-detail"' not in client.get(url(approved)).content.decode()


def test_the_ministry_is_not_offered_the_acceptance_before_approval(client, ministry, submitted):
    client.force_login(ministry)
    assert 'id="to-ministry-detail"' not in client.get(url(submitted)).content.decode()


def test_an_expert_may_not_use_the_review_page(client, expert, submitted):
    client.force_login(expert)
    assert client.get(url(submitted)).status_code == 403


def test_approved_material_has_no_actions(client, reviewer, approved):
    client.force_login(reviewer)
    html = client.get(url(approved)).content.decode()
    assert 'id="approve-button"' not in html and "初审通过" in html


def test_a_return_after_another_reviewer_approved_is_a_message(client, reviewer, submitted):
    from review.services import review_approve

    client.force_login(reviewer)
    review_approve(submission=submitted, user=reviewer)  # someone else was faster
    response = client.post(url(submitted), {"action": "return", "comment": "x"})
    assert response.status_code == 400 and "不能进行此操作" in response.content.decode()
    assert reload(submitted).status == "approved"


def test_field_comments_stay_listed_for_the_reviewer_after_return(client, reviewer, submitted):
    from review.services import FieldNote

    review_return(
        submission=submitted,
        user=reviewer,
        comment="改",
        field_notes=[FieldNote("summary", "1.1", 2020, "偏低")],
    )
    client.force_login(reviewer)
    html = client.get(url(submitted)).content.decode()
    assert "偏低" in html and "等待基地修改后重新提交" in html


def test_a_return_comment_on_a_part_of_the_report_reaches_the_report_page(
    client, reviewer, filler, submitted
):
    client.force_login(reviewer)
    response = client.post(
        url(submitted),
        {
            "action": "return",
            "comment": "报告需补充",
            "note_field": "report|highlights|0",
            "note_text": "亮点请量化",
        },
    )
    assert response.status_code == 302
    assert reload(submitted).status == "returned"
    client.force_login(filler)
    body = client.get(reverse("reports:report_edit", args=[submitted.pk])).content.decode()
    assert "退回意见：</b>亮点请量化" in body
    overview = client.get(reverse("submissions:detail", args=[submitted.pk])).content.decode()
    assert f'href="{reverse("reports:report_edit", args=[submitted.pk])}#highlights"' in overview
    assert "发展情况报告 · 二、发展亮点和成效" in overview
