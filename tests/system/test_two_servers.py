"""Two application servers behind one address share one PostgreSQL, one Redis and one file store,
so nothing a user does depends on which server answers.

Two gunicorn servers and two task-queue consumers are started on loopback with the production
settings. A filler logs in on one server and goes on on the other; two saves of the same cell from
different servers meet as a conflict; a sealed scan uploaded through one is served by the other;
and a background job the ministry starts through one server is run by a consumer of the queue both
share and reported by the other.

Needs PostgreSQL and Redis on 127.0.0.1 (as on every machine of this project and in CI); without them
this test fails, it is never skipped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from django_otp.oath import totp

from tests.system.stack import MATERIAL_SETUP, consumer, gunicorn, last_line, run

PASSWORD = "Two-Servers-2026!x"
TOTP_KEY = "3132333435363738393031323334353637383930"  # hex, as django-otp stores it

# The ministry's official, with a phone authenticator enrolled (production asks the ministry for it).
MINISTRY_SETUP = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from accounts.models import Role, User

    username, password, key = sys.argv[1], sys.argv[2], sys.argv[3]
    user = User(username=username, role=Role.MINISTRY_ADMIN, full_name="跨进程部级")
    user.set_password(password)
    user.save()
    TOTPDevice.objects.create(user=user, name="手机验证器", key=key, confirmed=True)
    """
)
CELL = {"form": "summary", "code": "1.1", "year": 2021, "currency": "", "force": False}


@pytest.fixture
def stack_env(tmp_path: Path):
    name = f"sfjd_two_servers_{os.getpid()}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        CACHE_URL="redis://127.0.0.1:6379/13",
        HUEY_URL="redis://127.0.0.1:6379/14",
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SECRET_KEY="two-servers-" + secrets.token_hex(24),
        # The same keys for the setup (development settings) and the servers (production settings).
        FIELD_ENCRYPTION_KEY="two-servers-field-" + secrets.token_hex(24),
        AUDIT_HMAC_KEY="two-servers-audit-" + secrets.token_hex(24),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
    )
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    yield env
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)


def _login(url: str, username: str = "two_servers") -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
    client.get("/login/")
    response = client.post(
        "/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text[:500]
    return client


def _second_factor(client: httpx.Client) -> None:
    page = client.get("/otp/")
    assert page.status_code == 200, page.text[:500]
    response = client.post(
        "/otp/",
        data={
            "code": f"{totp(bytes.fromhex(TOTP_KEY)):06d}",
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text[:1000]


def _on(client: httpx.Client, url: str) -> httpx.Client:
    """The same browser (cookies) talking to another server."""
    other = httpx.Client(base_url=url, timeout=60, follow_redirects=False)
    other.cookies = client.cookies
    return other


def _save(client: httpx.Client, pk: int, raw: str, base_revision: int) -> dict:
    response = client.post(
        f"/submissions/{pk}/save/?form=summary&section=一",
        content=json.dumps({"changes": [{**CELL, "raw": raw, "base_revision": base_revision}]}),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": client.cookies["csrftoken"],
            "X-Requested-With": "fetch",
        },
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()["cells"][0]


def _printed(asks: httpx.Client, follows: httpx.Client, url: str) -> httpx.Response:
    waiting = asks.get(url)
    assert waiting.status_code == 202, waiting.text[:1000]
    state_url = re.search(r'data-state-url="([^"]+)"', waiting.text)
    assert state_url, "等待页上没有进度地址"
    deadline = time.monotonic() + 120
    while not follows.get(state_url.group(1)).json()["ready"]:
        assert time.monotonic() < deadline, "打印件未在 120 秒内生成"
        time.sleep(0.2)
    printout = follows.get(url)
    assert printout.status_code == 200 and printout.content.startswith(b"%PDF-")
    return printout


def test_two_servers_share_sessions_conflicts_and_files(stack_env: dict[str, str]) -> None:
    ids = json.loads(
        last_line(run([sys.executable, "-c", MATERIAL_SETUP, "two_servers", PASSWORD], stack_env))
    )
    pk = ids["submission"]
    with gunicorn(stack_env) as a, gunicorn(stack_env) as b, consumer(stack_env), consumer(stack_env):
        on_a = _login(a)
        on_b = _on(on_a, b)

        # A session begun on one server is the same session on the other.
        page = on_b.get(f"/submissions/{pk}/summary/一/")
        assert page.status_code == 200
        assert "跨进程测试基地" in page.text

        # Both servers saw revision 0; the first save wins, the second is told, not overwritten.
        first = _save(on_a, pk, "120.5", 0)
        assert first["status"] == "saved"
        second = _save(on_b, pk, "99.9", 0)
        assert second["status"] == "conflict"
        assert second["theirs"] == "120.5"

        # A print asked of one server is rendered by a consumer of the shared queue, followed and
        # fetched through the other; uploaded as the sealed scan through that one, it is served back
        # by the first: the file store is shared.
        printout = _printed(on_a, on_b, f"/exchange/submission/{pk}/summary.pdf")
        upload = on_b.post(
            f"/exchange/submission/{pk}/scans/",
            data={"kind": "summary", "csrfmiddlewaretoken": on_b.cookies["csrftoken"]},
            files={"summary-file": ("scan.pdf", printout.content, "application/pdf")},
        )
        assert upload.status_code == 302, upload.text[:2000]
        scans = on_a.get(f"/exchange/submission/{pk}/scans/")
        link = re.search(rf"/exchange/submission/{pk}/scans/(\d+)/file", scans.text)
        assert link, "扫描件页面上没有已上传的文件"
        served = on_a.get(link.group(0))
        assert served.status_code == 200
        assert served.content == printout.content


def test_a_job_started_on_one_server_is_run_by_the_shared_queue_and_seen_on_the_other(
    stack_env: dict[str, str],
) -> None:
    ids = json.loads(
        last_line(run([sys.executable, "-c", MATERIAL_SETUP, "two_servers", PASSWORD], stack_env))
    )
    run([sys.executable, "-c", MINISTRY_SETUP, "two_servers_ministry", PASSWORD, TOTP_KEY], stack_env)
    campaign = ids["campaign"]
    with gunicorn(stack_env) as a, gunicorn(stack_env) as b, consumer(stack_env), consumer(stack_env):
        on_a = _login(a, "two_servers_ministry")
        _second_factor(on_a)
        on_b = _on(on_a, b)

        started = on_b.post(
            f"/evaluation/{campaign}/quality/run/", data={"csrfmiddlewaretoken": on_b.cookies["csrftoken"]}
        )
        assert started.status_code == 302, started.text[:1000]
        job = int(re.search(r"job=(\d+)", started.headers["location"]).group(1))

        state: dict = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state = on_a.get(f"/jobs/{job}/state").json()
            if state.get("status") in ("done", "failed"):
                break
            time.sleep(0.5)
        assert state.get("status") == "done", state
        page = on_a.get(f"/jobs/{job}/")
        assert page.status_code == 200
        assert "数据质量检查" in page.text
