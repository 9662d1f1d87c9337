from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from security.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "备份 PostgreSQL 数据库和上传文件（同一快照的 pg_dump、各表行数、每个文件的 SHA-256），供恢复演练核对。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(settings.BACKUP_DIR), help="备份存放目录（默认 BACKUP_DIR）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            target = backup_create(directory=Path(options["dir"]), media_root=Path(settings.MEDIA_ROOT))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份完成：{target}")
