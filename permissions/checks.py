"""What a user may do: one function per rule, named for what it allows.

Every role comparison of the system lives in this package. Views, template tags (through
`permissions.context.Can`), the admin (through `permissions.admin`) and dashboards ask these
functions; domain services ask the same functions through the port `lib.authz` (see `ANSWERS`).

A disabled account may do nothing, whatever its role: every check starts from `_active`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from accounts.models import Role
from lib.authz import Ask, Check
from permissions.access import reminder_authorities, visible_authority_material
from registry.models import Authority, ReopenRequest
from review.models import Transition
from review.services import transition_check
from submissions.models import Submission


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _has_role(user: Any, *roles: str) -> bool:
    return _active(user) and user.role in roles


# --- relations of a user to a base's material ------------------------------------------------------
# The transition table (review.transitions) names its actors by these relations.


def is_own_filler(user: Any, submission: Submission) -> bool:
    """The filler bound to the material's base."""
    return _has_role(user, Role.BASE_FILLER) and user.base_id == submission.base_id


def is_authority_reviewer(user: Any, submission: Submission) -> bool:
    """A reviewer of the authority that supervises the material's base."""
    return (
        _has_role(user, Role.AUTHORITY_REVIEWER)
        and user.authority_id is not None
        and user.authority_id == submission.base.authority_id
    )


def is_ministry(user: Any, submission: Submission | None = None) -> bool:
    """The ministry (规划司) stands in its relation to every base's material."""
    return _has_role(user, Role.MINISTRY_ADMIN)


def can_see_contacts(user: Any, submission: Submission) -> bool:
    """Phones and e-mails of a base's contacts in full: its filler, its authority's reviewers and the
    ministry, who may need to call; everyone else who reads the material (experts) sees them masked."""
    return is_own_filler(user, submission) or is_authority_reviewer(user, submission) or is_ministry(user)


# --- what a role does, without an object ----------------------------------------------------------


def can_oversee(user: Any) -> bool:
    """The ministry's national work: progress, acceptance, reopening decisions, the registry."""
    return is_ministry(user)


# Maintaining the registry (bases, authorities, campaigns, imports) is the same rule as oversight
# today; the name says what the caller asks, so a future split changes only this line.
can_manage_registry = can_oversee


def can_fill_own_base(user: Any) -> bool:
    """A filler bound to a base: the 年度填报 entry point and its base's own pages."""
    return _has_role(user, Role.BASE_FILLER) and user.base_id is not None


def can_review_own_authority(user: Any) -> bool:
    """A reviewer bound to an authority: the review list, its 催报 page, its own summary and cases."""
    return _has_role(user, Role.AUTHORITY_REVIEWER) and user.authority_id is not None


def can_read_provincial_material(user: Any) -> bool:
    """The ministry and authority reviewers: review pages, summaries and cases (within their scope)."""
    return _has_role(user, Role.MINISTRY_ADMIN, Role.AUTHORITY_REVIEWER)


def can_read_authority_material(user: Any, authority: Authority) -> bool:
    """The ministry, or the authority's own reviewer: its summary, its cases, its bases' reports."""
    return _active(user) and visible_authority_material(user).filter(pk=authority.pk).exists()


def can_read_national_material(user: Any) -> bool:
    """Every authority's summary, cases and bases' reports at once: the ministry's national work."""
    return can_oversee(user)


def can_read_base_reports(user: Any) -> bool:
    """Fillers and experts read bases' development reports (their own base, their assigned bases)."""
    return _has_role(user, Role.BASE_FILLER, Role.EXPERT)


def can_see_registry_list(user: Any) -> bool:
    """The roles that read the list of bases (each within its scope). The three operators do not."""
    return _has_role(user, Role.MINISTRY_ADMIN, Role.AUTHORITY_REVIEWER, Role.BASE_FILLER, Role.EXPERT)


def can_review_assigned_bases(user: Any) -> bool:
    """An expert: reads the bases assigned to them."""
    return _has_role(user, Role.EXPERT)


def can_manage_accounts(user: Any) -> bool:
    """The system administrator (系统管理员): accounts and their binding to units."""
    return _has_role(user, Role.SYSTEM_ADMIN)


def can_grant_roles(user: Any) -> bool:
    """The security administrator alone approves role grants (三员分立: the system administrator asks)."""
    return _has_role(user, Role.SECURITY_ADMIN)


def can_reset_passwords(user: Any) -> bool:
    """The security administrator alone issues temporary passwords, lifts login locks, resets OTP."""
    return _has_role(user, Role.SECURITY_ADMIN)


def otp_required(user: Any) -> bool:
    """Roles that must pass a second factor at login (settings.OTP_REQUIRED_ROLES)."""
    return _active(user) and user.role in settings.OTP_REQUIRED_ROLES


def can_read_accounts(user: Any) -> bool:
    """The security administrator (安全管理员) reads accounts without changing them."""
    return _has_role(user, Role.SECURITY_ADMIN)


def can_read_definitions(user: Any) -> bool:
    """The ministry and the system administrator read the forms' definitions in the admin."""
    return _has_role(user, Role.MINISTRY_ADMIN, Role.SYSTEM_ADMIN)


# Freezing a definition (its content can no longer change) is the ministry's decision.
can_freeze_definitions = can_oversee


def can_read_audit(user: Any) -> bool:
    """The audit administrator (审计管理员) reads the audit trail."""
    return _has_role(user, Role.AUDIT_ADMIN)


# --- a base's material -------------------------------------------------------------------------


def can_fill(user: Any, submission: Submission) -> bool:
    """Only the base's own filler edits its material, and only while it is a draft or returned."""
    return is_own_filler(user, submission) and submission.is_editable


def can_upload_scan(user: Any, submission: Submission) -> bool:
    """The base's own filler uploads sealed scans, while the material may still be changed."""
    return can_fill(user, submission)


def can_download_template(user: Any, submission: Submission) -> bool:
    """The Excel template of a base's material, pre-filled: its filler, its authority's reviewers, the ministry."""
    return is_own_filler(user, submission) or is_authority_reviewer(user, submission) or is_ministry(user)


def can_import_excel(user: Any, submission: Submission) -> bool:
    """A filled template goes into the material while it may still be changed: by the base's own
    filler, or (bulk import) by a reviewer of its authority or the ministry."""
    return submission.is_editable and (
        is_own_filler(user, submission) or is_authority_reviewer(user, submission) or is_ministry(user)
    )


def can_bulk_import_excel(user: Any) -> bool:
    """Many filled templates at once: an authority's reviewer (its own bases) or the ministry (all)."""
    return can_review_own_authority(user) or can_oversee(user)


# National exports (a row per base): the ministry for every base, an authority for its own.
can_export_bases = can_bulk_import_excel


# The material's transitions: the table in review.transitions decides (actor relation, states and
# needs); these say whether the action would go through now. Needs on what the actor types (a
# return's comment) are not known yet and count as met.


def _transition(action: str, user: Any, submission: Submission) -> bool:
    return transition_check(action, user=user, submission=submission).allowed


def can_submit(user: Any, submission: Submission) -> bool:
    return _transition(Transition.Action.SUBMIT, user, submission)


def can_return(user: Any, submission: Submission) -> bool:
    return _transition(Transition.Action.RETURN, user, submission)


def can_approve(user: Any, submission: Submission) -> bool:
    return _transition(Transition.Action.APPROVE, user, submission)


def can_accept(user: Any, submission: Submission) -> bool:
    return _transition(Transition.Action.ACCEPT, user, submission)


def can_ministry_return(user: Any, submission: Submission) -> bool:
    return _transition(Transition.Action.MINISTRY_RETURN, user, submission)


def can_request_reopen(user: Any, submission: Submission) -> bool:
    """The base's own filler asks for a reopening window for its base (whether one is needed is the
    service's question: it refuses while the window is still open)."""
    return is_own_filler(user, submission)


# --- provincial material ---------------------------------------------------------------------


def can_write_authority_material(user: Any, authority: Authority) -> bool:
    """Only the authority's own reviewer writes its summary and recommends its cases."""
    return can_review_own_authority(user) and user.authority_id == authority.pk


# Recommending a case is writing the authority's material: the same rule, asked by its own name.
can_recommend_case = can_write_authority_material


def can_decide_reopen_authority(user: Any, request: ReopenRequest) -> bool:
    """The authority's stage of a base's reopening request: its own reviewer."""
    return can_review_own_authority(user) and user.authority_id == request.authority_id


def can_decide_reopen_ministry(user: Any, request: ReopenRequest | None = None) -> bool:
    """The ministry's stage of any reopening request."""
    return is_ministry(user)


def can_remind(user: Any, authority: Authority | None) -> bool:
    """May the user send 催报 for `authority`'s bases (None: nationally, the ministry only)?"""
    if authority is None:
        return can_oversee(user)
    return _active(user) and reminder_authorities(user).filter(pk=authority.pk).exists()


# --- the evaluation -----------------------------------------------------------------------------

# Scoring models and runs, data-quality checks, disqualification, experts, ratings and analytics are
# the ministry's national work.
can_evaluate = can_oversee


def can_see_own_ratings(user: Any) -> bool:
    """A base sees its own published stars, an authority its bases' (the ministry sees all of them in
    its evaluation pages)."""
    return _has_role(user, Role.BASE_FILLER, Role.AUTHORITY_REVIEWER)


def can_see_ratings(user: Any) -> bool:
    """Published star ratings, each within its scope."""
    return can_see_own_ratings(user) or is_ministry(user)


# --- the API -------------------------------------------------------------------------------------


def can_use_api(user: Any) -> bool:
    """The roles that work with bases' material hold API tokens and call the API (each within the
    scope the pages give it). The three operators do not: they see no base data."""
    return _has_role(user, Role.MINISTRY_ADMIN, Role.AUTHORITY_REVIEWER, Role.BASE_FILLER, Role.EXPERT)


def can_revoke_any_api_token(user: Any) -> bool:
    """The security administrator sees every token and revokes any of them."""
    return _has_role(user, Role.SECURITY_ADMIN)


def can_manage_api_tokens(user: Any) -> bool:
    """Who reaches the token page: holders of tokens and the security administrator."""
    return can_use_api(user) or can_revoke_any_api_token(user)


# The answers given to domain services through lib.authz (wired in PermissionsConfig.ready()).
ANSWERS: dict[Ask, Check] = {
    Ask.OWN_FILLER: is_own_filler,
    Ask.MANAGE_ACCOUNTS: can_manage_accounts,
    Ask.GRANT_ROLES: can_grant_roles,
    Ask.RESET_PASSWORDS: can_reset_passwords,
    Ask.OTP_REQUIRED: otp_required,
    Ask.EXPERT: can_review_assigned_bases,
    Ask.AUTHORITY_REVIEWER: is_authority_reviewer,
    Ask.MINISTRY: is_ministry,
    Ask.FILL: can_fill,
    Ask.REVIEWS_OWN_AUTHORITY: can_review_own_authority,
    Ask.FILLS_OWN_BASE: can_fill_own_base,
    Ask.WRITE_AUTHORITY_MATERIAL: can_write_authority_material,
    Ask.REMIND: can_remind,
    Ask.READ_AUTHORITY_MATERIAL: can_read_authority_material,
    Ask.READ_NATIONAL_MATERIAL: can_read_national_material,
    Ask.DECIDE_REOPEN_AUTHORITY: can_decide_reopen_authority,
    Ask.IMPORT_EXCEL: can_import_excel,
    Ask.USE_API: can_use_api,
    Ask.REVOKE_ANY_API_TOKEN: can_revoke_any_api_token,
}
