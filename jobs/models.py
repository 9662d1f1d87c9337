"""Background work a user started (bulk import, exports, document zips): its progress and outcome.

The work itself runs on the task queue (huey); this row is what the pages read while it runs and
after it ends. Progress and status are written outside any transaction the work holds, so a page
polling it sees them at once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def job_result_to(instance: Job, filename: str) -> str:
    # A random name: neither a base's name nor a user's file name reaches the file system.
    return f"jobs/results/{uuid.uuid4().hex}"


def job_input_to(instance: JobFile, filename: str) -> str:
    return f"jobs/inputs/{uuid.uuid4().hex}"


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("任务类型", max_length=32)
    title = models.CharField("任务", max_length=200)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成数", default=0)
    step = models.CharField("当前步骤", max_length=300, blank=True)
    error = models.TextField("失败原因", blank=True)
    summary = models.CharField("结果摘要", max_length=300, blank=True)
    outcome = models.JSONField("结果明细", default=dict, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    result_file = models.FileField("结果文件", upload_to=job_result_to, max_length=200, blank=True)
    result_name = models.CharField("结果文件名", max_length=200, blank=True)
    result_type = models.CharField("结果文件类型", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="jobs"
    )
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, round(self.done * 100 / self.total)) if self.total else 0


class JobFile(models.Model):
    """A file handed to a job (e.g. one of many templates of a bulk import), kept until it ran."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=job_input_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveBigIntegerField("文件大小（字节）")

    class Meta:
        verbose_name = "任务文件"
        verbose_name_plural = "任务文件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
