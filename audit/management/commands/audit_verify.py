"""`manage.py audit_verify [--anchors DIR]`: recompute the keyed chain and compare it with the anchors.

Exit status 0 when the trail is intact, 1 when anything is wrong (a row edited, rows removed from the
middle or the end, the chain recomputed without the key, an anchor that does not match).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import chain_verify_full


class Command(BaseCommand):
    help = "校验审计日志：逐条重算带密钥的校验链，并与库外锚点比对（篡改、截断、重新计算均可发现）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchors", type=Path, default=None, help="锚点目录（默认 AUDIT_ANCHOR_DIR）")

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify_full(anchor_dir=options["anchors"])
        if report.anchors == 0:
            self.stdout.write(
                self.style.WARNING("未找到库外锚点：无法发现尾部截断，请确认 audit_anchor 每日运行。")
            )
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"审计日志完整：校验 {report.checked} 条记录，与 {report.anchors} 个锚点一致。"
                )
            )
            return
        for problem in report.problems[:200]:
            self.stderr.write(problem)
        if len(report.problems) > 200:
            self.stderr.write(f"……另有 {len(report.problems) - 200} 处问题未列出。")
        raise CommandError(
            f"审计日志校验未通过：共 {len(report.problems)} 处问题（已校验 {report.checked} 条）。"
        )
