"""Authorities, bases, campaigns and form definitions: each role of the cast reads what its pages
show, and another authority's or another base's entry is a 404."""

from __future__ import annotations

import pytest

from registry.models import Campaign

# Which of 长沙 (base), 株洲 (sibling_base), 苏州 (other_base) each role sees.
SEES = {
    "filler": {"base"},
    "other_filler": {"other_base"},
    "reviewer": {"base", "sibling_base"},
    "other_reviewer": {"other_base"},
    "ministry": {"base", "sibling_base", "other_base"},
    "expert": {"base"},
}
ALL_BASES = ("base", "sibling_base", "other_base")


@pytest.fixture
def bases(request, base, sibling_base, other_base):
    return {"base": base, "sibling_base": sibling_base, "other_base": other_base}


@pytest.mark.parametrize("who", SEES)
def test_bases_lists_exactly_what_the_role_sees(api_as, bases, who):
    response = api_as(who).get("/bases")
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["items"]}
    assert names == {bases[b].name for b in SEES[who]}
    assert response.json()["count"] == len(SEES[who])


@pytest.mark.parametrize("who", SEES)
@pytest.mark.parametrize("which", ALL_BASES)
def test_one_base_is_found_within_scope_and_404_outside(api_as, bases, who, which):
    response = api_as(who).get(f"/bases/{bases[which].pk}")
    if which in SEES[who]:
        assert response.status_code == 200
        assert response.json()["name"] == bases[which].name
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "无权查看" in response.json()["message"]


def test_bases_filter_by_authority_category_batch_and_name(api_as, bases, hunan, software):
    api = api_as("ministry")

    def names(**params):
        return {i["name"] for i in api.get("/bases", **params).json()["items"]}

    assert names(authority=hunan.pk) == {bases["base"].name, bases["sibling_base"].name}
    assert names(category=software.code) == {bases["other_base"].name}
    assert names(batch=2) == {bases["sibling_base"].name}
    assert names(q="苏州") == {bases["other_base"].name}
    assert names(limit=1, offset=1) == {bases["sibling_base"].name}


def test_a_filter_cannot_widen_the_scope(api_as, bases, jiangsu):
    response = api_as("reviewer").get("/bases", authority=jiangsu.pk)
    assert response.json() == {"count": 0, "items": []}


def test_a_bad_filter_is_a_422_with_the_field(api_as, bases):
    response = api_as("ministry").get("/bases", batch="第一批")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["field"] == "batch"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("filler", {"湖南"}),
        ("reviewer", {"湖南"}),
        ("other_reviewer", {"江苏"}),
        ("expert", set()),
    ],
)
def test_authorities_within_scope(api_as, bases, who, expected):
    response = api_as(who).get("/authorities")
    assert response.status_code == 200
    assert {a["short_name"] for a in response.json()} == expected


def test_the_ministry_lists_every_authority(api_as, bases):
    assert len(api_as("ministry").get("/authorities").json()) > 30


@pytest.mark.parametrize("who", ["filler", "reviewer", "expert"])
def test_campaigns_hide_drafts_except_from_the_ministry(api_as, campaign, who):
    Campaign.objects.create(
        year=2023, data_year=2022, history_years=[2021, 2020], title="2023年（草稿）", form_version="2022",
        base_deadline=campaign.base_deadline, authority_deadline=campaign.authority_deadline,
    )  # fmt: skip
    assert [c["year"] for c in api_as(who).get("/campaigns").json()] == [2022]
    assert [c["year"] for c in api_as("ministry").get("/campaigns").json()] == [2023, 2022]


@pytest.mark.parametrize("who", SEES)
def test_every_role_reads_a_form_definition_as_data(api_as, tiny, who):
    response = api_as(who).get("/definitions/t/summary")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "测试汇总表"
    assert body["definition"]["sections"][0]["fields"][0]["code"] == "1.1"
    assert "测试汇总表".encode() in response.content  # Chinese is not \\u-escaped


def test_an_unknown_definition_is_a_404(api_as, tiny):
    response = api_as("filler").get("/definitions/t/annex9")
    assert response.status_code == 404
    assert response.json()["message"] == "未找到该报表定义。"
