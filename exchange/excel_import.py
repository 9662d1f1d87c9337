"""Reading a filled Excel template back: its marker, its layout, its cells, what changed and what is wrong.

`import_read` is the whole check and changes nothing: the file is refused (`ImportRefused`, with the
reason) when it is not our template, belongs to another base or another form version, or its layout
was edited; otherwise every cell is read as the user meant it (`lib.cells`), every item is checked by
the very validation of online entry (`submissions.validation.validate`), and each difference from
what is saved is listed, a cell changed online since the download as a conflict. `excel_import_apply`
saves the accepted differences through the values service of the entry pages, in one transaction:
a conflict found at that moment rolls everything back.

The file is read with python-calamine (cached values of formulas, merged ranges); the few things it
does not tell (a cell's percentage format, a formula without a cached value) come from one pass over
the sheet's XML.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from definitions.schema import Field
from exchange.excel_layout import Input, SheetLayout
from exchange.excel_template import (
    MARKER_KIND,
    MARKER_SHEET,
    Marker,
    MarkerError,
    cell_key,
    comparable,
    digest,
    layouts_for,
    marker_load,
    stored_raw,
)
from lib import authz
from lib.authz import Ask
from lib.cells import CellError, cell_ref, read_number_cell, read_text_cell
from submissions.models import DEFINITION_CONTENT, Submission, Value
from submissions.services import CellChange, SaveResult, previous_submission, profile_for, values_save
from submissions.status import CELL_COLUMNS, PreparedCheck, prepared_check, previous_cells
from submissions.validation import Finding, field_name, parsing_memo

PREVIEW_SALT = "exchange.excel_import.preview"
PREVIEW_MAX_AGE = 2 * 3600
# A value the file gives that breaks one of these is refused with the file; the others (必填 left
# empty, 其中 > 总量, 同比 warnings) are shown and may be fixed online after the import.
VALUE_CHECKS = frozenset(
    {"invalid", "not_integer", "out_of_range", "choice", "too_long", "currency", "negative", "email", "phone",
     "unknown_column", "too_many_rows", "too_many_items", "read"}
)  # fmt: skip
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_CACHED = re.compile(rb"<v>[^<]+</v>")
_PERCENT_BUILTIN = frozenset({9, 10})
# What the preview reads of each saved cell: what the checks read, and its revision and last writer
# for the conflicts.
SAVED_COLUMNS = (*CELL_COLUMNS, "revision", "updated_at", "updated_by")


class ImportRefused(Exception):
    """The file as a whole cannot be imported; `str()` is the Chinese reason."""


@dataclass(frozen=True)
class Problem:
    sheet: str
    ref: str
    message: str
    # error: refuses the file. kept: an error of the notice's rules the file is imported with, as
    # online entry saves it, to be corrected before the material is submitted (a part larger than
    # its whole). warning / info: shown.
    severity: str = "error"
    code: str = ""

    @property
    def place(self) -> str:
        return f"{self.sheet}!{self.ref}" if self.ref else self.sheet

    @property
    def label(self) -> str:
        return {"kept": "错误", "warning": "预警"}.get(self.severity, "")

    def text(self) -> str:
        label = f"【{self.label}】" if self.label else ""
        return f"{label}{self.place}：{self.message}"


@dataclass
class Difference:
    form: str
    code: str
    year: int
    where: str
    place: str
    old: str
    new: str
    raw: Any
    seen_revision: int  # the revision in the marker (what the template was downloaded with)
    current_revision: int
    conflict: bool = False
    theirs_by: str = ""
    theirs_at: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return cell_key(self.form, self.code, self.year)


@dataclass
class ImportReading:
    marker: Marker
    submission: Submission
    differences: list[Difference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unchanged: int = 0
    missing_required: int = 0
    # The material's check once the differences that are not conflicts are saved as read (what
    # the bulk import saves): pass it to `excel_import_apply` with them, so the save stores it
    # instead of checking the material again.
    check: PreparedCheck | None = None

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def conflicts(self) -> list[Difference]:
        return [d for d in self.differences if d.conflict]

    @property
    def ok(self) -> bool:
        return not self.blocking

    @property
    def downloaded_at(self) -> str:
        """When the template was downloaded, Beijing time, as "2022-08-20 09:30"."""
        return self.marker.generated[:16].replace("T", " ")


# --- the file ---------------------------------------------------------------------------------


@dataclass
class SheetData:
    rows: list[list[Any]]
    start: tuple[int, int]
    merges: list[tuple[int, int, int, int]]  # 1-based row1, col1, row2, col2
    percent_cells: set[str] = field(default_factory=set)
    uncached_formulas: set[str] = field(default_factory=set)

    def value(self, row: int, col: int) -> Any:
        r, c = row - 1 - self.start[0], col - 1 - self.start[1]
        if r < 0 or c < 0 or r >= len(self.rows):
            return None
        line = self.rows[r]
        if c >= len(line):
            return None
        value = line[c]
        return None if value == "" else value


def _xml_details(data: bytes) -> dict[str, tuple[set[str], set[str]]]:
    """Per sheet name: (cells formatted as a percentage, cells whose formula has no cached value)."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        styles = archive.read("xl/styles.xml") if "xl/styles.xml" in names else b""
        percent_formats = set(_PERCENT_BUILTIN)
        for match in re.finditer(rb'<numFmt [^>]*numFmtId="([0-9]+)"[^>]*formatCode="([^"]*)"', styles):
            if b"%" in match.group(2):
                percent_formats.add(int(match.group(1)))
        xfs_block = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)
        percent_styles: set[bytes] = set()
        if xfs_block:
            for index, xf in enumerate(re.finditer(rb"<xf\b([^>]*)", xfs_block.group(1))):
                fmt = re.search(rb'numFmtId="([0-9]+)"', xf.group(1))
                if fmt and int(fmt.group(1)) in percent_formats:
                    percent_styles.add(str(index).encode())
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
        targets = {
            m.group(1): m.group(2).decode()
            for m in re.finditer(rb'<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
        }
        targets.update(
            {
                m.group(2): m.group(1).decode()
                for m in re.finditer(rb'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
            }
        )
        for sheet in re.finditer(rb"<sheet\b([^>]*)/?>", workbook):
            attrs = sheet.group(1)
            name_match = re.search(rb'name="([^"]*)"', attrs)
            rid_match = re.search(rb'r:id="([^"]*)"', attrs) or re.search(rb'\bid="([^"]*)"', attrs)
            if not name_match or not rid_match or rid_match.group(1) not in targets:
                continue
            target = targets[rid_match.group(1)].lstrip("/")
            path = target if target.startswith("xl/") else f"xl/{target}"
            if path not in names:
                continue
            xml = archive.read(path)
            # The regular expressions run over the whole sheet in C; Python only sees the few cells
            # that are formatted as a percentage or hold a formula.
            percent: set[str] = set()
            if percent_styles:
                styled = rb'<c r="([A-Z]+[0-9]+)"[^>]*?\bs="(?:' + b"|".join(sorted(percent_styles)) + rb')"'
                percent = {m.group(1).decode() for m in re.finditer(styled, xml)}
            out[_xml_unescape(name_match.group(1).decode())] = (percent, _uncached_formulas(xml))
    return out


def _uncached_formulas(xml: bytes) -> set[str]:
    """The cells of a sheet's XML whose formula has no cached value. Only the cells around each
    `<f` are parsed (a template's 同比 formulas are a tenth of its cells), each as `_CELL` reads it."""
    out: set[str] = set()
    pos = xml.find(b"<f")
    while pos != -1:
        start = xml.rfind(b'<c r="', 0, pos)
        cell = _CELL.match(xml, start) if start != -1 else None
        if cell is None or cell.end() <= pos:  # not inside a cell (a data validation's <formula1>)
            pos = xml.find(b"<f", pos + 2)
            continue
        body = cell.group(3) or b""
        if b"<f" in body and not _CACHED.search(body):
            out.add(cell.group(1).decode())
        pos = xml.find(b"<f", cell.end())
    return out


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def read_book(data: bytes) -> dict[str, SheetData]:
    """Every sheet of the file with its values, merged ranges and the XML details. ImportRefused if unreadable."""
    from python_calamine import CalamineWorkbook

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRefused(
            "文件已加密（设置了打开密码）或是旧版 .xls 格式，请另存为不加密的 .xlsx 文件后上传。"
        )
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: dict[str, SheetData] = {}
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            merges = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (sheet.merged_cell_ranges or [])]
            sheets[name] = SheetData(rows=sheet.to_python(skip_empty_area=False), start=(0, 0), merges=merges)
        details = _xml_details(data)
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused(
            "文件已损坏或不是有效的 Excel 工作簿，无法读取；请在 Excel 中打开并另存为 .xlsx 后重新上传。"
        ) from None
    for name, (percent, uncached) in details.items():
        if name in sheets:
            sheets[name].percent_cells, sheets[name].uncached_formulas = percent, uncached
    return sheets


def book_marker(sheets: Mapping[str, SheetData]) -> Marker:
    hidden = sheets.get(MARKER_SHEET)
    if hidden is None or hidden.value(1, 1) != MARKER_KIND:
        raise ImportRefused("不是本系统生成的填报模板（缺少模板标记），请在系统中下载本基地的模板后填写。")
    token = "".join(str(hidden.value(row, 1) or "") for row in range(2, len(hidden.rows) + 1))
    try:
        return marker_load(token)
    except MarkerError as exc:
        raise ImportRefused(str(exc)) from None


# --- checking the file against its submission ---------------------------------------------------


def check_target(marker: Marker, submission: Submission) -> None:
    """Refuse a template of another base, campaign or form version, with the reason."""
    if marker.base != submission.base_id:
        raise ImportRefused(
            f"该模板属于示范基地“{marker.base_name}”，不能导入到“{submission.base.name}”；请下载本基地的模板。"
        )
    if marker.version != submission.campaign.form_version:
        raise ImportRefused(
            f"该模板为 {marker.version} 年版表格，“{submission.campaign.title}”使用 "
            f"{submission.campaign.form_version} 年版，请重新下载模板后填写。"
        )
    if marker.campaign != submission.campaign_id or marker.submission != submission.pk:
        raise ImportRefused("该模板属于其他年度的填报，请下载本年度的模板后填写。")


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def check_layout(layouts: Sequence[SheetLayout], sheets: Mapping[str, SheetData]) -> None:
    """The file's label cells must hold what the layout puts there: a moved row or an edited label is refused."""
    for layout in layouts:
        sheet = sheets.get(layout.name)
        if sheet is None:
            raise ImportRefused(f"缺少工作表“{layout.name}”（工作表被删除或改名），请重新下载模板后填写。")
        wrong = []
        for label in layout.labels:
            if not label.checked:
                continue
            found = _cell_text(sheet.value(label.row, label.col))
            if found != label.text.strip():
                shown = f"“{found[:30]}”" if found else "空白"
                wrong.append(
                    f"{layout.name}!{cell_ref(label.row, label.col)} 应为“{label.text.strip()[:30]}”，现为{shown}"
                )
                if len(wrong) >= 3:
                    break
        if wrong:
            raise ImportRefused(
                "表格结构已被修改（" + "；".join(wrong) + "）。请不要插入、删除或移动行列，不要修改指标名称，"
                "请重新下载模板后填写。"
            )


def _merge_problems(layout: SheetLayout, sheet: SheetData) -> tuple[list[Problem], set[tuple[int, int]]]:
    """Merged ranges the layout does not have: their value is in the first cell, the others are read
    as blank, which the user did not mean for the input cells they cover."""
    expected = set(layout.merges)
    inputs = {(i.row, i.col) for i in layout.inputs}
    problems: list[Problem] = []
    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in sheet.merges:
        if (r1, c1, r2, c2) in expected:
            continue
        cells = [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) in inputs]
        if len(cells) > 1:
            ref = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
            problems.append(
                Problem(
                    layout.name,
                    ref,
                    "单元格被合并，合并后只保留第一个单元格的内容；请取消合并并分别填写",
                    code="read",
                )
            )
            covered.update(cells[1:])
    return problems, covered


def _read_input(item: Input, sheet: SheetData, layout: SheetLayout) -> tuple[str | None, str, Problem | None]:
    ref = cell_ref(item.row, item.col)
    value = sheet.value(item.row, item.col)
    if value is None and sheet.uncached_formulas and ref in sheet.uncached_formulas:
        problem = Problem(
            layout.name, ref, "单元格含公式但没有计算结果，请在 Excel 中打开并保存后再导入", code="read"
        )
        return None, "", problem
    try:
        if item.numeric:
            reading = read_number_cell(
                value,
                unit=item.unit,
                percent=item.type in ("percent", "rate"),
                percent_style=ref in sheet.percent_cells,
            )
        else:
            reading = read_text_cell(value)
    except CellError as exc:
        return None, "", Problem(layout.name, ref, f"{item.where}：{exc}", code="read")
    return reading.raw, reading.note, None


@dataclass
class _Item:
    fld: Field
    form: str
    code: str
    year: int
    cells: list[Input] = field(default_factory=list)
    raw: Any = None
    notes: list[str] = field(default_factory=list)
    broken: bool = False


def _assemble(item: _Item, read: Mapping[tuple[int, int], str | None]) -> Any:
    fld = item.fld
    if fld.type == "table":
        rows: dict[int, dict[str, Any]] = {}
        for cell in item.cells:
            rows.setdefault(cell.table_row or 0, {})[cell.column or ""] = read.get((cell.row, cell.col))
        ordered = [rows[i] for i in sorted(rows)]
        while ordered and all(v in (None, "") for v in ordered[-1].values()):
            ordered.pop()
        return ordered or None
    if fld.type == "yesno" and fld.note is not None:
        parts = {cell.column: read.get((cell.row, cell.col)) for cell in item.cells}
        if parts.get("answer") is None and parts.get("note") is None:
            return None
        return {"answer": parts.get("answer"), "note": parts.get("note")}
    return read.get((item.cells[0].row, item.cells[0].col))


def _shown(fld: Field, raw: Any) -> str:
    if raw is None or raw == "" or raw == []:
        return ""
    if fld.type == "table" and isinstance(raw, list):
        filled = [r for r in raw if isinstance(r, dict) and any(v not in (None, "") for v in r.values())]
        first = []
        for row in filled[:3]:
            first.append("，".join(str(v) for v in row.values() if v not in (None, ""))[:60])
        more = f" 等 {len(filled)} 行" if len(filled) > 3 else ""
        return "；".join(first) + more
    if isinstance(raw, dict):
        answer, note = raw.get("answer"), raw.get("note")
        shown = "是" if answer is True else "否" if answer is False else str(answer or "")
        return f"{shown}；{note}" if note else shown
    text = str(raw)
    return text if len(text) <= 120 else text[:120] + "…"


def _finding_cell(
    finding: Finding, by_place: Mapping[tuple[str, str, int, int | None, str | None], Input], form: str
) -> Input | None:
    column = finding.column
    for key in (
        (form, finding.field, finding.year, finding.row, column),
        (form, finding.field, finding.year, None, "note" if column == "note" else "answer"),
        (form, finding.field, finding.year, finding.row, None),
        (form, finding.field, finding.year, None, None),
    ):
        if key in by_place:
            return by_place[key]
    return None


def import_read(
    *, data: bytes, submission: Submission | None = None, sheets: Mapping[str, SheetData] | None = None
) -> ImportReading:
    """Check a filled template and list what it would change. Nothing is saved. `submission` is the
    target the user chose; None (bulk import) takes the marker's. Raises ImportRefused."""
    with parsing_memo():  # each input is compared with what is saved and validated: parsed once
        return _import_read(data, submission, sheets)


def _import_read(
    data: bytes, submission: Submission | None, sheets: Mapping[str, SheetData] | None
) -> ImportReading:
    sheets = sheets if sheets is not None else read_book(data)
    marker = book_marker(sheets)
    if submission is None:
        try:
            # get(), not first(): first() orders by the model's ordering, joining and sorting for
            # the one row a primary key names (a third of this query's cost).
            submission = (
                Submission.objects.select_related(
                    "campaign", "base__category", "base__authority", "summary_definition", "annex_definition"
                )
                .defer(*DEFINITION_CONTENT)
                .get(pk=marker.submission)
            )
        except Submission.DoesNotExist:
            raise ImportRefused(
                f"未找到模板对应的填报材料（示范基地“{marker.base_name}”），请重新下载模板。"
            ) from None
    check_target(marker, submission)
    profile = profile_for(submission.base)
    definitions = {parsed.code: parsed for parsed in (d.parsed() for d in submission.definitions())}
    layouts = layouts_for(submission, definitions.values(), profile, marker.rows)
    if [layout.form for layout in layouts] != list(marker.forms):
        raise ImportRefused("示范基地的类型或表格已变化，该模板已不适用，请重新下载模板后填写。")
    check_layout(layouts, sheets)
    reading = ImportReading(marker=marker, submission=submission)
    # Read after the submission (its revision), as the prepared check requires.
    saved_cells = list(submission.values.values_list(*SAVED_COLUMNS, named=True))
    saved: dict[str, dict[tuple[str, int], Any]] = {form: {} for form in definitions}
    for cell in saved_cells:
        saved.setdefault(cell.form, {})[(cell.code, cell.year)] = cell
    items: dict[tuple[str, str, int], _Item] = {}
    by_place: dict[tuple[str, str, int, int | None, str | None], Input] = {}
    sheet_of: dict[str, str] = {}
    for layout in layouts:
        sheet = sheets[layout.name]
        sheet_of[layout.form] = layout.name
        merge_problems, covered = _merge_problems(layout, sheet)
        reading.problems.extend(merge_problems)
        fields = definitions[layout.form].field_map()
        read: dict[tuple[int, int], str | None] = {}
        for cell in layout.inputs:
            by_place[(cell.form, cell.code, cell.year, cell.table_row, cell.column)] = cell
            item = items.get(key := cell.key)
            if item is None:
                item = items[key] = _Item(fields[cell.code], cell.form, cell.code, cell.year)
            item.cells.append(cell)
            if (cell.row, cell.col) in covered:
                item.broken = True
                continue
            raw, note, problem = _read_input(cell, sheet, layout)
            if problem is not None:
                reading.problems.append(problem)
                item.broken = True
            if note:
                item.notes.append(f"{cell_ref(cell.row, cell.col)} {note}")
            read[(cell.row, cell.col)] = raw
        for key, item in items.items():
            if key[0] == layout.form and item.raw is None and not item.broken:
                item.raw = _assemble(item, read)
    changed: dict[str, dict[tuple[str, int], Any]] = {form: {} for form in definitions}
    theirs: list[tuple[Difference, Any]] = []
    for key, item in items.items():
        if item.broken:
            continue
        current: Any = saved.get(item.form, {}).get((item.code, item.year))
        file_cmp = comparable(item.fld, item.raw)
        saved_cmp = comparable(item.fld, stored_raw(item.fld, current)) if current is not None else None
        # A cell the template was downloaded without (empty then): unchanged since if still empty.
        revision, downloaded = marker.cells.get(cell_key(*key), (0, None))
        if file_cmp == saved_cmp or (
            file_cmp is None if downloaded is None else digest(file_cmp) == downloaded
        ):
            reading.unchanged += 1
            continue
        current_revision = current.revision if current is not None else 0
        first = item.cells[0]
        diff = Difference(
            form=item.form, code=item.code, year=item.year,
            where=(f"{item.year}年 " if item.year else "") + field_name(item.fld, profile),
            place=f"{sheet_of[item.form]}!{cell_ref(first.row, first.col)}",
            old=_shown(item.fld, stored_raw(item.fld, current)) if current is not None else "",
            new=_shown(item.fld, item.raw), raw=item.raw, seen_revision=int(revision),
            current_revision=current_revision, conflict=current_revision != int(revision), notes=item.notes,
        )  # fmt: skip
        if diff.conflict and current is not None:
            theirs.append((diff, current))
        reading.differences.append(diff)
        changed[item.form][(item.code, item.year)] = item.raw
    if theirs:
        names = {
            u.pk: u.display_name
            for u in User.objects.filter(pk__in={c.updated_by for _, c in theirs if c.updated_by})
        }
        for diff, current in theirs:
            diff.theirs_by = names.get(current.updated_by, "")
            diff.theirs_at = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
    _validate(reading, submission, saved_cells, changed, by_place, sheet_of)
    return reading


def _validate(
    reading: ImportReading,
    submission: Submission,
    saved: Sequence[Any],
    changed: Mapping[str, Mapping[tuple[str, int], Any]],
    by_place: Mapping[tuple[str, str, int, int | None, str | None], Input],
    sheet_of: Mapping[str, str],
) -> None:
    """The checks of online entry on what is saved with the file's differences in place; a finding on a
    value the file gives is reported at its cell. The same pass is the material's check once the
    differences that are not conflicts are saved (`reading.check`), so the bulk import's save of
    them need not validate the material again."""
    previous = previous_submission(submission)
    cells = {
        (form, code, year): raw for form, items in changed.items() for (code, year), raw in items.items()
    }
    conflicts = {(d.form, d.code, d.year) for d in reading.differences if d.conflict}
    reading.check, by_form = prepared_check(
        submission=submission, previous=previous, values=saved,
        previous_values=previous_cells(previous) if previous is not None else [],
        cells={k: raw for k, raw in cells.items() if k not in conflicts},
        shown={k: raw for k, raw in cells.items() if k in conflicts},
    )  # fmt: skip
    for code, findings in by_form.items():
        touched = changed.get(code, {})
        for finding in findings:
            if (finding.field, finding.year) not in touched:
                if finding.code == "required":
                    reading.missing_required += 1
                continue
            cell = _finding_cell(finding, by_place, code)
            ref = cell_ref(cell.row, cell.col) if cell else ""
            if finding.severity == "error":
                severity = "error" if finding.code in VALUE_CHECKS else "kept"
            else:
                severity = "warning" if finding.severity == "warning" else "info"
            reading.problems.append(
                Problem(sheet_of.get(code, code), ref, finding.message, severity, finding.code)
            )


# --- preview and saving --------------------------------------------------------------------------


def preview_token(reading: ImportReading, user: User, filename: str) -> str:
    """The differences as the user saw them, signed, to be sent back with the confirmation."""
    payload = {
        "s": reading.submission.pk,
        "u": user.pk,
        "n": filename[:200],
        "d": [
            [d.form, d.code, d.year, d.raw, d.seen_revision, d.current_revision, d.conflict]
            for d in reading.differences
        ],
    }
    return signing.dumps(payload, salt=PREVIEW_SALT, compress=True)


def preview_load(token: str, *, submission: Submission, user: User) -> tuple[str, list[list[Any]]]:
    try:
        payload = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError("预览已过期（超过 2 小时），请重新上传文件。") from None
    except signing.BadSignature:
        raise ValidationError("导入内容无法确认，请重新上传文件。") from None
    if payload.get("s") != submission.pk or payload.get("u") != user.pk:
        raise ValidationError("导入内容与当前材料不符，请重新上传文件。")
    return str(payload.get("n") or ""), list(payload.get("d") or [])


@transaction.atomic
def excel_import_apply(
    *,
    submission: Submission,
    user: User,
    differences: Iterable[Sequence[Any]],
    overwrite: Iterable[str] = (),
    prepared: PreparedCheck | None = None,
) -> SaveResult:
    """Save the previewed differences from a template through the values service. A conflict the user
    did not choose to overwrite is left as it is; a value changed by someone else after the preview
    refuses the whole import (nothing is saved) so the user can look again. `prepared` is the
    reading's check (`ImportReading.check`, same process): stored when the save wrote exactly what
    the reading validated and nothing changed the material in between, else it is checked again."""
    submission = (
        Submission.objects.select_for_update().select_related("campaign", "base").get(pk=submission.pk)
    )
    authz.require(
        Ask.IMPORT_EXCEL, user, submission, message="您不能导入该示范基地的材料，或材料当前状态不允许修改。"
    )
    forced = set(overwrite)
    changes = []
    for form, code, year, raw, seen, current, conflict in differences:
        key = cell_key(form, code, year)
        if conflict and key not in forced:
            continue
        changes.append(
            CellChange(
                form=form,
                code=code,
                year=int(year),
                raw=raw,
                base_revision=int(current if conflict else seen),
                force=False,
            )
        )
    with parsing_memo():  # within the caller's, when it read the file in the same block
        result = values_save(
            submission=submission, user=user, changes=changes, source=Value.Source.IMPORT, prepared=prepared
        )
    late = [c for c in result.cells if c.status in ("conflict", "rejected")]
    if late:
        transaction.set_rollback(True)
        first = late[0]
        raise ValidationError(
            f"预览后有 {len(late)} 项已被他人修改或不再适用（如 {first.code} {first.year or ''}），"
            "本次导入未保存任何内容，请重新上传文件核对。"
        )
    return result
