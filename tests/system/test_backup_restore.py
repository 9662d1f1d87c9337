"""Backups that restore: `backup_create` then `backup_drill` on a PostgreSQL database with uploads,
and the drill failing when the backup is damaged, a row count differs or a referenced file is missing.

Runs the commands as an operator would, in their own processes, against a database of their own, on
both runs of the suite. Needs PostgreSQL on 127.0.0.1 (as on every machine of this project and in
CI); without it this test fails, it is never skipped.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.system.stack import ROOT

SETUP = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.files.base import ContentFile
    from accounts.models import Role, User
    from jobs.models import Job

    user = User.objects.create(username="backup_owner", role=Role.MINISTRY_ADMIN, full_name="备份测试")
    for n in range(3):
        job = Job.objects.create(kind="test", title=f"导出 {n}", created_by=user)
        job.result_file.save(f"export-{n}.xlsx", ContentFile(f"第 {n} 份导出".encode() * 100))
    """
)


PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]


def _environment(name: str, root: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        MEDIA_ROOT=str(root / "media"),
        BACKUP_DIR=str(root / "backups"),
        DJANGO_SECRET_KEY="backup-" + secrets.token_hex(24),
        DJANGO_SETTINGS_MODULE="config.settings.dev",
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory):
    """A migrated database with three uploads, made once; each test gets a copy of it."""
    name, root = f"sfjd_backup_tpl_{os.getpid()}", tmp_path_factory.mktemp("backup_template")
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    environment = _environment(name, root)
    migrated = _manage(environment, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    _python(environment, SETUP)
    yield name, root / "media"
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)


@pytest.fixture
def env(template: tuple[str, Path], tmp_path: Path):
    source, media = template
    name = f"sfjd_backup_{os.getpid()}"
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {name} TEMPLATE {source}"], check=True, capture_output=True)
    shutil.copytree(media, tmp_path / "media")
    yield _environment(name, tmp_path)
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)


def _python(env: dict[str, str], code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def _backup(env: dict[str, str]) -> Path:
    done = _manage(env, "backup_create")
    assert done.returncode == 0, done.stderr[-2000:]
    return Path(done.stdout.strip().split("：", 1)[1])


def test_the_nightly_script_backs_up_and_restores_every_row_and_file(env: dict[str, str]) -> None:
    done = subprocess.run(
        ["bash", "scripts/backup.sh"],
        cwd=ROOT,
        env=dict(env, PYTHON=sys.executable),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (backup,) = Path(env["BACKUP_DIR"]).iterdir()
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["jobs_job"] == 3
    assert len(manifest["files"]) == 3
    assert f"备份完成：{backup}" in done.stdout
    assert "恢复演练通过" in done.stdout
    assert "3 个文件校验一致，记录引用的 3 个文件均在备份中" in done.stdout


def test_a_damaged_dump_is_refused(env: dict[str, str]) -> None:
    backup = _backup(env)
    dump = backup / "db.dump"
    dump.write_bytes(dump.read_bytes()[:-100])
    drill = _manage(env, "backup_drill", str(backup))
    assert drill.returncode != 0
    assert "db.dump 的校验值与备份清单不符" in drill.stderr


def test_a_row_count_that_differs_is_reported(env: dict[str, str]) -> None:
    backup = _backup(env)
    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["tables"]["jobs_job"] = 4  # as if a row had been written but not dumped
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    drill = _manage(env, "backup_drill", str(backup))
    assert drill.returncode != 0
    assert "表 jobs_job：备份时 4 行，恢复后 3 行" in drill.stderr


def test_a_file_a_row_refers_to_but_missing_from_the_files_is_reported(env: dict[str, str]) -> None:
    media = Path(env["MEDIA_ROOT"])
    victim = next(p for p in media.rglob("*") if p.is_file())
    victim.unlink()
    backup = _backup(env)
    drill = _manage(env, "backup_drill", str(backup))
    assert drill.returncode != 0
    assert "不在备份中" in drill.stderr
