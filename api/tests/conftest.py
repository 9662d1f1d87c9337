"""Fixtures for the API tests: the review tests' tiny form and materials in each state, tokens for
the shared cast, and a client that calls the API with a token."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.services import token_create
from review.tests.conftest import (  # noqa: F401 (fixtures shared with the review tests)
    approved,
    material,
    media_root,
    open_campaign,
    other_material,
    ready,
    returned,
    submitted,
    tiny,
    with_warning,
)

CAST = [
    "filler",
    "other_filler",
    "reviewer",
    "other_reviewer",
    "ministry",
    "expert",
    "sysadmin",
    "secadmin",
    "auditor",
]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def make_token(user, scope: str = ApiToken.Scope.READ_WRITE, days: int = 30) -> str:
    _, raw = token_create(
        user=user,
        name=f"{user.username}-{scope}",
        scope=scope,
        expires_on=timezone.localdate() + dt.timedelta(days=days),
    )
    return raw


class Api:
    """A client that calls /api/v1/ with a bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.token is not None:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
        call = getattr(self.client, method.lower())
        return call(
            f"/api/v1{path}",
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )


@pytest.fixture
def api_as(request):
    """api_as("filler") or api_as(user, scope="read"): a client with a fresh token of that user."""

    def make(who, scope: str = ApiToken.Scope.READ_WRITE) -> Api:
        user = request.getfixturevalue(who) if isinstance(who, str) else who
        return Api(make_token(user, scope))

    return make
