"""What the tests of the stored status compare against: the check as computed from the database
alone, read through the ORM, with no cache, no incremental step and no prepared findings."""

from __future__ import annotations

from submissions.models import MaterialCheck, Submission
from submissions.status import _compute, previous_submission, stored_cells


def full_check(submission: Submission) -> MaterialCheck:
    submission = Submission.objects.get(pk=submission.pk)
    previous = previous_submission(submission)
    return _compute(
        submission,
        previous,
        stored_cells(submission.values.all()),
        stored_cells(previous.values.all()) if previous is not None else [],
        submission.explanations.all(),
    )


def assert_stored_is_full(submission: Submission) -> None:
    stored, full = MaterialCheck.objects.get(submission=submission), full_check(submission)
    assert stored.basis == full.basis
    assert stored.findings == full.findings
    assert stored.counts == full.counts
    assert stored.progress == full.progress
    assert stored.summary_fingerprint == full.summary_fingerprint
