"""The operators' admin for accounts. Who may do what is decided in permissions.admin, not by Django permissions.

三员分立: the system administrator manages accounts; the security administrator reads them; the
audit administrator and the ministry get nothing here. Django's per-model permissions and groups
are not used, so they are hidden from the forms.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from accounts.forms import AccountChangeForm, AccountCreationForm
from accounts.models import User
from permissions.admin import RulesAdminMixin

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(RulesAdminMixin, DjangoUserAdmin):
    # Who may read and change accounts: permissions.admin.ADMIN_RULES["accounts.user"].
    form = AccountChangeForm
    add_form = AccountCreationForm
    add_form_template = "admin/accounts/user/add_form.html"
    list_display = (
        "username",
        "full_name",
        "role",
        "unit",
        "phone",
        "is_active",
        "is_staff",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff", ("authority", admin.RelatedOnlyFieldListFilter))
    search_fields = ("username", "full_name", "phone", "email", "base__name", "authority__name")
    ordering = ("role", "username")
    list_select_related = ("base", "authority")
    autocomplete_fields = ("base", "authority", "assigned_bases")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("角色与所属单位", {"fields": ("role", "base", "authority", "assigned_bases")}),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
        (
            "账号状态",
            {
                "fields": ("is_active", "is_staff"),
                "description": "停用账号代替删除。“职员状态”决定能否进入本运维管理界面。",
            },
        ),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2"),
            },
        ),
        (
            "角色与所属单位",
            {
                "fields": ("role", "base", "authority"),
                "description": "基地填报员须选择所属示范基地；省级审核员须选择所属省级主管部门；"
                "评审专家保存后在编辑页分配评审的示范基地。",
            },
        ),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
    )

    @admin.display(description="所属单位")
    def unit(self, obj: User) -> str:
        if obj.base_id:
            return obj.base.name
        if obj.authority_id:
            return obj.authority.name
        return "—"
