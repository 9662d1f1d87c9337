"""The review trail: every status change of a base's material, field comments on returns,
signed-off snapshots, in-system messages and reminders. Requests to reopen a closed deadline live in
the registry (registry.models.ReopenRequest), beside the campaign whose deadline they extend."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Transition(models.Model):
    """One status change of a Submission: who moved it, when, why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        RETURN = "return", "省级退回"
        APPROVE = "approve", "初审通过"
        ACCEPT = "accept", "部级受理"
        MINISTRY_RETURN = "ministry_return", "部级退回"

    submission = models.ForeignKey(
        "submissions.Submission",
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name="填报材料",
    )
    action = models.CharField("操作", max_length=32, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=16)
    to_status = models.CharField("新状态", max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    comment = models.TextField("意见", blank=True)
    is_late = models.BooleanField("逾期", default=False)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class FieldComment(models.Model):
    """A reviewer's comment on one field, attached to a return; shown to the filler at that field."""

    transition = models.ForeignKey(Transition, on_delete=models.CASCADE, related_name="field_comments")
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="field_comments"
    )
    form = models.CharField("报表", max_length=32)
    code = models.CharField("指标代码", max_length=32)
    year = models.PositiveSmallIntegerField("年度", default=0)
    text = models.TextField("意见")

    class Meta:
        verbose_name = "字段意见"
        verbose_name_plural = "字段意见"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.form}:{self.code} {self.text[:20]}"


class Snapshot(models.Model):
    """What the ministry signed off: the material's data frozen and hashed. A later correction that is
    accepted again makes a new version linked to the one it replaces."""

    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.PROTECT, related_name="snapshots", verbose_name="填报材料"
    )
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("数据")
    sha256 = models.CharField("数据哈希", max_length=64)
    pdf = models.BinaryField("PDF", null=True, blank=True)
    pdf_sha256 = models.CharField("PDF哈希", max_length=64, blank=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="受理人",
    )
    accepted_at = models.DateTimeField("受理时间", default=timezone.now)

    class Meta:
        verbose_name = "受理快照"
        verbose_name_plural = "受理快照"
        ordering = ["submission", "version"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "version"], name="snapshot_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.version}"


class Notification(models.Model):
    """A message to one user inside the system; the same text is also e-mailed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class Reminder(models.Model):
    """One 催报 message to one person. Kept so nobody is reminded twice within the configured interval
    (REMINDER_MIN_INTERVAL_HOURS) and so the automatic run knows what it already sent."""

    class Kind(models.TextChoices):
        MANUAL = "manual", "人工催报"
        AUTO = "auto", "自动催报"
        ESCALATION = "escalation", "逾期提醒省级"

    campaign = models.ForeignKey(
        "registry.Campaign", on_delete=models.CASCADE, related_name="reminders", verbose_name="年度评价"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name="接收人"
    )
    base = models.ForeignKey(
        "registry.Base",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name="示范基地",
    )
    authority = models.ForeignKey(
        "registry.Authority",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name="省级主管部门",
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="催报人",
    )
    sent_at = models.DateTimeField("催报时间", default=timezone.now)
    note = models.TextField("附言", blank=True)

    class Meta:
        verbose_name = "催报记录"
        verbose_name_plural = "催报记录"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "sent_at"]),
            models.Index(fields=["campaign", "base", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recipient} {self.sent_at:%Y-%m-%d %H:%M}"
