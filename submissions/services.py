"""State changes of a base's material: starting it, saving values with history, explaining warnings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import event_record
from definitions.models import Definition
from definitions.schema import BaseProfile, Field, FormDefinition
from lib.rows import values_insert, values_update
from lib.text import char_count
from registry.models import Base, Campaign
from submissions.models import (
    DEFINITION_CONTENT,
    NOT_YEARLY,
    MaterialCheck,
    Submission,
    Value,
    ValueChange,
    WarningExplanation,
)
from submissions.sensitive import is_sensitive, mark_sensitive
from submissions.status import (
    PreparedCheck,
    material_check_refresh,
    material_findings,
    prepared_check_kept,
)

# Read helpers that moved to submissions.status, still importable from here.
from submissions.status import previous_submission as previous_submission
from submissions.status import profile_for as profile_for
from submissions.status import validation_input as validation_input
from submissions.status import values_by_form as values_by_form
from submissions.validation import (
    CurrencyError,
    Finding,
    convert_currency,
    currency_code,
    parse_value,
)

EXPLANATION_MAX = 500


def to_json(value: Any) -> Any:
    """Canonical values hold Decimals; JSON keeps them as strings so no digit is lost."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def definitions_for(campaign: Campaign, base: Base) -> tuple[Definition, Definition | None]:
    summary = Definition.objects.get(version=campaign.form_version, code="summary")
    annex = None
    if base.category.annex:
        annex = Definition.objects.filter(version=campaign.form_version, code=base.category.annex).first()
    return summary, annex


@transaction.atomic
def submission_start(*, campaign: Campaign, base: Base, user: User | None) -> Submission:
    """Get or create the base's material for the campaign, pre-filling history years from last year."""
    existing = Submission.objects.filter(campaign=campaign, base=base).first()
    if existing is not None:
        return existing
    if not campaign.bases.filter(pk=base.pk).exists():
        raise ValidationError("该示范基地不在本年度评价的参评名单中。")
    summary, annex = definitions_for(campaign, base)
    for definition in (summary, annex):
        if definition is not None and definition.frozen_at is None:
            definition.frozen_at = timezone.now()
            definition.save(update_fields=["frozen_at"])
    submission = Submission.objects.create(
        campaign=campaign, base=base, summary_definition=summary, annex_definition=annex, updated_by=user
    )
    _prefill_history(submission)
    _prefill_registry(submission)
    material_check_refresh(submission=submission)
    return submission


def registry_header(base: Base) -> dict[str, Any]:
    """Header items the registry already knows, as the filler would type them."""
    yes_no = {True: "是", False: "否"}
    return {
        "base_name": base.name,
        "batch": base.batch_label,
        "lead_industry": base.lead_industry,
        "sub_sectors": "、".join(base.sub_sectors or ()),
        "is_high_tech_zone": yes_no[base.is_high_tech_zone],
        "high_tech_zone_name": base.high_tech_zone_name,
        "is_econ_zone": yes_no[base.is_econ_zone],
        "econ_zone_name": base.econ_zone_name,
    }


def _prefill_registry(submission: Submission) -> None:
    """Fill the summary's header from the registry where last year's material left it empty; the
    filler can still correct it (the notice: 名称以工业和信息化部正式公布的名称为准)."""
    summary = submission.summary_definition.parsed()
    fields = summary.field_map()
    taken = set(submission.values.filter(form=summary.code, year=NOT_YEARLY).values_list("code", flat=True))
    now = timezone.now()
    rows = [
        Value(
            submission=submission, form=summary.code, code=code, year=NOT_YEARLY, raw=raw,
            value=_canonical(fields[code], raw, "")[0], updated_at=now, source=Value.Source.REGISTRY,
        )
        for code, raw in registry_header(submission.base).items()
        if code in fields and raw and code not in taken
    ]  # fmt: skip
    Value.objects.bulk_create(rows)
    ValueChange.objects.bulk_create(
        ValueChange(
            submission=submission, form=v.form, code=v.code, year=v.year, old_raw=None, new_raw=v.raw,
            revision=1, changed_at=now, source=Value.Source.REGISTRY,
        )
        for v in rows
    )  # fmt: skip


def _prefill_history(submission: Submission) -> None:
    """Copy last campaign's values for the years both campaigns ask for (e.g. 2020 and 2019).

    A field that a later version renamed is found through its `continues` code.
    """
    previous = previous_submission(submission)
    if previous is None:
        return
    history_years = set(submission.campaign.history_years)
    old = {(v.form, v.code, v.year): v for v in previous.values.filter(year__in=history_years)}
    now = timezone.now()
    rows: list[Value] = []
    for definition in submission.definitions():
        parsed = definition.parsed()
        for fld in parsed.fields():
            for year in parsed.years_for(fld, submission.campaign.data_year):
                if year not in history_years:
                    continue
                source = old.get((parsed.code, fld.code, year)) or (
                    old.get((parsed.code, fld.continues, year)) if fld.continues else None
                )
                if source is None or source.raw in (None, ""):
                    continue
                rows.append(
                    Value(
                        submission=submission,
                        form=parsed.code,
                        code=fld.code,
                        year=year,
                        raw=source.raw,
                        value=source.value,
                        entered_currency=source.entered_currency,
                        updated_at=now,
                        source=Value.Source.PREFILL,
                    )
                )
    Value.objects.bulk_create(rows)
    ValueChange.objects.bulk_create(
        ValueChange(
            submission=submission, form=v.form, code=v.code, year=v.year, old_raw=None, new_raw=v.raw,
            new_currency=v.entered_currency, revision=1, changed_at=now, source=Value.Source.PREFILL,
        )
        for v in rows
    )  # fmt: skip


@dataclass(frozen=True)
class CellChange:
    form: str
    code: str
    year: int
    raw: Any
    # The revision the user's page last saw; None means "I have not seen this cell" (a new cell).
    base_revision: int | None = None
    currency: str = ""
    force: bool = False  # the user saw the conflict and chose to keep their own value


@dataclass
class CellResult:
    form: str
    code: str
    year: int
    status: str  # saved | unchanged | conflict | rejected
    revision: int = 0
    error: str | None = None  # parse error shown at the field (the typed text is still kept)
    message: str = ""
    theirs: Any = None
    theirs_by: str = ""
    theirs_at: str = ""
    value: Any = None


@dataclass
class SaveResult:
    cells: list[CellResult] = field(default_factory=list)
    check: MaterialCheck | None = None  # the material's status after the save (submissions.status)

    @property
    def conflicts(self) -> list[CellResult]:
        return [c for c in self.cells if c.status == "conflict"]


def _field_for(
    submission: Submission,
    form: str,
    code: str,
    year: int,
    forms: dict[str, tuple[FormDefinition, dict[str, Field]]] | None = None,
    profile: BaseProfile | None = None,
) -> tuple[FormDefinition, Field]:
    """The item a change is for; `forms` and `profile` when the caller checks many changes at once."""
    forms = forms if forms is not None else _forms_of(submission)
    if form in forms:
        parsed, fields = forms[form]
        fld = fields.get(code)
        if fld is not None:
            allowed = parsed.years_for(fld, submission.campaign.data_year) if fld.is_yearly else [NOT_YEARLY]
            if year not in allowed:
                raise ValidationError(f"指标 {code} 不填报 {year} 年数据。")
            if parsed.status_for(fld, profile or profile_for(submission.base)) == "hidden":
                raise ValidationError(f"指标 {code} 不适用于本示范基地。")
            return parsed, fld
    raise ValidationError(f"报表 {form} 中没有指标 {code}。")


def _forms_of(submission: Submission) -> dict[str, tuple[FormDefinition, dict[str, Field]]]:
    out: dict[str, tuple[FormDefinition, dict[str, Field]]] = {}
    for definition in submission.definitions():
        parsed = definition.parsed()
        out.setdefault(parsed.code, (parsed, parsed.field_map()))
    return out


def _canonical(fld: Field, raw: Any, currency: str) -> tuple[Any, str | None]:
    parsed = parse_value(fld, raw)
    if parsed.error or parsed.value is None:
        return None, parsed.error
    if currency:
        try:
            code = currency_code(fld, currency)
        except CurrencyError as exc:
            return None, f"{exc}。"
        if code != "CNY":
            return to_json(convert_currency(fld, parsed.value, code)), None
    return to_json(parsed.value), None


_VALUE_COLUMNS = [
    "submission", "form", "code", "year",
    "raw", "value", "entered_currency", "revision", "updated_at", "updated_by", "source",
]  # fmt: skip
_CHANGE_COLUMNS = [
    "submission", "form", "code", "year", "old_raw", "new_raw", "old_currency", "new_currency", "revision",
    "changed_at", "changed_by", "source",
]  # fmt: skip

# What a save reads of the cells it is to write: whether they change, and who changed them last.
_EXISTING_COLUMNS = (
    "pk",
    "form",
    "code",
    "year",
    "raw",
    "value",
    "entered_currency",
    "revision",
    "updated_at",
    "updated_by",
)

# Up to how many changed cells a save checks the material again incrementally (submissions.status).
INCREMENTAL_MAX_CELLS = 40

# How many saved cells an audit event names (the value history holds every one of them anyway).
AUDIT_CELLS_LISTED = 200


def values_save(
    *,
    submission: Submission,
    user: User | None,
    changes: Sequence[CellChange],
    source: str = Value.Source.WEB,
    prepared: PreparedCheck | None = None,
) -> SaveResult:
    """Save cells (`_values_save`, in one transaction). A save of a few cells (an autosave) is
    checked first, before the save takes the material's lock, from what this process kept of the
    material (submissions.status.prepared_check_kept), so that under the lock the check is only
    stored: on SQLite every other writer waits while a transaction is open."""
    if prepared is None:
        prepared = _prepared_ahead(submission, changes)
    # Read before the lock too: material_check_refresh says why that is as safe as under it.
    previous = previous_submission(submission) if changes else None
    return _values_save(
        submission=submission, user=user, changes=changes, source=source, prepared=prepared, previous=previous
    )


def _prepared_ahead(submission: Submission, changes: Sequence[CellChange]) -> PreparedCheck | None:
    """The check of the material with `changes` written as given, or None where the save will check
    under the lock anyway: too many cells for the incremental check, a currency to convert, a cell the
    forms do not have or one stored encrypted (what the check reads of those is the save's to make)."""
    if not changes or len(changes) > INCREMENTAL_MAX_CELLS or not submission.is_editable:
        return None
    if not (
        Submission.summary_definition.is_cached(submission)
        and Submission.annex_definition.is_cached(submission)
    ):
        return None  # its definitions would be read here and again under the lock
    forms = _forms_of(submission)
    cells: dict[tuple[str, str, int], Any] = {}
    for change in changes:
        fld = forms[change.form][1].get(change.code) if change.form in forms else None
        if fld is None or change.currency or is_sensitive(fld):
            return None
        cells[(change.form, change.code, change.year)] = change.raw
    return prepared_check_kept(submission=submission, cells=cells)


_LOCKED_RELATED = ("campaign", "base", "summary_definition", "annex_definition")


def _locked(submission: Submission) -> Submission:
    """The material's row again, locked (select_for_update), with its campaign, base (and category)
    and definitions as the caller read them, when it did: this save locks none of them, so reading
    them again under the lock made them a few milliseconds fresher, not safe from change, and the
    joins' SQL was compiled while every other SQLite writer waited. Otherwise read with it."""
    caller = submission
    if all(getattr(Submission, name).is_cached(caller) for name in _LOCKED_RELATED) and (
        Base.category.is_cached(caller.base)
    ):
        locked = Submission.objects.select_for_update(of=("self",)).get(pk=caller.pk)
        if all(getattr(locked, f"{name}_id") == getattr(caller, f"{name}_id") for name in _LOCKED_RELATED):
            for name in _LOCKED_RELATED:
                setattr(locked, name, getattr(caller, name))
            return locked
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign", "base__category", "summary_definition", "annex_definition")
        .defer(*DEFINITION_CONTENT)
        .get(pk=caller.pk)
    )


@transaction.atomic
def _values_save(
    *,
    submission: Submission,
    user: User | None,
    changes: Sequence[CellChange],
    source: str,
    prepared: PreparedCheck | None,
    previous: Submission | None,
) -> SaveResult:
    """Save cells. A cell someone else changed since the user's page loaded is not overwritten:
    it is reported as a conflict with the other value, unless the user explicitly forces theirs.
    Text that does not parse is kept as typed (value None) and reported, so nothing typed is lost.

    `prepared`: the check of the material with these changes in place, computed by the caller
    before (submissions.status.PreparedCheck); stored instead of checking the material again when
    every change was written as given (none refused, none in conflict) and nothing else changed the
    material since the caller read it. `previous`: last year's material, read before the lock."""
    submission = _locked(submission)
    if source == Value.Source.WEB and not submission.is_editable:
        raise ValidationError(f"材料当前状态为“{submission.get_status_display()}”，不能修改。")
    now = timezone.now()
    # The material as locked, before this save (submissions.status reuses what it kept of it).
    since = (submission.revision, submission.updated_at)
    result = SaveResult()
    # A cell sent twice in one request (a client's retry merged with a newer edit) is saved once,
    # as its last value: two rows for one cell would break the one-value-per-cell constraint.
    changes = list({(c.form, c.code, c.year): c for c in changes}.values())
    existing = {
        (v.form, v.code, v.year): v
        for v in Value.objects.select_for_update(of=("self",))
        .filter(submission=submission, code__in={c.code for c in changes})
        .values_list(*_EXISTING_COLUMNS, named=True)
    }
    # Rows as plain tuples (lib.rows), in the order of _VALUE_COLUMNS / _CHANGE_COLUMNS: an import
    # brings hundreds of new cells at once, and a model instance for each was a fifth of its time.
    history: list[tuple[Any, ...]] = []
    created: list[tuple[Any, ...]] = []
    updated: list[tuple[Any, ...]] = []
    theirs: list[tuple[CellResult, Any]] = []
    user_id = user.pk if user is not None else None
    forms, profile = _forms_of(submission), profile_for(submission.base)
    for change in changes:
        try:
            _, fld = _field_for(submission, change.form, change.code, change.year, forms, profile)
        except ValidationError as exc:
            # One cell the form does not ask for (a stale edit kept by a browser, a tampered request)
            # must not block the others in the same request from being saved.
            result.cells.append(
                CellResult(
                    form=change.form, code=change.code, year=change.year, status="rejected",
                    message="；".join(exc.messages),
                )
            )  # fmt: skip
            continue
        value, error = _canonical(fld, change.raw, change.currency)
        # Phones and e-mails are stored encrypted (submissions/sensitive.py).
        raw, value = mark_sensitive(fld, change.raw), mark_sensitive(fld, value)
        cell = CellResult(form=change.form, code=change.code, year=change.year, status="saved", error=error)
        current = existing.get((change.form, change.code, change.year))
        if current is not None and current.raw == change.raw and current.entered_currency == change.currency:
            cell.status, cell.revision, cell.value = "unchanged", current.revision, current.value
            result.cells.append(cell)
            continue
        seen = change.base_revision or 0
        current_revision = current.revision if current is not None else 0
        if current_revision != seen and not change.force:
            cell.status = "conflict"
            cell.revision = current_revision
            cell.theirs = current.raw if current is not None else None
            if current is not None:
                theirs.append((cell, current))
            cell.message = "此项已被他人修改，请核对后选择保留哪一个值。"
            result.cells.append(cell)
            continue
        revision = current_revision + 1
        if current is None:
            created.append(
                (
                    submission.pk, change.form, change.code, change.year, raw, value, change.currency, revision,
                    now, user_id, source,
                )
            )  # fmt: skip
            old_raw, old_currency = None, ""
        else:
            updated.append((raw, value, change.currency, revision, now, user_id, source, current.pk))
            old_raw, old_currency = current.raw, current.entered_currency
        history.append(
            (
                submission.pk, change.form, change.code, change.year, old_raw, raw, old_currency, change.currency,
                revision, now, user_id, source,
            )
        )  # fmt: skip
        cell.revision, cell.value = revision, value
        result.cells.append(cell)
    if theirs:
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in={c.updated_by for _, c in theirs})}
        for cell, current in theirs:
            cell.theirs_by = names.get(current.updated_by, "")
            cell.theirs_at = timezone.localtime(current.updated_at).strftime("%m-%d %H:%M")
    # lib.rows rather than bulk_create/bulk_update: the ORM's per-object SQL compilation was most of
    # an import's time. Nothing here needs the new rows' keys.
    values_insert(Value, created, _VALUE_COLUMNS)
    values_update(Value, updated, _VALUE_COLUMNS[4:])
    if history:
        values_insert(ValueChange, history, _CHANGE_COLUMNS)
        submission.updated_at, submission.updated_by = now, user
        submission.revision += 1
        submission.save(update_fields=["updated_at", "updated_by", "revision"])
        changed: dict[str, set[str]] = {}
        for h in history:
            changed.setdefault(h[1], set()).add(h[2])
        # An autosave changes a few cells: only what they affect is checked again. An import changes
        # most of the form, where reading the stored check to merge with costs more than it saves.
        incremental = len(history) <= INCREMENTAL_MAX_CELLS
        result.check = material_check_refresh(
            submission=submission,
            changed=changed if incremental else None,
            since=since,
            previous=previous,
            prepared=prepared
            if prepared is not None and _wrote_prepared(prepared, changes, result)
            else None,
        )
        # One event per save (an autosave request carries a batch of cells), in its transaction.
        event_record(
            actor=user,
            action="values.save",
            summary=f"{submission.base.name}：保存 {len(history)} 项数值",
            target=submission,
            base=submission.base,
            data={
                "count": len(history),
                "source": source,
                "cells": [[h[1], h[2], h[3], h[8]] for h in history[:AUDIT_CELLS_LISTED]],
            },
        )
    return result


def _wrote_prepared(prepared: PreparedCheck, changes: Sequence[CellChange], result: SaveResult) -> bool:
    """Whether the material now holds exactly the prepared cells where the save was asked to write:
    every change as given (in 人民币, no currency to convert), saved or already so, none refused or
    in conflict."""
    if len(changes) != len(prepared.cells) or any(
        c.status not in ("saved", "unchanged") for c in result.cells
    ):
        return False
    for change in changes:
        key = (change.form, change.code, change.year)
        if change.currency or key not in prepared.cells or not _same_raw(prepared.cells[key], change.raw):
            return False
    return True


def _same_raw(a: Any, b: Any) -> bool:
    """The same input as stored: 1, 1.0 and True are equal in Python but not in JSON."""
    return a is b or json.dumps(a, ensure_ascii=False, default=str) == json.dumps(
        b, ensure_ascii=False, default=str
    )


@transaction.atomic
def explanation_save(
    *, submission: Submission, user: User, form: str, finding_key: str, text: str
) -> WarningExplanation:
    """Store the base's explanation of a current warning, with the values it explains."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign", "base__category", "summary_definition", "annex_definition")
        .get(pk=submission.pk)
    )
    if not submission.is_editable:
        raise ValidationError(f"材料当前状态为“{submission.get_status_display()}”，不能修改。")
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写情况说明。")
    if (count := char_count(text)) > EXPLANATION_MAX:
        raise ValidationError(f"情况说明不能超过{EXPLANATION_MAX}字（当前{count}字）。")
    finding = next(
        (
            f
            for f in material_findings(submission).get(form, [])
            if f.key == finding_key and f.severity == "warning"
        ),
        None,
    )
    if finding is None:
        raise ValidationError("该预警已不存在，无需说明。")
    explanation, _ = WarningExplanation.objects.update_or_create(
        submission=submission,
        form=form,
        finding_key=finding_key,
        defaults={
            "message": finding.message,
            "explained_values": finding.values,
            "text": text,
            "written_at": timezone.now(),
            "written_by": user,
            "verdict": WarningExplanation.Verdict.PENDING,
            "verdict_comment": "",
            "verdict_at": None,
            "verdict_by": None,
        },
    )
    submission.revision += 1
    submission.save(update_fields=["revision"])
    material_check_refresh(submission=submission)
    event_record(
        actor=user,
        action="explanation.write",
        summary=f"{submission.base.name}：填写预警情况说明（{form}）",
        target=explanation,
        base=submission.base,
        data={"form": form, "finding": finding_key, "chars": count},
    )
    return explanation


def submission_findings(submission: Submission) -> dict[str, list[Finding]]:
    """Errors and warnings of every form of the material, against last campaign's figures (read from
    the stored check, submissions.status)."""
    return material_findings(submission)


def unexplained_warnings(submission: Submission, findings: dict[str, list[Finding]]) -> list[Finding]:
    """Warnings with no explanation, or whose explanation was written for other values."""
    explained = {(e.form, e.finding_key): e.explained_values for e in submission.explanations.all()}
    missing: list[Finding] = []
    for form, items in findings.items():
        for f in items:
            if f.severity != "warning":
                continue
            if explained.get((form, f.key)) != f.values:
                missing.append(f)
    return missing
