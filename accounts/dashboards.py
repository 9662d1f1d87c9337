"""The home page's figures, one builder per role. Each builder runs a fixed number of queries."""

from __future__ import annotations

from typing import Any

from accounts.models import User


def dashboard_for(user: User) -> dict[str, Any]:
    return {"template": "accounts/home.html"}
