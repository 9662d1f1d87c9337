"""The section page's repeated parts built in Python (submissions.entry_html) are byte for byte what
the templates they replaced rendered: those templates are kept in tests/reference/ and rendered here
beside them, over items that take every branch (currencies, read-only cells, every state of a
finding's explanation, return comments, text that must be escaped)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse

from definitions.schema import Currency
from submissions.entry_html import findings_html, grid_html, item_html, nav_html, section_url
from submissions.forms import Block, Cell, FindingView, Item, table_rows

REFERENCE = Path(__file__).parent / "reference"
ENGINE = Engine(
    dirs=[str(REFERENCE), str(Path(settings.BASE_DIR) / "templates")],
    libraries={"l10n": "django.templatetags.l10n"},
)
NASTY = "<b>\"甲\" & '乙'</b>"


def reference(template: str, context: dict[str, Any]) -> str:
    # The page renders these inside `{% localize off %}`.
    source = "{% load l10n %}{% localize off %}{% include '" + template + "' %}{% endlocalize %}"
    return ENGINE.from_string(source).render(Context(context))


def findings(form: str, code: str) -> list[FindingView]:
    base = {"severity": "warning", "field": code, "year": 2021, "row": None, "column": None}
    return [
        FindingView(key="k1", message=f"错误 {NASTY}", check="range", **{**base, "severity": "error"}),
        FindingView(key="k2", message="缺", check="required", **base),  # only outlined, not listed
        FindingView(key="k3", message="预警", source="system", **base),
        FindingView(
            key="k4", message="预警", explanation=NASTY, explanation_valid=True, verdict="认可", **base
        ),
        FindingView(key="k5", message="预警", explanation="旧说明", **base),
        FindingView(
            key="k6",
            message="预警",
            explanation="说明",
            explanation_valid=True,
            rejected=True,
            verdict_comment=NASTY,
            verdict_by="李审核",
            **base,
        ),
        FindingView(
            key="k7", message="预警", explanation="说明", explanation_valid=True, rejected=True, **base
        ),
    ]


@pytest.fixture
def summary(definitions):
    return next(d for d in definitions if d.code == "summary").parsed()


def blocks(summary) -> list[Block]:
    grid_fields = [f for f in summary.fields() if f.is_yearly][:4]
    first, second, third, fourth = grid_fields
    fields = [
        dataclasses.replace(
            first, hint=NASTY, system_hint="系统", explanation="原文 <i>", evidence="证明", unit="亿元"
        ),
        dataclasses.replace(second, currency=Currency(code="USD", label="美元", rate=6.4515), unit="万元"),
        dataclasses.replace(third, currency=Currency(code="USD", label="美元", rate=6.4515), unit=""),
        fourth,
    ]
    items = []
    for n, fld in enumerate(fields):
        item = Item(
            form="summary", field=fld, label=f"{fld.label} {NASTY}", status=("optional", "mandatory")[n % 2]
        )
        item.depth = n % 3
        item.cells = [
            Cell("summary", fld.code, 2021, raw=f"1{n}.5", revision=3),
            Cell("summary", fld.code, 2020, raw=None),
            Cell(
                "summary",
                fld.code,
                2019,
                raw="<x>",
                revision=1,
                currency="USD" if fld.currency else "",
                value="9.1",
            ),
        ]
        if n != 3:
            item.yoy = [(2021, "12.50"), (2020, "")]
        if n == 0:
            item.findings = findings("summary", fld.code)
            item.comments = [("2021年", NASTY), ("", "整体")]
        if n == 2:
            item.findings = findings("summary", fld.code)[1:2]  # a missing cell only: the row stays hidden
        items.append(item)
    return [
        Block(kind="grid", items=items, years=[2021, 2020, 2019], yoy_years=[2021, 2020]),
        Block(kind="grid", items=items[3:], years=[2021, 2020], yoy_years=[]),
    ]


@pytest.mark.parametrize("editable", [True, False])
def test_grid_is_what_the_template_rendered(summary, editable):
    pk = 42
    evidence = reverse("exchange:evidence", args=[pk])
    for block in blocks(summary):
        expected = reference(
            "submissions/_grid.html",
            {"block": block, "editable": editable, "submission": SimpleNamespace(pk=pk)},
        )
        assert grid_html(block, editable, evidence) == expected


@pytest.mark.parametrize("editable", [True, False])
def test_findings_are_what_the_template_renders(editable):
    views = findings("summary", "1.1")
    # The page and the autosave (views._findings_payload) show findings_html where _findings.html was.
    expected = render_to_string(
        "submissions/_findings.html", {"findings": views, "editable": editable, "form": "s&"}
    )
    assert findings_html(views, editable, "s&") == expected
    assert findings_html([], editable, "summary") == "\n"


def nav_entry(form: str, title: str, code: str, number: str, **marks: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "form": form, "form_title": title, "code": code, "title": f"标题 {NASTY}", "number": number,
        "heading": f"{number}、标题" if number else "标题", "filled": 3, "required": 5,
        "errors": 0, "warnings": 0, "unexplained": 0, "comments": 0, "complete": False,
    }  # fmt: skip
    entry.update(marks)
    entry["url"] = section_url(7, form, code)
    return entry


def test_navigation_is_what_the_template_rendered(db):
    nav = [
        nav_entry("summary", "汇总表", "基本信息", ""),
        nav_entry("summary", "汇总表", "一", "一", errors=2, comments=1),
        nav_entry("summary", "汇总表", "二", "二", unexplained=3, complete=True),
        nav_entry("annex2", "附表2 <&>", "companies", "", errors=1, unexplained=1),
    ]
    for here in nav:
        expected = reference(
            "submissions/_nav.html", {"nav": nav, "here": here, "submission": SimpleNamespace(pk=7)}
        )
        assert "    " + nav_html(nav, here) + "\n" == expected


def test_section_links_are_what_reverse_gives(summary, definitions):
    for parsed in [d.parsed() for d in definitions]:
        for pk in (1, 77, 987654321):
            for s in parsed.sections:
                assert section_url(pk, parsed.code, s.code) == reverse(
                    "submissions:section", args=[pk, parsed.code, s.code]
                )


def sample_raws(fld) -> list[Any]:
    """Raw values that take each branch of the item's markup: empty, filled, odd."""
    if fld.type == "table":
        row = {c.key: (c.choices[0] if c.choices else f"值 {NASTY}") for c in fld.columns}
        odd = {c.key: ("不在选项中 <x>" if c.choices else "") for c in fld.columns}
        return [None, [row], [row, odd, row, row, row, row, row, row, row, row, row, row, row]]
    if fld.type == "yesno":
        return [None, True, {"answer": "否", "note": f"第一行\n第二行 {NASTY}"}, {"answer": "是", "note": ""}]
    if fld.type == "choice":
        return [None, fld.choices[0] if fld.choices else "", f"其他 {NASTY}"]
    if fld.type == "text":
        return [None, f"多行\r\n文本 {NASTY}"]
    return [None, "12.5", NASTY]


def every_item(definitions) -> list[Item]:
    items = []
    for parsed in [d.parsed() for d in definitions]:
        fields = [f for f in parsed.fields() if not f.is_yearly]
        # Single values of the types a form may give a single item (the 2022 forms ask some per year only).
        text = next((f for f in fields if f.type == "string"), None)
        if text is not None:
            fields += [
                dataclasses.replace(text, type=t, unit=u)
                for t, u in (("email", ""), ("phone", ""), ("amount", "万元"), ("count", ""))
            ]
        for n, fld in enumerate(fields):
            for m, raw in enumerate(sample_raws(fld)):
                item = Item(
                    form=parsed.code,
                    field=fld,
                    label=f"{fld.label} {NASTY}",
                    status=("mandatory", "optional")[m % 2],
                )
                item.cells = [Cell(parsed.code, fld.code, 0, raw=raw, revision=m)]
                if n % 5 == 0:
                    item.findings = findings(parsed.code, fld.code)
                if n % 7 == 0:
                    item.comments = [("", NASTY)]
                items.append(item)
    return items


@pytest.mark.parametrize("editable", [True, False])
def test_items_are_what_the_template_rendered(definitions, editable):
    pk = 42
    evidence = reverse("exchange:evidence", args=[pk])
    kinds = set()
    for item in every_item(definitions):
        if item.field.type == "table":
            item.rows = table_rows(item.field, item.cell.raw, editable)
        kinds.add(item.field.type)
        expected = reference(
            "submissions/_item.html",
            {"item": item, "editable": editable, "submission": SimpleNamespace(pk=pk)},
        )
        assert item_html(item, editable, evidence) == expected, (item.form, item.code, item.cell.raw)
    assert {"table", "yesno", "choice", "text", "string", "email", "phone", "amount", "count"} <= kinds
