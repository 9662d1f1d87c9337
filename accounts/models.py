"""Users and their roles. Every user has exactly one role; fillers and reviewers are bound to their unit."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    BASE_FILLER = "base_filler", "基地填报员"
    AUTHORITY_REVIEWER = "authority_reviewer", "省级审核员"
    MINISTRY_ADMIN = "ministry_admin", "部级管理员"
    EXPERT = "expert", "评审专家"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


class User(AbstractUser):
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
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
        if self.role == Role.BASE_FILLER and self.base_id:
            return self.base.name
        if self.role == Role.AUTHORITY_REVIEWER and self.authority_id:
            return self.authority.name
        if self.role == Role.MINISTRY_ADMIN:
            return "工业和信息化部规划司"
        return self.get_role_display()
