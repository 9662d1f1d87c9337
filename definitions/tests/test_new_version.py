"""A new year's form is a new file: the 2023 fixture loads and is served without code changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from definitions.models import Definition
from definitions.services import definition_freeze, definitions_load
from definitions.tests.conftest import FIXTURE_FORMS

FORMS_2023 = FIXTURE_FORMS / "2023"


@pytest.fixture
def loaded_2023(db) -> Definition:
    (definition,) = definitions_load(directory=Path(FORMS_2023))
    return definition


def test_the_2023_summary_loads_next_to_2022(loaded_2022, loaded_2023):
    assert loaded_2023.version == "2023"
    assert Definition.objects.filter(code="summary").count() == 2
    assert loaded_2023.checksum != loaded_2022["summary"].checksum


def test_fields_added_removed_and_renamed(forms_2022, loaded_2023):
    old = forms_2022["summary"].field_map()
    new = loaded_2023.parsed().field_map()
    assert set(new) - set(old) == {"9.5", "1.7c"}
    assert set(old) - set(new) == {"9.1", "1.7b"}
    renamed = new["1.7c"]
    assert renamed.continues == "1.7b"
    assert renamed.part_of == "1.7a"
    assert renamed.label == "其中：技术改造投资额"
    assert {f.code: f.continues for f in new.values() if f.continues} == {"1.7c": "1.7b"}
    assert any(r.left == "1.7c" for r in loaded_2023.parsed().rules)


def test_freezing_2022_does_not_stop_2023(loaded_2022):
    for definition in loaded_2022.values():
        definition_freeze(definition=definition)
    (loaded,) = definitions_load(directory=FORMS_2023)
    assert loaded.frozen_at is None


def test_the_2023_summary_is_served_as_json(client, filler, loaded_2023):
    client.force_login(filler)
    response = client.get(reverse("definitions:definition_json", args=["2023", "summary"]))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "2023"
    assert body["checksum"] == loaded_2023.checksum
    labels = [f["label"] for s in body["definition"]["sections"] for f in s["fields"]]
    assert "工业互联网平台应用普及率" in labels
    assert "光纤入户（FTTO）企业占比" not in labels
    index = client.get(reverse("definitions:definition_index", args=["2023"])).json()
    assert [row["code"] for row in index["definitions"]] == ["summary"]
