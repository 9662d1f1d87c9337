"""The port lib.authz: services ask it, permissions answers; unanswered questions are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from lib import authz
from lib.authz import Ask
from permissions.checks import ANSWERS
from reports.services import report_save


@pytest.fixture
def unwired():
    """The process as it would be if the permissions app never loaded."""
    authz.unregister()
    yield
    authz.register(ANSWERS)


def test_every_question_is_answered_once_the_apps_are_ready():
    for ask in Ask:
        assert ask in ANSWERS


def test_registering_an_incomplete_answer_set_fails_loudly(ministry):
    partial = dict(ANSWERS)
    partial.pop(Ask.FILL)
    with pytest.raises(ValueError, match="fill"):
        authz.register(partial)
    assert authz.allows(Ask.MINISTRY, ministry)  # the complete set registered before still answers


def test_it_allows_what_the_check_allows(ministry, filler):
    assert authz.allows(Ask.MINISTRY, ministry)
    assert not authz.allows(Ask.MINISTRY, filler)


def test_it_refuses_everything_when_nothing_is_registered(unwired, ministry):
    assert not authz.allows(Ask.MINISTRY, ministry)
    with pytest.raises(PermissionDenied, match="不行"):
        authz.require(Ask.MINISTRY, ministry, message="不行")


def test_a_service_refuses_even_the_own_filler_when_unwired(unwired, filler, material):
    submission = material
    with pytest.raises(PermissionDenied):
        report_save(
            submission=submission,
            user=filler,
            revision=0,
            overview="",
            highlights=[],
            practices=[],
            problems="",
        )
