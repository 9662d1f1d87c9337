"""Login and the operators' account forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    SetPasswordForm,
    UserChangeForm,
)

from accounts.models import Role, User, unit_binding_errors


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


ROLE_HELP = "授予部级管理员、省级审核员或三员（系统、安全、审计管理员）角色，须经安全管理员审批后生效。"


class AccountCreationForm(forms.ModelForm):
    """The system administrator's "add user" form. No password: the holder sets it from an e-mailed
    one-time link, so whoever creates an account can never log in as it."""

    class Meta:
        model = User
        fields = ("username", "role", "full_name", "phone", "email", "base", "authority")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "账号激活链接发送到此邮箱，由本人设置登录密码。"
        self.fields["role"].required = True
        cast(forms.ChoiceField, self.fields["role"]).choices = [c for c in Role.choices if c[0]]
        self.fields["role"].help_text = ROLE_HELP

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        check_unit_binding(self, cleaned)
        return cleaned


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = (
            "username",
            "role",
            "base",
            "authority",
            "assigned_bases",
            "full_name",
            "phone",
            "email",
            "is_active",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # UserChangeForm adds a read-only password field with a link to a password form; nobody
        # sets another person's password here, so it is not offered (admin shows the state instead).
        self.fields.pop("password", None)
        if "role" in self.fields:
            self.fields["role"].help_text = ROLE_HELP

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
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


class GrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "批准"), ("reject", "驳回")])
    comment = forms.CharField(label="审批意见", max_length=200, required=False)


class UsernameForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not User.objects.filter(username=username).exists():
            raise forms.ValidationError("没有这个用户名的账号。")
        return username


class ActivationForm(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "登录密码"
        self.fields["new_password2"].label = "再次输入登录密码"
        self.error_messages = {**self.error_messages, "password_mismatch": "两次输入的密码不一致。"}
