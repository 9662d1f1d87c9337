"""Login and the operators' account forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm, UserCreationForm

from accounts.models import Role, User


class LoginForm(AuthenticationForm):
    # One message for a wrong password, an unknown user and a disabled account, so the page does
    # not tell an attacker which accounts exist or are disabled.
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（密码区分大小写）。",
        "inactive": "用户名或密码不正确，请重新输入（密码区分大小写）。",
    }


def check_unit_binding(form: forms.ModelForm, cleaned: dict[str, Any]) -> None:
    """Put the database's binding rules (accounts.User constraints) at the right field, in Chinese."""
    role = cleaned.get("role")
    base = cleaned.get("base")
    authority = cleaned.get("authority")
    if role == Role.BASE_FILLER:
        if base is None:
            form.add_error("base", "基地填报员必须绑定所属示范基地。")
        if authority is not None:
            form.add_error("authority", "基地填报员不绑定省级主管部门，请清空此项（由所属基地确定）。")
    elif role == Role.AUTHORITY_REVIEWER:
        if authority is None:
            form.add_error("authority", "省级审核员必须绑定所属省级主管部门。")
        if base is not None:
            form.add_error("base", "省级审核员不绑定示范基地，请清空此项。")
    elif role:
        if base is not None:
            form.add_error("base", "只有基地填报员绑定示范基地，请清空此项。")
        if authority is not None:
            form.add_error("authority", "只有省级审核员绑定省级主管部门，请清空此项。")
    assigned = cleaned.get("assigned_bases")
    if role and role != Role.EXPERT and assigned:
        form.add_error("assigned_bases", "只有评审专家分配评审的示范基地，请清空此项。")


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
