"""Every change made in Django's admin (运维管理界面) is an audit event, beside Django's own LogEntry.

Django's admin log is a plain table anyone with database access can edit and the auditor cannot
search; the admin classes mix this in (through `permissions.admin.RulesAdminMixin`, which every one
of them uses), so an addition, a change or a deletion is also chained into the audit trail, in the
same transaction as the change itself.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.admin.models import LogEntry
from django.http import HttpRequest

from audit.services import event_record

VERBS = {"admin.add": "新增", "admin.change": "修改", "admin.delete": "删除"}


def _described(message: Any) -> str:
    """Django's change message (a list of dicts) as the admin shows it, in Chinese."""
    if not message:
        return ""
    text = json.dumps(message) if isinstance(message, list) else str(message)
    return LogEntry(change_message=text).get_change_message()


def admin_change_record(*, request: HttpRequest, action: str, obj: Any, message: Any = "") -> None:
    meta = obj._meta
    described = _described(message)
    summary = f"运维管理界面：{VERBS[action]}{meta.verbose_name}“{str(obj)[:80]}”"
    event_record(
        actor=request.user,
        action=action,
        summary=summary + (f"（{described}）" if described else ""),
        target=obj,
        data={"model": meta.label_lower, "change": message if isinstance(message, list) else str(message)},
    )


class AuditedAdminMixin:
    """Adds an audit event to each of ModelAdmin's log hooks."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        admin_change_record(request=request, action="admin.add", obj=obj, message=message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        admin_change_record(request=request, action="admin.change", obj=obj, message=message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the deletion, so each object still has its id and name.
        objects = list(queryset)
        entries = super().log_deletions(request, queryset)  # type: ignore[misc]
        for obj in objects:
            admin_change_record(request=request, action="admin.delete", obj=obj)
        return entries
