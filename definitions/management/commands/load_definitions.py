"""`manage.py load_definitions [--version 2022]`: load forms/<version>/*.yaml into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from definitions.schema import DefinitionError
from definitions.services import definitions_load


def forms_root() -> Path:
    return Path(settings.BASE_DIR) / "forms"


class Command(BaseCommand):
    help = "从 forms/<版本>/ 目录加载年度报表定义（默认加载全部版本）。"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Our --version names a form version; it replaces Django's --version (the Django release).
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", dest="form_version", help="只加载该版本，如 2022")
        parser.add_argument("--root", type=Path, default=None, help="报表定义根目录（默认 forms/）")

    def handle(self, *args: Any, **options: Any) -> None:
        root: Path = options["root"] or forms_root()
        version: str | None = options["form_version"]
        if version:
            directories = [root / version]
            if not directories[0].is_dir():
                raise CommandError(f"未找到 {version} 版报表定义目录：{directories[0]}")
        else:
            directories = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
            if not directories:
                raise CommandError(f"目录 {root} 中没有任何版本的报表定义。")
        for directory in directories:
            try:
                loaded = definitions_load(directory=directory)
            except DefinitionError as exc:
                raise CommandError(f"{directory.name} 版报表定义加载失败：{exc}") from exc
            codes = "、".join(d.code for d in loaded)
            self.stdout.write(f"已加载 {directory.name} 版报表定义 {len(loaded)} 个：{codes}")
