"""Every named check, tried by every role of the shared cast against our base and other authorities'."""

from __future__ import annotations

import pytest

from permissions import checks
from permissions.tests.conftest import CAST
from submissions.models import Submission

# check -> the cast members it allows (every other member is refused).
USER_CHECKS = {
    "can_oversee": {"ministry"},
    "can_manage_registry": {"ministry"},
    "can_fill_own_base": {"filler", "other_filler"},
    "can_review_own_authority": {"reviewer", "other_reviewer"},
    "can_read_provincial_material": {"reviewer", "other_reviewer", "ministry"},
    "can_read_base_reports": {"filler", "other_filler", "expert"},
    "can_see_registry_list": {"filler", "other_filler", "reviewer", "other_reviewer", "ministry", "expert"},
    "can_review_assigned_bases": {"expert"},
    "can_manage_accounts": {"sysadmin"},
    "can_read_accounts": {"secadmin"},
    "can_read_audit": {"auditor"},
}


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("check", sorted(USER_CHECKS))
def test_user_check(cast, check, who):
    assert getattr(checks, check)(cast(who)) is (who in USER_CHECKS[check])


@pytest.mark.parametrize("check", sorted(USER_CHECKS))
def test_disabled_account_may_do_nothing(cast, check):
    for who in USER_CHECKS[check]:
        user = cast(who)
        user.is_active = False
        assert not getattr(checks, check)(user)


@pytest.fixture
def ours(campaign, base) -> Submission:
    return Submission(campaign=campaign, base=base)


@pytest.fixture
def theirs(campaign, other_base) -> Submission:
    return Submission(campaign=campaign, base=other_base)


# (check, whose material) -> allowed cast members
MATERIAL_CHECKS = {
    ("is_own_filler", "ours"): {"filler"},
    ("is_own_filler", "theirs"): {"other_filler"},
    ("is_authority_reviewer", "ours"): {"reviewer"},
    ("is_authority_reviewer", "theirs"): {"other_reviewer"},
    ("is_ministry", "ours"): {"ministry"},
    ("can_fill", "ours"): {"filler"},
    ("can_fill", "theirs"): {"other_filler"},
    ("can_upload_scan", "ours"): {"filler"},
    ("can_request_reopen", "theirs"): {"other_filler"},
}


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize(("check", "whose"), sorted(MATERIAL_CHECKS))
def test_material_check(request, cast, check, whose, who):
    submission = request.getfixturevalue(whose)
    assert getattr(checks, check)(cast(who), submission) is (who in MATERIAL_CHECKS[(check, whose)])


@pytest.mark.parametrize(
    "status", [Submission.Status.SUBMITTED, Submission.Status.APPROVED, Submission.Status.ACCEPTED]
)
def test_no_one_fills_material_out_of_the_bases_hands(cast, ours, status):
    ours.status = status
    for who in CAST:
        assert not checks.can_fill(cast(who), ours)


@pytest.mark.parametrize("who", CAST)
def test_authority_material_is_written_by_its_own_reviewer_only(cast, hunan, jiangsu, who):
    user = cast(who)
    assert checks.can_write_authority_material(user, hunan) is (who == "reviewer")
    assert checks.can_recommend_case(user, jiangsu) is (who == "other_reviewer")


@pytest.mark.parametrize("who", CAST)
def test_reminders_follow_the_authority_scope(cast, hunan, jiangsu, who):
    user = cast(who)
    assert checks.can_remind(user, hunan) is (who in {"reviewer", "ministry"})
    assert checks.can_remind(user, jiangsu) is (who in {"other_reviewer", "ministry"})
    assert checks.can_remind(user, None) is (who == "ministry")


# --- the material's transitions: the named checks say what the transition table says ---------------

TRANSITION_CHECKS = {
    # check -> (the state it is tried in, the cast members it allows on our base's ready material)
    "can_submit": (Submission.Status.DRAFT, {"filler"}),
    "can_return": (Submission.Status.SUBMITTED, {"reviewer"}),
    "can_approve": (Submission.Status.SUBMITTED, {"reviewer"}),
    "can_accept": (Submission.Status.APPROVED, {"ministry"}),
    "can_ministry_return": (Submission.Status.ACCEPTED, {"ministry"}),
}


@pytest.mark.parametrize("check", sorted(TRANSITION_CHECKS))
def test_transition_checks_follow_the_table(cast, ready, check):
    state, allowed = TRANSITION_CHECKS[check]
    Submission.objects.filter(pk=ready.pk).update(status=state)
    ready.refresh_from_db()
    for who in CAST:
        assert getattr(checks, check)(cast(who), ready) is (who in allowed), who
