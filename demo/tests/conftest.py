"""Fixtures for the demo tests."""

from __future__ import annotations

import pytest
from django.conf import settings

from definitions.models import Definition
from definitions.services import definitions_load


@pytest.fixture
def forms_2022(db) -> list[Definition]:
    """The 2022 definitions, which a campaign needs loaded before it can open."""
    return definitions_load(directory=settings.BASE_DIR / "forms" / "2022")
