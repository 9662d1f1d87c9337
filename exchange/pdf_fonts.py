"""The fonts every printed document embeds, so a page prints the same on every machine.

Official documents are set in a Song (宋体) face with headings in a Hei (黑体) face (GB/T 9704).
reportlab embeds TrueType outlines only, so the faces are Debian's TrueType CJK fonts:
AR PL UMing CN (fonts-arphic-uming, a Ming/Song face) for text, WenQuanYi Zen Hei (fonts-wqy-zenhei)
for headings and for any character UMing lacks, and DejaVu Sans Mono (fonts-dejavu-core) for the
fingerprint. Each is embedded as a subset: only the glyphs a document uses travel with it.
Nothing is left to the reader's machine (no built-in PDF font, no CID font without outlines).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.core import checks
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

SONG = "SFJD-Song"
HEI = "SFJD-Hei"
MONO = "SFJD-Mono"


@dataclass(frozen=True)
class FontFile:
    name: str
    paths: tuple[str, ...]  # the first that exists is used
    subfont: int
    package: str  # the Debian package that installs it


FONT_FILES = (
    FontFile(
        SONG,
        ("/usr/share/fonts/truetype/arphic/uming.ttc", "/usr/share/fonts/truetype/arphic-uming/uming.ttc"),
        0,  # UMing CN: simplified Chinese forms
        "fonts-arphic-uming",
    ),
    FontFile(HEI, ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",), 0, "fonts-wqy-zenhei"),
    FontFile(MONO, ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",), 0, "fonts-dejavu-core"),
)
DEBIAN_PACKAGES = " ".join(f.package for f in FONT_FILES)


class FontMissing(RuntimeError):
    pass


def _path_of(font: FontFile) -> Path | None:
    return next((Path(p) for p in font.paths if Path(p).is_file()), None)


@functools.cache
def register_fonts() -> None:
    """Register the three faces with reportlab once per process; a missing file says what to install."""
    for font in FONT_FILES:
        path = _path_of(font)
        if path is None:
            raise FontMissing(
                f"PDF font {font.name} not found ({', '.join(font.paths)}): "
                f"install the Debian package {font.package} (apt-get install {DEBIAN_PACKAGES})"
            )
        pdfmetrics.registerFont(TTFont(font.name, str(path), subfontIndex=font.subfont))
    # <b> in a paragraph of the text face means the heading face (Song has no bold).
    addMapping(SONG, 0, 0, SONG)
    addMapping(SONG, 1, 0, HEI)
    addMapping(SONG, 0, 1, SONG)
    addMapping(SONG, 1, 1, HEI)


@functools.cache
def _glyphs(name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]  # TTFont's parsed face


def has_glyph(name: str, ch: str) -> bool:
    return ord(ch) in _glyphs(name)


# Characters neither face has, replaced by look-alikes that they have, so nothing prints as a box.
_LOOKALIKE = str.maketrans({"\u2027": "\u00b7", "\u2713": "\u221a", "\u2714": "\u221a"})


def runs(text: str, face: str = SONG) -> list[tuple[str, str]]:
    """`text` cut into (face, text) runs: each character `face` lacks goes to the Hei face, which
    covers more of Unicode, instead of printing as a box. Look-alikes applied first."""
    out: list[tuple[str, str]] = []
    for ch in text.translate(_LOOKALIKE):
        use = HEI if face != HEI and not has_glyph(face, ch) and has_glyph(HEI, ch) else face
        if out and out[-1][0] == use:
            out[-1] = (use, out[-1][1] + ch)
        else:
            out.append((use, ch))
    return out


def markup(text: str, face: str = SONG) -> str:
    """Plain text as paragraph markup in `face`: escaped, line breaks kept, missing glyphs in Hei."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "<br/>".join(
        "".join(
            escape(t) if f == face else f'<font face="{f}">{escape(t)}</font>' for f, t in runs(line, face)
        )
        for line in lines
    )


def draw_string(canvas: Canvas, x: float, y: float, text: str, face: str, size: float) -> float:
    """drawString with the same fallback; returns the width drawn."""
    at = x
    for f, t in runs(text, face):
        canvas.setFont(f, size)
        canvas.drawString(at, y, t)
        at += pdfmetrics.stringWidth(t, f, size)
    return at - x


def string_width(text: str, face: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs(text, face))


@checks.register(checks.Tags.compatibility, deploy=False)
def fonts_check(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Printing needs the fonts: say so at start-up rather than at the first print."""
    missing = [f for f in FONT_FILES if _path_of(f) is None]
    if not missing:
        return []
    return [
        checks.Warning(
            "PDF fonts missing: " + ", ".join(f"{f.name} ({f.package})" for f in missing),
            hint=f"apt-get install {DEBIAN_PACKAGES}",
            id="exchange.W001",
        )
    ]
