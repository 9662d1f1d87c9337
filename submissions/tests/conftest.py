"""Fixtures for the data-entry tests: the 2022 definitions loaded, and the base's 2022 material."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from definitions.models import Definition
from definitions.services import definitions_load
from registry.models import Base, Campaign
from submissions.models import Submission
from submissions.services import submission_start

FORMS_2022 = Path(settings.BASE_DIR) / "forms" / "2022"


@pytest.fixture
def definitions(db) -> list[Definition]:
    return definitions_load(directory=FORMS_2022)


@pytest.fixture
def submission(definitions, campaign: Campaign, base: Base, filler) -> Submission:
    return submission_start(campaign=campaign, base=base, user=filler)


@pytest.fixture
def other_submission(definitions, campaign: Campaign, other_base: Base, other_filler) -> Submission:
    return submission_start(campaign=campaign, base=other_base, user=other_filler)
