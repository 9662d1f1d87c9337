"""What templates ask: the `can` object in every template's context, and its context processor.

Templates never compare roles; they ask `{% if can.oversee %}`. Each attribute is the check of the
same name in `permissions.checks` (without `can_`), evaluated once per request, on first use. Checks
about one object are asked with the `{% allowed %}` tag of `permissions.templatetags.permissions`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from permissions import checks


class Can:
    """The current user's abilities that need no object (one `cached_property` per check)."""

    def __init__(self, user: Any) -> None:
        self._user = user

    @cached_property
    def oversee(self) -> bool:
        return checks.can_oversee(self._user)

    @cached_property
    def manage_registry(self) -> bool:
        return checks.can_manage_registry(self._user)

    @cached_property
    def see_registry_list(self) -> bool:
        return checks.can_see_registry_list(self._user)

    @cached_property
    def fill_own_base(self) -> bool:
        return checks.can_fill_own_base(self._user)

    @cached_property
    def review_own_authority(self) -> bool:
        return checks.can_review_own_authority(self._user)

    @cached_property
    def read_provincial_material(self) -> bool:
        return checks.can_read_provincial_material(self._user)

    @cached_property
    def read_base_reports(self) -> bool:
        return checks.can_read_base_reports(self._user)

    @cached_property
    def review_assigned_bases(self) -> bool:
        return checks.can_review_assigned_bases(self._user)

    @cached_property
    def evaluate(self) -> bool:
        return checks.can_evaluate(self._user)

    @cached_property
    def see_own_ratings(self) -> bool:
        return checks.can_see_own_ratings(self._user)

    @cached_property
    def bulk_import_excel(self) -> bool:
        return checks.can_bulk_import_excel(self._user)

    @cached_property
    def export_bases(self) -> bool:
        return checks.can_export_bases(self._user)

    @cached_property
    def read_audit(self) -> bool:
        return checks.can_read_audit(self._user)

    @cached_property
    def use_api(self) -> bool:
        return checks.can_use_api(self._user)

    @cached_property
    def manage_api_tokens(self) -> bool:
        return checks.can_manage_api_tokens(self._user)

    @cached_property
    def revoke_any_api_token(self) -> bool:
        return checks.can_revoke_any_api_token(self._user)


def can(request: HttpRequest) -> dict[str, Can]:
    return {"can": Can(getattr(request, "user", None))}
