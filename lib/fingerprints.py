"""How a data fingerprint is shown to people. Pure text, no models."""

from __future__ import annotations


def short_fingerprint(fingerprint: str) -> str:
    """The first 12 hex digits in groups of four, as printed on every page: 3F2A-9C1B-77D0."""
    head = fingerprint[:12].upper()
    return "-".join(head[i : i + 4] for i in range(0, len(head), 4))
