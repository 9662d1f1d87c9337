"""The production stack started for real on loopback: for tests and benchmarks that cross processes.

`run` runs a manage.py (or `python -c`) step against a given environment; `gunicorn` serves the
project with the bench settings (production settings over plain HTTP) until the block ends;
`material_setup` creates one base, an open campaign, its filler and the filler's material.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent

MATERIAL_SETUP = textwrap.dedent(
    """
    import datetime as dt, json, sys
    import django
    django.setup()
    from django.conf import settings
    from pathlib import Path
    from accounts.models import Role, User
    from definitions.services import definitions_load
    from registry.models import Authority, Base, Campaign, Category
    from submissions.services import submission_start

    username, password = sys.argv[1], sys.argv[2]
    definitions_load(directory=Path(settings.BASE_DIR) / "forms" / "2022")
    base = Base.objects.create(
        name="跨进程测试基地", authority=Authority.objects.get(code="miit-430000"),
        category=Category.objects.get(code="equipment"), batch=1, lead_industry="工程机械", location="示例",
    )
    tz = dt.timezone(dt.timedelta(hours=8))
    campaign = Campaign.objects.create(
        year=2022, data_year=2021, history_years=[2020, 2019], title="跨进程测试", form_version="2022",
        base_deadline=dt.datetime(2099, 8, 24, tzinfo=tz), authority_deadline=dt.datetime(2099, 8, 31, tzinfo=tz),
        status=Campaign.Status.OPEN,
    )
    campaign.bases.set([base])
    user = User(username=username, role=Role.BASE_FILLER, base=base, full_name="跨进程填报")
    user.set_password(password)
    user.save()
    submission = submission_start(campaign=campaign, base=base, user=user)
    print(json.dumps({"submission": submission.pk, "base": base.pk, "campaign": campaign.pk}))
    """
)


def run(args: list[str], env: dict[str, str], *, stdin: str | None = None, timeout: float = 1800) -> str:
    """Run one step in ROOT; its stdout, or an error carrying the end of its stderr."""
    done = subprocess.run(
        args, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} 失败：{done.stderr[-2000:]}")
    return done.stdout


def production_env(env: dict[str, str]) -> dict[str, str]:
    """The environment for a process under config.settings.bench (production settings): production
    refuses DJANGO_DEBUG and development keys, so give it an audit-chain key shared by every process
    of the stack (derived from its secret key) and no DEBUG inherited from the test settings."""
    serve = {k: v for k, v in env.items() if k != "DJANGO_DEBUG"}
    serve.setdefault(
        "AUDIT_HMAC_KEY", "audit-" + env.get("DJANGO_SECRET_KEY", "bench-stack-audit-key-0123456789")
    )
    serve.setdefault(
        "FIELD_ENCRYPTION_KEY", "field-" + env.get("DJANGO_SECRET_KEY", "bench-stack-field-key-0123456789")
    )
    return dict(serve, DJANGO_SETTINGS_MODULE="config.settings.bench")


def last_line(output: str) -> str:
    lines = output.strip().splitlines()
    return lines[-1] if lines else ""


def free_port() -> int:
    """A free port on loopback. `STACK_PORTS=18200-18299` keeps to a range (engineers sharing a
    machine each keep to their own); without it, any free port the system gives."""
    span = os.environ.get("STACK_PORTS", "")
    if not span:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])
    low, _, high = span.partition("-")
    candidates = list(range(int(low), int(high or low) + 1))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            return port
    raise RuntimeError(f"STACK_PORTS={span} 中没有空闲端口")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, threads: int = 2) -> Iterator[str]:
    """Serve the project with threaded workers (so connections are kept alive); yields its URL."""
    serve = production_env(env)
    # The server's own log goes to a file so that a failed start can say why (and the log of a
    # run is printed when it holds a traceback). A port taken between choosing and binding it is
    # retried on another.
    with tempfile.TemporaryFile(mode="w+") as log:
        for attempt in range(3):
            port = free_port()
            proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"),
                    *("--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)),
                    *("--keep-alive", "30", "--timeout", "120", "--log-level", "warning"),
                ],
                cwd=ROOT,
                env=serve,
                stderr=log,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                started = _started(proc, url)
            except RuntimeError:
                _stop(proc)
                raise
            if started:
                break
            _stop(proc)
            log.seek(0)
            said = log.read()[-3000:]
            if attempt == 2 or "in use" not in said:
                raise RuntimeError(f"gunicorn 启动失败：{said}")
        try:
            yield url
        finally:
            _stop(proc)
            log.seek(0)
            said = log.read()
            # A worker killed by a signal (a crash in a C library) leaves no traceback, only
            # gunicorn's "Worker ... was sent SIGSEGV" / "exited with code".
            if any(mark in said for mark in ("Traceback", "was sent", "exited with code", "WORKER TIMEOUT")):
                print(f"gunicorn 日志（{url}）：\n{said[-5000:]}", file=sys.stderr)


def _started(proc: subprocess.Popen[bytes], url: str) -> bool:
    for _ in range(300):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/login/", timeout=2).status_code == 200:
                return True
        if proc.poll() is not None:
            return False
        time.sleep(0.2)
    raise RuntimeError("gunicorn 未能在 60 秒内启动")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def consumer(env: dict[str, str], *, nice: int = 0) -> Iterator[subprocess.Popen[bytes]]:
    """A task-queue consumer (huey) for the given environment, stopped when the block ends. `nice`: its
    CPU priority below the web servers' on a shared machine (docs/deployment.md, `Nice=10`)."""
    proc = subprocess.Popen(
        [*(("nice", "-n", str(nice)) if nice else ()), sys.executable, "manage.py", "run_huey", "--quiet"],
        cwd=ROOT,
        env=production_env(env),
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
