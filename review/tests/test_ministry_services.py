"""The ministry's side of the state machine as far as it touches the base's material."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from review.models import Snapshot
from review.services import ministry_accept, ministry_return, submission_submit
from review.tests.conftest import reload

pytestmark = pytest.mark.django_db


def test_the_ministry_accepts_approved_material_and_freezes_a_snapshot(approved, ministry):
    snapshot = ministry_accept(submission=approved, user=ministry)
    assert reload(approved).status == "accepted"
    assert snapshot.version == 1 and snapshot.pdf and len(snapshot.sha256) == 64
    assert {v["code"] for v in snapshot.data["values"]} >= {"1.1", "13.1"}


@pytest.mark.parametrize("who", ["filler", "other_filler", "reviewer", "other_reviewer", "expert"])
def test_nobody_else_may_accept_or_return(request, approved, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        ministry_accept(submission=approved, user=user)
    with pytest.raises(PermissionDenied):
        ministry_return(submission=approved, user=user, comment="x")
    assert reload(approved).status == "approved"


def test_submitted_material_is_not_accepted_before_the_preliminary_review(submitted, ministry):
    with pytest.raises(ValidationError):
        ministry_accept(submission=submitted, user=ministry)


def test_a_ministry_return_goes_back_to_the_base_and_comes_back_through_the_authority(
    approved, ministry, filler
):
    ministry_return(submission=approved, user=ministry, comment="请补充")
    s = reload(approved)
    assert s.status == "returned" and s.transitions.last().action == "ministry_return"
    submission_submit(submission=s, user=filler)
    assert reload(s).status == "submitted"


def test_an_accepted_material_corrected_and_accepted_again_makes_a_linked_version(
    approved, ministry, filler, reviewer
):
    from review.services import review_approve

    first = ministry_accept(submission=approved, user=ministry)
    ministry_return(submission=approved, user=ministry, comment="更正")
    submission_submit(submission=approved, user=filler)
    review_approve(submission=approved, user=reviewer)
    second = ministry_accept(submission=approved, user=ministry)
    assert second.version == 2 and second.previous == first
    assert Snapshot.objects.count() == 2
