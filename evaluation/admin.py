"""The ministry edits a campaign's scoring model here; every change goes through the service, which
checks it against the 汇总表 and records old and new checksums in the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import User
from evaluation.models import ScoringModel
from evaluation.services import model_check, scoring_model_update
from permissions.admin import RulesAdminMixin


class ScoringModelForm(forms.ModelForm):
    class Meta:
        model = ScoringModel
        fields = ["content"]

    def clean_content(self) -> Any:
        content = self.cleaned_data["content"]
        if self.instance.is_frozen:
            raise ValidationError("评分模型已冻结（星级已发布），不能修改；请新建版本。")
        model_check(content, campaign=self.instance.campaign)
        return content


@admin.register(ScoringModel)
class ScoringModelAdmin(RulesAdminMixin, admin.ModelAdmin):
    form = ScoringModelForm
    list_display = ("title", "campaign", "version", "checksum", "updated_at", "frozen_at")
    readonly_fields = (
        "campaign",
        "version",
        "title",
        "checksum",
        "source",
        "created_at",
        "updated_at",
        "frozen_at",
    )
    fields = (
        "campaign",
        "version",
        "title",
        "source",
        "checksum",
        "created_at",
        "updated_at",
        "frozen_at",
        "content",
    )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # models are loaded from their file (评价管理 page), not typed in from scratch

    def save_model(self, request: HttpRequest, obj: ScoringModel, form: Any, change: bool) -> None:
        user = request.user if isinstance(request.user, User) else None
        scoring_model_update(model=obj, content=form.cleaned_data["content"], user=user)
