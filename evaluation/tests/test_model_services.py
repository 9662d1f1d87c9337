"""Loading the 2022 scoring model, checking it against the 汇总表, editing it with an audit trail."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from evaluation.models import ScoringModel
from evaluation.services import model_file, scoring_model_load, scoring_model_update


def test_the_2022_model_loads_with_its_checksum(scoring_model, campaign):
    assert scoring_model.version == "2022.1"
    assert len(scoring_model.checksum) == 64
    parsed = scoring_model.parsed()
    assert [d.name for d in parsed.dimensions] == [
        "产业实力",
        "质量效益",
        "创新驱动",
        "绿色集约安全",
        "融合发展",
        "发展环境",
    ]
    assert parsed.indicator_map()["profit_margin"].items == ("2.2", "1.1")
    assert Event.objects.filter(action="evaluation.model_load").count() == 1


def test_loading_the_same_file_again_changes_nothing(scoring_model, campaign, ministry):
    again = scoring_model_load(campaign=campaign, user=ministry)
    assert again.pk == scoring_model.pk
    assert ScoringModel.objects.count() == 1
    assert Event.objects.filter(action__startswith="evaluation.model").count() == 1


def test_an_unknown_item_code_is_refused(scoring_model, ministry, tmp_path):
    content = copy.deepcopy(scoring_model.content)
    content["dimensions"][0]["indicators"][0]["item"] = "99.9"
    with pytest.raises(ValidationError, match=r"99\.9"):
        scoring_model_update(model=scoring_model, content=content, user=ministry)


def test_an_edit_is_recorded_with_both_checksums(scoring_model, ministry):
    content = copy.deepcopy(scoring_model.content)
    content["dimensions"][0]["weight"] = 25
    old = scoring_model.checksum
    model = scoring_model_update(model=scoring_model, content=content, user=ministry)
    assert model.checksum != old
    event = Event.objects.get(action="evaluation.model_update")
    assert event.data == {"old_checksum": old, "new_checksum": model.checksum}
    assert event.actor == ministry


def test_a_frozen_model_is_not_edited(scoring_model, ministry):
    from django.utils import timezone

    ScoringModel.objects.filter(pk=scoring_model.pk).update(frozen_at=timezone.now())
    scoring_model.refresh_from_db()
    content = copy.deepcopy(scoring_model.content)
    content["dimensions"][0]["weight"] = 25
    with pytest.raises(ValidationError, match="冻结"):
        scoring_model_update(model=scoring_model, content=content, user=ministry)


def test_the_file_for_another_year_is_refused(definitions, campaign, ministry):
    campaign.year = 2023
    with pytest.raises(ValidationError, match="2022年度"):
        scoring_model_load(campaign=campaign, user=ministry, path=model_file(type("C", (), {"year": 2022})()))
