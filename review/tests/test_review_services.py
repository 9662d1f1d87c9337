"""The authority's preliminary review: return (with field comments), explanation verdicts, approve."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from review.models import FieldComment, Notification
from review.queries import field_comments_for
from review.services import (
    FieldNote,
    explanation_decide,
    review_approve,
    review_return,
    submission_submit,
)
from review.tests.conftest import WARNING_KEY, cell, reload, rescan
from submissions.models import WarningExplanation

pytestmark = pytest.mark.django_db

OUTSIDERS = ["filler", "other_filler", "other_reviewer", "ministry", "expert"]


def test_the_reviewer_returns_with_a_comment_and_field_comments(committed, submitted, reviewer, filler):
    committed(
        review_return,
        submission=submitted,
        user=reviewer,
        comment="请核实销售收入。",
        field_notes=[
            FieldNote("summary", "1.1", 2021, "与统计局数据不一致"),
            FieldNote("summary", "13.1", 0, " "),
        ],
    )
    s = reload(submitted)
    assert s.status == "returned"
    t = s.transitions.last()
    assert (t.action, t.actor, t.comment) == ("return", reviewer, "请核实销售收入。")
    comments = field_comments_for(s)
    assert list(comments) == [("summary", "1.1", 2021)]  # the blank note is dropped
    assert comments[("summary", "1.1", 2021)][0].text == "与统计局数据不一致"
    assert Notification.objects.get(user=filler).subject == "材料已被退回"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_may_return(request, submitted, who):
    with pytest.raises(PermissionDenied):
        review_return(submission=submitted, user=request.getfixturevalue(who), comment="x")
    assert reload(submitted).status == "submitted"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_may_approve(request, submitted, who):
    with pytest.raises(PermissionDenied):
        review_approve(submission=submitted, user=request.getfixturevalue(who))
    assert reload(submitted).status == "submitted"


def test_a_return_needs_a_comment(submitted, reviewer):
    with pytest.raises(ValidationError):
        review_return(submission=submitted, user=reviewer, comment="  ")


def test_a_field_comment_alone_is_enough(submitted, reviewer):
    review_return(
        submission=submitted,
        user=reviewer,
        comment="",
        field_notes=[FieldNote("summary", "1.1", 2021, "请核实")],
    )
    assert reload(submitted).status == "returned"


def test_a_comment_on_an_unknown_field_is_refused_and_nothing_changes(submitted, reviewer):
    with pytest.raises(ValidationError):
        review_return(
            submission=submitted,
            user=reviewer,
            comment="x",
            field_notes=[FieldNote("summary", "99.9", 0, "x")],
        )
    assert reload(submitted).status == "submitted"
    assert not FieldComment.objects.exists()


def test_a_draft_can_be_neither_returned_nor_approved(ready, reviewer):
    with pytest.raises(ValidationError):
        review_return(submission=ready, user=reviewer, comment="x")
    with pytest.raises(ValidationError):
        review_approve(submission=ready, user=reviewer)


def test_the_reviewer_approves(submitted, reviewer):
    review_approve(submission=submitted, user=reviewer, comment="同意")
    s = reload(submitted)
    assert s.status == "approved"
    assert s.transitions.last().action == "approve"


def test_approved_material_cannot_be_returned_by_the_authority(approved, reviewer):
    with pytest.raises(ValidationError):
        review_return(submission=approved, user=reviewer, comment="x")


# --- explanations -----------------------------------------------------------------------------------


@pytest.fixture
def explained(with_warning, filler):
    submission_submit(submission=with_warning, user=filler)
    return with_warning.explanations.get()


def test_approve_is_refused_while_an_explanation_is_undecided(explained, reviewer):
    with pytest.raises(ValidationError) as exc:
        review_approve(submission=explained.submission, user=reviewer)
    assert "1 条预警说明未认可" in exc.value.messages[0]


def test_approve_is_refused_with_a_rejected_explanation(explained, reviewer):
    explanation_decide(explanation=explained, user=reviewer, accept=False, comment="理由不充分")
    with pytest.raises(ValidationError):
        review_approve(submission=explained.submission, user=reviewer)


def test_accepting_every_explanation_lets_the_reviewer_approve(explained, reviewer):
    explanation_decide(explanation=explained, user=reviewer, accept=True)
    e = WarningExplanation.objects.get(pk=explained.pk)
    assert (e.verdict, e.verdict_by) == ("accepted", reviewer)
    review_approve(submission=explained.submission, user=reviewer)
    assert reload(explained.submission).status == "approved"


def test_rejecting_needs_a_reason(explained, reviewer):
    with pytest.raises(ValidationError):
        explanation_decide(explanation=explained, user=reviewer, accept=False, comment="")
    assert WarningExplanation.objects.get(pk=explained.pk).verdict == "pending"


@pytest.mark.parametrize("who", ["filler", "other_filler", "other_reviewer", "expert"])
def test_nobody_else_may_decide_an_explanation(request, explained, who):
    with pytest.raises(PermissionDenied):
        explanation_decide(explanation=explained, user=request.getfixturevalue(who), accept=True)


def test_the_ministry_decides_only_on_approved_material(explained, ministry):
    with pytest.raises(ValidationError):
        explanation_decide(explanation=explained, user=ministry, accept=True)


def test_an_explanation_is_decided_only_while_submitted(with_warning, reviewer):
    explanation = with_warning.explanations.get()
    with pytest.raises(ValidationError):  # still a draft
        explanation_decide(explanation=explanation, user=reviewer, accept=True)


def test_a_rejected_explanation_whose_warning_was_corrected_no_longer_blocks(explained, reviewer, filler):
    submission = explained.submission
    explanation_decide(explanation=explained, user=reviewer, accept=False, comment="请核实数据")
    review_return(submission=submission, user=reviewer, comment="请核实1.1")
    cell(submission, filler, "1.1", 2021, "110")  # the jump was a typing error
    rescan(submission, filler)
    submission_submit(submission=submission, user=filler)
    assert WarningExplanation.objects.get(pk=explained.pk).verdict == "rejected"
    review_approve(submission=submission, user=reviewer)
    assert reload(submission).status == "approved"


def test_a_rejected_explanation_blocks_resubmission_until_it_is_revised(explained, reviewer, filler):
    from submissions.services import explanation_save

    submission = explained.submission
    explanation_decide(explanation=explained, user=reviewer, accept=False, comment="说明不具体")
    review_return(submission=submission, user=reviewer, comment="请补充说明")
    with pytest.raises(ValidationError, match="1 条预警说明未被审核认可"):
        submission_submit(submission=submission, user=filler)
    assert reload(submission).status == "returned"
    explanation_save(
        submission=submission, user=filler, form="summary", finding_key=WARNING_KEY, text="更具体的说明。"
    )
    submission_submit(submission=submission, user=filler)
    assert reload(submission).status == "submitted"


def test_an_explanation_rewritten_after_a_return_must_be_decided_again(explained, reviewer, filler):
    from submissions.services import explanation_save

    submission = explained.submission
    explanation_decide(explanation=explained, user=reviewer, accept=False, comment="说明不具体")
    review_return(submission=submission, user=reviewer, comment="请补充说明")
    explanation_save(
        submission=submission, user=filler, form="summary", finding_key=WARNING_KEY, text="更具体的说明。"
    )
    submission_submit(submission=submission, user=filler)
    assert WarningExplanation.objects.get(pk=explained.pk).verdict == "pending"
    with pytest.raises(ValidationError):
        review_approve(submission=submission, user=reviewer)
