"""Changes to the security-relevant settings are audit events.

The settings come from the environment, so nothing inside the application "changes" them: a changed
value appears at the next deployment. `settings_changes_record` compares the running values with the
last ones the trail holds and records what differs (secrets by a short fingerprint only). It runs
after every `migrate` (each deployment runs it) and before every daily anchor.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings

from audit.models import Event
from audit.services import event_record

ACTION = "settings.change"

WATCHED = (
    "DEBUG",
    "DEPLOYMENT",
    "ALLOWED_HOSTS",
    "TRUST_X_FORWARDED_PROTO",
    "TRUST_X_FORWARDED_FOR",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "PASSWORD_MAX_AGE_DAYS",
    "PASSWORD_HISTORY_COUNT",
    "AUTH_PASSWORD_VALIDATORS",
    "AXES_FAILURE_LIMIT",
    "LOGIN_FAILURES_PER_ADDRESS",
    "AXES_COOLOFF_TIME",
    "OTP_REQUIRED_ROLES",
    "SESSION_IDLE_SECONDS",
    "SESSION_ABSOLUTE_SECONDS",
    "PASSWORD_RESET_TIMEOUT",
    "SITE_URL",
    "CONTENT_SECURITY_POLICY",
    "MIDDLEWARE",
    "UPLOAD_MAX_BYTES",
    "REQUEST_MAX_BYTES",
    "DATA_UPLOAD_MAX_NUMBER_FIELDS",
    "AUDIT_RETENTION_DAYS",
    "AUDIT_ANCHOR_DIR",
    "AUDIT_ANCHOR_EMAILS",
    "FIELD_ENCRYPTION_ALGORITHM",
    "REMINDER_MIN_INTERVAL_HOURS",
    "EMAIL_BACKEND",
)
# Recorded only as a fingerprint: a changed key shows, the key itself never enters the trail.
SECRETS = ("SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEY")
SECRET_LISTS = ("SECRET_KEY_FALLBACKS", "FIELD_ENCRYPTION_OLD_KEYS")


def _fingerprint(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12] if secret else ""


def _plain(value: Any) -> Any:
    return json.loads(
        json.dumps(value, default=lambda v: sorted(v) if isinstance(v, set | frozenset) else str(v))
    )


def settings_snapshot() -> dict[str, Any]:
    values = {name: _plain(getattr(settings, name, None)) for name in WATCHED}
    for name in SECRETS:
        values[name] = _fingerprint(str(getattr(settings, name, "") or ""))
    for name in SECRET_LISTS:
        values[name] = [_fingerprint(str(secret)) for secret in getattr(settings, name, None) or ()]
    return values


def settings_changes_record() -> Event | None:
    """Record the settings that differ from the last recorded ones (all of them the first time)."""
    current = settings_snapshot()
    last = Event.objects.filter(action=ACTION).order_by("-seq").only("data").first()
    before = (last.data or {}).get("values", {}) if last is not None else {}
    changed = sorted(name for name in current if before.get(name) != current[name])
    if last is not None and not changed:
        return None
    if last is None:
        summary = "记录安全相关配置的基线（首次记录）"
    else:
        summary = "安全相关配置变更：" + "、".join(changed)
    return event_record(
        actor=None,
        action=ACTION,
        summary=summary,
        data={
            "changed": changed,
            "before": {name: before.get(name) for name in changed} if last is not None else {},
            "values": current,
        },
    )


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(settings, "AUDIT_RECORD_SETTINGS_ON_MIGRATE", True):
        settings_changes_record()
