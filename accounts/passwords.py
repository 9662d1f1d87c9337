"""Password rules (等保 2.0 第三级 身份鉴别): composition, not the username, history and maximum age.

The validators plug into AUTH_PASSWORD_VALIDATORS, so every path that sets a password through a
Django form (the change page, activation, the admin) is checked on the server. Django calls each
validator's `password_changed` after a user's new password is saved, which is where the history is
kept and the password's date moves: no code path that saves a new password can skip it.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import PasswordHistory

CLASSES = (
    ("大写字母", frozenset(string.ascii_uppercase)),
    ("小写字母", frozenset(string.ascii_lowercase)),
    ("数字", frozenset(string.digits)),
)


def character_classes(password: str) -> int:
    """How many of the four classes (upper, lower, digit, other) the password uses."""
    used = sum(1 for _, chars in CLASSES if any(ch in chars for ch in password))
    if any(not any(ch in chars for _, chars in CLASSES) for ch in password):
        used += 1
    return used


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (its zh-hans catalogue lacks this one)."""

    def get_error_message(self) -> str:
        return f"密码太短，至少须 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符。"


class CompositionValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、其他符号四类中的至少 {self.min_classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"须包含大写字母、小写字母、数字、其他符号四类中的至少 {self.min_classes} 类。"


class NotUsernameValidator:
    """The password may not contain the username (Django's similarity check misses "Filler#2024")."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError("密码不得包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "不得包含用户名。"


class PasswordHistoryValidator:
    """Refuses any of the user's last `count` passwords, and records each new one."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        hashes = list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self.count]
        )
        current = get_user_model().objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current and current not in hashes:
            hashes.insert(0, current)
        if any(check_password(password, encoded) for encoded in hashes[: self.count]):
            raise ValidationError(
                f"新密码不得与最近 {self.count} 次使用过的密码相同。", code="password_reused"
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
        keep = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")[: self.count]
        PasswordHistory.objects.filter(user=user).exclude(
            pk__in=list(keep.values_list("pk", flat=True))
        ).delete()
        # A queryset update: calling save() here would re-enter this hook (Django calls it from save()).
        get_user_model().objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now

    def get_help_text(self) -> str:
        return f"不得与最近 {self.count} 次使用过的密码相同。"


def password_expires_at(user: Any) -> dt.datetime | None:
    """When the user's password must be changed; accounts loaded without a date count from creation."""
    since = getattr(user, "password_changed_at", None) or getattr(user, "date_joined", None)
    if since is None:
        return None
    return since + dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def password_expired(user: Any, now: dt.datetime) -> bool:
    expires = password_expires_at(user)
    return expires is not None and now >= expires
