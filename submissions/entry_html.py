"""The HTML of the data-entry page's repeated parts, built in Python: the side navigation, a year
grid's rows, an item's label, its history button and its findings.

These run once per row or cell (a few hundred times a page), where Django's template engine spent
most of the page's CPU on variable lookups and `{% include %}`; here the same markup is joined from
strings. The output is byte for byte what the templates rendered (templates/submissions/_grid.html,
_label.html, _hist.html, _findings.html and the navigation of section.html, kept as the reference in
submissions/tests/reference/ and compared in submissions/tests/test_entry_html.py). Every value that
comes from a definition, a value or a user goes through `conditional_escape`, as `{{ }}` did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape as _html_escape
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from definitions.schema import Column
from lib.links import cached_reverse
from submissions.forms import Block, Cell, FindingView, Item


def _e(value: Any) -> str:
    """`{{ value }}` with autoescape on and localisation off (the page's `{% localize off %}`):
    conditional_escape, whose plain-str case is html.escape (django.utils.html.escape) without the
    lazy-string wrapper, called a thousand times a page."""
    kind = type(value)
    if kind is str:
        return _html_escape(value)
    if kind is int:
        return str(value)
    return str(conditional_escape(value))


# --- section links ---------------------------------------------------------------------------------


def section_urls(pk: int) -> Callable[[str, str], str]:
    """A function (form, code) → reverse("submissions:section", args=[pk, form, code]), for the ~30
    sections of the navigation without ~30 reverse() calls a page (lib.links)."""

    def url(form: str, code: str) -> str:
        return cached_reverse("submissions:section", pk, form, code)

    return url


def section_url(pk: int, form: str, code: str) -> str:
    return cached_reverse("submissions:section", pk, form, code)


# --- navigation ------------------------------------------------------------------------------------


def nav_html(nav: Sequence[Mapping[str, Any]], here: Mapping[str, Any]) -> SafeString:
    """The side navigation's groups, as section.html's `{% regroup nav by form_title %}` loop."""
    # The leading break and indent are the template's, from the line the regroup tag stood on.
    out: list[str] = ["\n    "]
    groups: list[tuple[Any, list[Mapping[str, Any]]]] = []
    for n in nav:  # regroup: consecutive entries with the same form title
        if groups and groups[-1][0] == n["form_title"]:
            groups[-1][1].append(n)
        else:
            groups.append((n["form_title"], [n]))
    for grouper, entries in groups:
        out.append(f'\n    <div class="nav-form">{_e(grouper)}</div>\n    <ol>\n      ')
        for n in entries:
            current = n["form"] == here["form"] and n["code"] == here["code"]
            number = f'<span class="n-code">{_e(n["number"])}</span> ' if n["number"] else ""
            marks = ""
            if n["comments"]:
                marks += f'<span class="comment-mark" title="{_e(n["comments"])} 条退回意见">意见{_e(n["comments"])}</span>'
            if n["errors"]:
                marks += f'<span class="dot err" title="{_e(n["errors"])} 处错误"></span>'
            elif n["unexplained"]:
                marks += f'<span class="dot warn" title="{_e(n["unexplained"])} 条预警待说明"></span>'
            li = ' class="current" aria-current="page"' if current else ""
            out.append(
                f"\n      <li{li}>\n"
                f'        <a href="{_e(n["url"])}" title="{_e(n["heading"])}">{number}'
                f'<span class="n-title">{_e(n["title"])}</span></a>\n'
                f'        <span class="n-prog{" done" if n["complete"] else ""}" '
                f'data-progress="{_e(n["form"])}|{_e(n["code"])}">{_e(n["filled"])}/{_e(n["required"])}</span>'
                f"{marks}\n      </li>\n      "
            )
        out.append("\n    </ol>\n    ")
    return mark_safe("".join(out))  # every value above is escaped


# --- one item's parts ------------------------------------------------------------------------------


def hist_html(cell: Cell) -> str:
    return (
        f'<button type="button" class="hist" tabindex="-1" data-form="{_e(cell.form)}" '
        f'data-code="{_e(cell.code)}" data-year="{_e(cell.year)}" title="查看修改历史">历史</button>\n'
    )


def label_html(item: Item, evidence_url: str) -> str:
    """_label.html: the item's label and what the notice and the system print beside it."""
    f = item.field
    out = [f'<span class="lbl">{_e(item.label)}</span>']
    if item.optional:
        out.append(' <span class="badge opt" title="本基地可选填">选填</span>')
    if f.hint:
        out.append(
            '<div class="help src-line src-line-notice"><span class="src src-notice" '
            f'title="工规函〔2022〕530号的填报要求">填报要求</span>{_e(f.hint)}</div>'
        )
    if f.system_hint:
        out.append(
            '<div class="help src-line src-line-system"><span class="src src-system" '
            f'title="本系统的提示，通知未作此要求">系统提示</span>{_e(f.system_hint)}</div>'
        )
    if f.explanation:
        out.append(
            f'<details class="help field-note" data-field-note="{_e(item.code)}"><summary>指标说明</summary>'
            f'<span class="src src-notice">通知原文</span>{_e(f.explanation)}</details>'
        )
    if f.evidence:
        out.append(
            f'<div class="evidence-link"><span class="src src-notice">填报要求</span>{_e(f.evidence)} · '
            f'<a href="{_e(evidence_url)}#ev-{_e(item.code)}">上传/查看证明材料</a></div>'
        )
    out.append("\n")
    return "".join(out)


def findings_html(findings: Iterable[FindingView], editable: bool, form: str) -> str:
    """_findings.html: the findings listed under an item (a missing mandatory cell is only outlined)."""
    out: list[str] = []
    for f in findings:
        if f.missing:
            continue
        sev = "错误" if f.severity == "error" else "预警"
        title = (
            "工规函〔2022〕530号的填报要求" if f.source == "notice" else "本系统的核对提示，通知未作此要求"
        )
        out.append(
            f'<div class="finding {_e(f.severity)}" data-key="{_e(f.key)}" data-year="{_e(f.year)}">'
            f'<span class="sev">{sev}</span><span class="src src-{_e(f.source)}" title="{title}">'
            f"{_e(f.source_label)}</span>{_e(f.message)}"
        )
        if f.severity == "warning":
            if f.rejected:
                by = f' <span class="muted small">（{_e(f.verdict_by)}）</span>' if f.verdict_by else ""
                out.append(
                    f'<div class="expl-rejected" role="alert"><b>审核不认可：</b>'
                    f"{_e(f.verdict_comment or '未写理由')}{by}"
                    f'<div class="small">原情况说明：{_e(f.explanation)}</div>'
                    '<div class="small">请按审核意见修改情况说明（或核实并修改数值）；修改前材料不能提交。</div></div>'
                )
            elif f.explanation and f.explanation_valid:
                edit = (
                    ' <button type="button" class="linkish expl-edit">修改说明</button>' if editable else ""
                )
                out.append(
                    f'<div class="expl-done"><b>情况说明：</b>{_e(f.explanation)} '
                    f'<span class="badge">{_e(f.verdict)}</span>{edit}</div>'
                )
            elif f.explanation:
                out.append('<div class="expl-stale">相关数值已变更，原情况说明已失效，请重新说明。</div>')
            elif not editable:
                out.append('<div class="expl-stale">尚未说明。</div>')
            if editable:
                hidden = " hidden" if f.explanation and f.explanation_valid and not f.rejected else ""
                out.append(
                    f'<form class="explain-form" data-form="{_e(form)}" data-key="{_e(f.key)}"{hidden}>'
                    '<textarea name="text" rows="2" placeholder="请说明出现该情况的原因（不超过500字）">'
                    f'{_e(f.explanation)}</textarea><button type="submit">提交说明</button>'
                    '<span class="expl-msg"></span></form>'
                )
        out.append("</div>")
    out.append("\n")
    return "".join(out)


def _comments_html(comments: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f"<li><b>退回意见{f'（{_e(year)}）' if year else ''}：</b>{_e(text)}</li>" for year, text in comments
    )
    return f'<ul class="return-comments" role="note">{items}</ul>'


# --- a year grid -----------------------------------------------------------------------------------


def grid_html(block: Block, editable: bool, evidence_url: str) -> SafeString:
    """_grid.html: a year grid (a row per item, a column per year, then the 同比 columns)."""
    ncols = _e(block.ncols)
    out = [
        '<table class="grid entry-grid" data-grid="numeric">\n  <thead><tr>\n'
        '    <th class="c-label">指标名称</th><th class="c-unit">计量单位</th>\n    ',
        "".join(f'<th class="num c-year">{_e(y)} 年</th>' for y in block.years),
        "\n    ",
        "".join(f'<th class="num c-yoy">{_e(y)} 年<br>同比%</th>' for y in block.yoy_years),
        "\n  </tr></thead>\n  <tbody>\n  ",
    ]
    for item in block.items:
        f = item.field
        currency = f.currency
        label = _e(item.label)
        row = [
            f'\n    <tr class="item-row depth-{_e(item.depth)}" data-row data-form="{_e(item.form)}" '
            f'data-code="{_e(item.code)}"'
        ]
        if currency:
            row.append(
                f' data-rate="{_e(currency.rate)}" data-unit="{_e(f.unit)}" '
                f'data-foreign-unit="{_e(item.foreign_unit)}"'
            )
            # The page's script switches the unit shown with the currency.
            unit_html = f'<span class="unit-text">{_e(item.unit_shown)}</span>'
        else:
            unit_html = _e(f.unit or "—")
        row.append(
            f'>\n      <th scope="row" class="c-label">{label_html(item, evidence_url)}</th>\n'
            f'      <td class="c-unit">{unit_html}'
        )
        if currency:
            row.append("\n        ")
            chosen = item.currency_code
            if editable:
                row.append(
                    f'<select class="currency" aria-label="{label} 币种" '
                    f'title="以美元填写时按 {_e(currency.rate)} 换算为人民币">\n'
                    f'          <option value=""{" selected" if chosen != currency.code else ""}>人民币</option>\n'
                    f'          <option value="{_e(currency.code)}"{" selected" if chosen == currency.code else ""}>'
                    f"{_e(currency.label)}</option>\n        </select>"
                )
            elif chosen:
                row.append(f'<div class="muted">以{_e(currency.label)}填写</div>')
        row.append("\n      </td>\n      ")
        for cell in item.cells:
            text = cell.text
            if editable:
                control = (
                    f'<input type="text" inputmode="decimal" autocomplete="off" class="cell cell-input" '
                    f'id="{_e(cell.dom_id)}" data-kind="scalar" data-form="{_e(cell.form)}" '
                    f'data-code="{_e(cell.code)}" data-year="{_e(cell.year)}" data-revision="{_e(cell.revision)}" '
                    f'data-currency="{_e(cell.currency)}" value="{_e(text)}" aria-label="{label} {_e(cell.year)}年">'
                )
            else:
                control = f'<span class="ro" id="{_e(cell.dom_id)}">{_e(text or "—")}</span>'
            converted = cell.converted
            shown = f"≈ {_e(converted)} {_e(f.unit)}" if converted else ""
            row.append(
                f'\n      <td class="num c-year cellbox">\n        {control}\n'
                f'        <div class="cell-foot"><span class="converted">{shown}</span>{hist_html(cell)}</div>\n'
                '        <div class="cell-msg"></div>\n      </td>\n      '
            )
        row.append("\n      ")
        if item.yoy:
            row.append(
                "".join(
                    f'<td class="num c-yoy yoy" data-yoy-year="{_e(y)}">{_e(v or "—")}</td>'
                    for y, v in item.yoy
                )
            )
            row.append("\n      ")
        else:
            row.append("".join('<td class="c-yoy"></td>' for _ in block.yoy_years))
        row.append("\n    </tr>\n    ")
        if item.comments:
            row.append(
                f'<tr class="comments-row"><td colspan="{ncols}">{_comments_html(item.comments)}</td></tr>'
            )
        listed = item.listed_findings
        row.append(
            f'\n    <tr class="findings-row" data-findings-for="{_e(item.code)}"{"" if listed else " hidden"}>'
            f'<td colspan="{ncols}"><div class="findings" data-form="{_e(item.form)}" data-code="{_e(item.code)}">'
            f"{findings_html(item.findings, editable, item.form)}</div></td></tr>\n  "
        )
        out.append("".join(row))
    out.append("\n  </tbody>\n</table>\n")
    return mark_safe("".join(out))  # every value above is escaped


# --- a single item ---------------------------------------------------------------------------------

# `{% if c.type in "amount count percent rate ratio" %}`: the template's test is a substring test.
_DECIMAL_COLUMN_TYPES = "amount count percent rate ratio"


def _colhead_html(c: Column) -> str:
    """_colhead.html: a table column's head."""
    out = [_e(c.label)]
    if c.unit and c.unit not in c.label:
        out.append(f"（{_e(c.unit)}）")
    if c.required:
        out.append('<span class="req" title="该行填写时必填（系统提示）">*</span>')
    if c.hint:
        out.append(
            f'<div class="help col-hint"><span class="src src-system">系统提示</span>{_e(c.hint)}</div>'
        )
    out.append("\n")
    return "".join(out)


def _cell_data(cell: Cell) -> str:
    return (
        f'data-form="{_e(cell.form)}" data-code="{_e(cell.code)}" data-year="{_e(cell.year)}" '
        f'data-revision="{_e(cell.revision)}"'
    )


def _lines(text: str) -> str:
    """`|linebreaksbr` (escapes, then a <br> per line break)."""
    return str(linebreaksbr(text, autoescape=True))


def _table_html(item: Item, cell: Cell, editable: bool) -> str:
    f = item.field
    extensible = editable and item.extensible
    head: list[str] = []
    if item.has_column_groups:
        groups = item.column_groups()
        head.append('\n        <tr><th rowspan="2" class="c-rowlabel">序号</th>')
        for g, cols in groups:
            if g:
                head.append(f'<th colspan="{len(cols)}" class="c-group">{_e(g)}</th>')
            else:
                head.extend(f'<th rowspan="2" data-col="{_e(c.key)}">{_colhead_html(c)}</th>' for c in cols)
        head.append('<th rowspan="2"></th></tr>\n        <tr>' if extensible else "</tr>\n        <tr>")
        for g, cols in groups:
            if g:
                head.extend(f'<th data-col="{_e(c.key)}">{_colhead_html(c)}</th>' for c in cols)
        head.append("</tr>\n        ")
    else:
        head.append('\n        <tr><th class="c-rowlabel">序号</th>')
        head.extend(f'<th data-col="{_e(c.key)}">{_colhead_html(c)}</th>' for c in f.columns)
        head.append("<th></th></tr>\n        " if extensible else "</tr>\n        ")
    rows: list[str] = []
    for row in item.rows:
        label = _e(row.label)
        rows.append(
            f'\n        <tr class="trow" data-row="{_e(row.index)}">\n'
            f'          <th scope="row" class="c-rowlabel">{label}</th>\n          '
        )
        for c, v in row.cells:
            if not editable:
                control = _e(v or "")
            elif c.type == "choice":
                options = "".join(
                    f"<option{' selected' if ch == v else ''}>{_e(ch)}</option>" for ch in c.choices
                )
                extra = f"<option selected>{_e(v)}</option>" if v and v not in c.choices else ""
                control = (
                    f'<select class="tcell" data-col="{_e(c.key)}" aria-label="{label} {_e(c.label)}">'
                    f'<option value=""></option>{options}{extra}</select>'
                )
            elif c.type == "text":
                control = (
                    f'<textarea class="tcell" rows="2" data-col="{_e(c.key)}" aria-label="{label} {_e(c.label)}">'
                    f"{_e(v)}</textarea>"
                )
            else:
                decimal = ' inputmode="decimal"' if c.type in _DECIMAL_COLUMN_TYPES else ""
                control = (
                    f'<input type="text" class="tcell" data-col="{_e(c.key)}" data-type="{_e(c.type)}"{decimal} '
                    f'value="{_e(v)}" aria-label="{label} {_e(c.label)}">'
                )
            rows.append(f'\n          <td data-col="{_e(c.key)}">{control}</td>\n          ')
        rows.append("\n          ")
        if extensible:
            remove = (
                '<button type="button" class="linkish row-remove" tabindex="-1" title="删除该行">删除</button>'
                if row.removable
                else ""
            )
            rows.append(f'<td class="c-act">{remove}</td>')
        rows.append("\n        </tr>\n      ")
    add = '<button type="button" class="row-add">＋ 添加一行</button>' if extensible else ""
    most = f'<span class="muted">最多 {_e(f.max_rows)} 行</span>' if f.max_rows else ""
    return (
        f'\n    <div class="table-wrap">\n    <table class="grid entry-table{" cell" if editable else ""}" '
        f'id="{_e(cell.dom_id)}" data-grid="table" data-kind="table" {_cell_data(cell)} '
        f'data-fixed="{len(f.row_labels)}" data-min-rows="{_e(f.min_rows)}" '
        f'data-max-rows="{"" if f.max_rows is None else _e(f.max_rows)}" '
        f'data-extensible="{"1" if item.extensible else ""}">\n      <thead>\n        '
        f"{''.join(head)}\n      </thead>\n      <tbody>\n      {''.join(rows)}\n      </tbody>\n"
        f'    </table>\n    </div>\n    <div class="cell-foot">{add}{most}{hist_html(cell)}</div>\n  '
    )


def _yesno_html(item: Item, cell: Cell, editable: bool) -> str:
    f = item.field
    note = f.note
    label = _e(item.label)
    dom = _e(cell.dom_id)
    if editable:
        answer = item.answer
        control = (
            f'\n      <span class="radios" role="radiogroup" aria-label="{label}">\n'
            f'        <label><input type="radio" name="{dom}" value="是"{" checked" if answer == "是" else ""}> 是</label>\n'
            f'        <label><input type="radio" name="{dom}" value="否"{" checked" if answer == "否" else ""}> 否</label>\n'
            "      </span>\n      "
        )
    else:
        control = f'<span class="ro">{_e(item.answer or "—")}</span>'
    box = ""
    if note is not None:
        if editable:
            example = (
                f'<details class="help example"><summary>填写示例</summary>{_e(note.example)}</details>'
                if note.example
                else ""
            )
            inner = (
                f'<textarea class="note" rows="3" data-max="{_e(note.max_length)}" placeholder="{_e(note.example)}" '
                f'aria-label="{label} {_e(note.label)}">{_e(item.note)}</textarea>\n'
                f'        <div class="note-foot"><span class="counter" data-max="{_e(note.max_length)}">已输入 '
                f"<b>{_e(item.note_chars)}</b> / {_e(note.max_length)} 字</span>{hist_html(cell)}</div>\n"
                f"        {example}\n        "
            )
        else:
            inner = f'<div class="ro-text">{_lines(item.note or "—")}</div>'
        box = (
            f'\n      <div class="note-box">\n        <div class="note-label">{_e(note.label)}</div>\n'
            f"        {inner}\n      </div>\n      "
        )
    foot = f'<div class="cell-foot">{hist_html(cell)}</div>' if note is None or not editable else ""
    return (
        f'\n    <div class="yesno{" cell" if editable else ""}" id="{dom}" data-kind="yesno" '
        f'data-note="{"1" if note is not None else ""}" {_cell_data(cell)}>\n      {control}\n      {box}\n'
        f"    </div>\n    {foot}\n  "
    )


def _text_html(item: Item, cell: Cell, editable: bool) -> str:
    f = item.field
    if editable:
        return (
            f'\n    <textarea class="cell text-cell" id="{_e(cell.dom_id)}" rows="5" data-kind="scalar" '
            f'data-max="{_e(f.max_length)}" {_cell_data(cell)} aria-label="{_e(item.label)}">{_e(cell.text)}</textarea>\n'
            f'    <div class="cell-foot"><span class="counter" data-max="{_e(f.max_length)}">已输入 '
            f"<b>{_e(cell.chars)}</b> / {_e(f.max_length)} 字</span>{hist_html(cell)}</div>\n    \n  "
        )
    return (
        f'\n    <div class="ro-text" id="{_e(cell.dom_id)}">{_lines(cell.text or "—")}</div>'
        f'<div class="cell-foot">{hist_html(cell)}</div>\n  '
    )


def _choice_html(item: Item, cell: Cell, editable: bool) -> str:
    f = item.field
    text = cell.text
    if editable:
        options = "".join(f"<option{' selected' if ch == text else ''}>{_e(ch)}</option>" for ch in f.choices)
        extra = f"<option selected>{_e(text)}</option>" if text and text not in f.choices else ""
        control = (
            f'<select class="cell" id="{_e(cell.dom_id)}" data-kind="scalar" {_cell_data(cell)} '
            f'aria-label="{_e(item.label)}"><option value="">请选择</option>{options}{extra}</select>'
        )
    else:
        control = f'<span class="ro" id="{_e(cell.dom_id)}">{_e(text or "—")}</span>'
    return f"\n    {control}\n    {hist_html(cell)}\n  "


def _input_html(item: Item, cell: Cell, editable: bool) -> str:
    f = item.field
    if editable:
        numeric = f.is_numeric
        if numeric:
            mode = ' inputmode="decimal"'
        elif f.type == "email":
            mode = ' inputmode="email"'
        elif f.type == "phone":
            mode = ' inputmode="tel"'
        else:
            mode = ""
        unit = f' <span class="unit">{_e(f.unit)}</span>' if f.unit else ""
        control = (
            f'<input type="text" class="cell{" num-input" if numeric else ""}" id="{_e(cell.dom_id)}" '
            f'data-kind="scalar" {_cell_data(cell)}{mode} value="{_e(cell.text)}" aria-label="{_e(item.label)}">{unit}'
        )
    else:
        control = f'<span class="ro" id="{_e(cell.dom_id)}">{_e(cell.text or "—")}</span>'
    return f"\n    {control}\n    {hist_html(cell)}\n  "


def item_html(item: Item, editable: bool, evidence_url: str) -> SafeString:
    """_item.html: one item that is not in a year grid (text, 是/否, choice, table, single value)."""
    cell = item.cell
    kind = item.field.type
    if kind == "table":
        control = _table_html(item, cell, editable)
    elif kind == "yesno":
        control = _yesno_html(item, cell, editable)
    elif kind == "text":
        control = _text_html(item, cell, editable)
    elif kind == "choice":
        control = _choice_html(item, cell, editable)
    else:
        control = _input_html(item, cell, editable)
    comments = _comments_html(item.comments) if item.comments else ""
    form, code = _e(item.form), _e(item.code)
    html = (
        f'<div class="item item-{_e(item.kind)}{" inline" if item.inline else ""}" data-item data-form="{form}" '
        f'data-code="{code}">\n  <div class="item-label">{label_html(item, evidence_url)}</div>\n'
        f'  <div class="item-control cellbox">\n  \n  {control}\n  \n  <div class="cell-msg"></div>\n  </div>\n'
        f'  {comments}\n  <div class="findings" data-form="{form}" data-code="{code}">'
        f"{findings_html(item.findings, editable, item.form)}</div>\n</div>\n"
    )
    return mark_safe(html)  # every value above is escaped
