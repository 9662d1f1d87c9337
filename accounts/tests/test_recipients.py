"""Who is told about a unit: active_fillers and active_reviewers, the one place the notifications and
reminders ask."""

from __future__ import annotations

import pytest

from accounts.models import Role, active_fillers, active_reviewers
from conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_base_is_reached_through_its_active_fillers_only(filler, other_filler, base, reviewer):
    gone = make_user("gone", Role.BASE_FILLER, base=base, is_active=False)
    assert list(active_fillers(base)) == [filler]
    assert set(active_fillers()) == {filler, other_filler}
    assert gone not in active_fillers() and reviewer not in active_fillers()


def test_an_authority_is_reached_through_its_active_reviewers_only(reviewer, other_reviewer, hunan, filler):
    make_user("gone", Role.AUTHORITY_REVIEWER, authority=hunan, is_active=False)
    assert list(active_reviewers(hunan)) == [reviewer]
    assert set(active_reviewers()) == {reviewer, other_reviewer}
    assert filler not in active_reviewers()
