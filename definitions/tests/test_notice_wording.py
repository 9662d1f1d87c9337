"""What the pages badge as the notice's (填报要求, 指标说明, labels) is worded as in the notice.

The field's `hint` is shown as 填报要求 and its `explanation` as 通知原文; both must be the notice's own
words. Our help goes into `system_hint` (shown as 系统提示). Punctuation and spacing are ignored:
the notice mixes full- and half-width forms and its tables break lines mid-phrase.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from submissions import entry_html

FORMS = Path(__file__).resolve().parents[2] / "forms" / "2022"

# Labels the notice's table layout splits across cells (the rest of the phrase sits in the next line of
# the extracted text), and one label we extend to tell a table from its sibling text cell.
LABELS_SPLIT_BY_THE_TABLE = {
    "18.7": "近三年来，一般及较大事故起数得",
    "21.2": "示范基地提供的金融服务，以及金",
    "25.1t": "规划中设定的主要目标及进展情况",
}
# Columns that are ours, each shown with a 系统提示 of its own (annex1.yaml says why).
COLUMNS_NOT_IN_THE_NOTICE = {"annex1.yaml:project"}


def _bare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch for ch in text if not (ch.isspace() or ch == "*" or unicodedata.category(ch).startswith("P"))
    )


NOTICE = _bare((FORMS / "notice.txt").read_text(encoding="utf-8"))


def _fields(node: Any, file: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "code" in node and ("label" in node or "hint" in node):
            yield f"{file}:{node['code']}", node
        elif "key" in node and "label" in node:
            yield f"{file}:{node['key']}", node
        for value in node.values():
            yield from _fields(value, file)
    elif isinstance(node, list):
        for value in node:
            yield from _fields(value, file)


FIELDS = [
    pair
    for path in sorted(FORMS.glob("*.yaml"))
    for pair in _fields(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
]


def test_the_forms_have_fields_to_check() -> None:
    assert len(FIELDS) > 190


def _cases(key: str, *, items_only: bool = False) -> list[Any]:
    return [
        pytest.param(where, field, id=where)
        for where, field in FIELDS
        if field.get(key) and (not items_only or "code" in field)
    ]


# Column hints are shown as 系统提示 (the last test), so only an item's hint must be the notice's.
@pytest.mark.parametrize(("where", "field"), _cases("hint", items_only=True))
def test_a_hint_shown_as_the_notices_requirement_is_in_the_notice(where: str, field: dict[str, Any]) -> None:
    assert _bare(field["hint"]) in NOTICE, f"{where}：hint 不是通知原文，应改为 system_hint（系统提示）"


@pytest.mark.parametrize(("where", "field"), _cases("explanation"))
def test_a_note_shown_as_the_notices_text_is_in_the_notice(where: str, field: dict[str, Any]) -> None:
    assert _bare(field["explanation"]) in NOTICE, f"{where}：指标说明不是通知原文"


@pytest.mark.parametrize(("where", "field"), _cases("label"))
def test_a_label_is_worded_as_in_the_notice(where: str, field: dict[str, Any]) -> None:
    if where in COLUMNS_NOT_IN_THE_NOTICE:
        assert field.get("hint"), f"{where}：非通知所列栏目须附系统提示"
        return
    label = LABELS_SPLIT_BY_THE_TABLE.get(str(field.get("code")), field["label"])
    assert _bare(label) in NOTICE, f"{where}：标签“{field['label']}”与通知措辞不同"


@pytest.mark.parametrize(("where", "field"), _cases("evidence", items_only=True))
def test_an_evidence_requirement_is_in_the_notice(where: str, field: dict[str, Any]) -> None:
    assert _bare(field["evidence"]) in NOTICE, f"{where}：证明材料要求不是通知原文"


FORM_TEXTS = [
    pytest.param(path.name, key, text, id=f"{path.name}:{key}:{n}")
    for path in sorted(FORMS.glob("*.yaml"))
    for key in ("alerts", "notes")
    for n, text in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")).get(key) or [])
]


def test_the_forms_have_alerts_and_notes() -> None:
    assert {key for _, key, _ in (p.values for p in FORM_TEXTS)} == {"alerts", "notes"}


@pytest.mark.parametrize(("file", "key", "text"), FORM_TEXTS)
def test_a_forms_alerts_and_notes_quote_the_notice(file: str, key: str, text: str) -> None:
    # Shown as 填报要求 / 摘自工规函〔2022〕530号 (templates/submissions/_form_notes.html).
    assert _bare(text) in NOTICE, f"{file}：{key} “{text[:30]}…”不是通知原文"


def test_our_column_notes_are_not_labelled_as_the_notices() -> None:
    # Column hints render as 系统提示 (submissions.entry_html._colhead_html); a field hint as 填报要求.
    colhead = inspect.getsource(entry_html._colhead_html)
    assert "系统提示" in colhead and "填报要求" not in colhead
