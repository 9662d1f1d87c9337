"""Read-side helpers of the review pages: the timeline, field comments, what blocks a submission (with
where to fix it), the reviewer's list computed in bulk, and the fields a reviewer may comment on.

Nothing here changes state; the state machine is review/services.py. The data-entry page imports
`field_comments_for` to show a return's comments at the field they are about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from definitions.schema import FormDefinition
from exchange.models import SealedScan
from exchange.services import data_fingerprint, scan_problems
from registry.models import Base, Campaign
from reports.models import DevelopmentReport
from reports.services import report_problems
from review.models import FieldComment, Transition
from review.services import last_return
from submissions.forms import raw_text
from submissions.models import NOT_YEARLY, Submission, Value, ValueChange, WarningExplanation
from submissions.services import (
    profile_for,
    rejected_explanations,
    submission_findings,
    unexplained_warnings,
    validation_input,
)
from submissions.validation import Finding, field_name, validate

FieldKey = tuple[str, str, int]

# Findings that mean "a mandatory cell is still empty" (one per cell) rather than "a value is wrong".
MISSING_CODES = frozenset({"required", "too_few_rows"})


# --- timeline and comments -----------------------------------------------------------------------


def timeline(submission: Submission) -> list[Transition]:
    """Every status change, oldest first, with who made it and the field comments of returns."""
    return list(
        submission.transitions.select_related("actor__base", "actor__authority")
        .prefetch_related("field_comments")
        .order_by("at", "id")
    )


def field_comments_for(
    submission: Submission, transition: Transition | None = None
) -> dict[FieldKey, list[FieldComment]]:
    """{(form, code, year): comments} of one return, by default the last one (what the base must fix)."""
    transition = transition or last_return(submission)
    if transition is None:
        return {}
    out: dict[FieldKey, list[FieldComment]] = defaultdict(list)
    for comment in transition.field_comments.all():
        out[(comment.form, comment.code, comment.year)].append(comment)
    return dict(out)


def cell_anchor(form: str, code: str, year: int) -> str:
    """The id the data-entry page gives a cell (submissions.forms.CellView.dom_id)."""
    return f"c-{form}-{code}-{year}".replace(".", "_")


@dataclass(frozen=True)
class FieldRef:
    """A field of the material as a person reads it, and where it is on the data-entry page."""

    form: str
    code: str
    year: int
    label: str
    url: str


class FieldIndex:
    """Labels and page links for every field of a submission's forms."""

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        self.profile = profile_for(submission.base)
        self.definitions: list[FormDefinition] = [d.parsed() for d in submission.definitions()]
        self._fields = {(p.code, f.code): (p, f) for p in self.definitions for f in p.fields()}

    def ref(self, form: str, code: str, year: int) -> FieldRef:
        found = self._fields.get((form, code))
        if found is None:
            return FieldRef(form, code, year, f"{form} {code}", "")
        parsed, fld = found
        year_text = f" · {year}年" if year else ""
        url = reverse("submissions:section", args=[self.submission.pk, form, fld.section])
        return FieldRef(
            form=form,
            code=code,
            year=year,
            label=f"{parsed.short_title} · {field_name(fld, self.profile)}{year_text}",
            url=f"{url}#{cell_anchor(form, code, year)}",
        )

    def section_url(self, form: str, section: str) -> str:
        return reverse("submissions:section", args=[self.submission.pk, form, section])

    def section_title(self, form: str, section: str) -> str:
        for parsed in self.definitions:
            if parsed.code == form:
                for s in parsed.sections:
                    if s.code == section:
                        return f"{parsed.short_title} · {s.title}"
        return section

    def choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Grouped <select> options "form|code|year" for every field the base fills, by section."""
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        data_year = self.submission.campaign.data_year
        for parsed in self.definitions:
            for section in parsed.sections:
                options = []
                for fld in section.fields:
                    if parsed.status_for(fld, self.profile) == "hidden":
                        continue
                    name = field_name(fld, self.profile)
                    years = parsed.years_for(fld, data_year) if fld.is_yearly else [NOT_YEARLY]
                    for year in years:
                        label = f"{name}（{year}年）" if year else name
                        options.append((f"{parsed.code}|{fld.code}|{year}", label))
                if options:
                    groups.append((f"{parsed.short_title} · {section.title}", options))
        return groups


def comment_refs(index: FieldIndex, comments: Iterable[FieldComment]) -> list[tuple[FieldRef, FieldComment]]:
    return [(index.ref(c.form, c.code, c.year), c) for c in comments]


# --- what keeps the material from being submitted --------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    text: str
    url: str = ""
    action: str = ""


def blocker_items(submission: Submission, index: FieldIndex | None = None) -> list[Blocker]:
    """The same problems as review.services.submission_blockers, each with a link to where to fix it.

    The service stays the judge (it runs again on submit); this only adds directions for the page.
    """
    index = index or FieldIndex(submission)
    findings = submission_findings(submission)
    out: list[Blocker] = []
    errors: dict[tuple[str, str], int] = {}
    for form, items in findings.items():
        for f in items:
            if f.severity == "error":
                errors[(form, f.section)] = errors.get((form, f.section), 0) + 1
    for (form, section), n in errors.items():
        out.append(
            Blocker(
                f"{index.section_title(form, section)}：{n} 处错误",
                index.section_url(form, section),
                "去修改",
            )
        )
    unexplained: dict[tuple[str, str], int] = {}
    forms_of = {id(f): form for form, items in findings.items() for f in items}
    for f in unexplained_warnings(submission, findings):
        key = (forms_of.get(id(f), ""), f.section)
        unexplained[key] = unexplained.get(key, 0) + 1
    for (form, section), n in unexplained.items():
        out.append(
            Blocker(
                f"{index.section_title(form, section)}：{n} 条预警未填写情况说明",
                index.section_url(form, section),
                "去说明",
            )
        )
    for f, e in rejected_explanations(submission, findings):
        form = forms_of.get(id(f), "")
        out.append(
            Blocker(
                f"{index.ref(form, f.field, f.year).label}：预警说明未被审核认可（{e.verdict_comment}）",
                index.ref(form, f.field, f.year).url,
                "去修改说明",
            )
        )
    report = DevelopmentReport.objects.filter(submission=submission).first()
    report_url = reverse("reports:report_edit", args=[submission.pk])
    out.extend(Blocker(f"发展情况报告：{p}", report_url, "去编写") for p in report_problems(report))
    scans_url = reverse("exchange:scans", args=[submission.pk])
    out.extend(Blocker(p, scans_url, "去上传") for p in scan_problems(submission))
    return out


# --- the reviewer's list ---------------------------------------------------------------------------


@dataclass
class ReviewRow:
    """One base of the authority in the campaign, with counts computed from prefetched data."""

    base: Base
    submission: Submission | None
    missing: int = 0  # mandatory cells still empty
    errors: int = 0  # other errors (invalid values, 其中 > whole, rules)
    warnings: int = 0
    unexplained: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    report_ok: bool = False
    scans_ok: bool = False
    returns: int = 0

    @property
    def state(self) -> str:
        return self.submission.status if self.submission else "not_started"

    @property
    def state_label(self) -> str:
        return self.submission.get_status_display() if self.submission else "未开始填报"

    @property
    def last_change(self) -> Any:
        if self.submission is None:
            return None
        return self.submission.status_changed_at or self.submission.updated_at

    @property
    def ready(self) -> bool:
        return (
            not self.missing and not self.errors and not self.unexplained and self.report_ok and self.scans_ok
        )

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected


STATE_CHOICES = [
    ("", "全部状态"),
    ("not_started", "未开始填报"),
    *Submission.Status.choices,
]


def current_campaign() -> Campaign | None:
    return (
        Campaign.objects.filter(status=Campaign.Status.OPEN).order_by("-year").first()
        or Campaign.objects.order_by("-year").first()
    )


def _latest_previous(submissions: Iterable[Submission]) -> dict[int, Submission]:
    out: dict[int, Submission] = {}
    for s in submissions:  # ordered newest campaign first
        out.setdefault(s.base_id, s)
    return out


def review_rows(*, campaign: Campaign, bases: QuerySet[Base]) -> list[ReviewRow]:
    """One row per base of `bases` taking part in `campaign`, in a fixed number of queries.

    Validation runs in Python on prefetched values, with each definition parsed once for all rows.
    """
    base_list = list(
        bases.filter(campaigns=campaign).select_related("category", "authority").order_by("batch", "name")
    )
    live_scans = Prefetch(
        "scans", queryset=SealedScan.objects.filter(superseded_at__isnull=True), to_attr="live_scans"
    )
    returns = Prefetch(
        "transitions",
        queryset=Transition.objects.filter(
            action__in=[Transition.Action.RETURN, Transition.Action.MINISTRY_RETURN]
        ).only("id", "submission_id"),
        to_attr="return_transitions",
    )
    submissions = {
        s.base_id: s
        for s in Submission.objects.filter(campaign=campaign, base__in=[b.pk for b in base_list])
        .select_related("summary_definition", "annex_definition", "report", "campaign")
        .prefetch_related(
            Prefetch("values", queryset=Value.objects.all()),
            "explanations",
            live_scans,
            returns,
        )
    }
    previous = _latest_previous(
        Submission.objects.filter(base__in=[b.pk for b in base_list], campaign__year__lt=campaign.year)
        .order_by("-campaign__year")
        .prefetch_related("values")
    )
    parsed_cache: dict[int, FormDefinition] = {}

    def parsed_of(definition: Any) -> FormDefinition:
        if definition.pk not in parsed_cache:
            parsed_cache[definition.pk] = definition.parsed()
        return parsed_cache[definition.pk]

    rows = []
    for base in base_list:
        submission = submissions.get(base.pk)
        row = ReviewRow(base=base, submission=submission)
        rows.append(row)
        if submission is None:
            continue
        submission.base = base
        _fill_counts(row, submission, previous.get(base.pk), parsed_of)
    return rows


def _by_form(values: Iterable[Value]) -> dict[str, dict[tuple[str, int], Value]]:
    out: dict[str, dict[tuple[str, int], Value]] = defaultdict(dict)
    for v in values:
        out[v.form][(v.code, v.year)] = v
    return out


def _fill_counts(row: ReviewRow, submission: Submission, prior: Submission | None, parsed_of: Any) -> None:
    values = list(submission.values.all())
    current = _by_form(values)
    before = _by_form(prior.values.all()) if prior is not None else {}
    profile = profile_for(submission.base)
    explained = {(e.form, e.finding_key): e for e in submission.explanations.all()}
    for definition in submission.definitions():
        parsed = parsed_of(definition)
        inputs = validation_input(current.get(parsed.code, {}), parsed)
        prior_values = before.get(parsed.code)
        findings: list[Finding] = validate(
            definition=parsed,
            profile=profile,
            data_year=submission.campaign.data_year,
            values=inputs,
            previous=validation_input(prior_values, parsed) if prior_values else None,
        )
        for f in findings:
            if f.severity == "warning":
                row.warnings += 1
                e = explained.get((parsed.code, f.key))
                if e is None or e.explained_values != f.values:
                    row.unexplained += 1
                elif e.verdict == WarningExplanation.Verdict.ACCEPTED:
                    row.accepted += 1
                elif e.verdict == WarningExplanation.Verdict.REJECTED:
                    row.rejected += 1
                else:
                    row.pending += 1
            elif f.code in MISSING_CODES:
                row.missing += 1
            else:
                row.errors += 1
    report = getattr(submission, "report", None) if hasattr(submission, "report") else None
    row.report_ok = not report_problems(report)
    live: list[SealedScan] = submission.live_scans  # type: ignore[attr-defined]  # Prefetch(to_attr=)
    scans = {s.kind: s for s in live}
    summary = scans.get(SealedScan.Kind.SUMMARY)
    report_scan = scans.get(SealedScan.Kind.REPORT)
    row.scans_ok = bool(
        summary
        and report_scan
        and summary.fingerprint == data_fingerprint(submission_values=values, report=None)
        and report_scan.fingerprint == data_fingerprint(submission_values=(), report=report)
    )
    row.returns = len(submission.return_transitions)  # type: ignore[attr-defined]  # Prefetch(to_attr=)


def state_counts(rows: Iterable[ReviewRow]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return dict(counts)


# --- explanations and changes on the detail page ---------------------------------------------------


@dataclass
class ExplanationView:
    explanation: WarningExplanation
    live: bool  # the warning still stands for the values explained
    ref: FieldRef | None = None


def explanation_views(submission: Submission, index: FieldIndex) -> list[ExplanationView]:
    findings = submission_findings(submission)
    current = {(form, f.key): f for form, items in findings.items() for f in items if f.severity == "warning"}
    out = []
    for e in submission.explanations.select_related("written_by", "verdict_by").order_by(
        "form", "finding_key"
    ):
        f = current.get((e.form, e.finding_key))
        live = f is not None and f.values == e.explained_values
        ref = index.ref(e.form, f.field, f.year) if f is not None else None
        out.append(ExplanationView(explanation=e, live=live, ref=ref))
    out.sort(key=lambda v: not v.live)
    return out


@dataclass
class ChangeView:
    ref: FieldRef
    changes: list[ValueChange] = field(default_factory=list)

    @property
    def first(self) -> ValueChange:
        return self.changes[0]

    @property
    def last(self) -> ValueChange:
        return self.changes[-1]

    @property
    def old_text(self) -> str:
        return _with_currency(raw_text(self.first.old_raw), self.first.old_currency)

    @property
    def new_text(self) -> str:
        return _with_currency(raw_text(self.last.new_raw), self.last.new_currency)


def _with_currency(text: str, currency: str) -> str:
    return f"{text}（美元）" if text and currency == "USD" else text


def grouped_changes(changes: Iterable[ValueChange], index: FieldIndex) -> list[ChangeView]:
    """One row per cell changed since the return: the value before the first change → the value now."""
    out: dict[FieldKey, ChangeView] = {}
    for c in changes:
        key = (c.form, c.code, c.year)
        if key not in out:
            out[key] = ChangeView(ref=index.ref(*key))
        out[key].changes.append(c)
    return list(out.values())
