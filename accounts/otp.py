"""Second factor (django-otp): TOTP with recovery codes.

Required for the roles in settings.OTP_REQUIRED_ROLES (ministry, authorities, experts, 三员);
optional for bases, but once a filler has enrolled, their logins need it too. Whether a session
still owes its second factor is decided once, at login, and kept in the session, so ordinary
requests cost no device query until the code is given.
"""

from __future__ import annotations

import base64
import hashlib

import segno
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.services import escalation_refuse
from audit.models import Event
from audit.services import event_record
from lib.authz import Ask, allows

OTP_NEEDED = "sfjd_otp_needed"
RECOVERY_CODES = 10
TOTP_NAME = "手机验证器"
RECOVERY_NAME = "恢复码"


def otp_needed_at_login(user: User) -> bool:
    return allows(Ask.OTP_REQUIRED, user) or user_has_device(user, confirmed=True)


def session_otp_stamp(request: HttpRequest, user: User) -> None:
    request.session[OTP_NEEDED] = otp_needed_at_login(user)


def on_user_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        session_otp_stamp(request, user)


def session_owes_otp(request: AuthenticatedHttpRequest) -> bool:
    """Does this logged-in session still have to pass the second factor?"""
    if OTP_NEEDED not in request.session:
        session_otp_stamp(request, request.user)
    return bool(request.session[OTP_NEEDED]) and not _verified(request.user)


def _verified(user: User) -> bool:
    # django_otp's OTPMiddleware gives the request's user `is_verified()`; without it, not verified.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def totp_device(user: User, *, confirmed: bool) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no image request, nothing sent elsewhere)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=4)


@transaction.atomic
def otp_enrol_start(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device to show as a QR code; reused until confirmed."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def otp_enrol_confirm(*, request: HttpRequest, user: User, token: str) -> list[str] | None:
    """Confirm the new device with its first code; replace older devices; issue recovery codes.

    Returns the recovery codes (shown once), or None when the code is wrong.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or not device.verify_token(token):
        event_record(
            actor=user,
            action="auth.otp_failed",
            summary="启用两步验证时验证码不正确",
            target=user,
            outcome=Event.Outcome.REFUSED,
        )
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(user=user)
    otp_login(request, device)
    request.session[OTP_NEEDED] = True
    event_record(actor=user, action="auth.otp_enrolled", summary="启用两步验证（手机验证器）", target=user)
    return codes


def recovery_codes_issue(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def otp_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a code from the authenticator app (6 digits) or a recovery code (each works once).

    django-otp refuses a TOTP code at or before the last accepted time step, so a code that was
    used, or an older one, does not work again; each device also slows down repeated failures.
    """
    token = token.strip().replace(" ", "")
    device = None
    for candidate in devices_for_user(user, confirmed=True):
        kind_matches = isinstance(candidate, TOTPDevice) == token.isdigit()
        if kind_matches:
            device = otp_verify_token(user, candidate.persistent_id, token)
            if device is not None:
                break
    if device is None:
        event_record(
            actor=user,
            action="auth.otp_failed",
            summary="两步验证码不正确或已使用过",
            target=user,
            outcome=Event.Outcome.REFUSED,
        )
        return False
    otp_login(request, device)
    if isinstance(device, StaticDevice):
        left = StaticToken.objects.filter(device=device).count()
        event_record(
            actor=user,
            action="auth.otp_recovery_used",
            summary=f"使用恢复码登录（剩余 {left} 个）",
            target=user,
        )
    return True


def otp_reset(*, actor: User, user: User) -> None:
    """The security administrator removes a user's devices (lost phone); they enrol again at login."""
    if not allows(Ask.RESET_PASSWORDS, actor) or actor.pk == user.pk:
        escalation_refuse(actor=actor, attempt="重置两步验证", target=user)
        raise PermissionDenied("只有安全管理员可以重置他人的两步验证。")
    _otp_reset(actor=actor, user=user)


@transaction.atomic
def _otp_reset(*, actor: User, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    event_record(
        actor=actor, action="account.otp_reset", summary=f"重置 {user.username} 的两步验证", target=user
    )


def demo_totp_key(username: str) -> str:
    """A fixed secret per demo account (hex), so the printed logins include a usable second factor."""
    return hashlib.sha1(f"sfjd-demo-totp:{username}".encode()).hexdigest()


@transaction.atomic
def demo_totp_ensure(*, user: User) -> str:
    """Give a demo account a confirmed TOTP device with its fixed secret; returns the base32 secret."""
    key = demo_totp_key(user.username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True, key=key)
    return base32_secret(device)
