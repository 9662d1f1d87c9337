"""The one computation of a material's status from its values, stored with the material's revision.

`material_check_refresh` validates the material once (against last campaign's figures), counts what
is missing, wrong, warned and unexplained, computes the progress per section and the fingerprint of
the printed 汇总表, and stores all of it as a MaterialCheck. The save services call it in their
transaction, after the change (values_save, explanation_save, submission_start). Every page, list
and service reads it (`material_check`, `material_checks` for lists) instead of validating again,
so the filler's page, the reviewer's list and the submit service cannot disagree.

A stored row remembers its `basis`; one that no longer matches the material (a writer that went
around the services, a new definition, last year's material reopened and changed, a new
CHECK_VERSION) is recomputed on read. Review-level facts (the report, the sealed scans, verdicts on
explanations, links to where to fix) are added above, in review.status.

This module sits below submissions.services, which re-exports its read helpers.
"""

from __future__ import annotations

import enum
import json
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Final, Literal, NamedTuple, Protocol

from django.db import connections, router, transaction
from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from definitions.schema import BaseProfile, FormDefinition
from lib.fingerprints import data_fingerprint
from registry.models import Base
from security.fields import unseal_text
from submissions.models import MaterialCheck, Submission, Value, WarningExplanation
from submissions.validation import Finding, revalidate, validate_with_progress

# Bump when validation or counting changes meaning: every stored check becomes stale and is
# recomputed on its next read.
CHECK_VERSION = 2  # 2: 示范基地名称 against the registry; names listed in a cell (不超过3个)

# Findings that mean "a mandatory cell is not (completely) filled": an empty cell, or a table with
# fewer rows than the notice asks for. The progress counts both as not filled, so the counts do too.
MISSING_CODES = frozenset({"required", "too_few_rows"})

Kind = Literal["missing", "error", "warning"]


def finding_kind(finding: Finding) -> Kind:
    return _kind(finding.severity, finding.code)


def _kind(severity: str, code: str) -> Kind:
    if severity == "warning":
        return "warning"
    return "missing" if code in MISSING_CODES else "error"


# --- reading the material ---------------------------------------------------------------------------


class StoredCell(Protocol):
    """What validation and the fingerprint read of a saved cell: a Value, or one of its rows read
    as a plain tuple (`stored_cells`) where nothing is written."""

    @property
    def form(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def raw(self) -> Any: ...
    @property
    def value(self) -> Any: ...
    @property
    def entered_currency(self) -> str: ...


CELL_COLUMNS = ("form", "code", "year", "raw", "value", "entered_currency")


class Explained(Protocol):
    """What the check reads of a warning's explanation: a WarningExplanation, or an `_Explained`."""

    @property
    def pk(self) -> Any: ...
    @property
    def form(self) -> str: ...
    @property
    def finding_key(self) -> str: ...
    @property
    def explained_values(self) -> Any: ...


class _Explained(NamedTuple):
    pk: int
    form: str
    finding_key: str
    explained_values: Any


def stored_cells(values: QuerySet[Value]) -> list[StoredCell]:
    """The cells as named tuples: a fifth of the cost of model instances, for reading only."""
    return list(values.values_list(*CELL_COLUMNS, named=True))


class _Cells(NamedTuple):
    """A cell as `material_cells` reads it: a tuple, equal to the one `stored_cells` gives."""

    form: str
    code: str
    year: int
    raw: Any
    value: Any
    entered_currency: str


def material_cells(submission_id: int, *, codes: Collection[str] | None = None) -> list[StoredCell]:
    """Every saved cell of one material (or those of the items `codes`), equal to what
    `stored_cells(submission.values.all())` reads: the ORM's query, compiled once per process (and
    number of codes), run on the cursor with `raw` and `value` read as text and decoded by
    security.fields.unseal_text, which skips decoding a plain JSON string (most canonical figures)
    and opens tokens only where there are any. The ORM's per-row converters were most of the read,
    which the status refresh does on every autosave."""
    wanted = sorted(codes) if codes is not None else None
    if wanted is not None and not wanted:
        return []
    alias = router.db_for_read(Value)
    shape = (alias, None if wanted is None else len(wanted))
    sql = _CELLS_SQL.get(shape)
    if sql is None:
        placeholders = [f"code{i}" for i in range(len(wanted))] if wanted is not None else []
        values = Value.objects.filter(submission_id=-1)
        if wanted is not None:
            values = values.filter(code__in=placeholders)
        query = (
            values.values_list(
                "form", "code", "year",
                Cast("raw", output_field=TextField()), Cast("value", output_field=TextField()),
                "entered_currency",
            )
            .query
        )  # fmt: skip
        sql, params = query.sql_with_params()
        assert list(params) == [-1, *placeholders]  # the material, then the codes, in this order
        _CELLS_SQL[shape] = sql
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [submission_id, *(wanted or ())])
        return [
            _Cells(form, code, year, unseal_text(raw), unseal_text(value), currency)
            for form, code, year, raw, value, currency in cursor.fetchall()
        ]


_CELLS_SQL: dict[tuple[str, int | None], str] = {}


# Last year's cells, per process: {(database, material pk, revision, updated_at): cells}. Safe to
# keep because a material's values change only through the save services, which bump its `revision`
# and set `updated_at` in the same transaction as the change (the same rule the stored check's
# `basis` relies on): the committed cells of a material at one revision never change. An entry is
# kept only once its transaction committed (`on_commit`: never cells of a transaction that rolled
# back, whose key could be reused), and only when the revision read after the cells is the one read
# before them (no save committed in between, so the cells are those of that revision). `updated_at`
# is in the key so that a database restored or reloaded under a running process, with the same keys
# and revisions, cannot match. Last year's material is rarely reopened; when it is, each save
# moves its revision on and the old entry is simply never asked for again.
_PREVIOUS_CELLS: dict[tuple[Any, ...], tuple[StoredCell, ...]] = {}
_CACHE_LOCK = threading.Lock()
# A material's cells are some 100 KB in memory (the demo's complete drafts, 215 cells): 256 bound a
# process to some 25 MB; a material pushed out is read again once (a millisecond).
PREVIOUS_CELLS_MAX = 256


def previous_cells(previous: Submission) -> list[StoredCell]:
    """The cells of last year's material `previous` (read with `revision` and `updated_at`, as
    `previous_submission` reads it), as `material_cells` reads them; from the process's cache when
    read before at the same revision."""
    alias = router.db_for_read(Value)
    key = (
        alias,
        connections[alias].settings_dict["NAME"],
        previous.pk,
        previous.revision,
        previous.updated_at,
    )
    cached = _PREVIOUS_CELLS.get(key)
    if cached is not None:
        return list(cached)
    cells = material_cells(previous.pk)
    now = Submission.objects.filter(pk=previous.pk).values_list("revision", "updated_at").first()
    if now == (previous.revision, previous.updated_at):
        frozen = tuple(cells)

        def keep() -> None:
            with _CACHE_LOCK:  # threaded workers
                if key not in _PREVIOUS_CELLS and len(_PREVIOUS_CELLS) >= PREVIOUS_CELLS_MAX:
                    _PREVIOUS_CELLS.pop(next(iter(_PREVIOUS_CELLS)))  # the oldest entry
                _PREVIOUS_CELLS[key] = frozen

        transaction.on_commit(keep, using=alias)
    return cells


def profile_for(base: Base) -> BaseProfile:
    return BaseProfile(
        category=base.category.code,
        industry_flags=frozenset(base.industry_flags or ()),
        producer_services_led=base.producer_services_led,
        official_name=base.name,
    )


def previous_submission(submission: Submission) -> Submission | None:
    return (
        Submission.objects.filter(base_id=submission.base_id, campaign__year__lt=submission.campaign.year)
        .order_by("-campaign__year")
        .only("id", "base_id", "campaign_id", "revision", "updated_at")  # what the checks read of it
        .first()
    )


def values_by_form(submission: Submission) -> dict[str, dict[tuple[str, int], Value]]:
    return _by_form(submission.values.all(), [d.code for d in submission.definitions()])


def _by_form(values: Iterable[Any], forms: Iterable[str] = ()) -> dict[str, dict[tuple[str, int], Any]]:
    out: dict[str, dict[tuple[str, int], Any]] = {code: {} for code in forms}
    for v in values:
        out.setdefault(v.form, {})[(v.code, v.year)] = v
    return out


def validation_input(
    values: dict[tuple[str, int], StoredCell] | dict[tuple[str, int], Value], definition: FormDefinition
) -> dict[tuple[str, int], Any]:
    """What the pure validator reads: the canonical value where the cell parsed, otherwise the raw text
    (so the validator reports the type error), with currency already converted."""
    out: dict[tuple[str, int], Any] = {}
    fields = definition.field_map()
    for key, v in values.items():
        fld = fields.get(key[0])
        if fld is None:
            continue
        if v.entered_currency and v.value is not None:
            out[key] = v.value
        elif v.entered_currency and fld.is_numeric:
            # Kept as typed but not converted (a currency the notice does not allow): the validator
            # must see the currency too, or it would read the figure as 人民币.
            out[key] = {"amount": v.raw, "currency": v.entered_currency}
        else:
            out[key] = v.raw
    return out


# --- the stored check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """How far the material is from submittable, as every page shows it."""

    missing: int = 0  # mandatory cells not (completely) filled
    errors: int = 0  # other errors: invalid values, parts larger than the whole, rules
    warnings: int = 0
    unexplained: int = 0  # warnings with no explanation written for their current values

    @classmethod
    def of(cls, data: dict[str, Any]) -> Counts:
        return cls(**{k: int(data.get(k, 0)) for k in ("missing", "errors", "warnings", "unexplained")})


def _previous_key(previous: Submission | None) -> list[int] | None:
    return [previous.pk, previous.revision] if previous is not None else None


def basis_of(submission: Submission, previous: Submission | None) -> dict[str, Any]:
    """Everything the check reads besides the values themselves, which `revision` stands for."""
    # Every field of the profile the checks are run with, so a field added to it is in the basis too.
    profile = profile_for(submission.base)
    return {
        "version": CHECK_VERSION,
        "revision": submission.revision,
        "previous": _previous_key(previous),
        "definitions": [d.checksum for d in submission.definitions()],
        "profile": [
            sorted(value) if isinstance(value, frozenset) else value
            for value in (getattr(profile, f.name) for f in fields(profile))
        ],
        "data_year": submission.campaign.data_year,
    }


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


def _serialize(form: str, finding: Finding, explained: bool) -> dict[str, Any]:
    # Not dataclasses.asdict: its deep copy was a third of an autosave with a few hundred findings.
    out: dict[str, Any] = {"form": form}
    for name in _FINDING_FIELDS:
        out[name] = getattr(finding, name)
    out["values"] = dict(finding.values)
    out["explained"] = explained
    return out


def _deserialize(data: dict[str, Any]) -> tuple[str, Finding, bool]:
    fields = {k: v for k, v in data.items() if k not in ("form", "explained")}
    return data["form"], Finding(**fields), bool(data.get("explained"))


def _compute(
    submission: Submission,
    previous: Submission | None,
    values: Sequence[StoredCell],
    previous_values: Sequence[StoredCell],
    explanations: Iterable[Explained],
    parsed_of: Any = None,
    *,
    stored: MaterialCheck | None = None,
    changed: Mapping[str, Collection[str]] | None = None,
) -> MaterialCheck:
    """The check of the material. Given the `stored` check of the material just before a save and the
    items the save `changed`, only the findings and sections those items can affect are computed
    again (submissions.validation.revalidate); the rest is taken from the stored check."""
    parsed_of = parsed_of or (lambda definition: definition.parsed())
    profile = profile_for(submission.base)
    data_year = submission.campaign.data_year
    current = _by_form(values)
    before = _by_form(previous_values) if previous is not None else {}
    findings: list[dict[str, Any]] = []
    progress_of: dict[str, dict[str, list[int]]] = {}
    for definition in submission.definitions():
        parsed: FormDefinition = parsed_of(definition)
        code = parsed.code
        inputs = validation_input(current.get(code, {}), parsed)
        prior = before.get(code)
        earlier = validation_input(prior, parsed) if prior else None
        if stored is not None and changed is not None and code in stored.progress:
            mine = [dict(d) for d in stored.findings if d["form"] == code]
            progress_of[code] = {k: list(v) for k, v in stored.progress[code].items()}
            if changed.get(code):
                again = revalidate(
                    definition=parsed, profile=profile, data_year=data_year, values=inputs,
                    changed=changed[code], previous=earlier,
                )  # fmt: skip
                by_field: dict[str, list[dict[str, Any]]] = {}
                for d in mine:
                    by_field.setdefault(d["field"], []).append(d)
                mine = []
                for fld in parsed.fields():
                    if fld.code in again.findings:
                        mine.extend(_serialize(code, f, False) for f in again.findings[fld.code])
                    else:
                        mine.extend(by_field.get(fld.code, ()))
                progress_of[code].update(
                    {k: [filled, required] for k, (filled, required) in again.progress.items()}
                )
            findings.extend(mine)
            continue
        found, sections = validate_with_progress(
            definition=parsed, profile=profile, data_year=data_year, values=inputs, previous=earlier
        )
        findings.extend(_serialize(code, f, False) for f in found)
        progress_of[code] = {k: [filled, required] for k, (filled, required) in sections.items()}
    counts, live = _tally(findings, explanations)
    return MaterialCheck(
        submission=submission,
        basis=basis_of(submission, previous),
        findings=findings,
        counts={**counts, "live_explanations": live},
        progress=progress_of,
        summary_fingerprint=data_fingerprint(submission_values=values, report=None),
        computed_at=timezone.now(),
    )


def _tally(
    findings: Sequence[dict[str, Any]], explanations: Iterable[Explained]
) -> tuple[dict[str, int], list[int]]:
    """Count the findings and mark each warning explained or not (an explanation written for the
    values it now raises); returns the counts and the explanations still live."""
    explained = {(e.form, e.finding_key): e for e in explanations}
    counts = {"missing": 0, "errors": 0, "warnings": 0, "unexplained": 0}
    live: list[int] = []
    for d in findings:
        kind = _kind(d["severity"], d["code"])
        d["explained"] = False
        if kind == "warning":
            counts["warnings"] += 1
            e = explained.get((d["form"], d["key"]))
            if e is not None and e.explained_values == d["values"]:
                d["explained"] = True
                live.append(e.pk)
            else:
                counts["unexplained"] += 1
        else:
            counts["missing" if kind == "missing" else "errors"] += 1
    return counts, sorted(live)


@dataclass(frozen=True)
class PreparedCheck:
    """The check of a material as it will be once a save writes `cells`, computed before the save by
    a caller that validated those very values anyway (the Excel import, for its preview): the
    findings and progress of every form (`_compute`'s, of the saved values with `cells` in place)
    and the fingerprint of the printed 汇总表.

    `basis` is the material's basis when its values were read, so at its revision before the save.
    The save stores it (`material_check_refresh(prepared=...)`) only when it wrote exactly `cells`
    and the material's basis is that one moved on by this save alone; otherwise the material is
    checked again as always. `prepared_check` builds one."""

    basis: dict[str, Any]
    cells: dict[tuple[str, str, int], Any]  # (form, code, year) → raw, what the save is to write
    findings: tuple[dict[str, Any], ...]
    progress: dict[str, dict[str, list[int]]]
    summary_fingerprint: str


def prepared_check(
    *,
    submission: Submission,
    previous: Submission | None,
    values: Sequence[StoredCell],
    previous_values: Sequence[StoredCell],
    cells: Mapping[tuple[str, str, int], Any],
    shown: Mapping[tuple[str, str, int], Any] | None = None,
) -> tuple[PreparedCheck, dict[str, list[Finding]]]:
    """Validate the material's saved `values` (read after `submission`, so at its revision or a later
    one) with `cells` and `shown` written in place, as `_compute` does, once; returns the findings
    per form (for a preview to show) and the check of the material once `cells` alone are saved:
    the cells `shown` (conflicts a preview shows but a save leaves as they are) are taken out again
    by validating only what they affect (`_compute`'s incremental path)."""
    profile = profile_for(submission.base)
    shown = shown or {}
    merged = _merged(values, {**cells, **shown})
    current = _by_form(merged)
    before = _by_form(previous_values) if previous is not None else {}
    data_year = submission.campaign.data_year
    by_form: dict[str, list[Finding]] = {}
    findings: list[dict[str, Any]] = []
    progress: dict[str, dict[str, list[int]]] = {}
    for definition in submission.definitions():
        parsed: FormDefinition = definition.parsed()
        prior = before.get(parsed.code)
        found, sections = validate_with_progress(
            definition=parsed, profile=profile, data_year=data_year,
            values=validation_input(current.get(parsed.code, {}), parsed),
            previous=validation_input(prior, parsed) if prior else None,
        )  # fmt: skip
        by_form[parsed.code] = found
        findings.extend(_serialize(parsed.code, f, False) for f in found)
        progress[parsed.code] = {k: [filled, required] for k, (filled, required) in sections.items()}
    fingerprint = ""
    if shown:
        merged = _merged(values, cells)
        changed: dict[str, set[str]] = {}
        for form, code, _ in shown:
            changed.setdefault(form, set()).add(code)
        again = _compute(
            submission, previous, merged, previous_values, (),
            stored=MaterialCheck(findings=findings, progress=progress), changed=changed,
        )  # fmt: skip
        findings, progress, fingerprint = again.findings, again.progress, again.summary_fingerprint
    check = PreparedCheck(
        basis=basis_of(submission, previous),
        cells=dict(cells),
        findings=tuple(findings),
        progress=progress,
        summary_fingerprint=fingerprint or data_fingerprint(submission_values=merged, report=None),
    )
    return check, by_form


def _merged(values: Sequence[StoredCell], cells: Mapping[tuple[str, str, int], Any]) -> list[StoredCell]:
    """The saved `values` with `cells` (raw inputs, in 人民币) written over them."""
    written = {key: _Cell(*key, raw, None, "") for key, raw in cells.items()}
    out: list[StoredCell] = [v for v in values if (v.form, v.code, v.year) not in written]
    out.extend(written.values())
    return out


@dataclass(frozen=True)
class _Cell:
    form: str
    code: str
    year: int
    raw: Any
    value: Any
    entered_currency: str


def prepared_check_kept(
    *, submission: Submission, cells: Mapping[tuple[str, str, int], Any]
) -> PreparedCheck | None:
    """The check of the material once a save writes `cells` (a few, as an autosave does), computed
    before the save locks the material, from what this process kept of it (`_STATES`) at the revision
    `submission` was read at; None when nothing is kept at that revision. On SQLite every writer waits
    for the one in its transaction: checking the material again was a fifth of an autosave's time
    under that lock, and on deadline day the saves queue there. The save stores this check only when
    the material's basis under the lock is this one moved on by that save alone
    (`material_check_refresh`): a save by someone else in between leaves it unused, never wrong.

    Pass `submission` with its campaign, base (and category) and definitions loaded."""
    state = _STATES.get(_state_key(submission.pk))
    if state is None or (state.revision, state.updated_at) != (submission.revision, submission.updated_at):
        return None
    # Last year's material as the kept state's save read it, not read again: the save compares the
    # basis, last year's key and revision in it, with a fresh read under the lock (_prepared_holds).
    previous = state.previous
    stored = state.check()
    if stored.basis != basis_of(submission, previous):
        return None
    changed: dict[str, set[str]] = {}
    for form, code, _ in cells:
        changed.setdefault(form, set()).add(code)
    check = _compute(
        submission,
        previous,
        _merged(state.cells, cells),
        previous_cells(previous) if previous is not None else [],
        state.explanations,
        stored=stored,
        changed=changed,
    )
    return PreparedCheck(
        basis=check.basis,
        cells=dict(cells),
        findings=tuple(check.findings),
        progress=check.progress,
        summary_fingerprint=check.summary_fingerprint,
    )


def _basis_before(submission: Submission, previous: Submission | None) -> dict[str, Any]:
    """The basis of the material's check at the revision just before the one it is at now (a save
    under the lock has just moved it on by one), with everything else as it is now."""
    return {**basis_of(submission, previous), "revision": submission.revision - 1}


def _prepared_holds(prepared: PreparedCheck, submission: Submission, previous: Submission | None) -> bool:
    """Whether `prepared` was computed at the revision just before the one `submission` is at now,
    with the same definitions, profile and campaign, against last year's material as it is now."""
    return prepared.basis == _basis_before(submission, previous)


def _explanations_of(submission: Submission) -> list[Explained]:
    return [
        _Explained(*row)
        for row in submission.explanations.values_list("pk", "form", "finding_key", "explained_values")
    ]


def _from_prepared(
    submission: Submission,
    prepared: PreparedCheck,
    explanations: Iterable[Explained],
) -> MaterialCheck:
    findings = [dict(d, values=dict(d["values"])) for d in prepared.findings]
    counts, live = _tally(findings, explanations)
    return MaterialCheck(
        submission=submission,
        basis={**prepared.basis, "revision": submission.revision},  # as _prepared_holds found it
        findings=findings,
        counts={**counts, "live_explanations": live},
        progress={
            code: {k: list(v) for k, v in sections.items()} for code, sections in prepared.progress.items()
        },
        summary_fingerprint=prepared.summary_fingerprint,
        computed_at=timezone.now(),
    )


_UPDATE_FIELDS = ["basis", "findings", "counts", "progress", "summary_fingerprint", "computed_at"]


def _store(checks: Sequence[MaterialCheck]) -> None:
    # An upsert: two readers recomputing the same stale row at once must not collide.
    MaterialCheck.objects.bulk_create(
        checks, update_conflicts=True, unique_fields=["submission"], update_fields=_UPDATE_FIELDS
    )


class _Unread(enum.Enum):
    UNREAD = "unread"


# `material_check_refresh(previous=...)` not given: last year's material is read there.
UNREAD: Final = _Unread.UNREAD


def material_check_refresh(
    *,
    submission: Submission,
    changed: Mapping[str, Collection[str]] | None = None,
    prepared: PreparedCheck | None = None,
    since: tuple[int, datetime] | None = None,
    previous: Submission | Literal[_Unread.UNREAD] | None = UNREAD,
) -> MaterialCheck:
    """Compute and store the check of `submission` as it is now. The save services call this in
    their transaction, after the change, so the stored status moves with the material. A save that
    bumped the revision by one passes the items it `changed` ({form: codes}): when the stored check
    is the one of the revision before, only what those items affect is computed again. Such a save
    also passes `since`, the material's (revision, updated_at) when it locked it: when this process
    kept the material's cells and check at that point (`_STATES`), only the changed items' cells are
    read again. A save that wrote exactly the cells of a `prepared` check passes it: when the
    material's basis is the prepared one moved on by that save alone, the prepared findings are
    stored as they are (the explanations are matched against them now). `previous`: last year's
    material as the caller read it (`previous_submission`), before it took the lock: no save locks
    that row, so reading it again under the lock made it a moment fresher, not safe from change, and
    the check's basis names the revision it was computed against, which readers compare with the
    row as it is then (`material_check`)."""
    key = _state_key(submission.pk)
    state = _STATES.get(key) if changed is not None and since is not None else None
    if state is not None and (state.revision, state.updated_at) != since:
        state = None
    if previous is UNREAD:
        previous = previous_submission(submission)
    if prepared is not None and _prepared_holds(prepared, submission, previous):
        explanations: Sequence[Explained] = (
            state.explanations if state is not None else _explanations_of(submission)
        )
        check = _from_prepared(submission, prepared, explanations)
        _store([check])
        if state is not None and changed is not None:
            cells = _cells_after(state, submission.pk, changed)
            _keep_state(key, submission, previous, cells, explanations, check)
        submission.material_check = check
        return check
    stored = None
    if changed is not None:
        stored = state.check() if state is not None else None
        if stored is None:
            stored = MaterialCheck.objects.filter(submission_id=submission.pk).first()
        if stored is not None and stored.basis != _basis_before(submission, previous):
            stored = None
    if state is not None and changed is not None:
        cells, explanations = _cells_after(state, submission.pk, changed), state.explanations
    else:
        cells, explanations = material_cells(submission.pk), _explanations_of(submission)
    check = _compute(
        submission,
        previous,
        cells,
        previous_cells(previous) if previous is not None else [],
        explanations,
        stored=stored,
        changed=changed,
    )
    _store([check])
    if since is not None:  # a save, under the material's lock
        _keep_state(key, submission, previous, cells, explanations, check)
    submission.material_check = check
    return check


# This year's material as the last save in this process left it, per process: {(database, pk):
# its revision, updated_at, cells and stored check}. The next save of the same material (a filler
# autosaving, whose connection stays with one worker) starts from it and reads again only the cells
# it wrote. Safe because the entry is taken only when the material, locked by the save
# (select_for_update), is at exactly the entry's revision and updated_at, which every change of its
# values moves on in the same transaction (the save services; the rule the stored check's `basis`
# relies on): then the database holds the entry's cells but for those the save wrote under the lock.
# An entry is kept only once its transaction committed (`on_commit`), so it is never the state of a
# transaction that rolled back. The check is kept as its JSON (what reading the stored row back
# gives), the cells as read. The explanations too: what the check reads of them (which warning,
# for which values) changes only through explanation_save, which moves the revision on too (a
# reviewer's verdict changes neither).
@dataclass(frozen=True)
class _State:
    revision: int
    updated_at: datetime
    cells: tuple[StoredCell, ...]
    explanations: tuple[Explained, ...]
    check_json: str  # basis, findings, progress of the stored check, as MaterialCheck's JSON columns
    # Last year's material as the save read it under the lock (previous_submission), only read here.
    previous: Submission | None

    def check(self) -> MaterialCheck:
        data = json.loads(self.check_json)
        return MaterialCheck(basis=data["basis"], findings=data["findings"], progress=data["progress"])


_STATES: dict[tuple[str, str, int], _State] = {}
# The materials being filled through one process at once (the deadline benchmark: 50 fillers over
# 3 workers), with room; some 100-200 KB each (cells, check), so 20-25 MB at most. The least
# recently saved goes first; its next save reads every cell again.
STATES_MAX = 128


def caches_clear() -> None:
    """Forget the cells and checks this process kept (tests: a database rolled back between tests
    reuses keys and revisions)."""
    with _CACHE_LOCK:
        _PREVIOUS_CELLS.clear()
        _STATES.clear()


def _state_key(pk: int) -> tuple[str, str, int]:
    alias = router.db_for_write(Submission)
    return (alias, str(connections[alias].settings_dict["NAME"]), pk)


def _cells_after(state: _State, pk: int, changed: Mapping[str, Collection[str]]) -> list[StoredCell]:
    """The material's cells now: the kept ones, with the cells of the `changed` items read again."""
    codes = {code for items in changed.values() for code in items}
    fresh = [c for c in material_cells(pk, codes=codes) if c.code in changed.get(c.form, ())]
    return [c for c in state.cells if c.code not in changed.get(c.form, ())] + fresh


def _keep_state(
    key: tuple[str, str, int],
    submission: Submission,
    previous: Submission | None,
    cells: Sequence[StoredCell],
    explanations: Sequence[Explained],
    check: MaterialCheck,
) -> None:
    revision, updated_at = submission.revision, submission.updated_at
    cells, explanations = tuple(cells), tuple(explanations)

    def keep() -> None:
        # Encoded once committed, not while the save holds the lock; the JSON MaterialCheck's
        # columns hold (no encoder): read back, it is what the row gives.
        state = _State(
            revision=revision,
            updated_at=updated_at,
            cells=cells,
            explanations=explanations,
            check_json=json.dumps(
                {"basis": check.basis, "findings": check.findings, "progress": check.progress}
            ),
            previous=previous,
        )
        with _CACHE_LOCK:  # threaded workers
            _STATES.pop(key, None)  # put back last: the dict's order is the order of the saves
            if len(_STATES) >= STATES_MAX:
                _STATES.pop(next(iter(_STATES)))  # the least recently saved
            _STATES[key] = state

    transaction.on_commit(keep, using=key[0])


def material_check(submission: Submission) -> MaterialCheck:
    """The current check of one material: the stored row when its basis still matches, else a new one."""
    stored = (
        MaterialCheck.objects.filter(submission_id=submission.pk)
        .annotate(current_revision=F("submission__revision"))
        .first()
    )
    # The revision as the database holds it now: the caller's instance may predate a save.
    if stored is not None:
        submission.revision = stored.current_revision
    else:
        submission.refresh_from_db(fields=["revision"])
    if stored is not None and stored.basis == basis_of(submission, previous_submission(submission)):
        submission.material_check = stored
        return stored
    return material_check_refresh(submission=submission)


def material_checks(
    submissions: Sequence[Submission], *, with_findings: bool = False
) -> dict[int, MaterialCheck]:
    """The current checks of many materials in a fixed number of queries (lists): stored rows are
    read as they are; only stale or missing ones are recomputed, together, and stored.

    Pass the submissions with `campaign`, `base__category`, `summary_definition` and
    `annex_definition` loaded, and, to save a query, `material_check` (with
    `defer("material_check__findings")` for a list). Without `with_findings` the (large) findings
    of rows not loaded yet are not read."""
    if not submissions:
        return {}
    stored: dict[int, MaterialCheck] = {}
    unread: list[int] = []
    for s in submissions:
        # Loaded with the submission (select_related("material_check")): no query of its own.
        if Submission.material_check.is_cached(s):
            if (cached := _cached_check(s)) is not None:
                stored[s.pk] = cached
        else:
            unread.append(s.pk)
    if unread:
        rows = MaterialCheck.objects.filter(submission_id__in=unread)
        if not with_findings:
            rows = rows.defer("findings")
        stored.update({c.submission_id: c for c in rows})
    previous = _previous_of(submissions)
    out: dict[int, MaterialCheck] = {}
    stale: list[Submission] = []
    for s in submissions:
        check = stored.get(s.pk)
        if check is not None and check.basis == basis_of(s, previous.get(s.pk)):
            out[s.pk] = check
        else:
            stale.append(s)
    if stale:
        out.update({c.submission_id: c for c in _recompute(stale, previous)})
    return out


def _cached_check(submission: Submission) -> MaterialCheck | None:
    try:
        return submission.material_check
    except MaterialCheck.DoesNotExist:  # select_related found no row
        return None


def _previous_of(submissions: Sequence[Submission]) -> dict[int, Submission]:
    """{submission pk: the base's material of the latest earlier campaign}, in one query."""
    years = {s.campaign.year for s in submissions}
    earlier: QuerySet[Submission] = (
        Submission.objects.filter(base__in={s.base_id for s in submissions}, campaign__year__lt=max(years))
        .select_related("campaign")
        .only("id", "base_id", "revision", "campaign__year")
        .order_by("-campaign__year")
    )
    candidates: dict[int, list[Submission]] = {}
    for p in earlier:
        candidates.setdefault(p.base_id, []).append(p)
    out: dict[int, Submission] = {}
    for s in submissions:
        found = next((p for p in candidates.get(s.base_id, ()) if p.campaign.year < s.campaign.year), None)
        if found is not None:
            out[s.pk] = found
    return out


def _recompute(stale: Sequence[Submission], previous: dict[int, Submission]) -> list[MaterialCheck]:
    values: dict[int, list[StoredCell]] = {}
    wanted = {s.pk for s in stale} | {p.pk for p in previous.values() if p is not None}
    for v in Value.objects.filter(submission_id__in=wanted).values_list(
        "submission_id", *CELL_COLUMNS, named=True
    ):
        values.setdefault(v.submission_id, []).append(v)
    explanations: dict[int, list[WarningExplanation]] = {}
    for e in WarningExplanation.objects.filter(submission_id__in=[s.pk for s in stale]):
        explanations.setdefault(e.submission_id, []).append(e)
    parsed_cache: dict[int, FormDefinition] = {}

    def parsed_of(definition: Any) -> FormDefinition:
        if definition.pk not in parsed_cache:
            parsed_cache[definition.pk] = definition.parsed()
        return parsed_cache[definition.pk]

    checks = []
    for s in stale:
        prior = previous.get(s.pk)
        checks.append(
            _compute(
                s,
                prior,
                values.get(s.pk, []),
                values.get(prior.pk, []) if prior is not None else [],
                explanations.get(s.pk, []),
                parsed_of,
            )
        )
    _store(checks)
    return checks


# --- reading a check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFinding:
    form: str
    finding: Finding
    explained: bool  # a warning with an explanation written for its current values

    @property
    def kind(self) -> Kind:
        return finding_kind(self.finding)


def checked_findings(
    check: MaterialCheck, *, form: str | None = None, section: str | None = None
) -> list[CheckedFinding]:
    """The findings of `check`; given a `form` and `section`, only that section's (the others are not
    decoded: an autosave's answer shows one section's)."""
    if form is None:
        return [CheckedFinding(*_deserialize(d)) for d in check.findings]
    return [
        CheckedFinding(*_deserialize(d))
        for d in check.findings
        if d["form"] == form and d["section"] == section
    ]


def findings_by_form(check: MaterialCheck, forms: Iterable[str] = ()) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {code: [] for code in forms}
    for c in checked_findings(check):
        out.setdefault(c.form, []).append(c.finding)
    return out


def check_counts(check: MaterialCheck) -> Counts:
    return Counts.of(check.counts)


def live_explanation_ids(check: MaterialCheck) -> frozenset[int]:
    """Explanations written for a warning the material still raises, with the values it raises it for."""
    return frozenset(check.counts.get("live_explanations", ()))


def material_findings(submission: Submission) -> dict[str, list[Finding]]:
    """Errors and warnings of every form of the material, by form code (from the current check)."""
    return findings_by_form(material_check(submission), [d.code for d in submission.definitions()])
