"""Where a line of Chinese text may break, as Chinese typesetting has it (GB/T 15834 punctuation,
the 禁则 of 《中文排版需求》 W3C CLReq): no line begins with a closing mark or a pause
(，。；：、）》」 …), no line ends with an opening mark (（《「 …), a Latin word or a number (2021,
12.5%, PUE) stays on one line, and a title is broken only between its words.

Pure: text and the width of each character in, the index where each line starts out. The PDF
printer measures the characters in its font and calls `line_starts`; nothing here knows a font.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import budoux

# Closing marks and pauses: never the first character of a line (CLReq 3.1.7, GB/T 15834).
NO_LINE_START = frozenset(
    "，。；：、！？…‥）》」』】〕〗〉］｝’”〞％‰℃"  # full-width
    ",.;:!?)]}%'\""  # half-width
    "·・ー—～"  # the middle dot and the second half of a dash or wave dash
)
# Opening marks: never the last character of a line.
NO_LINE_END = frozenset("（《「『【〔〖〈［｛‘“〝(<[{￥$＄£")

# Characters that join their neighbours into one unbreakable Latin word or number.
_WORD_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_./+&@#")


def _in_word(ch: str) -> bool:
    return ch in _WORD_CHARS or ("０" <= ch <= "９") or ("Ａ" <= ch <= "Ｚ") or ("ａ" <= ch <= "ｚ")


def break_allowed(text: str, index: int, keep: Sequence[tuple[int, int]] = ()) -> bool:
    """May a line end before `text[index]` (so that `text[index]` begins the next line)?

    `keep` are (start, end) spans that must not be broken inside, such as the words of a title.
    Breaking between two spaces or at a space is always allowed; a line never starts with a space
    (the printer drops it) so a break before one is as good as after it."""
    if index <= 0 or index >= len(text):
        return False
    before, after = text[index - 1], text[index]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before.isspace() or after.isspace():
        return True
    if _in_word(before) and _in_word(after):
        return False
    return all(not (start < index < end) for start, end in keep)


def line_starts(
    text: str,
    widths: Sequence[float],
    max_widths: float | Sequence[float],
    *,
    keep: Sequence[tuple[int, int]] = (),
) -> list[int]:
    """The index at which each line starts when `text` is set in lines at most `max_widths` wide
    (one width, or one per line with the last repeated), `widths[i]` being the width of `text[i]`.

    Greedy, as a typesetter fills a line: each line takes as much as fits and ends at the last
    place a break is allowed. A kept span wider than the line is broken where the spans inside it
    allow; where still no allowed break fits (a Latin word longer than the line), the line is cut after as many characters as fit, still avoiding a closing mark
    at the start of the next line when it can; a line is never empty, so it always ends."""
    if len(widths) != len(text):
        raise ValueError("one width per character")
    limits = [max_widths] if isinstance(max_widths, int | float) else list(max_widths)
    if not limits:
        raise ValueError("no line width")
    starts: list[int] = []
    start, n = 0, len(text)
    while start < n:
        limit = limits[min(len(starts), len(limits) - 1)]
        starts.append(start)
        used, end = 0.0, start
        while end < n and (end == start or used + widths[end] <= limit + 1e-6):
            used += widths[end]
            end += 1
        if end >= n:
            break
        # `end` is the first character that does not fit; find the last allowed break at or before it.
        cut = next((i for i in range(end, start, -1) if break_allowed(text, i, keep)), None)
        if cut is None and keep:
            # A kept span wider than the line cannot stay whole: break it where its own words allow.
            fitting = [(a, b) for a, b in keep if sum(widths[a:b]) <= limit + 1e-6]
            cut = next((i for i in range(end, start, -1) if break_allowed(text, i, fitting)), None)
        if cut is None:
            # Nothing allowed fits: cut by characters, but keep closing marks off the next line's start.
            cut = next((i for i in range(end, start, -1) if text[i] not in NO_LINE_START), end)
        start = cut
        while start < n and text[start].isspace() and start > starts[-1]:
            start += 1  # a break at a space: the space is dropped, not carried to the next line
    return starts


def lines(
    text: str, width_of: Callable[[str], float], max_width: float, **kw: Sequence[tuple[int, int]]
) -> list[str]:
    """`text` set in lines (convenience for tests and plain-text callers)."""
    starts = line_starts(text, [width_of(ch) for ch in text], max_width, **kw)
    return [text[a:b].rstrip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def word_spans(words: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) span of each of `words` in their concatenation: a title's `keep`."""
    spans, at = [], 0
    for word in words:
        spans.append((at, at + len(word)))
        at += len(word)
    return spans


# Words of this system's titles that the phrase model does not know as one word (it reads 汇总表 as
# 汇 + 总表): they are never broken inside, wherever they occur in a title.
TITLE_WORDS = (
    "汇总表", "示范基地", "发展情况", "总结材料", "优秀案例", "工作总结", "工业和信息化",
    "主管部门", "新型工业化", "通信管理局", "高质量发展",
)  # fmt: skip


def title_spans(text: str, words: Sequence[str] = ()) -> list[tuple[int, int]]:
    """The spans of a title that must stay on one line: its phrases as BudouX's simplified-Chinese
    model reads them (a small model trained on Chinese text; so 发展情况报告 breaks only between 发展,
    情况 and 报告), the system's own title words, and `words` (a base's name, an authority's name)."""
    spans = word_spans(_phrases(text))
    for word in (*TITLE_WORDS, *words):
        if not word:
            continue
        at = text.find(word)
        while at >= 0:
            spans.append((at, at + len(word)))
            at = text.find(word, at + 1)
    return spans


def _phrases(text: str) -> list[str]:
    return list(_parser().parse(text))


@functools.cache
def _parser() -> budoux.Parser:
    return budoux.load_default_simplified_chinese_parser()
