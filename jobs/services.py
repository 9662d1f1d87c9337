"""Starting background work and recording its progress and outcome.

A job is started by a view with `job_start` (the row is created, then its huey task is enqueued once
the row is committed). The task calls `job_execute` with the work function, which reports progress
through a `Progress` and returns a `JobOutput`. Work that cannot be done raises `JobRefused` with a
Chinese reason; any other exception is recorded as a failure too. Work that changes data does so in
one transaction at its end, so a failed job has changed nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from jobs.models import Job, JobFile

logger = logging.getLogger(__name__)


class JobRefused(Exception):
    """The work cannot be done; the message (Chinese) is shown to the user as the reason."""


@dataclass
class JobOutput:
    summary: str = ""
    outcome: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # a file the work wrote; moved into storage and deleted afterwards
    content: bytes | None = None
    name: str = ""
    content_type: str = "application/octet-stream"


class Progress:
    """What the work reports while it runs. Written at once (outside the work's transactions)."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def start(self, total: int, step: str = "") -> None:
        self.job.total, self.job.done, self.job.step = total, 0, step[:300]
        Job.objects.filter(pk=self.job.pk).update(total=total, done=0, step=self.job.step)

    def advance(self, step: str = "", by: int = 1) -> None:
        self.job.done = min(self.job.done + by, self.job.total or self.job.done + by)
        self.job.step = step[:300] or self.job.step
        Job.objects.filter(pk=self.job.pk).update(done=self.job.done, step=self.job.step)

    def step(self, step: str) -> None:
        self.job.step = step[:300]
        Job.objects.filter(pk=self.job.pk).update(step=self.job.step)


Work = Callable[[Job, Progress], JobOutput]


def job_start(
    *,
    kind: str,
    title: str,
    user: User,
    task: Callable[[int], Any],
    params: dict[str, Any] | None = None,
    files: Iterable[UploadedFile] = (),
) -> Job:
    """Record a job and enqueue its task once the row (and its input files) are committed, so a
    consumer on another machine always finds them."""
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title[:200], created_by=user, params=params or {})
        names = []
        for upload in files:
            names.append(_display_name(upload.name or ""))
            item = JobFile(job=job, original_name=_display_name(upload.name or ""), size=upload.size or 0)
            item.file.save("input", upload, save=False)
            item.save()
        event_record(
            actor=user,
            action="job.start",
            summary=f"发起后台任务：{job.title}",
            target=job,
            data={"kind": kind, "params": job.params, "files": names},
        )
        transaction.on_commit(lambda: task(job.pk))
    return job


def job_download_record(*, job: Job, user: User) -> None:
    """A job's result file (an export, a document zip, an import report) leaves the system: audited."""
    event_record(
        actor=user,
        action="job.download",
        summary=f"下载后台任务结果：{job.title}（{job.result_name}）",
        target=job,
        data={"kind": job.kind, "name": job.result_name},
    )


def _display_name(name: str) -> str:
    return os.path.basename(name.replace("\\", "/"))[-200:] or "文件"


def job_execute(job_id: int, work: Work) -> None:
    """Run `work` for a queued job and record how it ended. A job already started (a redelivered
    task) is left alone."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.select_related("created_by").get(pk=job_id)
    try:
        output = work(job, Progress(job))
    except JobRefused as exc:
        _fail(job, str(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, f"任务执行出错（{type(exc).__name__}: {exc}），未做任何修改。请稍后重试或联系系统管理员。")
    else:
        _finish(job, output)
    finally:
        for item in JobFile.objects.filter(job_id=job_id):
            item.file.delete(save=False)


def _fail(job: Job, reason: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=reason, finished_at=timezone.now(), step=""
    )


def _finish(job: Job, output: JobOutput) -> None:
    job.refresh_from_db()
    job.status, job.finished_at, job.step = Job.Status.DONE, timezone.now(), ""
    job.summary, job.outcome = output.summary[:300], output.outcome
    fields = ["status", "finished_at", "step", "summary", "outcome", "done"]
    job.done = job.total
    if output.path is not None or output.content is not None:
        job.result_name, job.result_type = output.name, output.content_type
        if output.path is not None:
            with open(output.path, "rb") as handle:
                job.result_file.save("result", File(handle), save=False)
            os.unlink(output.path)
        else:
            job.result_file.save("result", ContentFile(output.content or b""), save=False)
        fields += ["result_file", "result_name", "result_type"]
    job.save(update_fields=fields)
