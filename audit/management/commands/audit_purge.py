"""`manage.py audit_purge --before YYYY-MM-DD`: remove events older than the date, never younger than
the retention period (180 days at least), and only from a chain that verifies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import RetentionError, events_purge


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "清除保存期（至少 180 天）已满的审计记录；更新的记录一律拒绝清除。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, type=_date, help="清除此日期（不含）之前的记录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = events_purge(before=options["before"])
        except RetentionError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"已清除 {count} 条审计记录。"))
