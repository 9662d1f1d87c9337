"""示范基地名称 against the registry: the notice says the name is the one MIIT published (以工业和信息化部
正式公布的国家新型工业化产业示范基地名称为准), and the registry holds that name. A name typed otherwise
is a warning of the notice's (填报要求), to correct or explain; width, dots and spaces do not count."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from definitions.schema import BaseProfile, DefinitionError, parse_definition
from registry.models import Base
from submissions.services import CellChange, values_save
from submissions.status import material_check
from submissions.validation import name_key, validate

SUMMARY = parse_definition(
    yaml.safe_load((Path(settings.BASE_DIR) / "forms" / "2022" / "summary.yaml").read_text(encoding="utf-8"))
)
OFFICIAL = "装备制造（工程机械）·湖南长沙经济技术开发区"


def name_findings(typed: str | None, official: str = OFFICIAL) -> list:
    profile = BaseProfile(category="equipment", official_name=official)
    values = {} if typed is None else {("base_name", 0): typed}
    findings = validate(definition=SUMMARY, profile=profile, data_year=2021, values=values)
    return [f for f in findings if f.field == "base_name"]


def test_a_name_other_than_the_published_one_is_a_warning_of_the_notice():
    [finding] = name_findings("长沙经开区")
    assert (finding.code, finding.severity, finding.source_label) == ("official_name", "warning", "填报要求")
    assert "“长沙经开区”与示范基地名录中工业和信息化部公布的名称" in finding.message
    assert f"“{OFFICIAL}”" in finding.message
    assert finding.values == {"base_name": "长沙经开区", "official": OFFICIAL}


@pytest.mark.parametrize(
    "typed",
    [
        OFFICIAL,
        "装备制造(工程机械)·湖南长沙经济技术开发区",  # half-width brackets
        "装备制造（工程机械）・湖南长沙经济技术开发区",  # a Japanese middle dot, as some IMEs type it
        "装备制造（工程机械）• 湖南长沙经济技术开发区",  # a bullet and a space
        " 装备制造（工程机械）.湖南长沙经济技术开发区 ",
    ],
)
def test_width_dots_and_spaces_do_not_count(typed):
    assert name_findings(typed) == []


def test_an_empty_name_is_left_to_the_required_check():
    assert [f.code for f in name_findings(None)] == ["required"]


def test_without_a_registry_name_nothing_is_compared():
    assert name_findings("随便写的名称", official="") == []


def test_name_key_is_what_is_compared():
    assert name_key("电子信息(集成电路)・ 无锡") == name_key("电子信息（集成电路）·无锡")
    assert name_key("电子信息·无锡") != name_key("电子信息·苏州")


def test_only_a_single_text_item_can_be_checked_against_the_registry():
    data = yaml.safe_load(
        (Path(settings.BASE_DIR) / "forms" / "2022" / "summary.yaml").read_text(encoding="utf-8")
    )
    first = data["sections"][1]["fields"][0]
    first["official_name"] = True
    with pytest.raises(DefinitionError, match="official_name 只能用于不分年度的文字指标"):
        parse_definition(data)


# --- in the material and on the page ----------------------------------------------------------


def _name_codes(submission) -> list[str]:
    return [f["code"] for f in material_check(submission).findings if f["field"] == "base_name"]


def test_the_material_starts_with_the_registry_name_and_no_warning(submission, base):
    assert submission.values.get(form="summary", code="base_name").raw == base.name
    assert _name_codes(submission) == []


def test_a_saved_other_name_is_warned_at_the_field_and_a_registry_correction_clears_it(
    client, submission, base, filler
):
    values_save(
        submission=submission,
        user=filler,
        changes=[CellChange(form="summary", code="base_name", year=0, raw="长沙经开区", force=True)],
    )
    assert _name_codes(submission) == ["official_name"]
    client.force_login(filler)
    url = reverse("submissions:section", args=[submission.pk, "summary", "基本信息"])
    html = client.get(url).content.decode()
    assert f"示范基地名称“长沙经开区”与示范基地名录中工业和信息化部公布的名称“{base.name}”不一致" in html

    # The ministry corrects the registry (its published name is the one typed): no save is needed.
    Base.objects.filter(pk=base.pk).update(name="长沙经开区")
    submission.base.refresh_from_db()
    assert _name_codes(submission) == []
    assert "与示范基地名录中工业和信息化部公布的名称" not in client.get(url).content.decode()
