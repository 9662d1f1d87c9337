"""The report editor page: the base's filler edits, those who may see the base read, others get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import DevelopmentReport
from reports.services import OVERVIEW_MAX, report_save
from submissions.models import Submission


def url(submission: Submission) -> str:
    return reverse("reports:report_edit", kwargs={"submission_pk": submission.pk})


def post_data(revision: int = 0, **changes: str) -> dict:
    data = {
        "revision": str(revision),
        "overview": "示范基地概述",
        "highlights_lead": ["成效一", "成效二", "成效三"],
        "highlights_content": ["内容一", "内容二", "内容三"],
        "practices_lead": ["经验一", "经验二", "经验三", ""],
        "practices_content": ["内容一", "内容二", "内容三", ""],
        "problems": "问题及建议",
    }
    data.update(changes)
    return data


def test_the_filler_sees_the_editor_with_guidance(client, filler, submission):
    client.force_login(filler)
    response = client.get(url(submission))
    assert response.status_code == 200
    assert response.templates[0].name == "reports/report_edit.html"
    body = response.content.decode()
    assert "重点介绍示范基地的总体特点" in body
    assert "（样例）成效1" in body
    assert 'name="highlights_lead"' in body
    # “300字左右” is a target, not a limit (issue 8): no hard limit on the page.
    assert 'data-target="300"' in body and 'data-limit="600"' not in body


def test_the_filler_saves_and_the_report_is_complete(client, filler, submission):
    client.force_login(filler)
    response = client.post(url(submission), post_data(), follow=True)
    report = DevelopmentReport.objects.get(submission=submission)
    assert report.revision == 1
    assert report.practices == [
        {"lead": "经验一", "content": "内容一"},
        {"lead": "经验二", "content": "内容二"},
        {"lead": "经验三", "content": "内容三"},
    ]
    assert "报告内容已完整" in response.content.decode()


def test_an_incomplete_save_is_kept_with_a_warning(client, filler, submission):
    client.force_login(filler)
    response = client.post(url(submission), post_data(problems=""), follow=True)
    assert DevelopmentReport.objects.get().revision == 1
    assert "还有1处待补充" in response.content.decode()


def test_over_the_limit_is_refused_and_the_text_is_kept(client, filler, submission):
    client.force_login(filler)
    long_text = "长" * (OVERVIEW_MAX + 5)
    response = client.post(url(submission), post_data(overview=long_text, problems="我写的建议"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"已输入{OVERVIEW_MAX + 5}字" in body
    assert long_text in body
    assert "我写的建议" in body
    assert not DevelopmentReport.objects.exists()


def _stale_save(client, filler, submission):
    """Someone saved version 1 while the user's page still had 0; the user's save of 0 then."""
    report_save(
        submission=submission,
        user=filler,
        revision=0,
        overview="别人保存的概述",
        highlights=[],
        practices=[],
        problems="",
    )
    client.force_login(filler)
    return client.post(url(submission), post_data(revision=0, overview="我刚输入的概述"))


def test_a_stale_save_is_refused_keeping_the_users_text_and_showing_the_other(client, filler, submission):
    response = _stale_save(client, filler, submission)
    assert response.status_code == 200
    body = response.content.decode()
    assert "保存失败" in body and "被张填报修改" in body
    assert "我刚输入的概述" in body
    assert "别人保存的概述" in body
    assert 'name="revision" value="1"' in body
    assert DevelopmentReport.objects.get().overview == "别人保存的概述"


@pytest.mark.parametrize("who", ["reviewer", "ministry", "expert"])
def test_those_who_see_the_base_read_it_without_editor(client, request, submission, filler, who):
    report_save(
        submission=submission,
        user=filler,
        revision=0,
        overview="概述正文",
        highlights=[],
        practices=[],
        problems="",
    )
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(submission))
    assert response.status_code == 200
    assert response.templates[0].name == "reports/report_detail.html"
    assert "概述正文" in response.content.decode()
    assert 'name="overview"' not in response.content.decode()


@pytest.mark.parametrize("who", ["reviewer", "ministry", "expert"])
def test_readers_posting_are_forbidden(client, request, submission, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(url(submission), post_data()).status_code == 403
    assert not DevelopmentReport.objects.exists()


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin", "secadmin", "auditor"])
def test_other_bases_authorities_and_operators_get_404(client, request, submission, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(submission)).status_code == 404
    assert client.post(url(submission), post_data()).status_code == 404
    assert not DevelopmentReport.objects.exists()


def test_a_filler_of_a_sibling_base_gets_404(client, filler, sibling_submission):
    client.force_login(filler)
    assert client.get(url(sibling_submission)).status_code == 404


def test_an_expert_not_assigned_gets_404(client, expert, sibling_submission):
    client.force_login(expert)
    assert client.get(url(sibling_submission)).status_code == 404


def test_an_unknown_submission_is_404(client, filler, submission):
    client.force_login(filler)
    assert client.get(reverse("reports:report_edit", kwargs={"submission_pk": 999999})).status_code == 404


def test_after_submission_the_filler_reads_and_cannot_post(client, filler, submission):
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    client.force_login(filler)
    assert client.get(url(submission)).templates[0].name == "reports/report_detail.html"
    response = client.post(url(submission), post_data(), follow=True)
    assert "不能修改发展情况报告" in response.content.decode()
    assert not DevelopmentReport.objects.exists()


def test_anonymous_is_sent_to_login(client, submission):
    response = client.get(url(submission))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_index_lists_the_fillers_report(client, filler, submission, other_submission):
    client.force_login(filler)
    body = client.get(reverse("reports:index")).content.decode()
    assert submission.base.name in body
    assert other_submission.base.name not in body


def test_a_sixth_aspect_and_a_long_overview_save_with_guidance(client, filler, submission):
    # Issue 8: “约300字/200字左右” and “3-5个方面” never block a draft save; the page says how far off it is.
    client.force_login(filler)
    data = post_data(
        overview="长" * 700,
        practices_lead=[f"经验{i}" for i in range(6)],
        practices_content=["内" * 200] * 6,
    )
    response = client.post(url(submission), data, follow=True)
    report = DevelopmentReport.objects.get()
    assert len(report.practices) == 6 and len(report.overview) == 700
    body = response.content.decode()
    assert "一、示范基地发展概述：通知要求300字左右，现为700字。" in body
    assert "三、示范性做法和经验：通知要求总结3-5个方面，现有6个，提交前请调整。" in body


def test_the_autosave_answers_in_json_with_the_new_revision(client, filler, submission):
    client.force_login(filler)
    response = client.post(url(submission), post_data(), headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and data["revision"] == 1 and data["problems"] == 0
    assert DevelopmentReport.objects.get(submission=submission).overview == "示范基地概述"


def test_the_autosave_never_overwrites_a_newer_version(client, filler, submission):
    client.force_login(filler)
    client.post(url(submission), post_data(), headers={"X-Requested-With": "fetch"})
    response = client.post(
        url(submission), post_data(overview="旧页面的内容"), headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 409 and response.json()["stale"]
    assert DevelopmentReport.objects.get(submission=submission).overview == "示范基地概述"


def test_the_editor_keeps_the_materials_tab_bar(client, filler, submission):
    client.force_login(filler)
    body = client.get(url(submission)).content.decode()
    assert 'class="material-tabs"' in body and "data-autosave" in body


def test_after_a_stale_save_the_page_pauses_its_autosave_until_the_user_saves_knowingly(
    client, filler, submission
):
    body = _stale_save(client, filler, submission).content.decode()
    # The page carries the other's revision: an autosave from it would overwrite every field of theirs
    # the user never looked at, so it has none; only the button saves, saying what it overwrites.
    assert "data-autosave" not in body
    assert "自动保存已暂停" in body and "保存（覆盖对方的第1版）" in body
    plain = client.get(url(submission)).content.decode()
    assert "data-autosave" in plain and "自动保存已开启" in plain and "自动保存已暂停" not in plain
