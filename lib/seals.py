"""The code printed on every page of a document to be sealed, and what a scan of it must show.

Each printed page carries a QR code naming the document (which material, which of its two
documents), the data fingerprint of exactly what was printed, the page's number and the number of
pages. A scan is accepted only if its codes show every page of the current version of this
material's document; anything else is refused with the reason. Pure: text in, verdicts out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lib.fingerprints import short_fingerprint

PREFIX = "SFJD1"
KIND_LETTERS = {"summary": "S", "report": "R"}
KIND_NAMES = {"summary": "汇总表", "report": "发展情况报告"}
# Only characters of the QR alphanumeric mode (digits, capitals, :), so the code stays small.
_PATTERN = re.compile(rf"{PREFIX}:([A-Z]):(\d+):([0-9A-F]{{64}}):(\d+):(\d+)")


@dataclass(frozen=True, order=True)
class PageSeal:
    """What one printed page's code says."""

    kind: str
    submission: int
    fingerprint: str  # 64 lowercase hex digits, as data_fingerprint gives it
    page: int
    pages: int


def seal_text(seal: PageSeal) -> str:
    """The code's content: SFJD1:S:123:<FINGERPRINT>:2:9."""
    letter = KIND_LETTERS[seal.kind]
    return f"{PREFIX}:{letter}:{seal.submission}:{seal.fingerprint.upper()}:{seal.page}:{seal.pages}"


def seal_parse(text: str) -> PageSeal | None:
    """A decoded code's content back to a PageSeal; None when it is not one of ours."""
    match = _PATTERN.fullmatch(text.strip())
    if match is None:
        return None
    letter, submission, fingerprint, page, pages = match.groups()
    kind = next((k for k, v in KIND_LETTERS.items() if v == letter), None)
    if kind is None or not 1 <= int(page) <= int(pages):
        return None
    return PageSeal(kind, int(submission), fingerprint.lower(), int(page), int(pages))


@dataclass(frozen=True)
class SealVerdict:
    accepted: bool
    reasons: tuple[str, ...]
    pages: int = 0  # pages of the current version found in the scan
    unreadable: tuple[int, ...] = field(default=())  # scanned pages (1-based) where no code was read

    @property
    def message(self) -> str:
        return "；".join(self.reasons)


def _numbers(pages: Iterable[int]) -> str:
    return "、".join(f"第{n}页" for n in sorted(pages))


def seal_check(
    *, kind: str, submission: int, fingerprint: str, scanned: Sequence[Sequence[str]]
) -> SealVerdict:
    """Does a scan (the decoded texts of the codes on each of its pages) show every page of the
    current version of document `kind` of material `submission`, whose fingerprint is `fingerprint`?

    Refused, with each reason in Chinese: no code at all; a page of another material (another base or
    another year); a page of the other document; a page of an older version (another fingerprint);
    pages of the current version missing. Pages without a readable code (a covering letter, a page
    the scanner smudged) are reported but do not refuse a scan that has every page."""
    name = KIND_NAMES[kind]
    seals: list[PageSeal] = []
    unreadable: list[int] = []
    for number, texts in enumerate(scanned, start=1):
        found = [s for s in (seal_parse(t) for t in texts) if s is not None]
        if not found:
            unreadable.append(number)
        seals.extend(found)
    if not seals:
        return SealVerdict(
            False,
            (
                f"未能在扫描件中识别出本系统打印的{name}页面二维码：请上传由本系统打印、盖章后扫描的{name}"
                "（每页页脚有二维码；扫描分辨率不低于150dpi，二维码不要被公章或折痕遮挡）",
            ),
            unreadable=tuple(unreadable),
        )
    reasons: list[str] = []
    foreign = [s for s in seals if s.submission != submission]
    if foreign:
        reasons.append("扫描件中有其他示范基地或其他年度材料的页面，不是本材料的打印件")
    mine = [s for s in seals if s.submission == submission]
    other_kind = [s for s in mine if s.kind != kind]
    if other_kind:
        other = KIND_NAMES[other_kind[0].kind]
        reasons.append(f"扫描件中有{other}的页面，请在{other}处上传")
    same = [s for s in mine if s.kind == kind]
    old = sorted({s.fingerprint for s in same if s.fingerprint != fingerprint})
    if old:
        shown = "、".join(short_fingerprint(f) for f in old)
        reasons.append(
            f"扫描件是旧版本的打印件（数据指纹 {shown}，当前为 {short_fingerprint(fingerprint)}）："
            "材料在打印后被修改，请重新打印、盖章并扫描上传"
        )
    current = [s for s in same if s.fingerprint == fingerprint]
    totals = {s.pages for s in current}
    found_pages = {s.page for s in current}
    if current:
        total = max(totals)
        missing = set(range(1, total + 1)) - found_pages
        if missing:
            reasons.append(
                f"扫描件缺少当前版本的{_numbers(missing)}（共{total}页，识别到{len(found_pages)}页），"
                "请扫描全部页面"
            )
    elif not reasons:
        reasons.append(f"扫描件中没有当前版本{name}的页面")
    accepted = not reasons
    return SealVerdict(accepted, tuple(reasons), len(found_pages), tuple(unreadable))
