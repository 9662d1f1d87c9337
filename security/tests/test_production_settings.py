"""config.settings.production refuses to start insecurely; the proxy header is trusted only on request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

GOOD = {
    "DJANGO_SECRET_KEY": "p" * 50,
    "AUDIT_HMAC_KEY": "a" * 40,
    "FIELD_ENCRYPTION_KEY": "ZmllbGQtZW5jcnlwdGlvbi1rZXktZm9yLXRlc3RzLTMyYg==",
    "DJANGO_ALLOWED_HOSTS": "sfjd.example.gov.cn",
}


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AUDIT_", "FIELD_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_with_debug_on():
    result = run("print('started')", **GOOD, DJANGO_DEBUG="true")
    assert result.returncode != 0 and "DJANGO_DEBUG" in result.stderr


def test_it_refuses_the_development_keys():
    no_secret = {k: v for k, v in GOOD.items() if k != "DJANGO_SECRET_KEY"}
    result = run("print('started')", **no_secret)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
    result = run(
        "print('started')", **GOOD | {"DJANGO_SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}
    )
    assert result.returncode != 0 and "开发用密钥" in result.stderr
    no_audit = {k: v for k, v in GOOD.items() if k != "AUDIT_HMAC_KEY"}
    result = run("print('started')", **no_audit)
    assert result.returncode != 0 and "AUDIT_HMAC_KEY" in result.stderr
    no_field_key = {k: v for k, v in GOOD.items() if k != "FIELD_ENCRYPTION_KEY"}
    result = run("print('started')", **no_field_key)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY" in result.stderr
    result = run(
        "print('started')",
        **GOOD | {"FIELD_ENCRYPTION_KEY": "dev-only-field-encryption-key-do-not-use-in-production"},
    )
    assert result.returncode != 0 and "开发用密钥" in result.stderr


def test_an_old_key_kept_for_a_rotation_must_be_as_strong_as_the_key():
    # A fallback still verifies sessions: a published or short one would let anyone forge them.
    for weak in ("dev-only-insecure-key-do-not-use-in-production", "short-old-key"):
        result = run("print('started')", **GOOD, DJANGO_SECRET_KEY_FALLBACKS=f"{'o' * 50},{weak}")
        assert result.returncode != 0 and "DJANGO_SECRET_KEY_FALLBACKS" in result.stderr
    result = run("print(settings.SECRET_KEY_FALLBACKS)", **GOOD, DJANGO_SECRET_KEY_FALLBACKS="o" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(["o" * 50])


def test_the_forwarded_proto_header_is_trusted_only_when_configured():
    result = run("print(settings.SECURE_PROXY_SSL_HEADER)", **GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
    result = run("print(settings.SECURE_PROXY_SSL_HEADER)", **GOOD, DJANGO_TRUST_X_FORWARDED_PROTO="true")
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout


def test_load_demo_refuses_to_run_in_production(settings):
    from django.core.management import CommandError, call_command

    settings.DEPLOYMENT = "production"
    with pytest.raises(CommandError, match="生产环境"):
        call_command("load_demo", "--bases", "10")
