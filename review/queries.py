"""Read-side helpers of the review pages: the timeline, field comments, what blocks a submission (with
where to fix it, from review.status), the reviewer's list read from the stored statuses, and the
fields a reviewer may comment on.

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
from registry.models import Base, Campaign
from reports.services import REPORT_FORM, REPORT_SECTIONS
from review.models import FieldComment, Transition
from review.services import last_return
from review.status import Blocker, MaterialStatus, material_status, material_statuses
from review.status import cell_anchor as cell_anchor  # its home is review.status; importable here too
from submissions.forms import raw_text
from submissions.models import NOT_YEARLY, Submission, ValueChange, WarningExplanation
from submissions.services import profile_for
from submissions.status import Counts, material_findings
from submissions.validation import field_name

FieldKey = tuple[str, str, int]


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
        if form == REPORT_FORM and code in REPORT_SECTIONS:
            url = reverse("reports:report_edit", args=[self.submission.pk])
            return FieldRef(form, code, year, f"发展情况报告 · {REPORT_SECTIONS[code]}", f"{url}#{code}")
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
                        return f"{parsed.short_title} · {s.heading}"
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
                    groups.append((f"{parsed.short_title} · {section.heading}", options))
        groups.append(
            (
                "发展情况报告",
                [(f"{REPORT_FORM}|{code}|{NOT_YEARLY}", title) for code, title in REPORT_SECTIONS.items()],
            )
        )
        return groups


def comment_refs(index: FieldIndex, comments: Iterable[FieldComment]) -> list[tuple[FieldRef, FieldComment]]:
    return [(index.ref(c.form, c.code, c.year), c) for c in comments]


# --- what keeps the material from being submitted --------------------------------------------------


def blocker_items(submission: Submission, index: FieldIndex | None = None) -> list[Blocker]:
    """What blocks submission, each with a link to where to fix it (review.status, the same answer
    the submit service gives)."""
    return material_status(submission).blockers()


# --- the reviewer's list ---------------------------------------------------------------------------


@dataclass
class ReviewRow:
    """One base of the authority in the campaign, with its material's stored status (review.status)."""

    base: Base
    submission: Submission | None
    status: MaterialStatus | None = None
    returns: int = 0

    @property
    def counts(self) -> Counts:
        return self.status.counts if self.status is not None else Counts()

    @property
    def missing(self) -> int:
        return self.counts.missing

    @property
    def errors(self) -> int:
        return self.counts.errors

    @property
    def warnings(self) -> int:
        return self.counts.warnings

    @property
    def unexplained(self) -> int:
        return self.counts.unexplained

    def _verdicts(self) -> dict[str, int]:
        return self.status.verdicts() if self.status is not None else {}

    @property
    def accepted(self) -> int:
        return self._verdicts().get(WarningExplanation.Verdict.ACCEPTED, 0)

    @property
    def rejected(self) -> int:
        return self._verdicts().get(WarningExplanation.Verdict.REJECTED, 0)

    @property
    def pending(self) -> int:
        return self._verdicts().get(WarningExplanation.Verdict.PENDING, 0)

    @property
    def report_ok(self) -> bool:
        return self.status is not None and self.status.report_ok

    @property
    def scans_ok(self) -> bool:
        return self.status is not None and self.status.scans_ok

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
        return self.status is not None and self.status.ready

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


def review_rows(*, campaign: Campaign, bases: QuerySet[Base]) -> list[ReviewRow]:
    """One row per base of `bases` taking part in `campaign`, in a fixed number of queries: each
    material's stored status is read (review.status), not recomputed; only a stale one is."""
    base_list = list(
        bases.filter(campaigns=campaign).select_related("category", "authority").order_by("batch", "name")
    )
    returns = Prefetch(
        "transitions",
        queryset=Transition.objects.filter(
            action__in=[Transition.Action.RETURN, Transition.Action.MINISTRY_RETURN]
        ).only("id", "submission_id"),
        to_attr="return_transitions",
    )
    by_base = {b.pk: b for b in base_list}
    submissions = list(
        Submission.objects.filter(campaign=campaign, base__in=list(by_base))
        .select_related("summary_definition", "annex_definition", "campaign", "material_check", "report")
        # The list reads counts: not the findings, the progress or the forms' content (parsed once
        # per process by checksum, and only needed to recompute a stale check).
        .defer(
            "material_check__findings",
            "material_check__progress",
            "summary_definition__content",
            "annex_definition__content",
        )
        .prefetch_related(returns)
    )
    for s in submissions:
        s.base = by_base[s.base_id]
    statuses = material_statuses(submissions)
    of_base = {s.base_id: s for s in submissions}
    rows = []
    for base in base_list:
        submission = of_base.get(base.pk)
        row = ReviewRow(base=base, submission=submission)
        if submission is not None:
            row.status = statuses[submission.pk]
            row.returns = len(submission.return_transitions)
        rows.append(row)
    return rows


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
    findings = material_findings(submission)
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
