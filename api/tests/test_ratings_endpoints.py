"""Published star ratings: nothing before the publication day; then a base its own, an authority its
bases', the ministry all; experts and others none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluation.models import Rating
from evaluation.services import ratings_compute, ratings_publish, scoring_run
from evaluation.tests.conftest import definitions, materials, scoring_model  # noqa: F401 (fixtures)

SEES = {
    "filler": {"base"},
    "other_filler": {"other_base"},
    "reviewer": {"base", "sibling_base"},
    "other_reviewer": {"other_base"},
    "ministry": {"base", "sibling_base", "other_base"},
    "expert": set(),
}


@pytest.fixture
def rated(materials, scoring_model, campaign, ministry):  # noqa: F811
    scoring_run(campaign=campaign, user=ministry)
    ratings_compute(campaign=campaign, user=ministry)
    return {r.base_id: r for r in Rating.objects.filter(campaign=campaign)}


@pytest.fixture
def bases(base, sibling_base, other_base):
    return {"base": base, "sibling_base": sibling_base, "other_base": other_base}


def test_nothing_is_shown_before_the_publication_day(api_as, rated, campaign, ministry, base):
    ratings_publish(campaign=campaign, user=ministry, publish_on=timezone.localdate() + dt.timedelta(days=2))
    api = api_as("filler")
    assert api.get("/ratings").json() == []
    assert api.get(f"/ratings/{rated[base.pk].pk}").status_code == 404


@pytest.mark.parametrize("who", SEES)
def test_after_publication_each_role_sees_its_scope(api_as, rated, campaign, ministry, bases, who):
    ratings_publish(campaign=campaign, user=ministry, publish_on=timezone.localdate())
    api = api_as(who)
    listed = {r["base"] for r in api.get("/ratings", campaign=campaign.pk).json()}
    assert listed == {bases[b].name for b in SEES[who]}
    for key, b in bases.items():
        response = api.get(f"/ratings/{rated[b.pk].pk}")
        assert response.status_code == (200 if key in SEES[who] else 404)
        if response.status_code == 200:
            assert response.json()["stars"] == rated[b.pk].stars
            assert response.json()["published_on"] == timezone.localdate().isoformat()
