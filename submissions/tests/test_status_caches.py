"""What submissions.status keeps per process between saves: last year's cells (by that material's
revision) and this year's cells and check as the last save left them. Each is taken only where it
is exactly what reading the database gives; a change of last year's material, another writer or a
rolled-back save is seen."""

from __future__ import annotations

import pytest
from django.db import transaction

import submissions.status as status_module
from security.fields import Sensitive
from submissions.models import Submission, Value
from submissions.services import CellChange, explanation_save, submission_start, values_save
from submissions.status import (
    material_cells,
    previous_cells,
    previous_submission,
    stored_cells,
)
from submissions.tests.checks import assert_stored_is_full


def _key(cell) -> tuple[str, str, int]:
    return (cell.form, cell.code, cell.year)


def _same_cells(a, b) -> None:
    a, b = sorted(a, key=_key), sorted(b, key=_key)
    assert a == b
    for x, y in zip(a, b, strict=True):  # the same types too: 1 and "1" differ in a fingerprint
        assert (type(x.raw), type(x.value)) == (type(y.raw), type(y.value)), _key(x)


@pytest.fixture
def material(last_year, campaign, base, filler) -> Submission:
    return submission_start(campaign=campaign, base=base, user=filler)


# --- reading the cells ------------------------------------------------------------------------------


def test_material_cells_reads_what_the_orm_reads(material, filler):
    contacts = [{"name": "王主任", "mobile": "13812345678", "email": "wang@example.com"}]
    values_save(
        submission=material,
        user=filler,
        changes=[
            CellChange(form="summary", code="contacts", year=0, raw=contacts),  # phones: tokens
            CellChange(form="summary", code="1.1", year=2021, raw="1,250.5"),
            CellChange(form="summary", code="1.2", year=2021, raw="约三十"),  # kept as typed, no value
            CellChange(form="summary", code="1.3", year=2021, raw="12", currency="USD"),
        ],
    )
    odd = [None, 12, 2.5, True, "", 'a "quoted"\\ text', ["x", {"k": None}], {"answer": False, "note": "无"}]
    for i, raw in enumerate(odd):
        Value.objects.create(submission=material, form="summary", code=f"odd{i}", year=0, raw=raw, value=raw)
    read = material_cells(material.pk)
    _same_cells(read, stored_cells(material.values.all()))
    mobile = next(c for c in read if c.code == "contacts").raw[0]["mobile"]
    assert mobile == "13812345678" and isinstance(mobile, Sensitive)
    only = material_cells(material.pk, codes={"1.1", "odd3"})
    _same_cells(only, stored_cells(material.values.filter(code__in=["1.1", "odd3"])))


# --- last year's cells ------------------------------------------------------------------------------


def test_last_years_cells_are_kept_once_read_and_committed(
    material, last_year, django_capture_on_commit_callbacks, django_assert_num_queries
):
    previous = previous_submission(material)
    assert previous is not None and previous.pk == last_year.pk
    with django_capture_on_commit_callbacks(execute=True):
        first = previous_cells(previous)
    _same_cells(first, stored_cells(last_year.values.all()))
    with django_assert_num_queries(0):
        again = previous_cells(previous)
    assert again == first


def test_a_change_of_last_years_material_is_seen(
    material, last_year, filler, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="2000")],
        )
    assert len(status_module._PREVIOUS_CELLS) == 1
    # Last year's material reopened and changed through the service: a new revision.
    with django_capture_on_commit_callbacks(execute=True):
        values_save(
            submission=last_year,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2020, raw="950", base_revision=1)],
        )
    previous = previous_submission(material)
    assert previous is not None and previous.revision == 2
    assert {_key(c): c.raw for c in previous_cells(previous)}[("summary", "1.1", 2020)] == "950"
    # The material's next save checks it against last year's material at its new revision.
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="2100", base_revision=1)],
        )
    assert result.check is not None and result.check.basis["previous"] == [last_year.pk, 2]
    assert_stored_is_full(material)


def test_last_years_cells_read_at_another_revision_are_not_kept(
    material, last_year, django_capture_on_commit_callbacks
):
    previous = previous_submission(material)
    assert previous is not None
    # A save of last year's material commits between reading its revision and its cells.
    Submission.objects.filter(pk=last_year.pk).update(revision=previous.revision + 1)
    Value.objects.filter(submission=last_year, code="1.1", year=2020).update(raw="950")
    with django_capture_on_commit_callbacks(execute=True):
        cells = previous_cells(previous)
    assert {_key(c): c.raw for c in cells}[("summary", "1.1", 2020)] == "950"  # read, not kept
    assert not status_module._PREVIOUS_CELLS


def test_cells_read_in_a_transaction_that_rolls_back_are_not_kept(
    material, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        previous_cells(previous_submission(material))
        raise RuntimeError
    assert not status_module._PREVIOUS_CELLS


# --- this year's cells and check, as the last save left them ---------------------------------------


def _full_reads(monkeypatch) -> list[object]:
    calls: list[object] = []
    real = status_module.material_cells

    def spy(pk, *, codes=None):
        calls.append(codes)
        return real(pk, codes=codes)

    monkeypatch.setattr(status_module, "material_cells", spy)
    return calls


def test_the_next_save_reads_again_only_the_cells_it_wrote(
    material, filler, monkeypatch, django_capture_on_commit_callbacks
):
    reads = _full_reads(monkeypatch)
    revision = 0
    for raw in ("100", "120", "130"):
        with django_capture_on_commit_callbacks(execute=True):
            result = values_save(
                submission=material,
                user=filler,
                changes=[CellChange(form="summary", code="1.1", year=2021, raw=raw, base_revision=revision)],
            )
        revision = result.cells[0].revision
        assert_stored_is_full(material)
    # The first save read every cell; the next two only 1.1's (and last year's once).
    assert [r for r in reads if r is not None] == [{"1.1"}, {"1.1"}]
    assert reads.count(None) == 2  # this year's material once, last year's once


def test_a_save_elsewhere_is_seen(material, filler, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="100")],
        )
    # Another process saves (its commit does not reach this process's cache).
    values_save(
        submission=material,
        user=filler,
        changes=[CellChange(form="summary", code="1.2", year=2021, raw="80")],
    )
    reads = _full_reads(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="90", base_revision=1)],
        )
    assert None in reads  # the kept state is of a revision before: every cell read again
    assert_stored_is_full(material)
    cells = {_key(c): c.raw for c in material_cells(material.pk)}
    assert (cells[("summary", "1.1", 2021)], cells[("summary", "1.2", 2021)]) == ("90", "80")


def test_a_save_rolled_back_is_not_kept(material, filler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="100")],
        )
    kept = dict(status_module._STATES)
    assert len(kept) == 1
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="120", base_revision=1)],
        )
        raise RuntimeError
    assert kept == status_module._STATES
    (state,) = kept.values()
    material.refresh_from_db()
    assert (state.revision, state.updated_at) == (material.revision, material.updated_at)


def test_an_explanation_written_between_kept_saves_is_seen(
    material, filler, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="2000")],
        )
    assert result.check is not None
    warning = next(d for d in result.check.findings if d["severity"] == "warning")
    with django_capture_on_commit_callbacks(execute=True):
        explanation_save(
            submission=material,
            user=filler,
            form=warning["form"],
            finding_key=warning["key"],
            text="新产线投产。",
        )
    reads = _full_reads(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.2", year=2021, raw="80")],
        )
    assert None in reads  # the explanation moved the revision on: the kept state is not taken
    assert_stored_is_full(material)
    assert result.check is not None
    assert next(d for d in result.check.findings if d["key"] == warning["key"])["explained"]
    # The next save starts from the kept state, explanation included.
    reads.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.2", year=2021, raw="85", base_revision=1)],
        )
    assert reads == [{"1.2"}]
    assert_stored_is_full(material)
    assert next(d for d in result.check.findings if d["key"] == warning["key"])["explained"]


def test_the_least_recently_saved_material_is_forgotten_first(
    material, other_submission, filler, other_filler, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(status_module, "STATES_MAX", 1)
    for submission, user, raw in ((material, filler, "100"), (other_submission, other_filler, "200")):
        with django_capture_on_commit_callbacks(execute=True):
            values_save(
                submission=submission,
                user=user,
                changes=[CellChange(form="summary", code="1.1", year=2021, raw=raw)],
            )
    assert [key[-1] for key in status_module._STATES] == [other_submission.pk]
    reads = _full_reads(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        values_save(
            submission=material,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="110", base_revision=1)],
        )
    assert None in reads  # forgotten: every cell read again, and the result is the same
    assert_stored_is_full(material)
    assert [key[-1] for key in status_module._STATES] == [material.pk]
