from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from api.models import ApiToken


def _default_expiry() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=90)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="名称",
        max_length=60,
        help_text="用途，如“省级平台同步”",
        error_messages={"required": "请填写令牌名称。"},
    )
    scope = forms.ChoiceField(label="权限范围", choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    expires_on = forms.DateField(
        label="有效期至",
        initial=_default_expiry,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写有效期。", "invalid": "请按 年-月-日 填写有效期。"},
    )
