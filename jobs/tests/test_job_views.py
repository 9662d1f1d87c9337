"""A job's page, its polled state and its result file: only for who started it."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import Event
from jobs.models import Job

ROLES = ["filler", "other_filler", "reviewer", "other_reviewer", "ministry", "expert", "sysadmin", "auditor"]


@pytest.fixture
def job(reviewer) -> Job:
    job = Job.objects.create(
        kind="export", title="全国汇总导出", created_by=reviewer, status=Job.Status.DONE, total=4, done=4,
        summary="共 4 个示范基地", result_name="汇总.xlsx", result_type="text/plain",
    )  # fmt: skip
    job.result_file.save("r", ContentFile(b"data"))
    return job


def test_the_owner_sees_progress_and_downloads(client, reviewer, job):
    client.force_login(reviewer)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "全国汇总导出" in text and "已完成" in text and "下载结果文件" in text
    assert 'value="100"' in text
    state = client.get(reverse("jobs:state", args=[job.pk])).json()
    assert state["finished"] and state["percent"] == 100 and state["download"]
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(download.streaming_content) == b"data"
    assert download["Cache-Control"] == "private, no-store"
    event = Event.objects.get(action="job.download")
    assert (event.actor, event.target_id, event.data["name"]) == (reviewer, str(job.pk), "汇总.xlsx")


def test_a_running_job_shows_its_bar(client, reviewer):
    job = Job.objects.create(
        kind="export",
        title="导出",
        created_by=reviewer,
        status=Job.Status.RUNNING,
        total=10,
        done=4,
        step="第 4 个",
    )
    client.force_login(reviewer)
    state = client.get(reverse("jobs:state", args=[job.pk])).json()
    assert (state["percent"], state["finished"], state["step"]) == (40, False, "第 4 个")
    assert 'data-finished="0"' in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


def test_a_failed_job_shows_why(client, reviewer):
    job = Job.objects.create(
        kind="import", title="批量导入", created_by=reviewer, status=Job.Status.FAILED, error="压缩包已损坏。"
    )
    client.force_login(reviewer)
    assert (
        "失败原因：<span>压缩包已损坏。" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    )


@pytest.mark.parametrize("role", [r for r in ROLES if r != "reviewer"])
@pytest.mark.parametrize("name", ["jobs:detail", "jobs:state", "jobs:download"])
def test_it_refuses_everyone_else(client, request, job, role, name):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_the_list_shows_only_my_jobs(client, reviewer, other_reviewer, job, django_assert_max_num_queries):
    Job.objects.create(kind="export", title="别人的任务", created_by=other_reviewer)
    client.force_login(reviewer)
    with django_assert_max_num_queries(8):
        text = client.get(reverse("jobs:list")).content.decode()
    assert "全国汇总导出" in text and "别人的任务" not in text


def test_anonymous_is_sent_to_login(client, job):
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 302
