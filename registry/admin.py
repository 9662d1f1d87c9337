"""The ministry's maintenance pages for the registry, in Django's admin.

The ministry (部级管理员) maintains authorities, categories, bases, star ratings and campaigns. The
system administrator reads authorities, categories and bases only, to bind accounts to them
(autocomplete in the user form); the other operators see nothing here (三员分立).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from permissions.admin import RulesAdminMixin, admin_allows
from permissions.checks import can_manage_registry
from registry.campaigns import campaign_close, campaign_open
from registry.models import Authority, Base, Campaign, Category, StarRating


class RegistryAdmin(RulesAdminMixin, admin.ModelAdmin):
    """Who may do what: permissions.admin.ADMIN_RULES (the ministry maintains; the system
    administrator reads authorities, categories and bases to bind accounts to them)."""


@admin.register(Authority)
class AuthorityAdmin(RegistryAdmin):
    list_display = ("name", "short_name", "kind", "region_code", "base_count", "sort_order")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "code", "region_code")
    ordering = ("sort_order", "code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authority]:
        return super().get_queryset(request).annotate(base_count=Count("bases"))

    @admin.display(description="示范基地数", ordering="base_count")
    def base_count(self, obj: Authority) -> int:
        return int(obj.base_count)  # type: ignore[attr-defined]  # annotated by get_queryset


@admin.register(Category)
class CategoryAdmin(RegistryAdmin):
    list_display = ("name", "code", "annex", "base_count", "sort_order")
    search_fields = ("name", "code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(base_count=Count("bases"))

    @admin.display(description="示范基地数", ordering="base_count")
    def base_count(self, obj: Category) -> int:
        return int(obj.base_count)  # type: ignore[attr-defined]  # annotated by get_queryset


class BaseAdminForm(forms.ModelForm):
    class Meta:
        model = Base
        fields = (
            "name",
            "batch",
            "authority",
            "category",
            "series",
            "location",
            "lead_industry",
            "sub_sectors",
            "industry_flags",
            "producer_services_led",
            "is_high_tech_zone",
            "high_tech_zone_name",
            "is_econ_zone",
            "econ_zone_name",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("is_high_tech_zone") and not cleaned.get("high_tech_zone_name"):
            self.add_error("high_tech_zone_name", "请填写国家高新技术产业开发区名称。")
        if cleaned.get("is_econ_zone") and not cleaned.get("econ_zone_name"):
            self.add_error("econ_zone_name", "请填写国家级经济技术开发区名称。")
        return cleaned


class StarRatingInline(RulesAdminMixin, admin.TabularInline):
    model = StarRating
    extra = 0
    fields = ("year", "stars")


@admin.register(Base)
class BaseAdmin(RegistryAdmin):
    form = BaseAdminForm
    list_display = ("name", "batch", "authority", "category", "series", "lead_industry", "status")
    list_filter = ("status", "batch", "category", "series", ("authority", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "lead_industry", "location", "authority__name", "authority__short_name")
    list_select_related = ("authority", "category")
    autocomplete_fields = ("authority",)
    inlines = (StarRatingInline,)
    # A title is revoked (status + date together) through the registry import, which checks both.
    readonly_fields = ("status", "revoked_on", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "batch", "authority", "category", "series", "location")}),
        (
            "主导产业",
            {"fields": ("lead_industry", "sub_sectors", "industry_flags", "producer_services_led")},
        ),
        (
            "基地主体",
            {"fields": ("is_high_tech_zone", "high_tech_zone_name", "is_econ_zone", "econ_zone_name")},
        ),
        (
            "状态",
            {
                "fields": ("status", "revoked_on", "created_at", "updated_at"),
                "description": "称号状态和取消称号日期通过“名录导入”变更。",
            },
        ),
    )

    def get_inlines(self, request: HttpRequest, obj: Base | None) -> Any:
        # The system administrator reads a base to bind accounts, not its ratings.
        return self.inlines if admin_allows(request, can_manage_registry) else ()


@admin.register(StarRating)
class StarRatingAdmin(RegistryAdmin):
    list_display = ("base", "year", "stars")
    list_filter = ("year", "stars")
    search_fields = ("base__name",)
    list_select_related = ("base",)
    autocomplete_fields = ("base",)


class CampaignAdminForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = (
            "title",
            "year",
            "data_year",
            "history_years",
            "form_version",
            "base_deadline",
            "authority_deadline",
            "bases",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        base_deadline = cleaned.get("base_deadline")
        authority_deadline = cleaned.get("authority_deadline")
        if base_deadline and authority_deadline and authority_deadline < base_deadline:
            self.add_error("authority_deadline", "省级主管部门报送截止时间不能早于示范基地报送截止时间。")
        data_year = cleaned.get("data_year")
        history = cleaned.get("history_years")
        if history is not None and not (
            isinstance(history, list) and all(isinstance(y, int) and not isinstance(y, bool) for y in history)
        ):
            self.add_error("history_years", "历史年度请填写年份列表，如 [2020, 2019]。")
        elif data_year and history and any(y >= data_year for y in history):
            self.add_error("history_years", "历史年度必须早于数据年度。")
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(RegistryAdmin):
    form = CampaignAdminForm
    actions = ("open_campaigns", "close_campaigns")
    list_display = (
        "title",
        "year",
        "data_year",
        "status",
        "base_deadline",
        "authority_deadline",
        "base_count",
    )
    list_filter = ("status",)
    search_fields = ("title",)
    filter_horizontal = ("bases",)
    # The status moves only through registry.campaigns (campaign_open / campaign_close), under a lock.
    readonly_fields = ("status", "created_at")
    fields = (
        "title",
        "year",
        "data_year",
        "history_years",
        "form_version",
        "base_deadline",
        "authority_deadline",
        "status",
        "bases",
        "created_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).annotate(base_count=Count("bases"))

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "bases":
            # A base whose title was revoked takes no part in later campaigns.
            kwargs["queryset"] = Base.objects.filter(status=Base.Status.ACTIVE).order_by("batch", "name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _apply(self, request: HttpRequest, queryset: QuerySet[Campaign], service: Any, done: str) -> None:
        for campaign in queryset:
            try:
                service(campaign=campaign, user=request.user)
            except ValidationError as e:
                self.message_user(request, "；".join(e.messages), messages.ERROR)
            else:
                self.message_user(request, f"“{campaign.title}”{done}。", messages.SUCCESS)

    @admin.action(description="启动所选年度评价（开始填报）", permissions=["change"])
    def open_campaigns(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._apply(request, queryset, campaign_open, "已启动，示范基地可以开始填报")

    @admin.action(description="结束所选年度评价", permissions=["change"])
    def close_campaigns(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._apply(request, queryset, campaign_close, "已结束")

    @admin.display(description="参评基地数", ordering="base_count")
    def base_count(self, obj: Campaign) -> int:
        return int(obj.base_count)  # type: ignore[attr-defined]  # annotated by get_queryset
