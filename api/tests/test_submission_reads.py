"""A base's material through the API: the list, one material with its values and ETag, its history
and its status (findings, counts, blockers, actions), each only within the caller's scope."""

from __future__ import annotations

import pytest

from review.tests.conftest import GOOD, cell, make_ready
from submissions.services import submission_start

# Who sees 长沙's material (`material`, base) and 苏州's (`other_material`, other_base).
SEES = {
    "filler": (True, False),
    "other_filler": (False, True),
    "reviewer": (True, False),
    "other_reviewer": (False, True),
    "ministry": (True, True),
    "expert": (True, False),
}


@pytest.fixture
def sibling_material(open_campaign, sibling_base):
    return submission_start(campaign=open_campaign, base=sibling_base, user=None)


@pytest.mark.parametrize("who", SEES)
@pytest.mark.parametrize("path", ["", "/history", "/status"])
def test_material_is_read_within_scope_and_404_outside(api_as, material, other_material, who, path):
    api = api_as(who)
    for submission, visible in zip((material, other_material), SEES[who], strict=True):
        response = api.get(f"/submissions/{submission.pk}{path}")
        assert response.status_code == (200 if visible else 404), (submission.base.name, response.json())
        if not visible:
            assert response.json()["code"] == "not_found"


def test_a_sibling_bases_material_is_a_404_for_the_filler(api_as, sibling_material):
    assert api_as("filler").get(f"/submissions/{sibling_material.pk}").status_code == 404
    assert api_as("reviewer").get(f"/submissions/{sibling_material.pk}").status_code == 200


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("filler", {"base"}),
        ("reviewer", {"base", "sibling_base"}),
        ("other_reviewer", {"other_base"}),
        ("ministry", {"base", "sibling_base", "other_base"}),
        ("expert", {"base"}),
    ],
)
def test_the_list_shows_only_visible_material(
    api_as, material, sibling_material, other_material, base, sibling_base, other_base, who, expected
):
    names = {"base": base.name, "sibling_base": sibling_base.name, "other_base": other_base.name}
    response = api_as(who).get("/submissions")
    assert response.status_code == 200
    assert {i["base"] for i in response.json()["items"]} == {names[b] for b in expected}


def test_the_list_filters_by_status_base_and_authority(
    api_as, submitted, sibling_material, other_material, hunan, sibling_base
):
    api = api_as("ministry")
    assert [i["id"] for i in api.get("/submissions", status="submitted").json()["items"]] == [submitted.pk]
    assert [i["id"] for i in api.get("/submissions", base=sibling_base.pk).json()["items"]] == [
        sibling_material.pk
    ]
    assert {i["id"] for i in api.get("/submissions", authority=hunan.pk).json()["items"]} == {
        submitted.pk,
        sibling_material.pk,
    }


def test_detail_carries_values_and_an_etag_that_follows_every_change(api_as, material, filler):
    api = api_as("filler")
    first = api.get(f"/submissions/{material.pk}")
    assert first.status_code == 200
    assert first["ETag"] == first.json()["etag"]
    assert first.json()["status"] == "draft" and first.json()["status_label"] == "草稿"
    cell(material, filler, "1.1", 2021, "110")
    second = api.get(f"/submissions/{material.pk}")
    assert second["ETag"] != first["ETag"]
    value = next(v for v in second.json()["values"] if v["code"] == "1.1")
    assert value == {**value, "year": 2021, "raw": "110", "value": "110", "revision": 1, "form": "summary"}


def test_history_lists_value_changes_and_transitions(api_as, submitted, filler):
    body = api_as("reviewer").get(f"/submissions/{submitted.pk}/history", code="1.1").json()
    assert {(c["code"], c["year"], c["new_raw"]) for c in body["changes"]} == {
        ("1.1", 2021, GOOD[("1.1", 2021)]),
        ("1.1", 2020, GOOD[("1.1", 2020)]),
    }
    assert body["changes"][0]["changed_by"] == "张填报"
    assert [t["action"] for t in body["transitions"]] == ["submit"]


def test_status_gives_findings_counts_blockers_and_actions(api_as, material, filler):
    cell(material, filler, "1.1", 2021, "110")
    cell(material, filler, "1.1a", 2021, "200")  # a part above its whole
    body = api_as("filler").get(f"/submissions/{material.pk}/status").json()
    counts = body["counts"]
    assert counts["errors"] + counts["missing"] == sum(
        1 for f in body["findings"] if f["severity"] == "error"
    )
    part = next(f for f in body["findings"] if f["field"] == "1.1a" and f["year"] == 2021)
    assert part["severity"] == "error" and part["message"]
    assert any("处错误需要修改" in b for b in body["blockers"])
    submit = next(a for a in body["actions"] if a["name"] == "submit")
    assert submit["allowed"] is False and "错误" in submit["reason"]


def test_status_of_ready_material_has_no_blockers(api_as, material, filler):
    make_ready(material, filler)
    body = api_as("filler").get(f"/submissions/{material.pk}/status").json()
    assert body["blockers"] == []
    assert next(a for a in body["actions"] if a["name"] == "submit")["allowed"] is True


def test_a_reviewer_sees_review_actions_not_the_fillers(api_as, submitted):
    body = api_as("reviewer").get(f"/submissions/{submitted.pk}/status").json()
    assert {a["name"] for a in body["actions"]} == {"return", "approve"}
