"""Loading form definitions from their YAML files, and freezing them once they are in use."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from definitions.models import Definition, content_checksum
from definitions.schema import DefinitionError, parse_definition

YAML_SUFFIXES = (".yaml", ".yml")


@functools.lru_cache(maxsize=64)
def _yaml(path: str, mtime_ns: int, size: int) -> Any:
    """YAML parsing is the slow part of loading; a file is read again only when it changes."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def read_definition_file(path: Path) -> dict[str, Any]:
    """Read and check one file; a mistake names the file so the operator knows where to look."""
    try:
        stat = path.stat()
        data = copy.deepcopy(_yaml(str(path), stat.st_mtime_ns, stat.st_size))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DefinitionError(f"文件 {path.name} 无法读取：{exc}") from exc
    try:
        parse_definition(data)
    except DefinitionError as exc:
        raise DefinitionError(f"文件 {path.name}：{exc}") from exc
    if str(data["code"]) != path.stem:
        raise DefinitionError(f"文件 {path.name}：报表代码“{data['code']}”与文件名不一致")
    if str(data["version"]) != path.parent.name:
        raise DefinitionError(f"文件 {path.name}：版本“{data['version']}”与目录 {path.parent.name} 不一致")
    return data


def definition_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES)


@transaction.atomic
def definitions_load(*, directory: Path) -> list[Definition]:
    """Create or update the definitions of one version directory (forms/<version>/), all or nothing.

    Unchanged files leave their rows untouched. A frozen definition whose file changed is refused,
    because submissions already filled against it would silently change meaning.
    """
    if not directory.is_dir():
        raise DefinitionError(f"目录 {directory} 不存在")
    files = definition_files(directory)
    if not files:
        raise DefinitionError(f"目录 {directory} 中没有报表定义文件")
    loaded: list[Definition] = []
    for path in files:
        data = read_definition_file(path)
        version, code, checksum = str(data["version"]), str(data["code"]), content_checksum(data)
        existing = Definition.objects.select_for_update().filter(version=version, code=code).first()
        if existing is None:
            loaded.append(
                Definition.objects.create(
                    version=version, code=code, title=str(data["title"]), content=data, checksum=checksum
                )
            )
            continue
        if existing.checksum != checksum:
            if existing.is_frozen:
                raise DefinitionError(
                    f"报表“{existing.title}”（{version}版）已冻结，已有填报材料使用该定义，不能修改其内容；"
                    "请另建新版本。"
                )
            existing.title = str(data["title"])
            existing.content = data
            existing.checksum = checksum
            existing.updated_at = timezone.now()
            existing.save(update_fields=["title", "content", "checksum", "updated_at"])
        loaded.append(existing)
    return loaded


@transaction.atomic
def definition_freeze(*, definition: Definition) -> Definition:
    """Freeze a definition so its content can no longer change. Freezing twice keeps the first time."""
    locked = Definition.objects.select_for_update().get(pk=definition.pk)
    if locked.frozen_at is None:
        locked.frozen_at = timezone.now()
        locked.save(update_fields=["frozen_at"])
    definition.frozen_at = locked.frozen_at
    return locked
