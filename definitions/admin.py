"""Definitions are read in the admin, never edited there: they change only through their files."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from definitions.models import Definition
from definitions.services import definition_freeze
from permissions.admin import RulesAdminMixin, admin_allows
from permissions.checks import can_freeze_definitions


@admin.register(Definition)
class DefinitionAdmin(RulesAdminMixin, admin.ModelAdmin):
    # Read-only for the ministry and the system administrator: permissions.admin.ADMIN_RULES.
    list_display = ("version", "code", "title", "short_checksum", "frozen_at", "updated_at")
    list_filter = ("version",)
    search_fields = ("code", "title")
    readonly_fields = (
        "version",
        "code",
        "title",
        "checksum",
        "created_at",
        "updated_at",
        "frozen_at",
        "pretty_content",
    )
    exclude = ("content",)
    actions = ["freeze"]

    @admin.display(description="校验值")
    def short_checksum(self, obj: Definition) -> str:
        return obj.checksum[:12]

    @admin.display(description="定义内容")
    def pretty_content(self, obj: Definition) -> str:
        text = json.dumps(obj.content, ensure_ascii=False, indent=2)
        return format_html("<pre>{}</pre>", text)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not admin_allows(request, can_freeze_definitions):
            actions.pop("freeze", None)
        return actions

    @admin.action(description="冻结所选报表定义（冻结后内容不可修改）")
    def freeze(self, request: HttpRequest, queryset: QuerySet[Definition]) -> None:
        for definition in queryset:
            definition_freeze(definition=definition)
        self.message_user(request, f"已冻结 {queryset.count()} 个报表定义。", messages.SUCCESS)
