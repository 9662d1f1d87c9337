"""How the system counts 字, the unit of every length limit in the notice and in this system.

One rule, used by every limit in every app (the forms' text items and notes, warning explanations,
development reports, provincial summaries, cases, review comments) and mirrored by the pages' live
counters (static/js/text.js), so the number a user sees while typing is the number the server checks.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


def char_count(text: str | None) -> int:
    """The number of 字 in `text`: every character (Unicode code point) except whitespace.

    Why not whitespace: the notice's limits (“300字左右”, “不超过500字”) count what a reader counts on
    the printed page. Chinese prose has no spaces between words, so spaces, line breaks and the
    full-width space (U+3000) are layout, not content: the same paragraph must not be over the limit
    because it was pasted with blank lines or indented with 两个全角空格. This is also what word
    processors report as 字数 for Chinese text, which is where fillers draft their texts.

    Why code points, not UTF-16 units or bytes: a rare character outside the Basic Multilingual Plane
    (e.g. 𠀋 in a place name) is one 字, not two.

    Whitespace is exactly `str.isspace()`; the browser counters use the same character set.
    """
    # str.split() with no separator splits at exactly the characters str.isspace() accepts (both
    # Py_UNICODE_ISSPACE; test_text checks every code point): the count in C, where the lists of the
    # review pages count every base's report, a character at a time in Python was a twentieth of them.
    return len("".join((text or "").split()))


def too_long_message(limit: int, count: int) -> str:
    return f"不能超过 {limit} 字（现为 {count} 字）"


@deconstructible
class MaxCharsValidator:
    """A form field's length limit counted with `char_count` (Django's max_length counts whitespace)."""

    def __init__(self, limit: int, label: str = "") -> None:
        self.limit = limit
        self.label = label

    def __call__(self, value: str | None) -> None:
        count = char_count(value)
        if count > self.limit:
            raise ValidationError(f"{self.label}{too_long_message(self.limit, count)}。", code="max_chars")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxCharsValidator) and (other.limit, other.label) == (self.limit, self.label)
