"""Word (.docx) documents in the notice's outlines, as authorities and the ministry pass them on:

- a base's development report (附件2): 一、示范基地发展概述 / 二、发展亮点和成效 (成效1：领句 + 具体内容)
  / 三、示范性做法和经验 (经验1：…) / 四、存在的问题及建议;
- an authority's work summary (通知 一(二)1): 主要工作进展及成效 / 存在的困难和问题 / 下一步工作思路及建议;
- an excellent case (附件3): 标题; 背景或亟待解决的突出问题; 3-5 项做法和举措 (一是…); 取得的成效;
- all of them combined for one authority: its summary, its cases, its bases' reports.

Laid out as Chinese official documents are (GB/T 9704, 党政机关公文格式): A4 with 37/35/28/26 mm
margins, title in 宋体 二号 bold, first-level headings in 黑体 三号, second-level in 楷体 三号, text
in 仿宋 三号 with a fixed 28 pt line and two characters' indent, page numbers “— N —” at the foot.
Every page's header names whose material it is (the base, or the authority) and its data version,
the fingerprint of exactly what the document shows (lib.fingerprints): a base's report shows the same
version as its printed PDF, and in a combined document each part shows its own base and version.
Font names are Windows' own; another machine substitutes its nearest face, which is what Word does.
Pure: model rows in, bytes out; who may read what is decided before (views, permissions).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from lib.fingerprints import (
    case_fingerprint,
    combined_fingerprint,
    data_fingerprint,
    short_fingerprint,
    summary_fingerprint,
)
from lib.linebreak import line_starts, title_spans

SONG, HEI, KAI, FANGSONG = "宋体", "黑体", "楷体", "仿宋"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
LINE_PT = 28
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CN_ORDINALS = "一二三四五六七八九十"
HEADER_PT = 10.5  # 五号
TEXT_WIDTH_MM = 210 - 28 - 26


# --- the page and its text ---------------------------------------------------------------------


def _set_font(run: Run, face: str, size: float, *, bold: bool = False) -> None:
    run.font.name = face
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(key), face)


def _new_document(core_title: str, name: str, fingerprint: str) -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    _page_numbers(section.footer.paragraphs[0])
    props = document.core_properties
    props.title, props.author, props.language = core_title, "示范基地发展质量评价信息管理系统", "zh-CN"
    props.subject = " ".join(running_header_text(name, fingerprint))
    return document


def _page_numbers(paragraph: Paragraph) -> None:
    """“— N —” centred: a PAGE field between two dashes (GB/T 9704 puts it at the outer edge; centred
    reads the same on both sides of a sheet)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run("— "), SONG, 14)
    run = paragraph.add_run()
    _set_font(run, SONG, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._element.append(element)
    _set_font(paragraph.add_run(" —"), SONG, 14)


def running_header_text(name: str, fingerprint: str) -> tuple[str, str]:
    """The two ends of every page's header: whose material, and its data version."""
    return name, f"数据版本 {short_fingerprint(fingerprint)}"


def _running_header(document: DocxDocument, name: str, fingerprint: str) -> None:
    """The header of the document's current (last) section: the name at the left, the data version
    at the right edge. Unlinked from the previous section's, so each part of a combined document
    keeps its own; the footer (page numbers) stays linked and runs on."""
    section: Section = document.sections[-1]
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    tabs = paragraph.paragraph_format.tab_stops
    # The Header style brings a centre stop (82.5 mm) and a right one beyond the 公文 text width: a
    # short name would tab to the centre, and Writer runs a long one into the version. Cleared here,
    # only the right edge of the text is left.
    style = paragraph.style
    for inherited in style.paragraph_format.tab_stops if style is not None else ():
        tabs.add_tab_stop(inherited.position, WD_TAB_ALIGNMENT.CLEAR)
    tabs.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    left, right = running_header_text(name, fingerprint)
    _set_font(paragraph.add_run(left), SONG, HEADER_PT)
    _set_font(paragraph.add_run("\t"), SONG, HEADER_PT)
    _set_font(paragraph.add_run(right), SONG, HEADER_PT)


def _para(
    document: DocxDocument,
    text: str = "",
    *,
    face: str = FANGSONG,
    size: float = BODY_PT,
    bold: bool = False,
    indent: bool = True,
    align: WD_ALIGN_PARAGRAPH | None = None,
    heading: int = 0,
) -> Paragraph:
    paragraph = document.add_paragraph()
    if heading:
        # An outline level, so Word's navigation pane and table of contents see the structure.
        ppr = paragraph._p.get_or_add_pPr()
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(heading - 1))
        ppr.append(level)
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(size * 2) if indent else Pt(0)
    if align is not None:
        paragraph.alignment = align
    if text:
        _set_font(paragraph.add_run(text), face, size, bold=bold)
    return paragraph


def _lead_paragraph(document: DocxDocument, lead: str, content: str, *, lead_face: str = FANGSONG) -> None:
    """“领句+具体内容” (附件2): the lead sentence in bold, the content in the same paragraph."""
    paragraph = _para(document)
    _set_font(paragraph.add_run(lead), lead_face, BODY_PT, bold=True)
    if content:
        _set_font(paragraph.add_run(content), FANGSONG, BODY_PT)


def _body(document: DocxDocument, text: str) -> None:
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    for line in lines or ["（未填写）"]:
        _para(document, line)


# A title's line, in 二号 characters: the text's width less a margin, so that a line set here is
# never broken again by Word, WPS or Writer (a Han character is one em in every face; a Latin letter
# or digit is counted wider than it is, and a character of ambiguous width, such as ·, as a whole one).
TITLE_LINE_EM = TEXT_WIDTH_MM / (TITLE_PT * 25.4 / 72) - 0.5


def _title_em(ch: str) -> float:
    return 0.6 if unicodedata.east_asian_width(ch) in ("Na", "H", "N") else 1.0


def title_lines(text: str, words: Sequence[str] = ()) -> list[str]:
    """The title in lines as the PDF sets its titles (lib.linebreak): broken only between its words
    (the phrases of the title, the system's title words, `words` where they fit on a line: a name
    and the rest of the title, so a title too long for a line breaks after the name) and never
    before a closing mark. A word processor would break a long title at any Han character
    (…技术开发 / 区2021年…); each line here ends with a line break of its own."""
    starts = line_starts(text, [_title_em(ch) for ch in text], TITLE_LINE_EM, keep=title_spans(text, words))
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def _title(document: DocxDocument, *parts: str) -> None:
    """The document's title: its `parts` joined (a name, then the rest), each kept whole where it fits
    on a line (title_lines)."""
    text = "".join(parts)
    paragraph = _para(document, face=SONG, size=TITLE_PT, bold=True, indent=False,
                      align=WD_ALIGN_PARAGRAPH.CENTER, heading=1)  # fmt: skip
    for number, line in enumerate(title_lines(text, parts if len(parts) > 1 else ())):
        run = paragraph.add_run()
        if number:
            run.add_break()
        run.add_text(line)
        _set_font(run, SONG, TITLE_PT, bold=True)
    paragraph.paragraph_format.line_spacing = Pt(36)
    _para(document, indent=False)


def _heading(document: DocxDocument, text: str, level: int = 1) -> None:
    face = HEI if level == 1 else KAI
    _para(document, text, face=face, heading=level + 1)


def _annex_label(document: DocxDocument, label: str) -> None:
    _para(document, label, face=HEI, indent=False)


def _new_part(document: DocxDocument) -> None:
    """Each part of a combined document starts on a new page."""
    document.add_section(WD_SECTION.NEW_PAGE)


def _bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _items(items: Any) -> list[tuple[str, str]]:
    out = []
    for item in items or ():
        if isinstance(item, dict):
            out.append((str(item.get("lead") or "").strip(), str(item.get("content") or "").strip()))
        else:
            out.append(("", str(item).strip()))
    return [(lead, content) for lead, content in out if lead or content]


def _sentence(lead: str) -> str:
    return lead if not lead or lead[-1] in "。！？；：" else f"{lead}。"


# --- the three documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDoc:
    """A base's development report as printed: whose, which year, what was written (None: not yet)."""

    base_name: str
    data_year: int
    report: Any | None

    @property
    def fingerprint(self) -> str:
        # Exactly the printed report's (exchange.services.report_fingerprint): Word and PDF agree.
        return data_fingerprint(submission_values=(), report=self.report)


def _report_part(document: DocxDocument, doc: ReportDoc, *, annex: bool = True) -> None:
    report = doc.report
    _running_header(document, doc.base_name, doc.fingerprint)
    if annex:
        _annex_label(document, "附件2")
    _title(document, doc.base_name, f"{doc.data_year}年发展情况报告")
    _heading(document, "一、示范基地发展概述")
    _body(document, report.overview if report else "")
    for heading, noun, items in (
        ("二、发展亮点和成效", "成效", report.highlights if report else ()),
        ("三、示范性做法和经验", "经验", report.practices if report else ()),
    ):
        _heading(document, heading)
        entries = _items(items)
        for number, (lead, content) in enumerate(entries, start=1):
            _lead_paragraph(document, f"{noun}{number}：{_sentence(lead)}", content)
        if not entries:
            _body(document, "")
    _heading(document, "四、存在的问题及建议")
    _body(document, report.problems if report else "")


def report_docx(doc: ReportDoc) -> bytes:
    document = _new_document(f"{doc.base_name}{doc.data_year}年发展情况报告", doc.base_name, doc.fingerprint)
    _report_part(document, doc)
    return _bytes(document)


@dataclass(frozen=True)
class SummaryDoc:
    """An authority's work summary (None: not yet written)."""

    authority_name: str
    data_year: int
    summary: Any | None

    @property
    def fingerprint(self) -> str:
        return summary_fingerprint(self.summary)


SUMMARY_PARTS = (
    ("progress", "一、主要工作进展及成效"),
    ("difficulties", "二、存在的困难和问题"),
    ("next_steps", "三、下一步工作思路及建议"),
)


def _summary_part(document: DocxDocument, doc: SummaryDoc) -> None:
    _running_header(document, doc.authority_name, doc.fingerprint)
    _title(document, doc.authority_name, f"{doc.data_year}年开展示范基地工作情况总结")
    for field, heading in SUMMARY_PARTS:
        _heading(document, heading)
        _body(document, getattr(doc.summary, field, "") if doc.summary is not None else "")


def summary_docx(doc: SummaryDoc) -> bytes:
    document = _new_document(
        f"{doc.authority_name}{doc.data_year}年开展示范基地工作情况总结", doc.authority_name, doc.fingerprint
    )
    _summary_part(document, doc)
    return _bytes(document)


@dataclass(frozen=True)
class CaseDoc:
    base_name: str
    case: Any
    aspects: Sequence[str] = ()

    @property
    def fingerprint(self) -> str:
        return case_fingerprint(self.case, self.aspects)


def _case_part(document: DocxDocument, doc: CaseDoc, *, annex: bool = True) -> None:
    """附件3's outline: the title names the focus; part one the background, part two 3-5 practices
    (“一是……”), part three the results. The example runs as prose, without part headings; the base
    and the focused aspects stand under the title."""
    case = doc.case
    _running_header(document, doc.base_name, doc.fingerprint)
    if annex:
        _annex_label(document, "附件3")
    _title(document, case.title)
    meta = f"推荐示范基地：{doc.base_name}"
    if doc.aspects:
        meta += f"　聚焦方面：{'、'.join(doc.aspects)}"
    _para(document, meta, face=KAI, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _heading(document, "一、背景或亟待解决的突出问题")
    _body(document, case.background)
    _heading(document, "二、主要做法和举措")
    entries = _items(case.practices)
    for number, (lead, content) in enumerate(entries):
        ordinal = CN_ORDINALS[number] if number < len(CN_ORDINALS) else str(number + 1)
        _lead_paragraph(document, f"{ordinal}是{_sentence(lead)}", content, lead_face=KAI)
    if not entries:
        _body(document, "")
    _heading(document, "三、取得的成效")
    _body(document, case.results)


def case_docx(doc: CaseDoc) -> bytes:
    document = _new_document(doc.case.title, doc.base_name, doc.fingerprint)
    _case_part(document, doc)
    return _bytes(document)


# --- one authority's documents together ---------------------------------------------------------


def authority_docx(
    *,
    authority_name: str,
    data_year: int,
    summary: SummaryDoc,
    cases: Iterable[CaseDoc],
    reports: Iterable[ReportDoc],
    on_part: Any = None,
) -> bytes:
    """The authority's summary, then its recommended cases (附件3), then its bases' development
    reports (附件2), each starting on a new page, with one running page number. Each part's pages
    carry its own base (the summary's, the authority) and data version; the contents page the
    authority and the version of the whole, which changes with any part's. `on_part(label)` is
    called after each part (progress)."""
    suffix = f"{data_year}年示范基地材料汇编"
    title = authority_name + suffix
    cases, reports = list(cases), list(reports)
    whole = combined_fingerprint(
        [summary.fingerprint, *(c.fingerprint for c in cases), *(r.fingerprint for r in reports)]
    )
    document = _new_document(title, authority_name, whole)
    _running_header(document, authority_name, whole)
    _title(document, authority_name, suffix)
    _para(document, "目录", face=HEI, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, "一、工作情况总结", indent=False)
    _para(document, f"二、优秀案例推荐（{len(cases)}个）", indent=False)
    _para(document, f"三、示范基地发展情况报告（{len(reports)}份）", indent=False)
    _new_part(document)
    _summary_part(document, summary)
    if on_part:
        on_part("工作情况总结")
    for case in cases:
        _new_part(document)
        _case_part(document, case)
        if on_part:
            on_part(f"优秀案例：{case.case.title}")
    for report in reports:
        _new_part(document)
        _report_part(document, report)
        if on_part:
            on_part(f"发展情况报告：{report.base_name}")
    return _bytes(document)
