"""Paragraphs set by the rules of Chinese typesetting (lib.linebreak) instead of reportlab's own
CJK wrap, which lets ，；：》 begin a line and breaks titles anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import (  # type: ignore[attr-defined]  # the CJK wrap's own helpers, not in the stubs
    ParaLines,
    _handleBulletWidth,
    cjkU,
    makeCJKParaLine,
)

from lib.linebreak import line_starts, title_spans


class ChineseParagraph(Paragraph):
    """A Paragraph whose lines break where lib.linebreak allows. `title=True` keeps a title's words
    whole (`words`: names that must stay on one line where they fit, such as the base's name)."""

    def __init__(self, text: str, style: Any, *, title: bool = False, words: Sequence[str] = ()) -> None:
        self._title = title
        self._words = tuple(words)
        super().__init__(text, style)

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        style = self.style
        self.height = 0
        _handleBulletWidth(self.bulletText, style, maxWidths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        frags = self.frags
        if not frags:
            return ParaLines(
                kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize,
            )  # fmt: skip
        auto: Any = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        calc_bounds = auto not in ("", "off")
        glyphs: list[Any] = []
        for frag in frags:
            text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
            if text:
                glyphs.extend(cjkU(ch, frag, "utf8") for ch in text)
            else:
                glyphs.append(cjkU(text, frag, "utf8"))  # a <br/> or an image: a zero-width marker
        lines: list[Any] = []
        segment: list[Any] = []
        for glyph in glyphs:
            segment.append(glyph)
            if hasattr(glyph.frag, "lineBreak"):
                self._set(segment, maxWidths, lines, calc_bounds, line_break=True)
                segment = []
        if segment:
            self._set(segment, maxWidths, lines, calc_bounds, line_break=False)
        return ParaLines(kind=1, lines=lines)

    def _set(
        self,
        glyphs: list[Any],
        max_widths: list[float],
        lines: list[Any],
        calc_bounds: bool,
        *,
        line_break: bool,
    ) -> None:
        text = "".join(str(g) or "\u200b" for g in glyphs)  # a marker counts as one zero-width character
        widths = [float(g.width) for g in glyphs]
        limits = list(max_widths[len(lines) :]) or [max_widths[-1]]
        keep = title_spans(text, self._words) if self._title else ()
        starts = line_starts(text, widths, limits, keep=keep) if glyphs else [0]
        ends = [*starts[1:], len(glyphs)]
        for number, (a, b) in enumerate(zip(starts, ends, strict=True)):
            line = glyphs[a:b]
            while len(line) > 1 and str(line[-1]).isspace():
                line = line[:-1]
            limit = limits[min(number, len(limits) - 1)]
            used = sum(widths[a : a + len(line)])
            last = number == len(starts) - 1
            lines.append(makeCJKParaLine(line, limit, used, limit - used, line_break and last, calc_bounds))
