"""The one place that decides what a user may see and do.

Every page, export and API call fetches protected objects through the `visible_*` querysets or the
`access_*` helpers below. An object outside a user's scope is reported as not found (404), never as
forbidden, so an id changed in a URL reveals nothing about what exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, User
from registry.models import Authority, Base

# Roles that read the registry (names of bases and authorities) nationally. The three operator
# roles (三员分立) do not: the system administrator binds accounts to bases through the admin,
# which has its own narrower querysets.
NATIONAL_ROLES = frozenset({Role.MINISTRY_ADMIN})


def visible_bases(user: User) -> QuerySet[Base]:
    """The bases whose registry entry and material the user may read."""
    qs = Base.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER:
            return qs.filter(authority_id=user.authority_id) if user.authority_id else qs.none()
        case Role.BASE_FILLER:
            return qs.filter(pk=user.base_id) if user.base_id else qs.none()
        case Role.EXPERT:
            return qs.filter(assigned_experts=user)
        case _:
            return qs.none()


def visible_authorities(user: User) -> QuerySet[Authority]:
    qs = Authority.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match user.role:
        case Role.MINISTRY_ADMIN:
            return qs
        case Role.AUTHORITY_REVIEWER:
            return qs.filter(pk=user.authority_id)
        case Role.BASE_FILLER:
            return qs.filter(bases__pk=user.base_id)
        case _:
            return qs.none()


def access_base(user: User, pk: int | str) -> Base:
    try:
        return visible_bases(user).select_related("authority", "category").get(pk=pk)
    except (Base.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该示范基地，或您无权查看。") from None


def access_authority(user: User, pk: int | str) -> Authority:
    try:
        return visible_authorities(user).get(pk=pk)
    except (Authority.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该省级主管部门，或您无权查看。") from None


def can_manage_registry(user: User) -> bool:
    """Create, import and edit bases, authorities and campaigns."""
    return user.is_authenticated and user.is_active and user.role == Role.MINISTRY_ADMIN


def can_see_registry_list(user: User) -> bool:
    return user.is_authenticated and user.role in (
        Role.MINISTRY_ADMIN,
        Role.AUTHORITY_REVIEWER,
        Role.BASE_FILLER,
        Role.EXPERT,
    )


# --- submissions -------------------------------------------------------------------------------
# Imported late: submissions depends on registry, and this module must stay importable first.
from submissions.models import Submission  # noqa: E402


def visible_submissions(user: User) -> QuerySet[Submission]:
    """A base's material is visible to whoever may see the base. Experts' access follows assignment."""
    return Submission.objects.filter(base__in=visible_bases(user))


def access_submission(user: User, pk: int | str) -> Submission:
    try:
        return (
            visible_submissions(user)
            .select_related("campaign", "base__category", "base__authority")
            .get(pk=pk)
        )
    except (Submission.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该填报材料，或您无权查看。") from None


def can_fill(user: User, submission: Submission) -> bool:
    """Only the base's own filler edits its material, and only while it is a draft or returned."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.BASE_FILLER
        and user.base_id == submission.base_id
        and submission.is_editable
    )
