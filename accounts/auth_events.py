"""Logins, failed logins and logouts in the audit trail (Django's auth signals → audit events).

The lock itself and each attempt refused while locked are recorded by `accounts.lockout`; a wrong
password while locked is therefore not recorded twice here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from audit.models import Event
from audit.services import event_record

# Set by the gate before it logs an expired session out, so the event says why.
LOGOUT_REASON = "sfjd_logout_reason"
LOGOUT_SUMMARIES = {
    "idle": "空闲超时，会话结束",
    "absolute": "会话达到最长时限，会话结束",
}


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    event_record(actor=user, action="auth.login", summary="登录（口令验证通过）", target=user)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None or getattr(request, "axes_locked_out", False):
        return
    username = str(credentials.get("username") or "")[:150]
    event_record(
        actor=None,
        action="auth.login_failed",
        summary=f"登录失败：用户名或口令错误（用户名：{username[:40]}）",
        data={"username": username},
        outcome=Event.Outcome.REFUSED,
        username=username,
    )


def on_user_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or request is None:
        return
    reason = getattr(request, LOGOUT_REASON, "")
    event_record(
        actor=user,
        action="auth.logout",
        summary=LOGOUT_SUMMARIES.get(reason, "退出登录"),
        target=user,
        data={"reason": reason or "user"},
    )
