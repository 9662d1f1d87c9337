"""The filler's guided path: every item still to do, in the order of the forms (汇总表, then the annex;
sections and items as the notice lists them, years as the columns run), so one "下一个待填项 / 下一个问题"
walks the whole material, and one page lists it all.

Read from the material's stored status (review.status): missing mandatory items, errors, warnings
without an explanation and explanations a reviewer did not accept, then the development report and
the sealed scans. The same counts and names as the submit page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.urls import reverse

from review.queries import cell_anchor
from review.status import MaterialStatus
from submissions.services import profile_for
from submissions.status import CheckedFinding
from submissions.validation import field_name

KIND_LABELS = {
    "missing": "待填",
    "error": "错误",
    "unexplained": "预警待说明",
    "rejected": "说明未被认可",
    "report": "发展情况报告",
    "scan": "盖章扫描件",
}


@dataclass(frozen=True)
class TodoItem:
    """One thing left to do, where it is and how to get there."""

    kind: str  # a key of KIND_LABELS
    form: str
    section: str
    code: str
    year: int
    where: str  # "汇总表 · 一、总体发展情况"
    label: str  # the item's name as the page shows it, with its year
    message: str
    url: str
    order: tuple[int, ...]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def position(self) -> str:
        """The item's place as the entry pages name it: "form|section|code|year"."""
        return f"{self.form}|{self.section}|{self.code}|{self.year}"


@dataclass
class TodoCounts:
    missing: int = 0
    error: int = 0
    unexplained: int = 0
    rejected: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.missing + self.error + self.unexplained + self.rejected + self.other

    @property
    def text(self) -> str:
        """One wording for every page: "3 项待填 · 1 处错误 · 2 条预警待说明"."""
        parts = []
        if self.missing:
            parts.append(f"{self.missing} 项待填")
        if self.error:
            parts.append(f"{self.error} 处错误")
        if self.unexplained:
            parts.append(f"{self.unexplained} 条预警待说明")
        if self.rejected:
            parts.append(f"{self.rejected} 条说明未被认可")
        if self.other:
            parts.append(f"{self.other} 项报告或扫描件问题")
        return " · ".join(parts) or "没有待办事项"


@dataclass
class TodoPath:
    """The items in order, and where every item of the forms sits in that order."""

    items: list[TodoItem]
    place: dict[tuple[str, str], tuple[int, int, int]]  # (form, field) → (form, section, field) index
    sections: dict[tuple[str, str], tuple[int, int]]  # (form, section) → (form, section) index

    @property
    def counts(self) -> TodoCounts:
        return todo_counts(self.items)

    def after(self, position: str) -> TodoItem | None:
        """The first item after `position` ("form|section|code|year": after that cell; "form|section":
        from the start of that section), wrapping round to the first; None when nothing is left."""
        if not self.items:
            return None
        parts = position.split("|")
        key: tuple[int, ...] | None = None
        if len(parts) >= 4 and (parts[0], parts[2]) in self.place:
            year = int(parts[3]) if parts[3].lstrip("-").isdigit() else 0
            key = (*self.place[(parts[0], parts[2])], -year, 10**9)
        elif len(parts) >= 2 and (parts[0], parts[1]) in self.sections:
            key = (*self.sections[(parts[0], parts[1])], -1)
        if key is not None:
            for item in self.items:
                if item.order > key:
                    return item
        return self.items[0]


def todo_path(status: MaterialStatus) -> TodoPath:
    """Everything left to do on the material, in the order of the forms."""
    submission = status.submission
    definitions = [d.parsed() for d in submission.definitions()]
    profile = profile_for(submission.base)
    place: dict[tuple[str, str], tuple[int, int, int]] = {}
    sections: dict[tuple[str, str], tuple[int, int]] = {}
    fields = {}
    headings = {}
    for fi, parsed in enumerate(definitions):
        for si, section in enumerate(parsed.sections):
            headings[(parsed.code, section.code)] = f"{parsed.short_title} · {section.heading}"
            sections[(parsed.code, section.code)] = (fi, si)
            for ki, fld in enumerate(section.fields):
                place[(parsed.code, fld.code)] = (fi, si, ki)
                fields[(parsed.code, fld.code)] = fld
    items: list[TodoItem] = []
    section_urls: dict[tuple[str, str], str] = {}
    for c, kind in _finding_kinds(status):
        f = c.finding
        fld = fields.get((c.form, f.field))
        name = field_name(fld, profile) if fld is not None else f.field
        year = f" · {f.year}年" if f.year else ""
        key = (c.form, f.section)
        if key not in section_urls:  # a few hundred findings share a dozen sections
            section_urls[key] = reverse("submissions:section", args=[submission.pk, c.form, f.section])
        url = section_urls[key]
        fi, si, ki = place.get((c.form, f.field), (99, 99, 99))
        items.append(
            TodoItem(
                kind=kind,
                form=c.form,
                section=f.section,
                code=f.field,
                year=f.year,
                where=headings.get((c.form, f.section), f.section),
                label=f"{name}{year}",
                message=f.message,
                url=f"{url}#{cell_anchor(c.form, f.field, f.year)}",
                order=(fi, si, ki, -f.year, f.row if f.row is not None else -1),
            )
        )
    items.sort(key=lambda i: i.order)
    report_url = reverse("reports:report_edit", args=[submission.pk])
    scans_url = reverse("exchange:scans", args=[submission.pk])
    tail = [("report", p, report_url) for p in status.report_problems]
    tail += [("scan", p, scans_url) for p in status.scan_problems]
    for n, (kind, text, url) in enumerate(tail):
        items.append(
            TodoItem(
                kind=kind, form="", section="", code="", year=0, where=KIND_LABELS[kind], label=KIND_LABELS[kind],
                message=text, url=url, order=(100, n),
            )
        )  # fmt: skip
    return TodoPath(items=items, place=place, sections=sections)


def _finding_kinds(
    status: MaterialStatus, findings: Sequence[CheckedFinding] | None = None
) -> Iterator[tuple[CheckedFinding, str]]:
    """The findings that are items of the path, each with its kind (a key of KIND_LABELS)."""
    rejected = {(e.form, e.finding_key) for e in status.rejected}
    seen_missing: set[tuple[str, str, int]] = set()
    for c in status.findings() if findings is None else findings:
        f = c.finding
        if c.kind == "warning":
            if (c.form, f.key) in rejected:
                kind = "rejected"
            elif c.explained:
                continue
            else:
                kind = "unexplained"
        else:
            kind = c.kind
        if kind == "missing":
            # One item per cell: a table short of rows may raise several findings for one cell.
            if (c.form, f.field, f.year) in seen_missing:
                continue
            seen_missing.add((c.form, f.field, f.year))
        yield c, kind


def todo_path_counts(status: MaterialStatus, findings: Sequence[CheckedFinding] | None = None) -> TodoCounts:
    """`todo_path(status).counts` without building the items (their names and links): what a page
    that shows only the counts needs. A page that has read the findings of the status's check
    (`status.findings()`) passes them."""
    counts = TodoCounts()
    for _, kind in _finding_kinds(status, findings):
        setattr(counts, kind, getattr(counts, kind) + 1)
    counts.other = len(status.report_problems) + len(status.scan_problems)
    return counts


def todo_counts(items: list[TodoItem]) -> TodoCounts:
    counts = TodoCounts()
    for i in items:
        if i.kind in ("missing", "error", "unexplained", "rejected"):
            setattr(counts, i.kind, getattr(counts, i.kind) + 1)
        else:
            counts.other += 1
    return counts
