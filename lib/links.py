"""reverse() for the links every page prints many of (the navigation, the material's tabs), without
resolving the URLconf each time: the URL of a name and its non-integer arguments is reversed once
with a stand-in for each integer argument (a pk), and the integers are put in its place after.

What reverse() returns depends only on the URLconf, the script prefix, the name and the arguments;
the cache is keyed on all of them but the integers, which are written in where the stand-in stood.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_SENTINEL = "987654321012"  # stands for an integer argument; no pk of this project reaches it


@lru_cache(maxsize=2048)
def _parts(prefix: str, urlconf: str, name: str, shape: tuple[str | None, ...]) -> tuple[str, ...] | None:
    """The reversed URL split where each integer argument goes (None in `shape`), or None when the
    split is not clean (a stand-in the pattern refuses, or its digits in another argument)."""
    args = [_SENTINEL if a is None else a for a in shape]
    try:
        url = reverse(name, args=args, urlconf=urlconf)
    except NoReverseMatch:
        return None
    parts = tuple(url.split(_SENTINEL))
    return parts if len(parts) == shape.count(None) + 1 else None


def cached_reverse(name: str, *args: int | str) -> str:
    """reverse(name, args=args), the same string."""
    shape = tuple(None if type(a) is int else str(a) for a in args)
    parts = _parts(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, name, shape)
    if parts is None:
        return reverse(name, args=list(args))
    numbers = [str(a) for a in args if type(a) is int]
    out = [parts[0]]
    for number, part in zip(numbers, parts[1:], strict=True):
        out.append(number)
        out.append(part)
    return "".join(out)
