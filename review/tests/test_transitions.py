"""Tests generated from the transition table (review.transitions.TABLE).

Every action × every state × our base and another authority's base, tried by every member of the
shared cast (and an anonymous visitor): against the service (allowed → the material moves to the
row's target and a Transition is recorded; refused → PermissionDenied for a wrong actor,
ValidationError otherwise, and nothing changed) and against the page that carries the action's
button (shown and enabled exactly when the service would go through).

The expectation is derived from the table and an independent statement of who stands in which
relation to which base (RELATION below), never from the code under test.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from lib.authz import Ask
from review.models import Transition
from review.services import (
    explanation_decide,
    ministry_accept,
    ministry_return,
    review_approve,
    review_return,
    submission_submit,
    transition_actions,
    transition_check,
)
from review.tests.conftest import make_ready, set_deadline
from review.transitions import BY_NAME, TABLE, Need
from submissions.models import Submission
from submissions.services import submission_start

CAST = (
    "filler",
    "other_filler",
    "reviewer",
    "other_reviewer",
    "ministry",
    "expert",
    "sysadmin",
    "secadmin",
    "auditor",
    "anonymous",
)
STATES = tuple(Submission.Status.values)
WHOSE = ("ours", "theirs")  # our base (湖南) and another authority's base (江苏)

# Who stands in each actor relation to each base's material: the shared cast's story, written out.
RELATION = {
    Ask.OWN_FILLER: {"ours": {"filler"}, "theirs": {"other_filler"}},
    Ask.AUTHORITY_REVIEWER: {"ours": {"reviewer"}, "theirs": {"other_reviewer"}},
    Ask.MINISTRY: {"ours": {"ministry"}, "theirs": {"ministry"}},
}

COMMENT = "请核实销售收入的统计口径。"

SERVICES: dict[str, Callable[..., object]] = {
    Transition.Action.SUBMIT: lambda s, u: submission_submit(submission=s, user=u),
    Transition.Action.RETURN: lambda s, u: review_return(submission=s, user=u, comment=COMMENT),
    Transition.Action.APPROVE: lambda s, u: review_approve(submission=s, user=u),
    Transition.Action.ACCEPT: lambda s, u: ministry_accept(submission=s, user=u),
    Transition.Action.MINISTRY_RETURN: lambda s, u: ministry_return(submission=s, user=u, comment=COMMENT),
}

# The page that carries each action's button, and the button's id.
PAGES = {
    Transition.Action.SUBMIT: ("review:submit", "submit-button"),
    Transition.Action.RETURN: ("review:detail", "return-button"),
    Transition.Action.APPROVE: ("review:detail", "approve-button"),
    Transition.Action.ACCEPT: ("review:ministry_detail", "accept-button"),
    Transition.Action.MINISTRY_RETURN: ("review:ministry_detail", "return-button"),
}


def test_every_action_has_a_service_and_a_page():
    assert set(SERVICES) == set(BY_NAME) == set(PAGES) == set(Transition.Action.values)
    for row in TABLE:
        assert row.actor in RELATION
        assert row.sources <= set(STATES) and row.target in STATES


def expected(action: str, who: str, whose: str, state: str) -> bool:
    row = BY_NAME[action]
    return who in RELATION[row.actor][whose] and state in row.sources


def button(html: str, button_id: str) -> str | None:
    """'enabled', 'disabled', or None when the page has no such button."""
    match = re.search(rf'<button[^>]*id="{button_id}"[^>]*>', html)
    if match is None:
        return None
    return "disabled" if " disabled" in match.group(0) else "enabled"


class Cast:
    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request

    def __call__(self, who: str):
        return AnonymousUser() if who == "anonymous" else self.request.getfixturevalue(who)


@pytest.fixture
def materials(open_campaign, base, other_base, filler, other_filler) -> dict[str, Submission]:
    """A ready material (no blockers, window open) for our base and for another authority's base."""
    return {
        "ours": make_ready(submission_start(campaign=open_campaign, base=base, user=filler), filler),
        "theirs": make_ready(
            submission_start(campaign=open_campaign, base=other_base, user=other_filler), other_filler
        ),
    }


def put_in(submission: Submission, state: str) -> Submission:
    """Arrange the state directly: the transitions into it are what the other cases test."""
    Submission.objects.filter(pk=submission.pk).update(status=state)
    submission.refresh_from_db()
    return submission


class _Rollback(Exception):
    pass


def attempt_allowed(action: str, submission: Submission, user) -> tuple[str, str | None]:
    """Run a service that should go through inside a savepoint rolled back afterwards, so the
    next member of the cast finds the material as it was; (outcome, status it moved to)."""
    outcome, status = "allowed", None
    try:
        with transaction.atomic():
            try:
                SERVICES[action](submission, user)
            except PermissionDenied:
                outcome = "denied"
            except ValidationError:
                outcome = "invalid"
            else:
                status = Submission.objects.get(pk=submission.pk).status
                recorded = Transition.objects.filter(submission=submission, action=action).count()
                if recorded != 1:
                    outcome = f"allowed with {recorded} transitions recorded"
            raise _Rollback
    except _Rollback:
        pass
    return outcome, status


def attempt_refused(action: str, submission: Submission, user, state: str) -> str:
    """Run a service that should refuse, with nothing around it to undo what it might change."""
    try:
        SERVICES[action](submission, user)
    except PermissionDenied:
        return "denied"
    except ValidationError:
        return "invalid"
    # It went through: put the material back for the rest of the walk, and report it.
    Transition.objects.filter(submission=submission).delete()
    put_in(submission, state)
    return "allowed"


@pytest.mark.parametrize("whose", WHOSE)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", [row.name for row in TABLE if row.name != Transition.Action.ACCEPT])
def test_service_and_page_follow_the_table(request, materials, action, state, whose):
    """(Accepting renders the signed PDF; it has its own, smaller walk below.)"""
    submission = put_in(materials[whose], state)
    cast = Cast(request)
    row = BY_NAME[action]
    url_name, button_id = PAGES[action]
    mismatches = []
    for who in CAST:
        user = cast(who)
        want = expected(action, who, whose, state)
        if want:
            outcome, status = attempt_allowed(action, submission, user)
            if (outcome, status) != ("allowed", row.target):
                mismatches.append(f"{who}: service {outcome} → {status}, expected {row.target}")
        else:
            refusal = "denied" if who not in RELATION[row.actor][whose] else "invalid"
            outcome = attempt_refused(action, submission, user, state)
            if outcome != refusal:
                mismatches.append(f"{who}: service {outcome}, expected {refusal}")
            if Submission.objects.get(pk=submission.pk).status != state:
                mismatches.append(f"{who}: a refused {action} changed the material")
            if Transition.objects.filter(submission=submission).exists():
                mismatches.append(f"{who}: a refused {action} recorded a transition")
        client = Client()
        if who != "anonymous":
            client.force_login(user)
        page = client.get(reverse(url_name, args=[submission.pk]))
        shown = button(page.content.decode(), button_id) if page.status_code == 200 else None
        if (shown == "enabled") != want:
            mismatches.append(f"{who}: page {url_name} shows {button_id} {shown}, service allows: {want}")
        if transition_check(action, user=user, submission=submission).allowed != want:
            mismatches.append(f"{who}: transition_check disagrees")
    assert Transition.objects.filter(submission=submission).count() == 0
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("whose", WHOSE)
@pytest.mark.parametrize("state", STATES)
def test_accept_follows_the_table(request, materials, state, whose):
    """The same walk for 受理, through the page's buttons and the checks; the service runs (with its
    signed PDF) once per allowed case and is refused for everyone else."""
    submission = put_in(materials[whose], state)
    cast = Cast(request)
    action = Transition.Action.ACCEPT
    for who in CAST:
        user = cast(who)
        want = expected(action, who, whose, state)
        client = Client()
        if who != "anonymous":
            client.force_login(user)
        page = client.get(reverse("review:ministry_detail", args=[submission.pk]))
        shown = button(page.content.decode(), "accept-button") if page.status_code == 200 else None
        assert (shown == "enabled") is want, (who, shown)
        if not want:
            wrong_actor = who not in RELATION[BY_NAME[action].actor][whose]
            with pytest.raises(PermissionDenied if wrong_actor else ValidationError):
                ministry_accept(submission=submission, user=user)
            assert Submission.objects.get(pk=submission.pk).status == state
    if state == Submission.Status.APPROVED:
        snapshot = ministry_accept(submission=submission, user=cast("ministry"))
        assert snapshot.submission.status == Submission.Status.ACCEPTED
        assert Transition.objects.filter(submission=submission, action=action).count() == 1


# --- each need, unmet: refused by the service, disabled or absent on the page, with the reason ----


@pytest.fixture
def late_draft(materials, open_campaign):
    set_deadline(open_campaign, base=open_campaign.base_deadline.replace(year=2020))
    return materials["ours"]


def test_submit_needs_the_window_open(client, filler, late_draft):
    available = transition_actions(filler, late_draft)[Transition.Action.SUBMIT]
    assert available.offered and available.fails(Need.WINDOW)
    with pytest.raises(ValidationError, match="截止"):
        submission_submit(submission=late_draft, user=filler)
    assert Submission.objects.get(pk=late_draft.pk).status == Submission.Status.DRAFT
    client.force_login(filler)
    assert (
        button(client.get(reverse("review:submit", args=[late_draft.pk])).content.decode(), "submit-button")
        is None
    )


def test_a_returned_material_answers_its_return_after_the_window(filler, late_draft):
    put_in(late_draft, Submission.Status.RETURNED)
    assert transition_check(Transition.Action.SUBMIT, user=filler, submission=late_draft).allowed
    assert submission_submit(submission=late_draft, user=filler).status == Submission.Status.SUBMITTED


def test_submit_needs_no_blockers(client, filler, material):
    available = transition_actions(filler, material)[Transition.Action.SUBMIT]
    assert available.fails(Need.NO_BLOCKERS) and available.reasons
    with pytest.raises(ValidationError) as refused:
        submission_submit(submission=material, user=filler)
    assert refused.value.messages == list(available.reasons)
    assert Submission.objects.get(pk=material.pk).status == Submission.Status.DRAFT
    client.force_login(filler)
    page = client.get(reverse("review:submit", args=[material.pk])).content.decode()
    assert button(page, "submit-button") is None
    assert "解决后才能提交" in page


def test_approve_needs_every_explanation_accepted(client, reviewer, filler, with_warning):
    submitted = submission_submit(submission=with_warning, user=filler)
    available = transition_actions(reviewer, submitted)[Transition.Action.APPROVE]
    assert available.offered and available.fails(Need.EXPLANATIONS_ACCEPTED)
    with pytest.raises(ValidationError, match="未认可"):
        review_approve(submission=submitted, user=reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("review:detail", args=[submitted.pk])).content.decode()
    assert button(page, "approve-button") == "disabled"
    assert available.reason in page  # the disabled button says why
    explanation_decide(explanation=submitted.explanations.get(), user=reviewer, accept=True)
    assert transition_check(Transition.Action.APPROVE, user=reviewer, submission=submitted).allowed
    assert review_approve(submission=submitted, user=reviewer).status == Submission.Status.APPROVED


@pytest.mark.parametrize(
    ("action", "state", "who", "service"),
    [
        (Transition.Action.RETURN, Submission.Status.SUBMITTED, "reviewer", review_return),
        (Transition.Action.MINISTRY_RETURN, Submission.Status.APPROVED, "ministry", ministry_return),
    ],
)
def test_a_return_needs_a_comment(request, materials, action, state, who, service):
    submission = put_in(materials["ours"], state)
    user = request.getfixturevalue(who)
    row = BY_NAME[action]
    assert set(row.needs) & {Need.COMMENT, Need.COMMENT_OR_FIELD_NOTE}
    assert transition_actions(user, submission)[action].allowed  # offered: the comment is typed later
    with pytest.raises(ValidationError, match="退回意见"):
        service(submission=submission, user=user, comment="  ")
    assert Submission.objects.get(pk=submission.pk).status == state
    assert not Transition.objects.filter(submission=submission).exists()
