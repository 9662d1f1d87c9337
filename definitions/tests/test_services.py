"""Loading definitions from their files, updating them, and refusing changes once frozen."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from definitions.models import Definition, content_checksum
from definitions.schema import DefinitionError
from definitions.services import definition_freeze, definitions_load
from definitions.tests.conftest import FORMS_2022

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms_copy(tmp_path) -> Path:
    directory = tmp_path / "2022"
    shutil.copytree(FORMS_2022, directory)
    return directory


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_it_loads_every_form_of_the_version():
    loaded = definitions_load(directory=FORMS_2022)
    assert sorted(d.code for d in loaded) == [
        "annex1",
        "annex2",
        "annex3",
        "annex4",
        "annex5",
        "annex6",
        "summary",
    ]
    summary = Definition.objects.get(version="2022", code="summary")
    assert summary.title == "国家新型工业化产业示范基地发展情况汇总表（2022年版）"
    assert summary.checksum == content_checksum(summary.content)
    assert len(summary.checksum) == 64
    assert summary.parsed().field_map()["1.5"].currency.rate == 6.4515


def test_loading_again_changes_nothing():
    first = {d.code: (d.pk, d.checksum, d.updated_at) for d in definitions_load(directory=FORMS_2022)}
    second = {d.code: (d.pk, d.checksum, d.updated_at) for d in definitions_load(directory=FORMS_2022)}
    assert first == second
    assert Definition.objects.count() == 7


def test_an_unfrozen_definition_follows_its_file(forms_copy):
    definitions_load(directory=forms_copy)
    before = Definition.objects.get(code="summary").checksum
    edit(forms_copy / "summary.yaml", "label: 集群品牌国际影响力", "label: 集群品牌的国际影响力")
    definitions_load(directory=forms_copy)
    after = Definition.objects.get(code="summary")
    assert after.checksum != before
    assert after.parsed().field_map()["24.2"].label == "集群品牌的国际影响力"


def test_a_frozen_definition_refuses_changes(forms_copy):
    definitions_load(directory=forms_copy)
    summary = Definition.objects.get(code="summary")
    definition_freeze(definition=summary)
    checksum = summary.checksum
    edit(forms_copy / "summary.yaml", "label: 集群品牌国际影响力", "label: 集群品牌的国际影响力")
    with pytest.raises(DefinitionError, match="已冻结"):
        definitions_load(directory=forms_copy)
    summary.refresh_from_db()
    assert summary.checksum == checksum
    assert summary.parsed().field_map()["24.2"].label == "集群品牌国际影响力"


def test_a_frozen_definition_still_reloads_when_unchanged():
    definitions_load(directory=FORMS_2022)
    summary = Definition.objects.get(code="summary")
    frozen = definition_freeze(definition=summary).frozen_at
    definitions_load(directory=FORMS_2022)
    summary.refresh_from_db()
    assert summary.frozen_at == frozen
    assert definition_freeze(definition=summary).frozen_at == frozen


def test_a_broken_file_loads_nothing(forms_copy):
    edit(forms_copy / "summary.yaml", 'part_of: "1.1"', 'part_of: "9.9"')
    with pytest.raises(DefinitionError, match=r"summary\.yaml.*9\.9"):
        definitions_load(directory=forms_copy)
    assert Definition.objects.count() == 0


def test_file_name_must_match_code(forms_copy):
    (forms_copy / "annex6.yaml").rename(forms_copy / "datacenter.yaml")
    with pytest.raises(DefinitionError, match="与文件名不一致"):
        definitions_load(directory=forms_copy)


def test_version_must_match_directory(tmp_path):
    directory = tmp_path / "2024"
    directory.mkdir()
    shutil.copy(FORMS_2022 / "annex1.yaml", directory / "annex1.yaml")
    with pytest.raises(DefinitionError, match="与目录 2024 不一致"):
        definitions_load(directory=directory)


def test_invalid_yaml_is_named(forms_copy):
    (forms_copy / "annex2.yaml").write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"annex2\.yaml 无法读取"):
        definitions_load(directory=forms_copy)


def test_parsed_is_cached_per_instance():
    definitions_load(directory=FORMS_2022)
    summary = Definition.objects.get(code="summary")
    assert summary.parsed() is summary.parsed()


def test_command_loads_the_requested_version():
    out = StringIO()
    call_command("load_definitions", form_version="2022", stdout=out)
    assert "已加载 2022 版报表定义 7 个" in out.getvalue()
    assert Definition.objects.filter(version="2022").count() == 7


def test_command_loads_every_version_by_default(tmp_path):
    shutil.copytree(FORMS_2022, tmp_path / "2022")
    shutil.copytree(Path(__file__).parent / "forms" / "2023", tmp_path / "2023")
    out = StringIO()
    call_command("load_definitions", root=tmp_path, stdout=out)
    assert set(Definition.objects.values_list("version", flat=True)) == {"2022", "2023"}
    assert "2023 版报表定义 1 个" in out.getvalue()


def test_command_names_an_unknown_version():
    with pytest.raises(CommandError, match="未找到 1999 版报表定义目录"):
        call_command("load_definitions", form_version="1999")


def test_command_reports_a_frozen_change(forms_copy):
    definitions_load(directory=forms_copy)
    definition_freeze(definition=Definition.objects.get(code="annex6"))
    edit(forms_copy / "annex6.yaml", "label: 未来发展计划", "label: 发展计划")
    with pytest.raises(CommandError, match=r"2022 版报表定义加载失败.*已冻结"):
        call_command("load_definitions", root=forms_copy.parent, stdout=StringIO())
