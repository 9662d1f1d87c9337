"""Account state changes: passwords, role grants (三员分立), temporary passwords, activation, locks.

Each one, and each refused attempt to get round the separation of duties, goes to the audit trail.
A refused attempt is checked and recorded *before* the service's transaction opens: raising inside
it would roll the record of the refusal back with everything else.
"""

from __future__ import annotations

import secrets
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import (
    NO_ROLE,
    RoleGrantRequest,
    User,
    binding_change_needs_grant,
    role_assigns_bases,
    role_is_staff,
)
from audit.models import Event
from audit.services import event_record
from lib.authz import Ask, allows


@transaction.atomic
def password_change(*, user: User, password: str) -> None:
    """The user sets their own new password (already validated by the form); temporary no more."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    event_record(actor=user, action="account.password_changed", summary="修改本人密码", target=user)


@transaction.atomic
def escalation_refuse(
    *, actor: User, attempt: str, target: User | None = None, data: dict[str, Any] | None = None
) -> None:
    """Record an attempt the separation of duties refused (the caller then answers 403 or an error)."""
    name = target.username if target is not None else ""
    event_record(
        actor=actor,
        action="account.escalation_refused",
        summary=f"已拒绝：{attempt}" + (f"（账号 {name}）" if name else ""),
        target=target,
        data={"attempt": attempt, **(data or {})},
        outcome=Event.Outcome.REFUSED,
    )


def _unit_label(base: Any, authority: Any) -> str:
    return (base.name if base is not None else "") or (authority.name if authority is not None else "")


def role_grant_request(
    *, actor: User, user: User, role: str, base: Any = None, authority: Any = None
) -> RoleGrantRequest:
    """The system administrator asks for `role` on `user`; an earlier pending request is superseded."""
    if not allows(Ask.MANAGE_ACCOUNTS, actor):
        escalation_refuse(actor=actor, attempt="申请角色授权", target=user, data={"role": role})
        raise PermissionDenied("只有系统管理员可以申请角色授权。")
    if actor.pk == user.pk:
        escalation_refuse(actor=actor, attempt="申请修改本人的角色", target=user, data={"role": role})
        raise PermissionDenied("不能为本人申请角色。")
    return _role_grant_request(actor=actor, user=user, role=role, base=base, authority=authority)


@transaction.atomic
def _role_grant_request(*, actor: User, user: User, role: str, base: Any, authority: Any) -> RoleGrantRequest:
    now = timezone.now()
    RoleGrantRequest.objects.select_for_update().filter(
        user=user, status=RoleGrantRequest.Status.PENDING
    ).update(status=RoleGrantRequest.Status.SUPERSEDED, decided_at=now)
    grant = RoleGrantRequest.objects.create(
        user=user,
        role=role,
        previous_role=user.role,
        base=base,
        authority=authority,
        requested_by=actor,
        requested_at=now,
    )
    event_record(
        actor=actor,
        action="account.grant_requested",
        summary=f"申请授予 {user.username} 角色“{grant.get_role_display()}”{_unit_label(base, authority)}，待安全管理员审批",
        target=user,
        data={"grant": grant.pk, "role": role, "previous_role": user.role},
    )
    return grant


def role_grant_decide(*, actor: User, grant_id: int, approve: bool, comment: str = "") -> RoleGrantRequest:
    """The security administrator approves (the role, unit and staff flag change) or rejects a request."""
    grant = RoleGrantRequest.objects.select_related("user").get(pk=grant_id)
    if not allows(Ask.GRANT_ROLES, actor):
        escalation_refuse(actor=actor, attempt="审批角色授权", target=grant.user, data={"grant": grant.pk})
        raise PermissionDenied("只有安全管理员可以审批角色授权。")
    if actor.pk in (grant.user_id, grant.requested_by_id):
        escalation_refuse(
            actor=actor, attempt="审批与本人有关的角色授权", target=grant.user, data={"grant": grant.pk}
        )
        raise PermissionDenied("不能审批本人的角色，也不能审批本人提出的申请。")
    return _role_grant_decide(actor=actor, grant_id=grant_id, approve=approve, comment=comment)


@transaction.atomic
def _role_grant_decide(*, actor: User, grant_id: int, approve: bool, comment: str) -> RoleGrantRequest:
    grant = RoleGrantRequest.objects.select_for_update().get(pk=grant_id)
    target = User.objects.select_for_update().get(pk=grant.user_id)
    if grant.status != RoleGrantRequest.Status.PENDING:
        raise PermissionDenied("该申请已处理，不能再次审批。")
    grant.status = RoleGrantRequest.Status.APPROVED if approve else RoleGrantRequest.Status.REJECTED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.comment = comment[:200]
    grant.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    if approve:
        target.role = grant.role
        target.base = grant.base
        target.authority = grant.authority
        # Admin access follows the role; nobody sets the staff flag by hand.
        target.is_staff = role_is_staff(grant.role)
        target.is_superuser = False
        target.save(update_fields=["role", "base", "authority", "is_staff", "is_superuser"])
        if not role_assigns_bases(grant.role):
            target.assigned_bases.clear()
    verb = "批准" if approve else "驳回"
    event_record(
        actor=actor,
        action="account.role_granted" if approve else "account.grant_rejected",
        summary=f"{verb} {target.username} 的角色申请“{grant.get_role_display()}”",
        target=target,
        data={
            "grant": grant.pk,
            "role": grant.role,
            "previous_role": grant.previous_role,
            "comment": grant.comment,
        },
    )
    return grant


def temporary_password() -> str:
    """Twelve characters from upper, lower and digits without look-alikes: passes the composition rule."""
    upper, lower, digits = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789"
    chars = [secrets.choice(upper) for _ in range(4)] + [secrets.choice(lower) for _ in range(4)]
    chars += [secrets.choice(digits) for _ in range(4)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_reset_issue(*, actor: User, user: User) -> str:
    """The security administrator issues a temporary password, to be changed at the next login.

    The new hash ends the user's sessions (their auth hash no longer matches) and lifts a login lock.
    """
    if not allows(Ask.RESET_PASSWORDS, actor):
        escalation_refuse(actor=actor, attempt="重置他人密码", target=user)
        raise PermissionDenied("只有安全管理员可以重置密码。")
    if actor.pk == user.pk:
        escalation_refuse(actor=actor, attempt="为本人签发临时密码", target=user)
        raise PermissionDenied("本人的密码请在“修改密码”页面修改。")
    return _password_reset_issue(actor=actor, user=user)


@transaction.atomic
def _password_reset_issue(*, actor: User, user: User) -> str:
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    AccessAttempt.objects.filter(username=user.username).delete()
    event_record(
        actor=actor,
        action="account.password_reset",
        summary=f"为 {user.username} 签发临时密码（首次登录须修改）",
        target=user,
    )
    return password


def account_unlock(*, actor: User, username: str) -> int:
    """The security administrator lifts a login lock before its 30 minutes are over."""
    if not allows(Ask.RESET_PASSWORDS, actor):
        escalation_refuse(actor=actor, attempt="解除登录锁定", data={"username": username[:150]})
        raise PermissionDenied("只有安全管理员可以解除登录锁定。")
    return _account_unlock(actor=actor, username=username)


@transaction.atomic
def _account_unlock(*, actor: User, username: str) -> int:
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    event_record(
        actor=actor,
        action="account.unlocked",
        summary=f"解除 {username[:40]} 的登录锁定",
        data={"username": username, "attempt_rows": count},
    )
    return count


def activation_link(user: User) -> str:
    """A one-time link: the token covers the password hash and last login, so it dies once used."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:activate", args=[uid, token])


@transaction.atomic
def account_activation_send(*, actor: User, user: User) -> None:
    """E-mail the new account's holder a link to set their own password (the creator never knows it)."""
    link = activation_link(user)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    body = (
        f"{user.display_name}：\n\n"
        f"已为您开通示范基地发展质量评价信息管理系统账号，用户名：{user.username}。\n"
        f"请在 {hours} 小时内打开以下链接设置登录密码（链接只能使用一次）：\n{link}\n\n"
        "如非本人申请，请忽略本邮件并告知本单位的安全管理员。"
    )
    recipient = user.email
    transaction.on_commit(
        lambda: send_mail("【示范基地信息管理系统】账号开通：请设置登录密码", body, None, [recipient])
    )
    event_record(
        actor=actor,
        action="account.activation_sent",
        summary=f"向 {user.username} 的邮箱发送账号激活链接",
        target=user,
    )


@transaction.atomic
def account_activate(*, user: User, password: str) -> None:
    """The holder of an activation link sets their password; the link is spent by it."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    event_record(actor=user, action="account.activated", summary="通过激活链接设置登录密码", target=user)


BINDING_FIELDS = ("role", "base_id", "authority_id")


def account_create(*, actor: User, user: User) -> RoleGrantRequest | None:
    """Save a new account from the system administrator's form.

    The account gets no password (an activation link goes to its e-mail). A privileged role is
    not given but requested: until the security administrator approves, the account holds none.
    """
    if not allows(Ask.MANAGE_ACCOUNTS, actor):
        escalation_refuse(actor=actor, attempt="新建账号")
        raise PermissionDenied("只有系统管理员可以新建账号。")
    return _account_create(actor=actor, user=user)


@transaction.atomic
def _account_create(*, actor: User, user: User) -> RoleGrantRequest | None:
    requested = (user.role, user.base, user.authority)
    needs_grant = binding_change_needs_grant(NO_ROLE, user.role)
    if needs_grant:
        user.role, user.base, user.authority = NO_ROLE, None, None
    user.is_staff = role_is_staff(user.role)
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    event_record(
        actor=actor,
        action="account.created",
        summary=f"新建账号 {user.username}（{user.get_role_display()}）",
        target=user,
        data={"role": user.role},
    )
    account_activation_send(actor=actor, user=user)
    if needs_grant:
        role, base, authority = requested
        return _role_grant_request(actor=actor, user=user, role=role, base=base, authority=authority)
    return None


@transaction.atomic
def account_change(*, actor: User, user: User, changed: list[str]) -> tuple[RoleGrantRequest | None, bool]:
    """Save the system administrator's edit of an account.

    Changing one's own role is refused; giving or taking away a privileged role, or moving a
    privileged account to another unit, becomes a request and the account keeps its binding until
    the security administrator decides. Returns that request, if any, and whether the binding
    was kept (the caller then leaves the expert's assigned bases alone too).
    """
    if not allows(Ask.MANAGE_ACCOUNTS, actor):
        escalation_refuse(actor=actor, attempt="修改账号", target=user)
        raise PermissionDenied("只有系统管理员可以修改账号。")
    original = User.objects.select_for_update().get(pk=user.pk)
    binding_changed = any(getattr(original, f) != getattr(user, f) for f in BINDING_FIELDS)
    grant = None
    kept = False
    if binding_changed:
        wanted = {"role": user.role, "base": user.base_id, "authority": user.authority_id}
        privileged = binding_change_needs_grant(original.role, user.role)
        if user.pk == actor.pk:
            escalation_refuse(actor=actor, attempt="修改本人的角色或所属单位", target=original, data=wanted)
        elif privileged:
            grant = role_grant_request(
                actor=actor, user=original, role=user.role, base=user.base, authority=user.authority
            )
        kept = user.pk == actor.pk or privileged
        if kept:
            user.role, user.base_id, user.authority_id = (
                original.role,
                original.base_id,
                original.authority_id,
            )
            changed = [f for f in changed if f not in ("role", "base", "authority", "assigned_bases")]
    # The staff and superuser flags follow the role whatever was posted.
    user.is_staff = role_is_staff(user.role)
    user.is_superuser = False
    user.password = original.password
    user.save()
    if changed:
        event_record(
            actor=actor,
            action="account.changed",
            summary=f"修改账号 {user.username}：{'、'.join(changed)}",
            target=user,
            data={"fields": changed},
        )
    return grant, kept
