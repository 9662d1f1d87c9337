"""`{% link name arg… %}`: the `{% url %}` of the layout's and the data-entry pages' links (the same
string, escaped the same way), reversed through lib.links' cache instead of the URLconf every time.
For names whose arguments are integers (a pk) or short strings, and no `as`."""

from __future__ import annotations

from django import template

from lib.links import cached_reverse

register = template.Library()


@register.simple_tag
def link(name: str, *args: int | str) -> str:
    # simple_tag escapes the result under autoescape, as {% url %} does.
    return cached_reverse(name, *args)
