"""The bulk import validates a material once: the check its reading computed is stored by the save
(submissions.status.PreparedCheck) only when it is exactly what a full recomputation gives, and a
check prepared before the material changed is never stored."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError

import submissions.status as status_module
from exchange.excel_files import NamedFile
from exchange.excel_import import excel_import_apply, import_read
from exchange.excel_jobs import import_one
from exchange.tests.conftest import save
from exchange.tests.excel.conftest import filled, layout_cells, template_bytes
from lib.cells import cell_ref
from submissions.models import MaterialCheck, Submission, Value
from submissions.services import CellChange, explanation_save, submission_findings, values_save
from submissions.tests.checks import assert_stored_is_full


def _typed(rng: random.Random, item) -> object:
    if item.column == "note":
        return rng.choice([None, "详细情况说明。"])
    if rng.random() < 0.1:
        return None  # left empty: 必填 findings
    kind = item.type
    if kind == "choice":
        return item.choices[0]
    if kind == "yesno":
        return rng.choice(["是", "否"])
    if kind == "email":
        return "lianxi@example.cn"
    if kind == "phone":
        return "0731-88886666"
    if kind in ("text", "string"):
        return rng.choice(["示例名称", "示范基地的发展情况说明。"])
    if kind == "percent":
        return rng.choice([5, 45.5, 99])
    if kind == "rate":
        return rng.choice([-3.25, 5, 40])
    if kind == "count":
        return rng.choice([0, 1, 3, 12])
    return rng.choice([0, 8.5, 12, 100, 350.25, 2400])  # 同比 and 其中 findings between these


def _filled_everywhere(submission: Submission, seed: int) -> bytes:
    """The base's template with (nearly) every input typed, as a user sends it back."""
    rng = random.Random(seed)
    data = template_bytes(submission)
    cells = {}
    for sheet, item in layout_cells(submission, data).values():
        value = _typed(rng, item)
        if value is not None:
            cells[(sheet, cell_ref(item.row, item.col))] = value
    return filled(data, cells)


def _rows(reading) -> list[list]:
    return [
        [d.form, d.code, d.year, d.raw, d.seen_revision, d.current_revision, d.conflict]
        for d in reading.differences
    ]


@pytest.fixture
def carried(monkeypatch) -> list[int]:
    """How many times a save stored a prepared check."""
    calls: list[int] = []
    real = status_module._from_prepared
    monkeypatch.setattr(status_module, "_from_prepared", lambda *a: calls.append(1) or real(*a))
    return calls


@pytest.fixture
def last_year(forms_2022, base, filler, last_campaign) -> Submission:
    """长沙's material of the campaign before, for the history warnings and the check's basis."""
    summary = next(d for d in forms_2022 if d.code == "summary")
    old = Submission.objects.create(campaign=last_campaign, base=base, summary_definition=summary)
    for year, raw in ((2020, "90"), (2019, "80")):
        Value.objects.create(submission=old, form="summary", code="1.1", year=year, raw=raw, value=raw)
    return old


@pytest.mark.parametrize("which", ["submission", "other_submission"])
@pytest.mark.parametrize("conflict", [False, True])
def test_the_bulk_import_stores_the_check_its_reading_computed(
    request, which, conflict, carried, last_year, filler, ministry, monkeypatch
):
    submission = request.getfixturevalue(which)
    user = filler if which == "submission" else request.getfixturevalue("other_filler")
    save(submission, user, "summary", "1.1", 2021, "300")
    save(submission, user, "summary", "1.1", 2020, "100")
    warning = next(f for f in submission_findings(submission)["summary"] if f.severity == "warning")
    explanation_save(
        submission=submission, user=user, form="summary", finding_key=warning.key, text="新项目投产。"
    )
    data = _filled_everywhere(submission, seed=len(which) + conflict)
    if conflict:  # changed online after the download: the file's value is left out of the save
        save(submission, user, "summary", "1.2", 2021, "77")
    validated = []
    real = status_module.validate_with_progress
    monkeypatch.setattr(
        status_module, "validate_with_progress", lambda **kw: validated.append(1) or real(**kw)
    )

    outcome = import_one(NamedFile("模板.xlsx", data), ministry)

    assert outcome["status"] == ("partial" if conflict else "imported"), outcome
    assert carried == [1]
    assert len(validated) == len(submission.definitions())  # the material was validated once, for the reading
    assert_stored_is_full(submission)
    if conflict:
        assert submission.values.get(code="1.2", year=2021).raw == "77"


def test_a_check_prepared_before_an_online_change_is_not_stored(submission, filler, carried):
    reading = import_read(data=_filled_everywhere(submission, seed=1), submission=submission)
    untouched = next(
        (f, c, y) for (f, c, y, row, col) in layout_cells(submission)
        if row is None and col is None and y == 2021 and f == "summary"
        and not any((d.form, d.code, d.year) == (f, c, y) for d in reading.differences)
    )  # fmt: skip
    save(submission, filler, *untouched, "5")  # between the preview and the save
    rows = _rows(reading)
    excel_import_apply(submission=submission, user=filler, differences=rows, prepared=reading.check)
    assert carried == []
    assert submission.values.get(code=untouched[1], year=2021).raw == "5"
    assert_stored_is_full(submission)


def test_a_check_prepared_before_last_years_material_changed_is_not_stored(
    submission, filler, last_year, carried
):
    reading = import_read(data=_filled_everywhere(submission, seed=2), submission=submission)
    values_save(
        submission=last_year, user=filler,
        changes=[CellChange(form="summary", code="1.1", year=2020, raw="95", base_revision=1)],
    )  # fmt: skip
    rows = _rows(reading)
    excel_import_apply(submission=submission, user=filler, differences=rows, prepared=reading.check)
    assert carried == []
    assert_stored_is_full(submission)


def test_a_conflict_chosen_to_be_overwritten_is_checked_again(submission, filler, carried):
    data = _filled_everywhere(submission, seed=3)
    save(submission, filler, "summary", "1.2", 2021, "77")
    reading = import_read(data=data, submission=submission)
    [conflict] = reading.conflicts
    rows = _rows(reading)
    excel_import_apply(
        submission=submission, user=filler, differences=rows, overwrite=[conflict.key], prepared=reading.check
    )
    assert carried == []  # the save wrote a cell the prepared check left out
    assert submission.values.get(code="1.2", year=2021).raw != "77"
    assert_stored_is_full(submission)


def test_a_failed_apply_stores_nothing(submission, filler, carried):
    reading = import_read(data=_filled_everywhere(submission, seed=4), submission=submission)
    before = MaterialCheck.objects.get(submission=submission)
    first = reading.differences[0]
    save(submission, filler, first.form, first.code, first.year, "1")  # the previewed cell changed
    after_online = MaterialCheck.objects.get(submission=submission)
    rows = _rows(reading)
    with pytest.raises(ValidationError):
        excel_import_apply(submission=submission, user=filler, differences=rows, prepared=reading.check)
    assert carried == []
    stored = MaterialCheck.objects.get(submission=submission)
    assert stored.basis == after_online.basis != before.basis and stored.findings == after_online.findings
    assert_stored_is_full(submission)
