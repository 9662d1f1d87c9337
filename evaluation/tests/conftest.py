"""Fixtures for the evaluation: the 2022 forms and scoring model, and scored material for the cast."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from definitions.services import definitions_load
from evaluation.services import scoring_model_load
from submissions.models import Submission, Value
from submissions.services import submission_start

FORMS_2022 = Path(settings.BASE_DIR) / "forms" / "2022"

# A complete-enough set of 2021/2020 figures; each base scales them so their scores differ.
FIGURES = {
    "1.1": (500, 450),
    "1.1a": (400, 360),
    "1.2": (520, 470),
    "1.3": (160, 150),
    "1.3a": (120, 110),
    "1.4": (900, 880),
    "1.4b": (300, 290),
    "1.6": (12, 11),
    "2.1": (20, 18),
    "2.2": (40, 35),
    "3.1": (15, 13),
    "3.2": (800, 700),
    "3.4": (6, 5),
    "4.1": (3000, 3000),
    "4.1a": (2000, 1900),
    "5.1": (0.5, 0.55),
    "5.2": (8, 9),
    "5.4": (90, 88),
    "6.1": (60000, 58000),
    "6.2": (6000, 5500),
    "6.3": (5, 5),
    "7.1": (200, 190),
    "7.2": (10, 8),
    "7.3": (1, 0),
    "9.1": (80, 75),
    "9.2": (120, 110),
    "9.3": (60, 55),
    "9.4": (30, 25),
    "10.1": (12, 11),
    "10.1a": (3, 3),
    "11.1": (5000, 4500),
    "8.1": (0, 1),
    "8.5": (95, 94),
}


def fill(submission: Submission, factor: float = 1.0, skip: tuple[str, ...] = (), **overrides) -> None:
    """Write figures straight into the material (the data-entry path is tested elsewhere)."""
    rows = []
    for code, (cur, prev) in FIGURES.items():
        if code in skip:
            continue
        for year, number in ((2021, cur), (2020, prev)):
            value = overrides.get(
                f"{code}:{year}",
                number * factor if code not in ("8.1", "8.5", "5.4", "9.1", "9.3") else number,
            )
            if value is None:
                continue
            rows.append(
                Value(
                    submission=submission,
                    form="summary",
                    code=code,
                    year=year,
                    raw=str(value),
                    value=str(value),
                )
            )
    Value.objects.filter(submission=submission, code__in=[r.code for r in rows]).delete()
    Value.objects.bulk_create(rows)


def set_status(submission: Submission, status: str) -> None:
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()


@pytest.fixture
def definitions(db):
    return definitions_load(directory=FORMS_2022)


@pytest.fixture
def scoring_model(definitions, campaign, ministry):
    return scoring_model_load(campaign=campaign, user=ministry)


@pytest.fixture
def materials(definitions, campaign, base, sibling_base, other_base, filler, other_filler):
    """长沙 (base), 株洲 (sibling) and 苏州 (other) filled and submitted; 长沙 biggest, 株洲 smallest."""
    subs = {}
    for b, factor in ((base, 1.2), (sibling_base, 0.8), (other_base, 1.0)):
        sub = submission_start(campaign=campaign, base=b, user=None)
        fill(sub, factor)
        set_status(sub, Submission.Status.SUBMITTED)
        subs[b.pk] = sub
    return subs
