"""`manage.py audit_anchor`: copy the chain head outside the database (a file; e-mail if configured).

The task queue runs it every day (audit/tasks.py); this command is for a manual anchor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.services import chain_anchor
from audit.settings_watch import settings_changes_record


class Command(BaseCommand):
    help = "把审计日志链头（序号与校验值）写入库外锚点文件，并按 AUDIT_ANCHOR_EMAILS 发邮件给审计管理员。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchors", type=Path, default=None, help="锚点目录（默认 AUDIT_ANCHOR_DIR）")

    def handle(self, *args: Any, **options: Any) -> None:
        settings_changes_record()
        anchor = chain_anchor(anchor_dir=options["anchors"])
        self.stdout.write(self.style.SUCCESS(f"已锚定第 {anchor['seq']} 条记录：{anchor['path']}"))
