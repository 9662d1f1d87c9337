"""Who may read, change and delete what in Django's admin: one rule per model, here.

Django's per-model permissions and groups are not used: what an operator may do follows from their
role (三员分立), decided by the checks in `permissions.checks`. Every admin class mixes in
`RulesAdminMixin`, which looks its model up in `ADMIN_RULES`; a model without a rule is closed to
everyone. A disabled or non-staff account gets nothing, whatever its role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from audit.admin_log import AuditedAdminMixin
from permissions import checks

UserCheck = Callable[[Any], bool]


def _nobody(user: Any) -> bool:
    return False


@dataclass(frozen=True)
class AdminRule:
    """`view` may read; `manage` may read, add and change; `delete` may also delete."""

    view: UserCheck = _nobody
    manage: UserCheck = _nobody
    delete: UserCheck = _nobody


# The registry is the ministry's; the system administrator reads authorities, categories and bases
# only to bind accounts to them (autocomplete in the user form).
_REGISTRY = AdminRule(manage=checks.can_manage_registry, delete=checks.can_manage_registry)
_BINDABLE = AdminRule(
    view=checks.can_manage_accounts, manage=checks.can_manage_registry, delete=checks.can_manage_registry
)

ADMIN_RULES: dict[str, AdminRule] = {
    # Accounts are disabled, never deleted: values and audit events keep pointing at their author.
    "accounts.user": AdminRule(view=checks.can_read_accounts, manage=checks.can_manage_accounts),
    "registry.authority": _BINDABLE,
    "registry.category": _BINDABLE,
    "registry.base": _BINDABLE,
    "registry.starrating": _REGISTRY,
    "registry.campaign": _REGISTRY,
    # Definitions change only through their files; the ministry and the system administrator read them.
    "definitions.definition": AdminRule(view=checks.can_read_definitions),
    # The ministry tunes a campaign's scoring model before its ratings are published (audited).
    "evaluation.scoringmodel": AdminRule(manage=checks.can_evaluate),
}


def _staff(request: HttpRequest) -> Any:
    """The request's user if it may enter the admin at all, else None."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    return user


def admin_allows(request: HttpRequest, check: UserCheck) -> bool:
    """`check` for the request's user, inside the admin (staff only)."""
    user = _staff(request)
    return user is not None and check(user)


class RulesAdminMixin(AuditedAdminMixin):
    """Grants a ModelAdmin or an inline what `ADMIN_RULES` says for its model; every change made
    through it is also an audit event (`audit.admin_log`)."""

    model: Any

    def _rule(self) -> AdminRule:
        return ADMIN_RULES.get(self.model._meta.label_lower, AdminRule())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        rule = self._rule()
        return any(admin_allows(request, check) for check in (rule.view, rule.manage, rule.delete))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return admin_allows(request, self._rule().manage)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_allows(request, self._rule().manage)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_allows(request, self._rule().delete)
