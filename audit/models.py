"""The audit trail: every action of consequence is an event, chained by a keyed hash so tampering shows.

Events are append-only through the application: the model and its querysets refuse updates and
deletes (only `audit_purge`, for records past the retention period, removes rows). Each event carries
its place in the chain (`seq`), the HMAC-SHA256 of its content and of the previous event's hash, and
`ChainHead` holds the newest link; writers lock that one row, so concurrent writers cannot fork it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit event through the application."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("审计记录只能追加，不能修改或删除。")


class EventQuerySet(models.QuerySet):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        # Every row must be chained by audit.services.event_record.
        raise AppendOnlyError("审计记录只能通过 event_record 逐条追加。")


class Event(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        REFUSED = "refused", "拒绝/失败"

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # DO_NOTHING without a database constraint: removing a user, base or authority must not rewrite
    # the events that name it (that would break their hashes); the id stays as recorded.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )  # fmt: skip
    actor_name = models.CharField("操作人姓名", max_length=80, blank=True)
    actor_username = models.CharField("操作人账号", max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    outcome = models.CharField(
        "结果", max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS, db_index=True
    )
    summary = models.CharField("摘要", max_length=300)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    base = models.ForeignKey(
        "registry.Base",
        verbose_name="示范基地",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    authority = models.ForeignKey(
        "registry.Authority", verbose_name="省级主管部门", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )  # fmt: skip
    data = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity, not business logic: an event is written once and never rewritten.
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class ChainHead(models.Model):
    """The newest link of the chain, a single row (pk 1) that every writer locks before appending."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    # After a purge the oldest kept event links to this hash instead of to "".
    purged_through_seq = models.PositiveBigIntegerField(default=0)
    purged_through_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
