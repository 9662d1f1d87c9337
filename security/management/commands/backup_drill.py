from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from security.backups import BackupError, backup_drill


class Command(BaseCommand):
    help = (
        "恢复演练：把一份备份恢复到临时数据库和临时目录，核对各表行数、文件校验值和记录引用的文件，然后删除。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", nargs="?", help="备份目录（默认 BACKUP_DIR 中最新的一份）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["backup"]:
            source = Path(options["backup"])
        else:
            found = sorted(p for p in Path(settings.BACKUP_DIR).glob("*") if p.is_dir())
            if not found:
                raise CommandError(f"{settings.BACKUP_DIR} 中没有备份。")
            source = found[-1]
        try:
            report = backup_drill(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"恢复演练未通过：{len(report.problems)} 处不一致（{source}）。")
        self.stdout.write(
            f"恢复演练通过：{source.name}，{report.tables} 张表共 {report.rows} 行一致，"
            f"{report.files} 个文件校验一致，记录引用的 {report.referenced} 个文件均在备份中。"
        )
