"""Word downloads through the permissions package: every member of the cast against a base's report,
an authority's summary and case, and the combined document run as a job on the queue."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from exchange.word_jobs import authority_documents_work
from jobs.models import Job
from jobs.services import job_execute
from reports.models import CaseRecommendation, ProvincialSummary

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OUTSIDERS = ["expert", "sysadmin", "secadmin", "auditor"]


def lines(response) -> list[str]:
    """Each paragraph's text; a title's lines as one."""
    return [
        p.text.replace("\n", "") for p in Document(io.BytesIO(response.content)).paragraphs if p.text.strip()
    ]


@pytest.fixture
def summary(campaign, base) -> ProvincialSummary:
    return ProvincialSummary.objects.create(
        campaign=campaign, authority=base.authority, progress="全省组织开展材料报送。", revision=1
    )


@pytest.fixture
def case(campaign, base) -> CaseRecommendation:
    return CaseRecommendation.objects.create(
        campaign=campaign, authority=base.authority, base=base, title="实施智能制造伙伴计划，加快园区数字化转型",
        background="背景。", practices=[{"lead": "构建生态圈", "content": "汇聚资源。"}], results="成效明显。",
        aspects=["digital"],
    )  # fmt: skip


# --- a base's development report ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["filler", "reviewer", "ministry"])
def test_people_in_scope_download_the_report(client, request, submission, report, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("exchange:report_docx", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert f"{submission.base.name}2021年发展情况报告" in lines(response)
    assert "成效1：工程机械产业集群具有国际竞争力。" in "\n".join(lines(response))


@pytest.mark.parametrize("who", ["other_filler", "other_reviewer", "sysadmin", "auditor"])
def test_the_report_is_not_found_outside_scope(client, request, submission, report, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("exchange:report_docx", args=[submission.pk])).status_code == 404


def test_an_unassigned_expert_gets_404_for_the_report(client, expert, other_submission):
    client.force_login(expert)
    assert client.get(reverse("exchange:report_docx", args=[other_submission.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, submission):
    response = client.get(reverse("exchange:report_docx", args=[submission.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- an authority's summary and cases ---------------------------------------------------------------


def _summary_url(campaign, authority) -> str:
    return reverse("exchange:summary_docx", args=[campaign.pk, authority.pk])


@pytest.mark.parametrize("who", ["reviewer", "ministry"])
def test_the_authority_and_the_ministry_download_the_summary(client, request, campaign, base, summary, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_summary_url(campaign, base.authority))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "全省组织开展材料报送。" in lines(response)


@pytest.mark.parametrize("who", ["filler", "other_reviewer", *OUTSIDERS])
def test_the_summary_is_not_found_for_others(client, request, campaign, base, summary, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_summary_url(campaign, base.authority)).status_code == 404


def test_a_summary_not_yet_written_downloads_as_the_empty_outline(client, reviewer, campaign, base):
    client.force_login(reviewer)
    text = lines(client.get(_summary_url(campaign, base.authority)))
    assert text.count("（未填写）") == 3


@pytest.mark.parametrize("who", ["reviewer", "ministry"])
def test_the_case_downloads_for_its_authority_and_the_ministry(client, request, case, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("exchange:case_docx", args=[case.pk]))
    assert response.status_code == 200
    assert "一是构建生态圈。汇聚资源。" in lines(response)


@pytest.mark.parametrize("who", ["filler", "other_reviewer", *OUTSIDERS])
def test_the_case_is_not_found_for_others(client, request, case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("exchange:case_docx", args=[case.pk])).status_code == 404


# --- the combined document: a job ------------------------------------------------------------------


def _start(client, campaign, authority, django_capture_on_commit_callbacks):
    url = reverse("exchange:authority_docx", args=[campaign.pk, authority.pk])
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url)


@pytest.mark.parametrize("who", ["reviewer", "ministry"])
def test_the_combined_document_is_made_by_a_job_and_downloaded_by_who_started_it(
    client,
    request,
    campaign,
    base,
    summary,
    case,
    submission,
    report,
    who,
    django_capture_on_commit_callbacks,
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = _start(client, campaign, base.authority, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.created_by == user, job.error
    assert "优秀案例1个" in job.summary and "发展情况报告1份" in job.summary
    download = client.get(reverse("jobs:download", args=[job.pk]))
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    text = [p.text.replace("\n", "") for p in document.paragraphs]
    assert "全省组织开展材料报送。" in text and case.title in text
    assert f"{base.name}2021年发展情况报告" in text


@pytest.mark.parametrize("who", ["filler", "other_reviewer", *OUTSIDERS])
def test_nobody_else_may_start_it(client, request, campaign, base, who, django_capture_on_commit_callbacks):
    client.force_login(request.getfixturevalue(who))
    assert _start(client, campaign, base.authority, django_capture_on_commit_callbacks).status_code == 404
    assert not Job.objects.exists()


def test_it_is_a_post(client, reviewer, campaign, base):
    client.force_login(reviewer)
    assert (
        client.get(reverse("exchange:authority_docx", args=[campaign.pk, base.authority.pk])).status_code
        == 405
    )


def test_the_others_job_download_is_not_theirs(
    client, reviewer, ministry, campaign, base, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    _start(client, campaign, base.authority, django_capture_on_commit_callbacks)
    client.force_login(ministry)
    assert client.get(reverse("jobs:download", args=[Job.objects.get().pk])).status_code == 404


def test_a_job_of_a_user_disabled_since_the_click_is_refused(
    client, reviewer, campaign, base, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    job = Job.objects.create(
        kind="exchange.authority_documents", title="t", created_by=reviewer,
        params={"campaign": campaign.pk, "authority": base.authority.pk},
    )  # fmt: skip
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    job_execute(job.pk, authority_documents_work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "无权" in job.error and not job.result_file
