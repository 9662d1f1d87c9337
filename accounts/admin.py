"""The operators' admin for accounts. Who may do what is decided in permissions.admin, not by Django permissions.

三员分立: the system administrator manages accounts; the security administrator reads them; the
audit administrator and the ministry get nothing here. Django's per-model permissions and groups
are not used, so they are hidden from the forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.forms import AccountChangeForm, AccountCreationForm
from accounts.models import User
from accounts.services import account_change, account_create, escalation_refuse
from permissions.admin import RulesAdminMixin
from security.crypto import mask_phone

admin.site.unregister(Group)


def _own_password_page(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's "修改密码" link goes to the site's own page (rules, history, audit)."""
    return redirect("accounts:password_change")


# The signature differs from AdminSite.password_change's (it returns a redirect, not a TemplateResponse).
admin.site.password_change = _own_password_page  # type: ignore[method-assign,assignment]


def _actor(request: HttpRequest) -> User:
    """The admin is behind its own login: its request's user is a User."""
    user = request.user
    assert isinstance(user, User)
    return user


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
        "phone_masked",
        "is_active",
        "is_staff",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff", ("authority", admin.RelatedOnlyFieldListFilter))
    # Phones and e-mails are encrypted at rest: they cannot be searched, and the list shows them masked.
    search_fields = ("username", "full_name", "base__name", "authority__name")
    ordering = ("role", "username")
    list_select_related = ("base", "authority")
    autocomplete_fields = ("base", "authority", "assigned_bases")
    readonly_fields = ("password_state", "is_staff", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password_state")}),
        ("角色与所属单位", {"fields": ("role", "base", "authority", "assigned_bases")}),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
        (
            "账号状态",
            {
                "fields": ("is_active", "is_staff"),
                "description": "停用账号代替删除。“职员状态”随角色确定（部级管理员和三员可进入本运维管理界面），不能手工设置。",
            },
        ),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username",),
            },
        ),
        (
            "角色与所属单位",
            {
                "fields": ("role", "base", "authority"),
                "description": "基地填报员须选择所属示范基地；省级审核员须选择所属省级主管部门；"
                "评审专家保存后在编辑页分配评审的示范基地。部级管理员、省级审核员和三员角色保存后"
                "提交安全管理员审批，批准前账号没有角色。",
            },
        ),
        ("个人信息", {"fields": ("full_name", "phone", "email")}),
    )

    # Fields no form here offers; a request that carries them was made by hand and is refused.
    FORBIDDEN_POST = frozenset(
        {
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "password",
            "password1",
            "password2",
            "usable_password",
        }
    )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        if request.method == "POST":
            forged = sorted(self.FORBIDDEN_POST & set(request.POST))
            if forged:
                target = User.objects.filter(pk=object_id).first() if object_id else None
                escalation_refuse(
                    actor=_actor(request), attempt="在运维管理界面设置" + "、".join(forged), target=target,
                    data={"fields": forged},
                )  # fmt: skip
                raise PermissionDenied("这些字段不能在此设置，本次操作已记入审计日志。")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Nobody sets another person's password here: the holder sets it (activation link, own page)
        # and the security administrator issues temporary passwords on the 账号安全 page.
        escalation_refuse(
            actor=_actor(request),
            attempt="在运维管理界面设置他人密码",
            target=User.objects.filter(pk=id).first(),
        )
        raise PermissionDenied("密码只能由本人设置；重置密码请联系安全管理员。本次操作已记入审计日志。")

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        if not change:
            grant = account_create(actor=_actor(request), user=obj)
            messages.info(request, f"已向 {obj.email} 发送账号激活链接，由本人设置登录密码。")
        else:
            grant, kept = account_change(actor=_actor(request), user=obj, changed=list(form.changed_data))
            # The admin object is shared by every request; the flag travels on the request.
            request.sfjd_binding_kept = kept  # type: ignore[attr-defined]  # read by response_change
            if obj.pk == request.user.pk and kept:
                messages.error(request, "不能修改本人的角色或所属单位，本次修改未生效，已记入审计日志。")
        if grant is not None:
            messages.warning(
                request,
                f"“{grant.get_role_display()}”角色须经安全管理员审批，已提交申请；批准前账号保持原角色。",
            )

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        if change and getattr(request, "sfjd_binding_kept", False):
            # The role stays as it was, so the expert's assigned bases stay too.
            form.cleaned_data.pop("assigned_bases", None)
        super().save_related(request, form, formsets, change)

    # Read only (the security administrator), Django shows a foreign key as a link to the related
    # object's change page whatever the reader may open; the registry is not the reader's to open,
    # so the unit is shown as text.
    READ_ONLY_AS_TEXT = {"base": "base_shown", "authority": "authority_shown"}

    def _read_only(self, request: HttpRequest, obj: User | None) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if not self._read_only(request, obj):
            return fieldsets
        swap = self.READ_ONLY_AS_TEXT
        return [
            (
                name,
                {
                    **options,
                    "fields": tuple(swap.get(f, f) if isinstance(f, str) else f for f in options["fields"]),
                },
            )
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, *self.READ_ONLY_AS_TEXT.values()) if self._read_only(request, obj) else fields

    @admin.display(description="所属示范基地")
    def base_shown(self, obj: User) -> str:
        return obj.base.name if obj.base is not None else "—"

    @admin.display(description="所属省级主管部门")
    def authority_shown(self, obj: User) -> str:
        return obj.authority.name if obj.authority is not None else "—"

    @admin.display(description="密码")
    def password_state(self, obj: User) -> str:
        # No link to a password form: only the holder sets a password (三员分立).
        if not obj.has_usable_password():
            return "未设置（本人通过激活链接设置）"
        if obj.must_change_password:
            return "临时密码（本人登录后须修改）"
        return "已由本人设置；忘记密码须由安全管理员签发临时密码"

    @admin.display(description="联系电话")
    def phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.display(description="所属单位")
    def unit(self, obj: User) -> str:
        if obj.base is not None:
            return obj.base.name
        if obj.authority is not None:
            return obj.authority.name
        return "—"
