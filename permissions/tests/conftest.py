"""The shared cast by name, so a test can be parametrized over every role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

# The review tests' tiny form and ready-to-submit material, reused rather than copied.
from review.tests.conftest import material, media_root, open_campaign, ready, tiny  # noqa: F401

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


@pytest.fixture
def cast(request, db):
    """`cast(name)`: the user of the shared cast called `name` (`anonymous`: not logged in)."""

    def get(name: str):
        if name == "anonymous":
            return AnonymousUser()
        return request.getfixturevalue(name)

    return get
