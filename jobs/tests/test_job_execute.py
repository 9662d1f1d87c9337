"""Running background work: progress, outcome, failures that say why and change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY, db_task

from audit.models import Event
from jobs.models import Job, JobFile
from jobs.services import JobOutput, JobRefused, Progress, job_execute, job_start
from registry.models import Base

seen: dict[str, object] = {}


def _count_work(job: Job, progress: Progress) -> JobOutput:
    progress.start(3, "开始")
    for i in range(3):
        seen.setdefault("percents", []).append(Job.objects.get(pk=job.pk).percent)  # type: ignore[union-attr]
        progress.advance(f"第 {i + 1} 项")
    seen["inputs"] = [f.file.read() for f in job.files.all()]
    return JobOutput(summary="共 3 项", content="结果".encode(), name="结果.txt", content_type="text/plain")


def _refusing_work(job: Job, progress: Progress) -> JobOutput:
    Base.objects.update(name="被改掉的名称")
    raise JobRefused("文件不是有效的 Excel 工作簿。")


def _crashing_work(job: Job, progress: Progress) -> JobOutput:
    raise RuntimeError("磁盘已满")


@db_task()
def count_task(job_id: int) -> None:
    job_execute(job_id, _count_work)


def test_tests_run_tasks_immediately():
    assert HUEY.immediate


def test_it_records_progress_outcome_and_result_file(filler, django_capture_on_commit_callbacks):
    seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="demo", title="演示任务", user=filler, task=count_task,
            files=[SimpleUploadedFile("a.xlsx", b"first")],
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert seen["percents"] == [0, 33, 67]
    assert seen["inputs"] == [b"first"]
    assert job.summary == "共 3 项"
    assert job.result_file.read().decode() == "结果"
    assert job.result_name == "结果.txt"
    # input files are removed once the job ran
    assert not JobFile.objects.get(job=job).file.storage.exists(JobFile.objects.get(job=job).file.name)
    started = Event.objects.get(action="job.start")
    assert (started.actor, started.target_id, started.data["files"]) == (filler, str(job.pk), ["a.xlsx"])


def test_a_refused_job_says_why(filler):
    job = Job.objects.create(kind="demo", title="演示", created_by=filler)
    job_execute(job.pk, _refusing_work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "文件不是有效的 Excel 工作簿。"


def test_a_crashing_job_fails_with_the_reason_in_chinese(filler):
    job = Job.objects.create(kind="demo", title="演示", created_by=filler)
    job_execute(job.pk, _crashing_work)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "任务执行出错" in job.error and "磁盘已满" in job.error and "未做任何修改" in job.error
    assert job.finished_at is not None


def test_a_redelivered_task_does_not_run_twice(filler):
    seen.clear()
    job = Job.objects.create(kind="demo", title="演示", created_by=filler, status=Job.Status.DONE)
    job_execute(job.pk, _count_work)
    assert "percents" not in seen


@pytest.mark.parametrize(
    ("url", "cls", "key", "value"),
    [
        ("redis://10.0.0.5:6379/2", "huey.RedisHuey", "url", "redis://10.0.0.5:6379/2"),
        ("sqlite:////var/lib/sfjd/huey.db", "huey.SqliteHuey", "filename", "/var/lib/sfjd/huey.db"),
    ],
)
def test_the_queue_is_configured_from_huey_url(url, cls, key, value):
    from config.settings.base import _huey_settings

    config = _huey_settings(url, 3)
    assert config["huey_class"] == cls and config[key] == value
    assert config["immediate"] is False and config["consumer"]["workers"] == 3


def test_a_bad_huey_url_stops_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from config.settings.base import _huey_settings

    with pytest.raises(ImproperlyConfigured, match="HUEY_URL"):
        _huey_settings("amqp://x", 1)
