"""Login failures (django-axes): 5 for one account or 20 from one address lock for 30 minutes.

Axes applies one failure limit to every lockout parameter; an address shared by a whole provincial
office needs a higher limit than one account, so the handler below weighs the two separately. Each
lock, and each attempt refused while locked, is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.forms import LoginForm
from audit.models import Event
from audit.services import event_record

LOCKED_MESSAGE = "登录失败次数过多，已暂时锁定 {minutes} 分钟，请稍后再试；如需帮助请联系本单位的安全管理员。"


class LockoutBackend(AxesStandaloneBackend):
    """Axes' gate before the password check, for logins that come through a request.

    Axes refuses `authenticate()` without a request; only code calls it that way (the test client's
    login, the shell), never a page, so there is nothing to count and the next backend decides.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lock_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def _sum(qs: Any) -> int:
    return qs.aggregate(n=Sum("failures_since_start"))["n"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]; each has its own limit."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        by_account, by_address = (_sum(qs) for qs in self.get_user_attempts(request, credentials))
        if by_address >= settings.LOGIN_FAILURES_PER_ADDRESS:
            # Report the account limit so axes locks; the address limit is the one that was reached.
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # A success clears the account's own failures only; a valid login must not reset the
        # address's count, or one known password would lift the throttle for a password spray.
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def on_user_locked_out(
    sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any
) -> None:
    """Axes signal → audit event. A new lock carries the failure count; a refused retry does not."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None:
        action, summary = "auth.lockout", f"登录失败 {failures} 次，锁定 {lock_minutes()} 分钟"
    else:
        action, summary = "auth.login_refused_locked", "锁定期间再次尝试登录，已拒绝"
    event_record(
        actor=None,
        action=action,
        summary=f"{summary}（用户名：{(username or '')[:40]}，地址：{ip_address}）",
        data={"username": username, "ip_address": ip_address, "failures": failures},
        outcome=Event.Outcome.REFUSED,
        username=(username or "")[:150],
    )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The login page again with one generic message: it says nothing about whether the account exists."""
    context = {
        "form": LoginForm(request),
        "locked_message": LOCKED_MESSAGE.format(minutes=lock_minutes()),
        "next": request.POST.get("next", ""),
    }
    return render(request, "accounts/login.html", context, status=429)
