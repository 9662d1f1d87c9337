"""The printed 汇总表 (with its annex) and the development report (附件2), ready to be sealed.

Every page carries, in its footer, the base's name, the data version (the fingerprint of exactly
what is printed), the time of printing (Beijing time), "第 N 页 / 共 M 页", a box for the management
body's 公章 and a QR code of the document, fingerprint and page (lib.seals), read back from the scan.
The fonts are embedded as subsets (exchange.pdf_fonts), so the pages print the same everywhere; lines
break by the rules of Chinese typesetting (lib.linebreak through exchange.pdf_text), titles only
between words.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from definitions.schema import BaseProfile, Field, FormDefinition, Section
from exchange.pdf_fonts import HEI, MONO, SONG, draw_string, markup, register_fonts, string_width
from exchange.pdf_text import ChineseParagraph
from lib.fingerprints import short_fingerprint
from lib.numbers import format_decimal
from lib.seals import PageSeal, seal_text
from submissions.models import NOT_YEARLY, Submission, Value
from submissions.validation import compute_yoy, parse_value

CJK = SONG
BEIJING = ZoneInfo("Asia/Shanghai")
SEAL_LABEL = "示范基地管理机构（盖章）"
SUMMARY_TITLE = "国家新型工业化产业示范基地发展情况汇总表（2022年版）"
CN_NUMERALS = "一二三四五六七八九十"
_PUBLIC_CODE = re.compile(r"\d+(?:\.\d+)+")
_CN_SECTION = re.compile(r"[一二三四五六七八九十]+")

GRID = colors.HexColor("#7b8794")
HEAD_BG = colors.HexColor("#eef2f6")
MUTED = colors.HexColor("#616e7c")


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {
        "fontName": CJK, "fontSize": 8, "leading": 10.5, "wordWrap": "CJK", "alignment": TA_LEFT,
    }  # fmt: skip
    base.update(kw)
    return ParagraphStyle(name, **base)


STYLES = {
    "title": _style("title", fontName=HEI, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4),
    "subtitle": _style("subtitle", fontSize=10, leading=14, alignment=TA_CENTER, textColor=MUTED),
    "annex": _style("annex", fontSize=11, leading=15),
    "h2": _style("h2", fontName=HEI, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4, keepWithNext=1),
    "group": _style(
        "group", fontSize=9, leading=12, spaceBefore=3, spaceAfter=2, textColor=MUTED, keepWithNext=1
    ),
    "cell": _style("cell"),
    "cell_small": _style("cell_small", fontSize=7, leading=9),
    "head": _style("head", alignment=TA_CENTER),
    "head_small": _style("head_small", fontSize=7, leading=9, alignment=TA_CENTER),
    "num": _style("num", alignment=TA_RIGHT),
    "center": _style("center", alignment=TA_CENTER),
    "note": _style("note", fontSize=7.5, leading=10, textColor=MUTED),
    # The development report reads like an official document: larger type, 2-character indent.
    "r_title": _style("r_title", fontName=HEI, fontSize=17, leading=26, alignment=TA_CENTER, spaceAfter=14),
    "r_annex": _style("r_annex", fontSize=12, leading=18),
    "r_h": _style("r_h", fontName=HEI, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4, keepWithNext=1),
    "r_lead": _style("r_lead", fontSize=12, leading=21, firstLineIndent=24, spaceBefore=4, keepWithNext=1),
    "r_body": _style("r_body", fontSize=12, leading=21, firstLineIndent=24),
    "r_empty": _style("r_empty", fontSize=11, leading=20, firstLineIndent=24, textColor=MUTED),
}


def _text(value: Any, face: str = SONG) -> str:
    """User text as Paragraph markup: escaped, line breaks kept, glyphs the face lacks in Hei."""
    return markup(str(value), face)


# An ideographic space: a blank line's height in the text face.
_BLANK = "\u3000"

_TITLES = {"title", "h2", "r_title", "r_h", "annex", "r_annex", "group"}


def Paragraph(text: str, style: ParagraphStyle, words: tuple[str, ...] = ()) -> ChineseParagraph:
    """Every paragraph of a printed document: Chinese line breaking, titles kept whole by word."""
    return ChineseParagraph(text, style, title=style.name in _TITLES, words=words)


def _p(value: Any, style: str = "cell") -> ChineseParagraph:
    # An empty cell still gets a line's height, so blank rows of a table are visible to write in.
    return Paragraph(_text(value) if value not in (None, "") else _BLANK, STYLES[style])


# --- footer and page numbers ------------------------------------------------------------------


@dataclass(frozen=True)
class Footer:
    base_name: str
    fingerprint: str  # the full data fingerprint (64 hex digits)
    generated_at: dt.datetime
    running_title: str
    kind: str = "summary"  # which document, for the page's QR code (lib.seals)
    submission: int = 0

    @property
    def short(self) -> str:
        return short_fingerprint(self.fingerprint)

    def seal(self, number: int, total: int) -> PageSeal:
        return PageSeal(self.kind, self.submission, self.fingerprint, number, total)


class _PagedCanvas(pdfcanvas.Canvas):
    """reportlab's Canvas with the two private members the page-numbering recipe relies on, which
    reportlab has at run time but its type stubs leave out."""

    _pagesize: tuple[float, float]
    _startPage: Callable[[], None]


def _canvas_maker(footer: Footer) -> Callable[..., pdfcanvas.Canvas]:
    """A canvas that holds pages back until the end, so each footer can say 共 M 页."""

    class NumberedCanvas(_PagedCanvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = CJK  # never reportlab's unembedded Helvetica
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                _draw_footer(self, footer, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


QR_SIZE = 24 * mm  # about 0.65 mm a module: read back from a 150 dpi scan with room to spare


def draw_qr(c: pdfcanvas.Canvas, text: str, x: float, y: float, size: float = QR_SIZE) -> None:
    """The QR code of `text` as vector squares (sharp at any print resolution), lower-left at x, y;
    error correction level Q so a seal's edge or a smudge over a quarter of it still reads."""
    code = segno.make(text, error="q", micro=False, boost_error=False)
    matrix = code.matrix
    module = size / len(matrix)
    c.saveState()
    c.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        col = 0
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            run = col
            while run < len(row) and row[run]:
                run += 1
            c.rect(x + col * module, top, (run - col) * module, module, stroke=0, fill=1)
            col = run
    c.restoreState()


def _draw_footer(c: _PagedCanvas, footer: Footer, number: int, total: int) -> None:
    width, height = c._pagesize
    left, right = 15 * mm, width - 15 * mm
    box_w, box_h = 48 * mm, 30 * mm
    box_x, box_y = right - box_w, 10 * mm
    qr_x, qr_y = box_x - 6 * mm - QR_SIZE, box_y + (box_h - QR_SIZE) / 2
    c.saveState()
    c.setStrokeColor(GRID)
    c.setLineWidth(0.5)
    c.line(left, box_y + box_h + 3 * mm, right, box_y + box_h + 3 * mm)
    # The seal box: sized for a 42 mm round 公章 to overlap it, as seals are placed in practice.
    # The QR code stays clear of it, so a seal placed over the box never covers the code.
    c.setDash(3, 2)
    c.rect(box_x, box_y, box_w, box_h)
    c.setDash()
    c.setFillColor(MUTED)
    label = SEAL_LABEL
    draw_string(c, box_x + (box_w - string_width(label, CJK, 8)) / 2, box_y + box_h - 5 * mm, label, CJK, 8)
    draw_qr(c, seal_text(footer.seal(number, total)), qr_x, qr_y)
    c.setFillColor(colors.black)
    text_w = qr_x - left - 4 * mm
    y = box_y + box_h - 5 * mm
    draw_string(c, left, y, _fit(footer.base_name, CJK, 9, text_w), CJK, 9)
    y -= 6 * mm
    draw_string(c, left, y, "数据版本", CJK, 9)
    c.setFont(MONO, 10.5)
    c.drawString(left + 16 * mm, y - 0.3 * mm, footer.short)
    y -= 6 * mm
    when = footer.generated_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    draw_string(c, left, y, f"生成时间 {when}（北京时间）", CJK, 9)
    y -= 6 * mm
    draw_string(c, left, y, f"第 {number} 页 / 共 {total} 页", CJK, 9)
    c.setFillColor(MUTED)
    note = "盖章后请扫描全部页面上传（二维码勿遮挡）；材料修改后数据版本改变，须重新打印盖章。"
    draw_string(c, left, 5 * mm, _fit(note, CJK, 7, right - left), CJK, 7)
    # The header of every page: which base, which data version.
    version = f"数据版本 {footer.short}"
    version_w = string_width(version, CJK, 7.5)
    shown = footer.running_title if number > 1 else footer.base_name
    draw_string(c, left, height - 10 * mm, _fit(shown, CJK, 7.5, right - left - version_w - 6 * mm), CJK, 7.5)
    draw_string(c, right - version_w, height - 10 * mm, version, CJK, 7.5)
    c.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _document(
    buffer: io.BytesIO, pagesize: tuple[float, float], footer: Footer, title: str
) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=46 * mm,
        title=title,
        author="示范基地发展质量评价信息管理系统",
        subject=f"{footer.base_name} 数据版本 {footer.short}",
        creator="示范基地发展质量评价信息管理系统",
    )


# --- the 汇总表 -------------------------------------------------------------------------------


def _section_heading(section: Section) -> str:
    if _CN_SECTION.fullmatch(section.code) and section.code != section.title:
        return f"{section.code}、{section.title}"
    return section.title


def _field_label(fld: Field, profile: BaseProfile) -> str:
    label = fld.label_for(profile)
    if _PUBLIC_CODE.fullmatch(fld.code):
        return f"{fld.code} {label}"
    return label


def _number_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value)
    return "" if value is None else str(value)


def _cell_text(fld: Field, raw: Any, column_index: int | None = None) -> str:
    """A scalar shown as printed: the canonical value where it parses, otherwise what was typed."""
    if raw is None:
        return ""
    column = fld.columns[column_index] if column_index is not None else None
    parsed = parse_value(fld, raw, column)
    value = parsed.value
    if value is None:
        return raw if isinstance(raw, str) else str(raw)
    if isinstance(value, bool):
        return "是" if value else "否"
    return _number_text(value)


def _yoy_text(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal(value)


@dataclass
class _Context:
    definition: FormDefinition
    profile: BaseProfile
    data_year: int
    values: Mapping[tuple[str, int], Value]
    yoy: Mapping[tuple[str, int], Decimal | None]
    width: float
    evidence: Mapping[str, list[str]] = field(default_factory=dict)  # item code → file names

    def raw(self, fld: Field, year: int = NOT_YEARLY) -> Any:
        v = self.values.get((fld.code, year))
        return v.raw if v is not None else None

    def status(self, fld: Field) -> str:
        return self.definition.status_for(fld, self.profile)


def _grid_style(header_rows: int = 1, extra: Iterable[tuple[Any, ...]] = ()) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("FONTNAME", (0, 0), (-1, -1), CJK),  # plain-string cells too: never an unembedded Helvetica
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG))
    commands.extend(extra)
    return TableStyle(commands)


def _numeric_value(ctx: _Context, fld: Field, year: int) -> str:
    v = ctx.values.get((fld.code, year))
    if v is None or v.raw in (None, ""):
        return ""
    if v.entered_currency and v.value is not None and fld.currency is not None:
        # Printed in the form's unit, with what the base typed and the notice's rate beside it.
        raw_text = v.raw if isinstance(v.raw, str) else _number_text(v.raw)
        return f"{_number_text(Decimal(str(v.value)))}<br/>（填报 {escape(str(raw_text))} 亿{fld.currency.label}）"
    return escape(_cell_text(fld, v.raw))


def _yearly_table(ctx: _Context, fields: list[Field]) -> Table:
    years = sorted({y for f in fields for y in ctx.definition.years_for(f, ctx.data_year)}, reverse=True)
    yoy_years = [y for y in years if y - 1 in years] if any(f.yoy for f in fields) else []
    head = [
        _p("指标名称", "head"),
        _p("计量单位", "head"),
        *[_p(f"{y}年", "head") for y in years],
        *[_p(f"{y}年同比%", "head") for y in yoy_years],
    ]
    rows: list[list[Any]] = [head]
    extra: list[tuple[Any, ...]] = []
    for fld in fields:
        label = _field_label(fld, ctx.profile)
        indent = "　" if fld.part_of else ""
        row: list[Any] = [Paragraph(indent + _text(label), STYLES["cell"]), _p(fld.unit, "center")]
        if ctx.status(fld) == "hidden":
            row.append(_p("不适用", "center"))
            row.extend("" for _ in range(len(years) - 1 + len(yoy_years)))
            extra.append(("SPAN", (2, len(rows)), (-1, len(rows))))
            extra.append(("BACKGROUND", (2, len(rows)), (-1, len(rows)), colors.HexColor("#f5f5f5")))
        else:
            asked = set(ctx.definition.years_for(fld, ctx.data_year))
            for y in years:
                row.append(Paragraph(_numeric_value(ctx, fld, y), STYLES["num"]) if y in asked else "")
            for y in yoy_years:
                shown = ""
                if fld.yoy and (fld.code, y) in ctx.yoy and ctx.raw(fld, y) not in (None, ""):
                    shown = _yoy_text(ctx.yoy[(fld.code, y)])
                row.append(_p(shown, "num"))
        rows.append(row)
    unit_w, year_w, yoy_w = 26 * mm, 27 * mm, 24 * mm
    label_w = ctx.width - unit_w - year_w * len(years) - yoy_w * len(yoy_years)
    widths = [label_w, unit_w, *[year_w] * len(years), *[yoy_w] * len(yoy_years)]
    return Table(rows, colWidths=widths, repeatRows=1, style=_grid_style(1, extra))


def _scalar_table(ctx: _Context, fields: list[Field]) -> Table:
    """Short answers two to a row: label | value | label | value."""
    cells: list[tuple[ChineseParagraph, ChineseParagraph]] = []
    for fld in fields:
        label = _p(_field_label(fld, ctx.profile))
        if ctx.status(fld) == "hidden":
            cells.append((label, _p("不适用", "cell")))
            continue
        cells.append((label, _p(_cell_text(fld, ctx.raw(fld)))))
    rows = []
    for i in range(0, len(cells), 2):
        pair = cells[i : i + 2]
        row: list[Any] = [*pair[0], *(pair[1] if len(pair) > 1 else ("", ""))]
        rows.append(row)
    quarter = ctx.width / 4
    widths = [quarter * 1.15, quarter * 0.85, quarter * 1.15, quarter * 0.85]
    extra = [("BACKGROUND", (0, 0), (0, -1), HEAD_BG), ("BACKGROUND", (2, 0), (2, -1), HEAD_BG)]
    return Table(rows, colWidths=widths, style=_grid_style(0, extra))


def _text_table(ctx: _Context, fields: list[Field]) -> Table:
    rows = []
    for fld in fields:
        value = "不适用" if ctx.status(fld) == "hidden" else _cell_text(fld, ctx.raw(fld))
        if fld.evidence and ctx.status(fld) != "hidden":
            # The notice asks for 证明材料 here: the print lists what was attached.
            names = ctx.evidence.get(fld.code) or []
            value += f"\n证明材料：{'、'.join(names) if names else '未上传'}"
        rows.append([_p(_field_label(fld, ctx.profile)), _p(value)])
    label_w = min(80 * mm, ctx.width * 0.32)
    extra = [("BACKGROUND", (0, 0), (0, -1), HEAD_BG), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    return Table(rows, colWidths=[label_w, ctx.width - label_w], style=_grid_style(0, extra))


def _yesno_parts(fld: Field, raw: Any) -> tuple[str, str]:
    parsed = parse_value(fld, raw)
    value = parsed.value
    answer: Any = value.get("answer") if isinstance(value, dict) else value
    note: Any = value.get("note") if isinstance(value, dict) else None
    if value is None and raw is not None:  # not understood: print what was typed
        if isinstance(raw, dict):
            answer, note = raw.get("answer"), raw.get("note")
        else:
            answer = raw
    shown = (
        {True: "是", False: "否", None: ""}.get(answer, str(answer))
        if not isinstance(answer, str)
        else answer
    )
    return shown, "" if note is None else str(note)


def _yesno_table(ctx: _Context, fields: list[Field]) -> Table:
    note_label = next((f.note.label for f in fields if f.note), "详细情况说明")
    rows: list[list[Any]] = [[_p("指标", "head"), _p("是/否", "head"), _p(note_label, "head")]]
    for fld in fields:
        if ctx.status(fld) == "hidden":
            answer, note = "不适用", ""
        else:
            answer, note = _yesno_parts(fld, ctx.raw(fld))
        rows.append([_p(_field_label(fld, ctx.profile)), _p(answer, "center"), _p(note)])
    label_w, answer_w = ctx.width * 0.34, 16 * mm
    extra = [("VALIGN", (0, 1), (-1, -1), "TOP")]
    return Table(
        rows,
        colWidths=[label_w, answer_w, ctx.width - label_w - answer_w],
        repeatRows=1,
        style=_grid_style(1, extra),
    )


def _column_weight(column_type: str) -> float:
    return 1.0 if column_type in ("amount", "count", "percent", "rate", "ratio", "choice", "phone") else 1.6


def _data_table(ctx: _Context, fld: Field, section: Section) -> list[Any]:
    """A form's small table (products, key enterprises, contacts …), with a caption."""
    label = _field_label(fld, ctx.profile)
    caption = [] if label == section.title else [Paragraph(_text(label), STYLES["group"])]
    if ctx.status(fld) == "hidden":
        return [*caption, _p("不适用", "cell")]
    raw = ctx.raw(fld)
    parsed = parse_value(fld, raw)
    rows_raw: list[Any] = list(raw) if isinstance(raw, list) else []
    count = max(len(parsed.value or ()), len(rows_raw) if parsed.value is None else 0, fld.min_rows, 1)
    small = len(fld.columns) > 7
    head_style, cell_style, num_style = (
        ("head_small", "cell_small", "num") if small else ("head", "cell", "num")
    )
    with_labels = bool(fld.row_labels)
    grouped = any(c.group for c in fld.columns)
    offset = 1 if with_labels else 0
    head: list[Any] = [_p("序号", head_style)] if with_labels else []
    group_row: list[Any] = [_p("序号", head_style)] if with_labels else []
    spans: list[tuple[Any, ...]] = []
    for index, col in enumerate(fld.columns):
        label = col.label if not col.unit or col.unit in col.label else f"{col.label}（{col.unit}）"
        head.append(_p(label, head_style))
        group_row.append(_p(col.group, head_style) if col.group else _p(label, head_style))
        if grouped and not col.group:
            spans.append(("SPAN", (index + offset, 0), (index + offset, 1)))
    if grouped and with_labels:
        spans.append(("SPAN", (0, 0), (0, 1)))
    if grouped:
        # Neighbouring columns under the same group header share one spanning cell.
        start: int | None = None
        for index, column in enumerate([*fld.columns, None]):
            same = column is not None and start is not None and column.group == fld.columns[start].group
            if start is not None and not same:
                if index - 1 > start:
                    spans.append(("SPAN", (start + offset, 0), (index - 1 + offset, 0)))
                start = None
            if column is not None and column.group and start is None:
                start = index
    header_rows = [group_row, head] if grouped else [head]
    body: list[list[Any]] = []
    for r in range(count):
        row: list[Any] = []
        if with_labels:
            row.append(_p(fld.row_labels[r] if r < len(fld.row_labels) else str(r + 1), cell_style))
        parsed_row = parsed.value[r] if parsed.value and r < len(parsed.value) else None
        raw_row = rows_raw[r] if r < len(rows_raw) else None
        for index, col in enumerate(fld.columns):
            cell: Any = parsed_row.get(col.key) if parsed_row else None
            if cell is None and raw_row is not None:  # not understood: print what was typed
                typed = raw_row.get(col.key) if isinstance(raw_row, dict) else None
                if isinstance(raw_row, list) and index < len(raw_row):
                    typed = raw_row[index]
                cell = typed
            numeric = col.type in ("amount", "count", "percent", "rate", "ratio")
            row.append(_p(_number_text(cell), num_style if numeric else cell_style))
        body.append(row)
    weights = [_column_weight(c.type) for c in fld.columns]
    label_w = 20 * mm if with_labels else 0
    unit = (ctx.width - label_w) / sum(weights)
    widths = ([label_w] if with_labels else []) + [w * unit for w in weights]
    style = _grid_style(len(header_rows), spans)
    table = Table(header_rows + body, colWidths=widths, repeatRows=len(header_rows), style=style)
    return [*caption, table]


def _section_story(ctx: _Context, section: Section) -> list[Any]:
    story: list[Any] = [CondPageBreak(30 * mm), Paragraph(_text(_section_heading(section)), STYLES["h2"])]
    if section.intro:
        story.append(Paragraph(_text(section.intro), STYLES["note"]))
        story.append(Spacer(1, 2 * mm))
    runs: list[tuple[str, str, list[Field]]] = []
    for fld in section.fields:
        kind = fld.layout
        if runs and runs[-1][0] == kind and runs[-1][1] == fld.group and kind != "table":
            runs[-1][2].append(fld)
        else:
            runs.append((kind, fld.group, [fld]))
    shown_group = ""
    for kind, group, fields in runs:
        if group and group != shown_group:
            story.append(Paragraph(_text(group), STYLES["group"]))
        shown_group = group
        if kind == "yearly":
            story.append(_yearly_table(ctx, fields))
        elif kind == "table":
            story.append(KeepTogether(_data_table(ctx, fields[0], section)))
        elif kind == "yesno":
            story.append(_yesno_table(ctx, fields))
        elif kind == "text":
            story.append(_text_table(ctx, fields))
        else:
            story.append(_scalar_table(ctx, fields))
        story.append(Spacer(1, 2 * mm))
    return story


def _form_story(ctx: _Context) -> list[Any]:
    story: list[Any] = []
    for section in ctx.definition.sections:
        story.extend(_section_story(ctx, section))
    if ctx.definition.notes:
        story.append(Paragraph("说明", STYLES["h2"]))
        for number, note in enumerate(ctx.definition.notes, start=1):
            story.append(Paragraph(f"{number}. {_text(note)}", STYLES["note"]))
    return story


def _values_of(values: Iterable[Value]) -> dict[str, dict[tuple[str, int], Value]]:
    out: dict[str, dict[tuple[str, int], Value]] = {}
    for v in values:
        out.setdefault(v.form, {})[(v.code, v.year)] = v
    return out


def _yoy_input(values: Mapping[tuple[str, int], Value]) -> dict[tuple[str, int], Any]:
    # An amount typed in USD is compared in RMB: the converted value, not what was typed.
    return {k: (v.value if v.entered_currency and v.value is not None else v.raw) for k, v in values.items()}


def summary_pdf(
    *,
    submission: Submission,
    values: Iterable[Value],
    profile: BaseProfile,
    fingerprint: str,
    generated_at: dt.datetime,
    evidence: Mapping[tuple[str, str], list[str]] | None = None,
) -> bytes:
    """The filled 汇总表 with its annex (附表), every section, as the notice lays it out.
    `evidence` names the supporting documents attached per (form, item) (附表6 证明材料).

    `values` are the very rows the fingerprint was computed from, so the page and its fingerprint
    can never disagree even while someone else is saving."""
    buffer = io.BytesIO()
    page = landscape(A4)
    base_name = submission.base.name
    register_fonts()
    footer = Footer(
        base_name, fingerprint, generated_at, f"{SUMMARY_TITLE} · {base_name}", "summary", submission.pk
    )
    doc = _document(buffer, page, footer, SUMMARY_TITLE)
    width = page[0] - doc.leftMargin - doc.rightMargin
    by_form = _values_of(values)
    data_year = submission.campaign.data_year
    story: list[Any] = [
        Paragraph("附件1", STYLES["annex"]),
        Paragraph(SUMMARY_TITLE, STYLES["title"]),
        Paragraph(f"示范基地：{_text(base_name)}　　数据年度：{data_year}年", STYLES["subtitle"]),
        Spacer(1, 4 * mm),
    ]
    for index, definition in enumerate(submission.definitions()):
        parsed = definition.parsed()
        if not parsed.applies_to(profile):
            continue
        mine = by_form.get(parsed.code, {})
        ctx = _Context(
            definition=parsed,
            profile=profile,
            data_year=data_year,
            values=mine,
            yoy=compute_yoy(parsed, data_year, _yoy_input(mine)),
            width=width,
            evidence={code: names for (form, code), names in (evidence or {}).items() if form == parsed.code},
        )
        if index > 0:
            annex_no = parsed.short_title.split()[0] if parsed.short_title else ""
            story += [PageBreak(), Paragraph(_text(annex_no), STYLES["annex"])]
            story += [Paragraph(_text(parsed.title), STYLES["title"]), Spacer(1, 4 * mm)]
        story.extend(_form_story(ctx))
    doc.build(story, canvasmaker=_canvas_maker(footer))
    return buffer.getvalue()


# --- the development report (附件2) ------------------------------------------------------------


def _paragraphs(text: str, style: str) -> list[ChineseParagraph]:
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return [Paragraph(_text(line), STYLES[style]) for line in lines if line]


def _items_story(items: Any, word: str) -> list[Any]:
    story: list[Any] = []
    for number, item in enumerate(items or (), start=1):
        lead = str(item.get("lead") or "").strip() if isinstance(item, dict) else ""
        content = str(item.get("content") or "") if isinstance(item, dict) else str(item)
        story.append(Paragraph(f"{word}{number}：{_text(lead)}", STYLES["r_lead"]))
        story.extend(_paragraphs(content, "r_body"))
    return story or [Paragraph("（未填写）", STYLES["r_empty"])]


def report_pdf(
    *, submission: Submission, report: Any | None, fingerprint: str, generated_at: dt.datetime
) -> bytes:
    """附件2: 一 概述, 二 亮点和成效, 三 示范性做法和经验 (each a lead sentence and its content), 四 问题及建议."""
    buffer = io.BytesIO()
    base_name = submission.base.name
    data_year = submission.campaign.data_year
    title = f"{base_name}{data_year}年发展情况报告"
    register_fonts()
    footer = Footer(base_name, fingerprint, generated_at, title, "report", submission.pk)
    doc = _document(buffer, A4, footer, title)
    doc.leftMargin = doc.rightMargin = 22 * mm
    empty = [Paragraph("（未填写）", STYLES["r_empty"])]
    overview = _paragraphs(report.overview, "r_body") if report else []
    problems = _paragraphs(report.problems, "r_body") if report else []
    story: list[Any] = [
        Paragraph("附件2", STYLES["r_annex"]),
        Spacer(1, 4 * mm),
        Paragraph(_text(title), STYLES["r_title"], words=(base_name, f"{data_year}年发展情况报告")),
        Paragraph("一、示范基地发展概述", STYLES["r_h"]),
        *(overview or empty),
        Paragraph("二、发展亮点和成效", STYLES["r_h"]),
        *_items_story(report.highlights if report else (), "成效"),
        Paragraph("三、示范性做法和经验", STYLES["r_h"]),
        *_items_story(report.practices if report else (), "经验"),
        Paragraph("四、存在的问题及建议", STYLES["r_h"]),
        *(problems or empty),
    ]
    doc.build(story, canvasmaker=_canvas_maker(footer))
    return buffer.getvalue()
