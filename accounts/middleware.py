"""The gate every authenticated request passes: session lifetime, second factor, forced password change.

Order matters: an expired session is logged out before anything else; a session that owes its
second factor reaches only the OTP pages and logout (nothing is reachable half-logged-in); a user
holding a temporary or expired password reaches only the password page and logout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.auth_events import LOGOUT_REASON
from accounts.http import AuthenticatedHttpRequest
from accounts.otp import session_owes_otp
from accounts.passwords import password_expired
from accounts.sessions import session_expired

EXPIRED_MESSAGES = {
    "idle": "超过 30 分钟未操作，已自动退出，请重新登录。",
    "absolute": "登录已超过 12 小时，已自动退出，请重新登录。",
}


def wants_json(request: HttpRequest) -> bool:
    """The page's own fetch calls (autosave, explanations) send X-Requested-With and read JSON."""
    return bool(request.headers.get("X-Requested-With")) or "application/json" in request.headers.get(
        "Accept", ""
    )


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Authenticated: the user is a User, as behind @login_required.
            refused = self.gate(cast(AuthenticatedHttpRequest, request))
            if refused is not None:
                return refused
        return self.get_response(request)

    def gate(self, request: AuthenticatedHttpRequest) -> HttpResponse | None:
        why = session_expired(request)
        if why is not None:
            setattr(request, LOGOUT_REASON, why)
            logout(request)
            text = EXPIRED_MESSAGES[why]
            if wants_json(request):
                return JsonResponse(
                    {"ok": False, "message": text + "已输入但未保存的内容保留在本页，重新登录后再保存。"},
                    status=401,
                )
            messages.warning(request, text)
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
        if session_owes_otp(request):
            allowed = {
                reverse("accounts:otp_verify"),
                reverse("accounts:otp_setup"),
                reverse("accounts:logout"),
            }
            if request.path not in allowed:
                text = "请先完成两步验证。"
                if wants_json(request):
                    return JsonResponse({"ok": False, "message": text}, status=401)
                return redirect(
                    f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}"
                )
            # The layout hides the navigation: none of it is reachable yet.
            request.account_gate = "otp"  # type: ignore[attr-defined]
            return None
        user = request.user
        if user.must_change_password or password_expired(user, timezone.now()):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed:
                text = (
                    "您正在使用临时密码，请先设置新密码。"
                    if user.must_change_password
                    else "密码已使用超过 90 天，请先设置新密码。"
                )
                if wants_json(request):
                    return JsonResponse({"ok": False, "message": text}, status=403)
                messages.warning(request, text)
                return redirect("accounts:password_change")
            request.account_gate = "password"  # type: ignore[attr-defined]
        return None
