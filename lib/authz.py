"""The port through which domain services ask "may this user do this?" without importing `permissions`.

`permissions` sits above the domain apps (it imports their models to build querysets); the domain's
models and services sit below it and must never import it. Yet a service must refuse a user who may
not act, because a view is not its only door (an API, an import or a command calls services
directly). So a service asks here, by one of the names in `Ask`, and `permissions` answers: its
AppConfig.ready() registers one check per name. A question nobody registered an answer for is
answered "no" (fail closed), so a misconfigured process refuses rather than allows.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied


class Ask(StrEnum):
    """Every question a domain service may ask. The arguments after the user are given per name."""

    # (user, submission): the base's own filler, the reviewer of the base's authority, the ministry.
    OWN_FILLER = "own_filler"
    AUTHORITY_REVIEWER = "authority_reviewer"
    MINISTRY = "ministry"
    # (user): an expert (reviews the bases assigned to them).
    EXPERT = "expert"
    # (user, submission): the own filler, while the material may still be changed.
    FILL = "fill"
    # (user): a reviewer bound to an authority (reminds only its own bases, requests its own reopening).
    REVIEWS_OWN_AUTHORITY = "reviews_own_authority"
    # (user): a filler bound to a base (requests its own base's reopening).
    FILLS_OWN_BASE = "fills_own_base"
    # (user, authority): writes the authority's summary and recommends its cases.
    WRITE_AUTHORITY_MATERIAL = "write_authority_material"
    # (user, authority): reads the authority's summary, cases and bases' reports (a combined document).
    READ_AUTHORITY_MATERIAL = "read_authority_material"
    # (user): reads every authority's material at once (the national zip of Word documents).
    READ_NATIONAL_MATERIAL = "read_national_material"
    # (user, authority | None): sends 催报 for the authority's bases (None: nationally).
    REMIND = "remind"
    # (user, reopen request): decides it at the authority's stage.
    DECIDE_REOPEN_AUTHORITY = "decide_reopen_authority"
    # (user, submission): imports a filled Excel template into the material (own filler; in bulk the
    # base's authority or the ministry), while the material may still be changed.
    IMPORT_EXCEL = "import_excel"
    # (user): 三员分立 in the account services. Creates and edits accounts (the system administrator).
    MANAGE_ACCOUNTS = "manage_accounts"
    # (user): approves role grants (the security administrator).
    GRANT_ROLES = "grant_roles"
    # (user): issues temporary passwords, lifts locks, resets second factors (the security administrator).
    RESET_PASSWORDS = "reset_passwords"
    # (user): must pass a second factor at login.
    OTP_REQUIRED = "otp_required"
    # (user): holds API tokens and calls the API (api.services, api.auth).
    USE_API = "use_api"
    # (user): revokes anyone's API token (the security administrator).
    REVOKE_ANY_API_TOKEN = "revoke_any_api_token"


Check = Callable[..., bool]
_checks: dict[Ask, Check] = {}


def register(answers: dict[Ask, Check]) -> None:
    """Called once by the permissions app; every question must get an answer."""
    missing = set(Ask) - set(answers)
    if missing:
        raise ValueError(f"permissions did not answer: {sorted(missing)}")
    _checks.clear()
    _checks.update(answers)


def unregister() -> None:
    """Forget every answer (tests prove that services then refuse)."""
    _checks.clear()


def allows(ask: Ask, user: Any, *args: Any) -> bool:
    check = _checks.get(ask)
    return check is not None and bool(check(user, *args))


def require(ask: Ask, user: Any, *args: Any, message: str) -> None:
    """Raise PermissionDenied with `message` unless the registered check allows it."""
    if not allows(ask, user, *args):
        raise PermissionDenied(message)
