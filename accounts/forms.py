"""Login and the operators' account forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    UserChangeForm,
    UserCreationForm,
)

from accounts.models import User, unit_binding_errors


class LoginForm(AuthenticationForm):
    # One message for a wrong password, an unknown user and a disabled account, so the page does
    # not tell an attacker which accounts exist or are disabled.
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（密码区分大小写）。",
        "inactive": "用户名或密码不正确，请重新输入（密码区分大小写）。",
    }


def check_unit_binding(form: forms.ModelForm, cleaned: dict[str, Any]) -> None:
    """Put the database's binding rules (accounts.User constraints) at the right field, in Chinese."""
    errors = unit_binding_errors(
        role=cleaned.get("role"),
        base=cleaned.get("base"),
        authority=cleaned.get("authority"),
        assigned_bases=cleaned.get("assigned_bases"),
    )
    for field, message in errors:
        form.add_error(field, message)


class AccountCreationForm(UserCreationForm):
    """The admin's "add user" form: always sets a usable password, binds the unit by role."""

    class Meta:
        model = User
        fields = ("username", "role", "full_name", "phone", "email", "base", "authority")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_unit_binding(self, cleaned)
        return cleaned


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = (
            "username",
            "password",
            "role",
            "base",
            "authority",
            "assigned_bases",
            "full_name",
            "phone",
            "email",
            "is_active",
            "is_staff",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_unit_binding(self, cleaned)
        return cleaned


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's change form, with the rules spelled out under the new password."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "当前密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
