"""A material's status as every page and service reads it: the stored check of its values
(submissions.status) plus the review-level facts, the development report's completeness, the
currency of the sealed scans and the verdicts on explanations, and what blocks submission, each
with a link to the place to fix it.

The filler's overview and submit page, the reviewer's list and detail, the ministry's pages and the
submit service (the transition table's NO_BLOCKERS need) all read `material_status` (one material)
or `material_statuses` (a list, in a fixed number of queries). None of them validates on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.urls import reverse

from definitions.schema import FormDefinition
from exchange.models import SealedScan
from exchange.services import document_problem, scan_split
from lib.fingerprints import data_fingerprint
from reports.models import DevelopmentReport
from reports.services import report_problems
from submissions.models import MaterialCheck, Submission, WarningExplanation
from submissions.status import (
    CheckedFinding,
    Counts,
    check_counts,
    checked_findings,
    live_explanation_ids,
    material_check,
    material_checks,
    profile_for,
)
from submissions.validation import field_name


def cell_anchor(form: str, code: str, year: int) -> str:
    """The id the data-entry page gives a cell (submissions.forms.CellView.dom_id)."""
    return f"c-{form}-{code}-{year}".replace(".", "_")


@dataclass(frozen=True)
class Blocker:
    """One thing that keeps the material from being submitted: the text, where to fix it, the link's word."""

    text: str
    url: str = ""
    action: str = ""


@dataclass
class MaterialStatus:
    submission: Submission
    check: MaterialCheck
    report: DevelopmentReport | None
    scans: dict[str, SealedScan]  # live (accepted) scan by kind
    explanations: list[WarningExplanation]  # every explanation row of the material
    attempts: dict[str, SealedScan] = field(default_factory=dict)  # newer upload being checked or refused
    counts: Counts = field(init=False)
    report_problems: list[str] = field(init=False)
    scan_problems: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.counts = check_counts(self.check)
        self.report_problems = report_problems(self.report)
        self.scan_problems = _scan_problems(self.check, self.report, self.scans, self.attempts)

    # --- facts ---------------------------------------------------------------------------------

    @property
    def report_ok(self) -> bool:
        return not self.report_problems

    @property
    def scans_ok(self) -> bool:
        return not self.scan_problems

    @property
    def ready(self) -> bool:
        """Nothing blocks submission (the window is the transition table's other need)."""
        c = self.counts
        return (
            not (c.missing or c.errors or c.unexplained or self.rejected) and self.report_ok and self.scans_ok
        )

    @property
    def live_explanations(self) -> list[WarningExplanation]:
        """Explanations of warnings the material still raises, for the values they were written for:
        an explanation whose warning went away needs no verdict, so it neither blocks nor counts."""
        live = live_explanation_ids(self.check)
        return sorted((e for e in self.explanations if e.pk in live), key=lambda e: (e.form, e.finding_key))

    def verdicts(self) -> dict[str, int]:
        out = {v: 0 for v in WarningExplanation.Verdict.values}
        for e in self.live_explanations:
            out[e.verdict] += 1
        return out

    @property
    def rejected(self) -> list[WarningExplanation]:
        """Live explanations a reviewer did not accept (不认可): they block submission until the base
        revises them (explanation_save resets the verdict) or changes the values they explain."""
        return [e for e in self.live_explanations if e.verdict == WarningExplanation.Verdict.REJECTED]

    @property
    def undecided(self) -> int:
        return sum(1 for e in self.live_explanations if e.verdict != WarningExplanation.Verdict.ACCEPTED)

    # --- what blocks submission ----------------------------------------------------------------

    def blocker_texts(self) -> list[str]:
        """What keeps the material from being submitted, in Chinese, most important first (the
        submit service's refusal)."""
        c = self.counts
        problems: list[str] = []
        if c.missing:
            problems.append(f"报表中还有 {c.missing} 项必填内容未填写完整。")
        if c.errors:
            problems.append(f"报表中还有 {c.errors} 处错误需要修改。")
        if c.unexplained:
            problems.append(f"还有 {c.unexplained} 条预警未填写情况说明。")
        if rejected := self.rejected:
            problems.append(f"还有 {len(rejected)} 条预警说明未被审核认可，请按审核意见修改说明。")
        problems.extend(f"发展情况报告：{p}" for p in self.report_problems)
        problems.extend(self.scan_problems)
        return problems

    def blockers(self) -> list[Blocker]:
        """The same problems as `blocker_texts`, per section, each with a link to where to fix it."""
        submission = self.submission
        definitions = [d.parsed() for d in submission.definitions()]
        titles = _section_titles(definitions)
        per: dict[tuple[str, str, str], int] = {}
        for c in checked_findings(self.check):
            if c.kind == "warning":
                if c.explained:
                    continue
                what = "unexplained"
            else:
                what = c.kind
            key = (what, c.form, c.finding.section)
            per[key] = per.get(key, 0) + 1
        words = {
            "missing": ("{n} 项必填内容未填写完整", "去填写"),
            "error": ("{n} 处错误", "去修改"),
            "unexplained": ("{n} 条预警未填写情况说明", "去说明"),
        }
        out: list[Blocker] = []
        for what in ("missing", "error", "unexplained"):
            text, action = words[what]
            for (kind, form, section), n in per.items():
                if kind != what:
                    continue
                url = reverse("submissions:section", args=[submission.pk, form, section])
                title = titles.get((form, section), section)
                out.append(Blocker(f"{title}：{text.format(n=n)}", url, action))
        out.extend(self._rejected_blockers(definitions))
        report_url = reverse("reports:report_edit", args=[submission.pk])
        out.extend(Blocker(f"发展情况报告：{p}", report_url, "去编写") for p in self.report_problems)
        scans_url = reverse("exchange:scans", args=[submission.pk])
        out.extend(Blocker(p, scans_url, "去上传") for p in self.scan_problems)
        return out

    def _rejected_blockers(self, definitions: Sequence[FormDefinition]) -> list[Blocker]:
        rejected = {(e.form, e.finding_key): e for e in self.rejected}
        if not rejected:
            return []
        submission = self.submission
        profile = profile_for(submission.base)
        forms = {p.code: p for p in definitions}
        out = []
        for c in checked_findings(self.check):
            e = rejected.get((c.form, c.finding.key))
            parsed = forms.get(c.form)
            if e is None or parsed is None:
                continue
            f = c.finding
            fld = parsed.field_map().get(f.field)
            name = field_name(fld, profile) if fld is not None else f.field
            year = f" · {f.year}年" if f.year else ""
            url = reverse("submissions:section", args=[submission.pk, c.form, f.section])
            out.append(
                Blocker(
                    f"{parsed.short_title} · {name}{year}：预警说明未被审核认可（{e.verdict_comment}）",
                    f"{url}#{cell_anchor(c.form, f.field, f.year)}",
                    "去修改说明",
                )
            )
        return out

    def findings(self) -> list[CheckedFinding]:
        return checked_findings(self.check)


def _section_titles(definitions: Sequence[FormDefinition]) -> dict[tuple[str, str], str]:
    return {(p.code, s.code): f"{p.short_title} · {s.heading}" for p in definitions for s in p.sections}


def _scan_problems(
    check: MaterialCheck,
    report: DevelopmentReport | None,
    scans: dict[str, SealedScan],
    attempts: dict[str, SealedScan],
) -> list[str]:
    """Each sealed document must have a live scan stamped with the fingerprint the material has now
    (the 汇总表's is stored with the check; the report's is computed from its row) whose QR codes
    were verified (a scan stored before verification existed does not count); a newer upload still
    being checked blocks until its verdict (exchange.services.document_problem)."""
    current: dict[str, str] = {
        SealedScan.Kind.SUMMARY: check.summary_fingerprint,
        SealedScan.Kind.REPORT: data_fingerprint(submission_values=(), report=report),
    }
    problems = []
    for kind, label in SealedScan.Kind.choices:
        problem = document_problem(
            label=label, fingerprint=current[kind], scan=scans.get(kind), attempt=attempts.get(kind)
        )
        if problem is not None:
            problems.append(problem)
    return problems


def material_status(
    submission: Submission,
    *,
    check: MaterialCheck | None = None,
    explanations: Sequence[WarningExplanation] | None = None,
) -> MaterialStatus:
    """The status of one material now (its check recomputed first if stale). A page that has just
    read the material's current `check` (material_check) and every explanation row of it passes
    them, so they are not read twice in one request."""
    check = check or material_check(submission)
    report = DevelopmentReport.objects.filter(submission_id=submission.pk).first()
    scans, attempts = scan_split(
        SealedScan.objects.filter(submission_id=submission.pk, superseded_at__isnull=True)
    )
    rows = (
        list(explanations)
        if explanations is not None
        else list(WarningExplanation.objects.filter(submission_id=submission.pk))
    )
    return MaterialStatus(
        submission=submission,
        check=check,
        report=report,
        scans=scans,
        explanations=rows,
        attempts=attempts,
    )


def material_statuses(submissions: Sequence[Submission]) -> dict[int, MaterialStatus]:
    """The status of many materials in a fixed number of queries, whatever their number: the stored
    checks (without their findings), the reports, the live scans and the explanations.

    Pass the submissions with `campaign`, `base__category`, `summary_definition` and
    `annex_definition` loaded; `material_check` and `report` loaded too save a query each."""
    pks = [s.pk for s in submissions]
    checks = material_checks(submissions)
    reports: dict[int, DevelopmentReport | None] = {}
    unread = []
    for s in submissions:
        # Loaded with the submission (select_related("report")): no query of its own.
        if Submission.report.is_cached(s):
            reports[s.pk] = getattr(s, "report", None)
        else:
            unread.append(s.pk)
    if unread:
        reports.update(
            {r.submission_id: r for r in DevelopmentReport.objects.filter(submission_id__in=unread)}
        )
    rows: dict[int, list[SealedScan]] = {}
    for scan in SealedScan.objects.filter(submission_id__in=pks, superseded_at__isnull=True):
        rows.setdefault(scan.submission_id, []).append(scan)
    scans = {pk: scan_split(found) for pk, found in rows.items()}
    explanations: dict[int, list[WarningExplanation]] = {}
    for e in WarningExplanation.objects.filter(submission_id__in=pks):
        explanations.setdefault(e.submission_id, []).append(e)
    return {
        s.pk: MaterialStatus(
            submission=s,
            check=checks[s.pk],
            report=reports.get(s.pk),
            scans=scans.get(s.pk, ({}, {}))[0],
            explanations=explanations.get(s.pk, []),
            attempts=scans.get(s.pk, ({}, {}))[1],
        )
        for s in submissions
    }
