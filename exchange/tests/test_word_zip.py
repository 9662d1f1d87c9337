"""The zip of Word documents: an authority's reviewer (its own bases) and the ministry (per authority,
or every authority in a folder of its own) get each base's development report, the summary and the
cases as separate .docx files, made by a job on the queue; nobody else starts one."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from docx import Document

from exchange.services import report_fingerprint
from exchange.word_jobs import DOCUMENTS_ZIP, _Names, documents_zip_work, safe_name
from jobs.models import Job
from jobs.services import job_execute
from lib.fingerprints import short_fingerprint
from reports.models import CaseRecommendation, DevelopmentReport, ProvincialSummary
from submissions.services import submission_start

OUTSIDERS = ["expert", "sysadmin", "secadmin", "auditor"]


@pytest.fixture
def summary(campaign, base) -> ProvincialSummary:
    return ProvincialSummary.objects.create(
        campaign=campaign, authority=base.authority, progress="全省组织开展材料报送。", revision=1
    )


@pytest.fixture
def case(campaign, base) -> CaseRecommendation:
    return CaseRecommendation.objects.create(
        campaign=campaign, authority=base.authority, base=base, title="实施智能制造伙伴计划/加快园区数字化转型",
        background="背景。", practices=[{"lead": "构建生态圈", "content": "汇聚资源。"}], results="成效明显。",
    )  # fmt: skip


@pytest.fixture
def sibling_submission(forms_2022, campaign, sibling_base, filler):
    """A base of the same authority that has not written its report."""
    return submission_start(campaign=campaign, base=sibling_base, user=filler)


@pytest.fixture
def other_report(other_submission) -> DevelopmentReport:
    return DevelopmentReport.objects.create(submission=other_submission, overview="苏州概述。", revision=1)


def _start(client, url, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url)


def _authority_url(campaign, authority) -> str:
    return reverse("exchange:authority_docx_zip", args=[campaign.pk, authority.pk])


def _archive(client, job) -> zipfile.ZipFile:
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def _header(data: bytes) -> str:
    return Document(io.BytesIO(data)).sections[0].header.paragraphs[0].text


@pytest.mark.parametrize("who", ["reviewer", "ministry"])
def test_the_authority_and_the_ministry_get_each_document_as_its_own_file(
    client, request, campaign, base, sibling_base, summary, case, submission, report, sibling_submission,
    who, django_capture_on_commit_callbacks,
):  # fmt: skip
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = _start(client, _authority_url(campaign, base.authority), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == DOCUMENTS_ZIP and job.status == Job.Status.DONE and job.created_by == user, job.error
    assert job.total == job.done == 3  # the summary, one case, one written report
    authority = base.authority.name
    assert job.result_name.startswith(f"{authority}2021年示范基地材料_Word_") and job.result_name.endswith(
        ".zip"
    )
    assert "发展情况报告1份（共2个示范基地，1个尚未填写）" in job.summary
    archive = _archive(client, job)
    assert archive.namelist() == [
        f"{authority}2021年开展示范基地工作情况总结.docx",
        f"优秀案例/{base.name}_实施智能制造伙伴计划_加快园区数字化转型.docx",
        f"发展情况报告/{base.name}2021年发展情况报告.docx",
    ]
    report_file = archive.read(f"发展情况报告/{base.name}2021年发展情况报告.docx")
    # The same data version the printed PDF of this report shows.
    assert (
        _header(report_file) == f"{base.name}\t数据版本 {short_fingerprint(report_fingerprint(submission))}"
    )
    assert f"{base.name}2021年发展情况报告" in [
        p.text.replace("\n", "") for p in Document(io.BytesIO(report_file)).paragraphs
    ]
    assert _header(archive.read(archive.namelist()[0])).startswith(f"{authority}\t数据版本 ")
    # The job's page lists every file, and the base whose report is missing.
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "job-progress" in page and f"{base.name}2021年发展情况报告.docx" in page
    assert sibling_base.name in page and "发展情况报告尚未填写" in page


@pytest.mark.parametrize("who", ["filler", "other_filler", "other_reviewer", *OUTSIDERS])
def test_nobody_else_may_start_an_authoritys_zip(
    client, request, campaign, base, summary, report, who, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(who))
    response = _start(client, _authority_url(campaign, base.authority), django_capture_on_commit_callbacks)
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_the_zip_is_a_post(client, reviewer, campaign, base):
    client.force_login(reviewer)
    assert client.get(_authority_url(campaign, base.authority)).status_code == 405


def test_the_ministry_gets_every_authority_in_a_folder_of_its_own(
    client, ministry, campaign, base, other_base, summary, submission, report, other_report,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client.force_login(ministry)
    url = reverse("exchange:national_docx_zip", args=[campaign.pk])
    assert _start(client, url, django_capture_on_commit_callbacks).status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_name.startswith("全国2021年示范基地材料_Word_")
    hunan, jiangsu = base.authority.name, other_base.authority.name
    names = _archive(client, job).namelist()
    assert f"{hunan}/{hunan}2021年开展示范基地工作情况总结.docx" in names
    assert f"{hunan}/发展情况报告/{base.name}2021年发展情况报告.docx" in names
    assert f"{jiangsu}/发展情况报告/{other_base.name}2021年发展情况报告.docx" in names
    assert len(names) == 3


@pytest.mark.parametrize("who", ["reviewer", "filler", "other_reviewer", *OUTSIDERS])
def test_only_the_ministry_zips_the_whole_country(
    client, request, campaign, report, who, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("exchange:national_docx_zip", args=[campaign.pk])
    assert _start(client, url, django_capture_on_commit_callbacks).status_code in (403, 404)
    assert not Job.objects.exists()


def _job(user, **params) -> Job:
    return Job.objects.create(kind=DOCUMENTS_ZIP, title="t", created_by=user, params=params)


def test_a_reviewer_disabled_or_moved_since_the_click_gets_nothing(reviewer, jiangsu, campaign, base, report):
    moved = _job(reviewer, campaign=campaign.pk, authority=base.authority.pk)
    reviewer.authority = jiangsu
    reviewer.save(update_fields=["authority"])
    job_execute(moved.pk, documents_zip_work)
    moved.refresh_from_db()
    assert moved.status == Job.Status.FAILED and "无权" in moved.error and not moved.result_file


def test_a_national_job_of_a_reviewer_is_refused(reviewer, campaign, report, other_report):
    job = _job(reviewer, campaign=campaign.pk, national=True)
    job_execute(job.pk, documents_zip_work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "无权" in job.error and not job.result_file


def test_nothing_written_is_refused_with_the_reason(reviewer, campaign, base, submission):
    job = _job(reviewer, campaign=campaign.pk, authority=base.authority.pk)
    job_execute(job.pk, documents_zip_work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "均尚未填写" in job.error


def test_the_buttons_stand_where_the_combined_document_is_offered(client, reviewer, ministry, campaign, base):
    client.force_login(reviewer)
    page = client.get(reverse("reports:summary_edit", args=[campaign.pk, base.authority.pk])).content.decode()
    assert 'id="authority-docx"' in page and 'id="authority-docx-zip"' in page
    assert _authority_url(campaign, base.authority) in page
    client.force_login(ministry)
    page = client.get(reverse("reports:summary_list", args=[campaign.pk])).content.decode()
    assert 'id="national-docx-zip"' in page
    page = client.get(reverse("reports:summary_edit", args=[campaign.pk, base.authority.pk])).content.decode()
    assert 'id="authority-docx-zip"' in page


# --- names in the archive ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("长沙/株洲\\湘潭", "长沙_株洲_湘潭"),
        ("案例：“智改数转”*?<>|", "案例：“智改数转”_____"),  # full-width colon is not Windows' ':'
        ("a:b", "a_b"),
        ("../..", "_"),
        ("..", "未命名"),
        ("  名\n称\t ", "名 称"),
        ("", "未命名"),
        ("长" * 200, "长" * 80),
    ],
)
def test_names_are_safe_on_every_system(given, safe):
    assert safe_name(given) == safe


def test_names_in_one_archive_are_unique():
    names = _Names()
    assert [names.take("甲/", "长沙示范基地") for _ in range(3)] == [
        "甲/长沙示范基地.docx",
        "甲/长沙示范基地（2）.docx",
        "甲/长沙示范基地（3）.docx",
    ]
    assert names.take("乙/", "长沙示范基地") == "乙/长沙示范基地.docx"
    assert names.take("", "Report") == "Report.docx" and names.take("", "report") == "report（2）.docx"


def test_two_bases_whose_names_read_alike_once_made_safe_get_two_files(
    client, reviewer, campaign, base, sibling_base, submission, report, sibling_submission,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    base.name, sibling_base.name = "长沙/株洲示范基地", "长沙_株洲示范基地"
    base.save(update_fields=["name"])
    sibling_base.save(update_fields=["name"])
    DevelopmentReport.objects.create(submission=sibling_submission, overview="概述。", revision=1)
    client.force_login(reviewer)
    _start(client, _authority_url(campaign, base.authority), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.error
    archive = _archive(client, job)
    stem = "发展情况报告/长沙_株洲示范基地2021年发展情况报告"
    assert archive.namelist() == [f"{stem}.docx", f"{stem}（2）.docx"]
    # Each file is still its own base's: the header says whose.
    assert {_header(archive.read(n)).split("\t")[0] for n in archive.namelist()} == {
        base.name,
        sibling_base.name,
    }
