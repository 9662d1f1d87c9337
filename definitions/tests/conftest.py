from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from definitions.models import Definition
from definitions.schema import FormDefinition
from definitions.services import definitions_load

FORMS_2022 = Path(settings.BASE_DIR) / "forms" / "2022"
FIXTURE_FORMS = Path(__file__).parent / "forms"


@pytest.fixture
def loaded_2022(db) -> dict[str, Definition]:
    return {d.code: d for d in definitions_load(directory=FORMS_2022)}


@pytest.fixture
def forms_2022(loaded_2022) -> dict[str, FormDefinition]:
    return {code: d.parsed() for code, d in loaded_2022.items()}


@pytest.fixture
def summary(forms_2022) -> FormDefinition:
    return forms_2022["summary"]
