"""Backups that are known to restore (等保 备份与恢复): the PostgreSQL database and the uploaded files.

`backup_create` dumps the database with pg_dump inside one REPEATABLE READ snapshot, counting every
table's rows in that same snapshot, and packs the uploaded files with the SHA-256 of each; the
manifest records both. `backup_drill` restores a backup into a scratch database and a scratch
directory and compares: every table's row count, every file's digest, and every file the restored
rows refer to (with its recorded digest where the row has one). Nothing here knows the apps: file
columns are found from the models' FileFields, so a new upload model is covered without a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.apps import apps
from django.db import connections, models, transaction
from psycopg.conninfo import make_conninfo

MANIFEST = "manifest.json"
DUMP = "db.dump"
MEDIA = "media.tar.gz"


class BackupError(RuntimeError):
    """A backup or drill could not be made; the message says why, in Chinese."""


@dataclass
class DrillReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    referenced: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg(alias: str) -> dict[str, Any]:
    settings = connections[alias].settings_dict
    if connections[alias].vendor != "postgresql":
        raise BackupError("备份与恢复演练只支持 PostgreSQL（生产环境）；SQLite 请在停机时复制数据库文件。")
    return settings


def _client_env(settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[var] = str(settings[key])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 失败：{done.stderr.strip()[-1500:]}")


def _count_sql(cursor: Any) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    names = [row[0] for row in cursor.fetchall()]
    counts: dict[str, int] = {}
    for name in names:
        cursor.execute(f'SELECT count(*) FROM "{name}"')  # names come from the catalogue, quoted
        counts[name] = int(cursor.fetchone()[0])
    return counts


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def backup_create(*, directory: Path, media_root: Path, alias: str = "default") -> Path:
    """Write one backup under `directory` (a new folder named by the UTC time); returns the folder."""
    settings = _pg(alias)
    target = directory / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target.mkdir(parents=True, exist_ok=False)
    env = _client_env(settings)
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # One snapshot for the dump and the counts, so they describe the same moment under load.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target / DUMP}",
                str(settings["NAME"]),
            ],
            env,
        )
        counts = _count_sql(cursor)
    # Files are written before the rows that name them, so files taken after the snapshot cover it.
    files: dict[str, str] = {}
    with tarfile.open(target / MEDIA, "w:gz") as archive:
        for path in _media_files(media_root):
            relative = path.relative_to(media_root).as_posix()
            files[relative] = _sha256(path)
            archive.add(path, arcname=relative, recursive=False)
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": str(settings["NAME"]),
        "tables": counts,
        "files": files,
        "dump_sha256": _sha256(target / DUMP),
        "media_sha256": _sha256(target / MEDIA),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def _file_columns() -> list[tuple[str, str, str | None, str]]:
    """(table, file column, digest column or None, model name) of every model holding uploads."""
    found = []
    for model in apps.get_models():
        names = {f.name: f for f in model._meta.concrete_fields}
        digest = names.get("sha256")
        for fld in model._meta.concrete_fields:
            if isinstance(fld, models.FileField):
                found.append(
                    (
                        model._meta.db_table,
                        str(fld.column),
                        str(digest.column) if digest is not None else None,
                        str(model._meta.verbose_name),
                    )
                )
    return found


def backup_drill(*, source: Path, alias: str = "default") -> DrillReport:
    """Restore the backup in `source` into a scratch database and directory, compare, and drop them."""
    settings = _pg(alias)
    report = DrillReport()
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} 中没有备份清单 {MANIFEST}。")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for name, key in ((DUMP, "dump_sha256"), (MEDIA, "media_sha256")):
        if not (source / name).is_file():
            raise BackupError(f"备份不完整：缺少 {name}。")
        if _sha256(source / name) != manifest[key]:
            report.problems.append(f"{name} 的校验值与备份清单不符（文件已损坏或被修改）。")
    if report.problems:
        return report
    env = _client_env(settings)
    scratch = f"sfjd_restore_drill_{os.getpid()}"
    admin = connections[alias]
    with admin.cursor() as cursor:  # autocommit: CREATE DATABASE cannot run in a transaction
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={scratch}",
                str(source / DUMP),
            ],
            env,
        )
        params = {
            k.lower(): str(settings[k]) for k in ("HOST", "PORT", "USER", "PASSWORD") if settings.get(k)
        }
        with (
            psycopg.connect(make_conninfo(dbname=scratch, **params)) as restored,
            restored.cursor() as cursor,
            tempfile.TemporaryDirectory() as media,
        ):
            counts = _count_sql(cursor)
            expected: dict[str, int] = manifest["tables"]
            report.tables, report.rows = len(counts), sum(counts.values())
            for table in sorted(set(expected) | set(counts)):
                if expected.get(table) != counts.get(table):
                    report.problems.append(
                        f"表 {table}：备份时 {expected.get(table, '无此表')} 行，恢复后 {counts.get(table, '无此表')} 行。"
                    )
            with tarfile.open(source / MEDIA, "r:gz") as archive:
                archive.extractall(media, filter="data")
            root = Path(media)
            restored_files = {p.relative_to(root).as_posix(): _sha256(p) for p in _media_files(root)}
            report.files = len(restored_files)
            for name, digest in manifest["files"].items():
                if restored_files.get(name) != digest:
                    report.problems.append(f"文件 {name}：恢复后缺失或内容与备份时不同。")
            for table, column, digest_column, label in _file_columns():
                if table not in counts:
                    continue
                picked = f'"{column}"' + (f', "{digest_column}"' if digest_column else "")
                cursor.execute(f'SELECT {picked} FROM "{table}" WHERE "{column}" <> \'\'')
                for row in cursor.fetchall():
                    report.referenced += 1
                    name, want = row[0], (row[1] if digest_column else None)
                    if name not in restored_files:
                        report.problems.append(f"{label}引用的文件 {name} 不在备份中。")
                    elif want and restored_files[name] != want:
                        report.problems.append(f"{label}的文件 {name} 与记录的校验值不符。")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    return report
