"""An autosave checks the material before it takes the material's lock (values_save,
submissions.status.prepared_check_kept), from what this process kept of it; under the lock the check
is only stored, and only when nothing else changed the material in between. What is stored is
always the check the database alone gives."""

from __future__ import annotations

import pytest

import submissions.services as services_module
import submissions.status as status_module
from submissions.models import DEFINITION_CONTENT, MaterialCheck, Submission, Value
from submissions.services import CellChange, values_save
from submissions.status import material_check
from submissions.tests.checks import assert_stored_is_full


def _as_the_page_reads_it(submission: Submission) -> Submission:
    """The material as the autosave view reads it (permissions.access_submission, with_definitions)."""
    return (
        Submission.objects.select_related(
            "campaign", "base__category", "base__authority", "summary_definition", "annex_definition"
        )
        .defer(*DEFINITION_CONTENT)
        .get(pk=submission.pk)
    )


def _save(submission, filler, code, raw, revision, capture, **extra):
    with capture(execute=True):
        result = values_save(
            submission=_as_the_page_reads_it(submission),
            user=filler,
            changes=[
                CellChange(form="summary", code=code, year=2021, raw=raw, base_revision=revision, **extra)
            ],
        )
    return result


def _saved_once_and_changed_again(submission, filler, capture) -> tuple[Submission, CellChange]:
    """1.1 of 2021 saved as 1000 (revision 1); then the material as the page reads it, and the next
    autosave of that cell (1100) it sends."""
    _save(submission, filler, "1.1", "1000", 0, capture)
    page = _as_the_page_reads_it(submission)
    return page, CellChange(form="summary", code="1.1", year=2021, raw="1100", base_revision=1)


def _correct_last_year(last_year, filler, capture) -> None:
    """Last year's material reopened and its 1.1 of 2020 corrected (900 → 950): revision 2."""
    with capture(execute=True):
        values_save(
            submission=last_year,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2020, raw="950", base_revision=1)],
        )


def _lock_watched(monkeypatch) -> list[bool]:
    """[True] while a save's transaction (`_values_save`, the lock) runs, else [False]."""
    inside = [False]
    locked = services_module._values_save

    def locked_spy(**kwargs):
        inside[0] = True
        try:
            return locked(**kwargs)
        finally:
            inside[0] = False

    monkeypatch.setattr(services_module, "_values_save", locked_spy)
    return inside


@pytest.fixture
def where_checked(monkeypatch) -> list[str]:
    """Whether each check of the material ran before the save's transaction or inside it."""
    seen: list[str] = []
    inside = _lock_watched(monkeypatch)
    compute = status_module._compute

    def compute_spy(*args, **kwargs):
        seen.append("under the lock" if inside[0] else "before the lock")
        return compute(*args, **kwargs)

    monkeypatch.setattr(status_module, "_compute", compute_spy)
    return seen


def test_an_autosave_checks_before_the_lock_and_stores_what_the_database_gives(
    submission, filler, where_checked, django_capture_on_commit_callbacks
):
    first = _save(submission, filler, "1.1", "100", 0, django_capture_on_commit_callbacks)
    # Nothing was kept of the material yet: the first save checks it under the lock.
    assert where_checked == ["under the lock"]
    revision = first.cells[0].revision
    for raw in ("120", "130", "-5", "约三十"):  # the last two raise an error and a type error
        where_checked.clear()
        result = _save(submission, filler, "1.1", raw, revision, django_capture_on_commit_callbacks)
        assert result.cells[0].status == "saved"
        assert where_checked == ["before the lock"]
        assert_stored_is_full(submission)
        revision = result.cells[0].revision
    stored = MaterialCheck.objects.get(submission=submission)
    assert any(f["field"] == "1.1" for f in stored.findings)


def test_the_next_autosave_still_starts_from_what_the_last_one_kept(
    submission, filler, where_checked, django_capture_on_commit_callbacks
):
    _save(submission, filler, "1.1", "100", 0, django_capture_on_commit_callbacks)
    for code, raw in (("1.2", "80"), ("1.1", "90"), ("1.2", "85"), ("1.1", "95")):
        current = Value.objects.filter(submission=submission, code=code, year=2021).first()
        seen = current.revision if current is not None else 0
        result = _save(submission, filler, code, raw, seen, django_capture_on_commit_callbacks)
        assert result.cells[0].status == "saved"
        assert where_checked[-1] == "before the lock"
        assert_stored_is_full(submission)


def test_a_save_in_between_leaves_the_check_made_before_it_unused(
    submission, filler, django_capture_on_commit_callbacks
):
    _save(submission, filler, "1.1", "100", 0, django_capture_on_commit_callbacks)
    page = _as_the_page_reads_it(submission)
    change = CellChange(form="summary", code="1.1", year=2021, raw="5", base_revision=1)
    ahead = services_module._prepared_ahead(page, [change])
    assert ahead is not None
    # Someone else saves another cell of the material first.
    _save(submission, filler, "1.2", "80", 0, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(submission=page, user=filler, changes=[change], prepared=ahead)
    assert result.cells[0].status == "saved"
    # The check made before the other save did not see 1.2; the stored one does.
    assert result.check is not None and result.check.findings != list(ahead.findings)
    assert_stored_is_full(submission)


def test_a_change_of_last_years_material_after_the_check_leaves_it_unused(
    last_year, submission, filler, where_checked, django_capture_on_commit_callbacks
):
    page, change = _saved_once_and_changed_again(submission, filler, django_capture_on_commit_callbacks)
    ahead = services_module._prepared_ahead(page, [change])
    assert ahead is not None and ahead.basis["previous"] == [last_year.pk, 1]
    # Last year's material changes (reopened and corrected) before the save takes its lock.
    _correct_last_year(last_year, filler, django_capture_on_commit_callbacks)
    where_checked.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(submission=page, user=filler, changes=[change], prepared=ahead)
    assert where_checked == ["under the lock"]
    assert result.check is not None and result.check.basis["previous"] == [last_year.pk, 2]
    assert_stored_is_full(submission)


def test_the_check_before_the_lock_asks_the_database_nothing(
    last_year, submission, filler, django_capture_on_commit_callbacks, django_assert_num_queries
):
    page, change = _saved_once_and_changed_again(submission, filler, django_capture_on_commit_callbacks)
    # Last year's material too is the one the last save read under its lock.
    with django_assert_num_queries(0):
        ahead = services_module._prepared_ahead(page, [change])
    assert ahead is not None and ahead.basis["previous"] == [last_year.pk, 1]


def test_last_years_material_changed_since_the_last_save_is_read_again_by_the_next(
    last_year, submission, filler, where_checked, django_capture_on_commit_callbacks
):
    first = _save(submission, filler, "1.1", "1000", 0, django_capture_on_commit_callbacks)
    _correct_last_year(last_year, filler, django_capture_on_commit_callbacks)
    where_checked.clear()
    result = _save(
        submission, filler, "1.1", "1100", first.cells[0].revision, django_capture_on_commit_callbacks
    )
    # Checked ahead against last year's material as the last save kept it, then again under the
    # lock against the material as this save read it: the stored check compares 2021 with 950.
    assert where_checked == ["before the lock", "under the lock"]
    assert result.check is not None and result.check.basis["previous"] == [last_year.pk, 2]
    assert_stored_is_full(submission)


def test_last_years_material_is_read_before_the_lock(
    last_year, submission, filler, monkeypatch, django_capture_on_commit_callbacks
):
    # No save locks last year's row: reading it while every other SQLite writer waits bought nothing.
    inside, reads = _lock_watched(monkeypatch), []
    read = services_module.previous_submission

    def read_spy(material):
        reads.append("under the lock" if inside[0] else "before the lock")
        return read(material)

    monkeypatch.setattr(services_module, "previous_submission", read_spy)
    monkeypatch.setattr(status_module, "previous_submission", read_spy)
    first = _save(submission, filler, "1.1", "1000", 0, django_capture_on_commit_callbacks)
    _save(submission, filler, "1.1", "1100", first.cells[0].revision, django_capture_on_commit_callbacks)
    assert reads and set(reads) == {"before the lock"}


def test_last_years_material_changed_while_a_save_runs_is_seen_by_the_next_reader(
    last_year, submission, filler, monkeypatch, django_capture_on_commit_callbacks
):
    first = _save(submission, filler, "1.1", "1000", 0, django_capture_on_commit_callbacks)
    read = services_module.previous_submission

    def read_then_corrected(material):
        previous = read(material)
        if material.pk == submission.pk:
            # Last year's material is corrected after this save read it, before it takes its lock.
            monkeypatch.setattr(services_module, "previous_submission", read)
            _correct_last_year(last_year, filler, django_capture_on_commit_callbacks)
        return previous

    monkeypatch.setattr(services_module, "previous_submission", read_then_corrected)
    result = _save(
        submission, filler, "1.1", "1100", first.cells[0].revision, django_capture_on_commit_callbacks
    )
    monkeypatch.undo()
    # The stored check says what it was computed against: last year's material at revision 1 ...
    assert result.check is not None and result.check.basis["previous"] == [last_year.pk, 1]
    # ... so the next page that reads the status computes it again against the correction.
    with django_capture_on_commit_callbacks(execute=True):
        check = material_check(
            Submission.objects.select_related("campaign", "base__category").get(pk=submission.pk)
        )
    assert check.basis["previous"] == [last_year.pk, 2]
    assert_stored_is_full(submission)


@pytest.mark.parametrize(
    "change",
    [
        CellChange(form="summary", code="1.1", year=2021, raw="12", currency="USD", base_revision=1),
        CellChange(form="summary", code="no-such-item", year=2021, raw="12"),
        CellChange(form="no-such-form", code="1.1", year=2021, raw="12"),
        CellChange(form="summary", code="contacts", year=0, raw=[{"name": "王", "mobile": "13812345678"}]),
    ],
    ids=["a currency to convert", "an item the form lacks", "a form the material lacks", "a phone"],
)
def test_what_the_save_must_make_itself_is_checked_under_the_lock(
    submission, filler, change, django_capture_on_commit_callbacks
):
    _save(submission, filler, "1.1", "100", 0, django_capture_on_commit_callbacks)
    assert services_module._prepared_ahead(_as_the_page_reads_it(submission), [change]) is None


def test_a_material_read_without_its_definitions_is_checked_under_the_lock(
    submission, filler, django_capture_on_commit_callbacks
):
    _save(submission, filler, "1.1", "100", 0, django_capture_on_commit_callbacks)
    bare = Submission.objects.select_related("campaign", "base__category").get(pk=submission.pk)
    change = CellChange(form="summary", code="1.1", year=2021, raw="110", base_revision=1)
    assert services_module._prepared_ahead(bare, [change]) is None


# --- the row under the lock ----------------------------------------------------------------------


def test_under_the_lock_the_material_keeps_what_the_page_read_of_its_campaign_base_and_forms(
    submission, filler, django_capture_on_commit_callbacks
):
    page = _as_the_page_reads_it(submission)
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(
            submission=page,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="100")],
        )
    locked = result.check.submission
    assert locked is not page and locked.revision == page.revision + 1
    assert (locked.campaign, locked.base, locked.summary_definition) == (
        page.campaign,
        page.base,
        page.summary_definition,
    )
    assert locked.base is page.base and locked.summary_definition is page.summary_definition


def test_a_material_read_without_them_or_before_its_forms_changed_gets_them_under_the_lock(
    submission, filler, definitions, django_capture_on_commit_callbacks
):
    bare = Submission.objects.get(pk=submission.pk)  # nothing related read
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(
            submission=bare,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="100")],
        )
    assert result.check is not None and result.check.submission.summary_definition.code == "summary"
    # The page read the material; then its annex was assigned another definition (an administrator
    # correcting the base's category): the save reads the material's forms as they are now.
    page = _as_the_page_reads_it(submission)
    other = next(d for d in definitions if d.code != "summary" and d.pk != page.annex_definition_id)
    Submission.objects.filter(pk=submission.pk).update(annex_definition=other)
    with django_capture_on_commit_callbacks(execute=True):
        result = values_save(
            submission=page,
            user=filler,
            changes=[CellChange(form="summary", code="1.1", year=2021, raw="110", base_revision=1)],
        )
    assert result.check is not None and result.check.submission.annex_definition == other
    assert_stored_is_full(submission)
