"""Fixtures for the data-entry tests: the 2022 definitions loaded, and the base's 2022 material."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from definitions.models import Definition
from definitions.services import definitions_load
from registry.models import Base, Campaign
from submissions.models import Submission, Value
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


@pytest.fixture
def last_year(definitions, base, last_campaign) -> Submission:
    """The base's material of the year before (data year 2020): 1.1 for three years and a text, at
    revision 1."""
    summary = next(d for d in definitions if d.code == "summary")
    old = Submission.objects.create(campaign=last_campaign, base=base, summary_definition=summary, revision=1)
    for year, raw in ((2020, "900"), (2019, "800"), (2018, "700")):
        Value.objects.create(submission=old, form="summary", code="1.1", year=year, raw=raw, value=raw)
    Value.objects.create(submission=old, form="summary", code="13.1", year=0, raw="去年的文字")
    return old
