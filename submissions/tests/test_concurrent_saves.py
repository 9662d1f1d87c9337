"""Deadline day on the embedded default: several processes autosave into one SQLite file at once.

Each worker is a separate Python process with its own connection, as under gunicorn with several
workers. With the settings' WAL mode, IMMEDIATE transactions and busy timeout, every save waits for the
write lock instead of failing with "database is locked", and every acknowledged value is in the file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

WORKERS = 6
SAVES_EACH = 8
CODES = ["1.1", "1.2", "1.3", "1.4"]
YEARS = [2021, 2020]

SETUP = textwrap.dedent(
    """
    import datetime as dt
    import django
    django.setup()
    from accounts.models import Role, User
    from definitions.services import definitions_load
    from django.conf import settings
    from pathlib import Path
    from registry.models import Authority, Base, Campaign, Category
    from submissions.services import submission_start

    definitions_load(directory=Path(settings.BASE_DIR) / "forms" / "2022")
    base = Base.objects.create(
        name="并发测试基地", authority=Authority.objects.get(code="miit-430000"),
        category=Category.objects.get(code="equipment"), batch=1, lead_industry="工程机械", location="示例",
    )
    tz = dt.timezone(dt.timedelta(hours=8))
    campaign = Campaign.objects.create(
        year=2022, data_year=2021, history_years=[2020, 2019], title="并发测试", form_version="2022",
        base_deadline=dt.datetime(2099, 8, 24, tzinfo=tz), authority_deadline=dt.datetime(2099, 8, 31, tzinfo=tz),
        status=Campaign.Status.OPEN,
    )
    campaign.bases.set([base])
    user = User.objects.create(username="concurrent", role=Role.BASE_FILLER, base=base)
    print(submission_start(campaign=campaign, base=base, user=user).pk)
    """
)

WORKER = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from accounts.models import User
    from submissions.models import Submission
    from submissions.services import CellChange, values_save

    worker, saves, pk = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    codes, years = {codes!r}, {years!r}
    submission = Submission.objects.get(pk=pk)
    user = User.objects.get(username="concurrent")
    acknowledged = 0
    for i in range(saves):
        # Every worker writes its own cells (code × year × a value unique to the worker and round).
        code = codes[(worker + i) % len(codes)]
        year = years[(worker + i) % len(years)]
        raw = f"{{worker}}{{i:02d}}.5"
        result = values_save(
            submission=submission, user=user,
            changes=[CellChange(form="summary", code=code, year=year, raw=raw, force=True)],
        )
        if all(c.status in ("saved", "unchanged") for c in result.cells):
            acknowledged += 1
    print(acknowledged)
    """
).format(codes=CODES, years=YEARS)


def _env(db_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{db_file}"
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["PYTHONPATH"] = str(settings.BASE_DIR)
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        args, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def test_concurrent_autosaves_from_several_processes_all_land(tmp_path: Path) -> None:
    db_file = tmp_path / "deadline.sqlite3"
    env = _env(db_file)
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    pk = _run([sys.executable, "-c", SETUP], env)

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(w), str(SAVES_EACH), pk],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    outcomes = [p.communicate(timeout=300) for p in procs]
    failures = [err for p, (_, err) in zip(procs, outcomes, strict=True) if p.returncode != 0]
    assert not failures, failures[0][-3000:]
    assert sum(int(out.strip().splitlines()[-1]) for out, _ in outcomes) == WORKERS * SAVES_EACH

    with sqlite3.connect(db_file) as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        marks = ",".join("?" * len(CODES))
        changes = conn.execute(
            f"SELECT COUNT(*) FROM submissions_valuechange WHERE code IN ({marks})", CODES
        ).fetchone()[0]
    assert mode == "wal"
    # The writers took their turns through the lock file beside the database (config.sqlite3).
    assert Path(f"{db_file}-writelock").exists()
    # Every acknowledged save left its history row: nothing was lost to a lock.
    assert changes == WORKERS * SAVES_EACH
