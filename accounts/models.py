"""Users and their roles. Every user has exactly one role; fillers and reviewers are bound to their unit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import QuerySet

from security.fields import EncryptedCharField, EncryptedEmailField


class Role(models.TextChoices):
    BASE_FILLER = "base_filler", "基地填报员"
    AUTHORITY_REVIEWER = "authority_reviewer", "省级审核员"
    MINISTRY_ADMIN = "ministry_admin", "部级管理员"
    EXPERT = "expert", "评审专家"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


def unit_binding_errors(
    *, role: str | None, base: object, authority: object, assigned_bases: object
) -> list[tuple[str, str]]:
    """(field, Chinese message) for each way the unit binding breaks the rules of `User.Meta`'s
    constraints: a filler is bound to its base only, a reviewer to its authority only, only an
    expert has assigned bases. A fact of the account, not an access decision."""
    errors: list[tuple[str, str]] = []
    if role == Role.BASE_FILLER:
        if base is None:
            errors.append(("base", "基地填报员必须绑定所属示范基地。"))
        if authority is not None:
            errors.append(("authority", "基地填报员不绑定省级主管部门，请清空此项（由所属基地确定）。"))
    elif role == Role.AUTHORITY_REVIEWER:
        if authority is None:
            errors.append(("authority", "省级审核员必须绑定所属省级主管部门。"))
        if base is not None:
            errors.append(("base", "省级审核员不绑定示范基地，请清空此项。"))
    elif role:
        if base is not None:
            errors.append(("base", "只有基地填报员绑定示范基地，请清空此项。"))
        if authority is not None:
            errors.append(("authority", "只有省级审核员绑定省级主管部门，请清空此项。"))
    if role and role != Role.EXPERT and assigned_bases:
        errors.append(("assigned_bases", "只有评审专家分配评审的示范基地，请清空此项。"))
    return errors


# An account waiting for the security administrator to approve its role holds none meanwhile (the
# field is blank; `Role` lists only the real roles, one account per role in the demo and the tests).
NO_ROLE = ""

# Roles only the security administrator grants: each reads beyond one base or runs the system. The
# system administrator assigns the other two (基地填报员, 评审专家) directly.
PRIVILEGED_ROLES = frozenset(
    {Role.MINISTRY_ADMIN, Role.AUTHORITY_REVIEWER, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
)
# Roles that enter the admin at all: is_staff follows the role, nobody sets it by hand.
STAFF_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def binding_change_needs_grant(old_role: str, new_role: str) -> bool:
    """A change of role or unit that gives, takes away or moves a privileged role needs approval."""
    return old_role in PRIVILEGED_ROLES or new_role in PRIVILEGED_ROLES


def role_is_staff(role: str) -> bool:
    return role in STAFF_ROLES


def role_assigns_bases(role: str) -> bool:
    """Only experts keep a list of assigned bases."""
    return role == Role.EXPERT


class User(AbstractUser):
    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    # Stored encrypted (security/fields.py); logins are by user name, never looked up by these.
    phone = EncryptedCharField("联系电话", max_length=30, blank=True)
    email = EncryptedEmailField("电子邮箱", blank=True)
    base = models.ForeignKey(
        "registry.Base",
        verbose_name="所属示范基地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    authority = models.ForeignKey(
        "registry.Authority",
        verbose_name="所属省级主管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    assigned_bases = models.ManyToManyField(
        "registry.Base",
        verbose_name="分配评审的示范基地",
        blank=True,
        related_name="assigned_experts",
        help_text="仅评审专家使用",
    )
    must_change_password = models.BooleanField(
        "首次登录须修改密码", default=False, help_text="临时密码登录后只能进入修改密码页面"
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, editable=False)

    REQUIRED_FIELDS = ["email", "role"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # A filler without a base, or a reviewer without an authority, would see nothing and
            # could be mistaken for a broken account; forbid the combination at the database.
            models.CheckConstraint(
                condition=~models.Q(role="base_filler")
                | models.Q(base__isnull=False, authority__isnull=True),
                name="filler_bound_to_base",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="authority_reviewer")
                | models.Q(authority__isnull=False, base__isnull=True),
                name="reviewer_bound_to_authority",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["base_filler", "authority_reviewer"])
                | models.Q(base__isnull=True, authority__isnull=True),
                name="only_fillers_and_reviewers_bound",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def unit_name(self) -> str:
        if self.role == Role.BASE_FILLER and self.base is not None:
            return self.base.name
        if self.role == Role.AUTHORITY_REVIEWER and self.authority is not None:
            return self.authority.name
        if self.role == Role.MINISTRY_ADMIN:
            return "工业和信息化部规划司"
        return self.get_role_display()


# --- who is told: the one place that says who receives a unit's messages and reminders -------------


def active_fillers(base: Any = None) -> QuerySet[User]:
    """The people who fill a base's material and receive its messages and 催报: the active
    基地填报员, of `base` (a Base, a pk or an OuterRef) when given. Narrow further with filter()
    (`base__in=...`)."""
    users = User.objects.filter(role=Role.BASE_FILLER, is_active=True)
    return users if base is None else users.filter(base=base)


def active_reviewers(authority: Any = None) -> QuerySet[User]:
    """The people who review an authority's bases and receive its messages and reminders: the active
    省级审核员, of `authority` (an Authority, a pk or an OuterRef) when given."""
    users = User.objects.filter(role=Role.AUTHORITY_REVIEWER, is_active=True)
    return users if authority is None else users.filter(authority=authority)


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords, so a recent one cannot be set again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class RoleGrantRequest(models.Model):
    """A role asked for by the system administrator, granted only when the security administrator approves.

    三员分立: the one who manages accounts cannot give anyone a privileged role, and the one who grants
    roles does not create accounts. The requested unit binding travels with the request.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        SUPERSEDED = "superseded", "已被新申请取代"

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="grant_requests"
    )
    role = models.CharField("申请角色", max_length=32, choices=Role.choices)
    previous_role = models.CharField("原角色", max_length=32, choices=Role.choices, blank=True)
    base = models.ForeignKey(
        "registry.Base",
        verbose_name="所属示范基地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    authority = models.ForeignKey(
        "registry.Authority",
        verbose_name="所属省级主管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.PROTECT, related_name="grant_requests_made"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        User,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant_decisions",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    comment = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "角色授权申请"
        verbose_name_plural = "角色授权申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="one_pending_grant_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.get_role_display()}（{self.get_status_display()}）"

    @property
    def unit_name(self) -> str:
        if self.base_id and (base := self.base) is not None:
            return base.name
        if self.authority_id and (authority := self.authority) is not None:
            return authority.name
        return ""
