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

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from html import escape as _html_escape
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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

_PK_SENTINEL = 987654321012  # stands for the material's pk in a cached link, then replaced


@lru_cache(maxsize=1024)
def _section_link_parts(prefix: str, urlconf: str, form: str, code: str) -> tuple[str, str] | None:
    """reverse("submissions:section") of one section around its pk, split where the pk goes. The
    result depends only on the URLconf, the script prefix and the arguments, all in the key."""
    url = reverse("submissions:section", args=[_PK_SENTINEL, form, code], urlconf=urlconf)
    parts = url.split(str(_PK_SENTINEL))
    return (parts[0], parts[1]) if len(parts) == 2 else None


def section_url(pk: int, form: str, code: str) -> str:
    """reverse("submissions:section", args=[pk, form, code]), for the ~30 sections of the navigation
    without ~30 reverse() calls a page."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    parts = _section_link_parts(get_script_prefix(), urlconf, form, code)
    if parts is None:  # a section code that happens to contain the sentinel's digits
        return reverse("submissions:section", args=[pk, form, code])
    return f"{parts[0]}{pk}{parts[1]}"


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
            row.append(f' data-rate="{_e(currency.rate)}" data-unit="{_e(f.unit)}"')
        row.append(
            f'>\n      <th scope="row" class="c-label">{label_html(item, evidence_url)}</th>\n'
            f'      <td class="c-unit">{_e(f.unit or "—")}'
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
