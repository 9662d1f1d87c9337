"""`{% allowed "fill" submission as editable %}`: a check about one object, asked from a template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template

from permissions import checks

register = template.Library()

# The object checks a template may ask, by the name after `can_`.
OBJECT_CHECKS: dict[str, Callable[[Any, Any], bool]] = {
    "fill": checks.can_fill,
    "upload_scan": checks.can_upload_scan,
    "write_authority_material": checks.can_write_authority_material,
}


@register.simple_tag(takes_context=True)
def allowed(context: template.Context, check: str, obj: Any) -> bool:
    """Whether the request's user passes `can_<check>(user, obj)`. An unknown name is an error, not
    a silent "no", so a typo in a template fails its test."""
    request = context.get("request")
    return OBJECT_CHECKS[check](getattr(request, "user", None), obj)
