"""Sealed scans: the base's printed 汇总表 and development report bearing its management body's 公章.

The notice (二(二)) requires both documents to carry the seal. A scan is tied to the data fingerprint
of the version it was printed from, so a change to the material after sealing is visible: the scan no
longer matches and must be printed, sealed and uploaded again. Old scans are kept, marked superseded.

An upload is stored at once and its QR codes are read on the task queue (exchange.scan_jobs): while
it is being checked (`CHECKING`) and after it was refused (`REFUSED`) it is not the document's scan;
only an accepted one is (`ACCEPTED`, the live scan being the accepted one not superseded). A refused
upload is kept with its reason, and never displaces the scan accepted before it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobs.models import Job
from lib.fingerprints import short_fingerprint


def scan_upload_to(instance: SealedScan, filename: str) -> str:
    """A random name: the uploader's file name never reaches the file system or a URL."""
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"scans/{uuid.uuid4().hex}.{extension}"


class SealedScanQuerySet(models.QuerySet["SealedScan"]):
    def live(self) -> SealedScanQuerySet:
        """The document's scan: accepted and not replaced since (at most one per material and kind)."""
        return self.filter(superseded_at__isnull=True, check_status=SealedScan.Check.ACCEPTED)

    def pending(self) -> SealedScanQuerySet:
        """Uploads whose check is still to come or running (at most one per material and kind)."""
        return self.filter(superseded_at__isnull=True, check_status=SealedScan.Check.CHECKING)


class SealedScan(models.Model):
    class Kind(models.TextChoices):
        SUMMARY = "summary", "汇总表"
        REPORT = "report", "发展情况报告"

    class Check(models.TextChoices):
        CHECKING = "checking", "正在核验"
        ACCEPTED = "accepted", "已通过核验"
        REFUSED = "refused", "未通过核验"

    submission = models.ForeignKey(
        "submissions.Submission", verbose_name="填报材料", on_delete=models.CASCADE, related_name="scans"
    )
    kind = models.CharField("文件类别", max_length=16, choices=Kind.choices)
    file = models.FileField("扫描件", upload_to=scan_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveBigIntegerField("文件大小（字节）")
    sha256 = models.CharField("文件SHA-256", max_length=64)
    fingerprint = models.CharField(
        "数据指纹", max_length=64, help_text="上传时材料的数据指纹；材料此后被修改则扫描件过期"
    )
    verified_pages = models.PositiveSmallIntegerField(
        "核验页数",
        null=True,
        blank=True,
        help_text="上传时从各页二维码核验到的当前版本页数；为空表示启用二维码核验前上传、未经核验",
    )
    check_status = models.CharField(
        "核验状态",
        max_length=16,
        choices=Check.choices,
        default=Check.ACCEPTED,
        help_text="上传后在后台读取各页二维码核验；只有通过核验的扫描件才算数",
    )
    check_message = models.TextField("未通过核验的原因", blank=True)
    check_job = models.ForeignKey(
        Job, verbose_name="核验任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField("核验时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    superseded_at = models.DateTimeField("被替换时间", null=True, blank=True)

    objects = SealedScanQuerySet.as_manager()

    class Meta:
        verbose_name = "盖章扫描件"
        verbose_name_plural = "盖章扫描件"
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["submission", "kind", "superseded_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind"],
                condition=models.Q(superseded_at__isnull=True, check_status="accepted"),
                name="one_live_scan_per_kind",
            ),
            models.UniqueConstraint(
                fields=["submission", "kind"],
                condition=models.Q(superseded_at__isnull=True, check_status="checking"),
                name="one_pending_scan_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}扫描件 · {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_verified(self) -> bool:
        """Its QR codes showed every page of the version it was stamped with (lib.seals)."""
        return self.check_status == self.Check.ACCEPTED and self.verified_pages is not None

    @property
    def is_checking(self) -> bool:
        return self.check_status == self.Check.CHECKING

    @property
    def is_refused(self) -> bool:
        return self.check_status == self.Check.REFUSED

    @property
    def short_fingerprint(self) -> str:
        return short_fingerprint(self.fingerprint)


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"evidence/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    """A supporting document the notice asks for at an item (附表6: 经营许可证明, 第三方权威机构测试
    报告, 能耗监测及PUE计算拓扑图 …). Checked by the same function as sealed scans; removing one keeps
    the row (removed_at) for the audit trail."""

    submission = models.ForeignKey(
        "submissions.Submission", verbose_name="填报材料", on_delete=models.CASCADE, related_name="evidence"
    )
    form = models.CharField("报表", max_length=32)
    code = models.CharField("指标", max_length=40)
    file = models.FileField("证明材料", upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveBigIntegerField("文件大小（字节）")
    sha256 = models.CharField("文件SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    removed_at = models.DateTimeField("删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["submission", "form", "code"])]

    def __str__(self) -> str:
        return f"{self.code} 证明材料 · {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def printout_upload_to(instance: Printout, filename: str) -> str:
    return f"printouts/{uuid.uuid4().hex}.pdf"


class Printout(models.Model):
    """One version of a printed document (汇总表 or 发展情况报告), rendered once on the task queue and
    then served to whoever prints that version.

    A render takes a second of CPU or more; on deadline day hundreds of bases print within the hour,
    and a web worker that renders holds everyone behind it. The version is its data fingerprint, so a
    page carries exactly the data its QR codes name; an expert's copy (contacts masked) is rendered on
    its own. Only the latest version of each document is kept: an older one is never printed again
    (its scan would be refused as outdated), and the audit trail names every print's fingerprint."""

    class Status(models.TextChoices):
        RENDERING = "rendering", "正在生成"
        READY = "ready", "已生成"
        FAILED = "failed", "生成失败"

    submission = models.ForeignKey(
        "submissions.Submission", verbose_name="填报材料", on_delete=models.CASCADE, related_name="printouts"
    )
    kind = models.CharField("文件类别", max_length=16, choices=SealedScan.Kind.choices)
    fingerprint = models.CharField("数据指纹", max_length=64)
    masked = models.BooleanField("联系方式已遮盖", default=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.RENDERING)
    message = models.TextField("失败原因", blank=True)
    file = models.FileField("打印文件", upload_to=printout_upload_to, max_length=200, blank=True)
    sha256 = models.CharField("文件SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", default=0)
    job = models.ForeignKey(
        Job, verbose_name="生成任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("请求时间", default=timezone.now)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)

    class Meta:
        verbose_name = "打印件"
        verbose_name_plural = "打印件"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind", "fingerprint", "masked"], name="one_printout_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}打印件 · {short_fingerprint(self.fingerprint)}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def short_fingerprint(self) -> str:
        return short_fingerprint(self.fingerprint)
