"""Contacts (phones, e-mails) in a material read through the API: in full for the base's filler, its
authority's reviewer and the ministry; masked for experts, in the values and in the history."""

from __future__ import annotations

import copy

import pytest

from definitions.models import Definition, content_checksum
from review.tests.conftest import TINY_SUMMARY, cell

PHONE = "13812345678"
WITH_PHONE = copy.deepcopy(TINY_SUMMARY)
WITH_PHONE["sections"][1]["fields"].append({"code": "13.9", "label": "联系电话", "type": "phone"})


@pytest.fixture
def tiny(db) -> Definition:
    return Definition.objects.create(
        version="t",
        code="summary",
        title="测试汇总表",
        content=WITH_PHONE,
        checksum=content_checksum(WITH_PHONE),
    )


@pytest.fixture
def with_phone(material, filler):
    cell(material, filler, "13.9", 0, PHONE)
    return material


@pytest.mark.parametrize(
    ("who", "full"), [("filler", True), ("reviewer", True), ("ministry", True), ("expert", False)]
)
def test_contacts_are_masked_for_experts_only(api_as, with_phone, who, full):
    api = api_as(who)
    values = api.get(f"/submissions/{with_phone.pk}").json()["values"]
    raw = next(v["raw"] for v in values if v["code"] == "13.9")
    history = api.get(f"/submissions/{with_phone.pk}/history", code="13.9").json()["changes"]
    if full:
        assert raw == PHONE and history[0]["new_raw"] == PHONE
    else:
        assert PHONE not in str(values) and PHONE not in str(history)
        assert raw.startswith("138") and "*" in raw
        assert history[0]["new_raw"] == raw
