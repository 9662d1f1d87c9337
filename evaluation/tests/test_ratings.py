"""Star ratings: computed by the campaign's rule, overridden with a reason, published on a date, seen
by the base (its own) and its authority (its bases) only after publication."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from evaluation.models import Rating, ScoringModel
from evaluation.services import (
    disqualification_record,
    rating_override,
    ratings_compute,
    ratings_publish,
    scoring_run,
)
from registry.models import StarRating


@pytest.fixture
def rated(materials, scoring_model, campaign, ministry):
    scoring_run(campaign=campaign, user=ministry)
    ratings_compute(campaign=campaign, user=ministry)
    return {r.base_id: r for r in Rating.objects.filter(campaign=campaign)}


def test_ratings_follow_the_rule(rated, base, sibling_base, other_base):
    # 3 bases, shares 7/58/28/5: 0 five-star (7% of 3 rounds down), 1 four-star (65% → 1), 2 three-star
    # (93% → 2), 2 two-star (98% → 2): the best gets 4, the next 3, the last 1.
    assert [rated[b.pk].computed_stars for b in (base, other_base, sibling_base)] == [4, 3, 1]
    assert set(rated[base.pk].dimension_stars) == {
        "strength",
        "quality",
        "innovation",
        "green",
        "integration",
        "environment",
    }


def test_a_disqualified_base_gets_no_stars(materials, scoring_model, campaign, ministry, base):
    disqualification_record(campaign=campaign, base=base, user=ministry, kind="瞒报", reason="瞒报重大事故")
    scoring_run(campaign=campaign, user=ministry)
    ratings_compute(campaign=campaign, user=ministry)
    assert not Rating.objects.filter(base=base).exists()
    assert Rating.objects.count() == 2


def test_an_override_needs_a_reason_and_is_recorded(rated, ministry, base):
    with pytest.raises(ValidationError, match="理由"):
        rating_override(rating=rated[base.pk], user=ministry, stars=5, reason="")
    r = rating_override(rating=rated[base.pk], user=ministry, stars=5, reason="获评国家级先进制造业集群")
    assert r.stars == 5 and r.computed_stars == 4
    event = Event.objects.get(action="evaluation.rating_override")
    assert event.data["before"] == 4 and event.data["after"] == 5 and "先进制造业集群" in event.data["reason"]


def test_an_override_survives_recomputing(rated, ministry, campaign, base):
    rating_override(rating=rated[base.pk], user=ministry, stars=2, reason="核减")
    ratings_compute(campaign=campaign, user=ministry)
    assert Rating.objects.get(base=base).stars == 2


def test_publication_writes_the_star_history_and_freezes(rated, ministry, campaign, base):
    ratings_publish(campaign=campaign, user=ministry, publish_on=timezone.localdate())
    assert StarRating.objects.get(base=base, year=2022).stars == 4
    assert ScoringModel.objects.get().is_frozen
    with pytest.raises(ValidationError, match="已发布"):
        ratings_compute(campaign=campaign, user=ministry)
    with pytest.raises(ValidationError, match="已发布"):
        rating_override(rating=rated[base.pk], user=ministry, stars=5, reason="x")


def test_publication_cannot_be_dated_in_the_past(rated, ministry, campaign):
    with pytest.raises(ValidationError, match="不能早于今天"):
        ratings_publish(
            campaign=campaign, user=ministry, publish_on=timezone.localdate() - dt.timedelta(days=1)
        )


# --- pages ---------------------------------------------------------------------------------------


def test_the_ministry_computes_overrides_and_publishes_through_the_page(
    client, ministry, materials, scoring_model, campaign, base
):
    scoring_run(campaign=campaign, user=ministry)
    client.force_login(ministry)
    client.post(reverse("evaluation:ratings_compute", args=[campaign.pk]))
    body = client.post(
        reverse("evaluation:rating_override", args=[campaign.pk, base.pk]),
        {"stars": "5", "reason": ""},
        follow=True,
    ).content.decode()
    assert "调整星级须填写理由" in body
    client.post(
        reverse("evaluation:rating_override", args=[campaign.pk, base.pk]), {"stars": "5", "reason": "复核"}
    )
    assert Rating.objects.get(base=base).stars == 5
    body = client.post(
        reverse("evaluation:ratings_publish", args=[campaign.pk]),
        {"publish_on": timezone.localdate().isoformat()},
        follow=True,
    ).content.decode()
    assert "已发布星级评定结果" in body


@pytest.mark.parametrize("role", ["filler", "reviewer", "other_reviewer", "expert", "sysadmin", "auditor"])
def test_only_the_ministry_manages_ratings(request, client, role, rated, campaign, base):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("evaluation:ratings", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("evaluation:ratings_compute", args=[campaign.pk])).status_code == 404
    assert (
        client.post(
            reverse("evaluation:rating_override", args=[campaign.pk, base.pk]), {"stars": 5, "reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("evaluation:ratings_publish", args=[campaign.pk]), {"publish_on": "2030-01-01"}
        ).status_code
        == 404
    )


def test_nothing_is_seen_before_the_publication_date(client, filler, rated, ministry, campaign, base):
    ratings_publish(campaign=campaign, user=ministry, publish_on=timezone.localdate() + dt.timedelta(days=3))
    client.force_login(filler)
    assert "尚无已发布的星级评价结果" in client.get(reverse("evaluation:my_ratings")).content.decode()
    assert client.get(reverse("evaluation:rating_detail", args=[rated[base.pk].pk])).status_code == 404


@pytest.fixture
def published(rated, ministry, campaign):
    ratings_publish(campaign=campaign, user=ministry, publish_on=timezone.localdate())
    return rated


def test_a_base_sees_its_own_stars_with_anonymised_peers(
    client, filler, published, base, sibling_base, other_base
):
    client.force_login(filler)
    body = client.get(reverse("evaluation:my_ratings")).content.decode()
    assert base.name in body and sibling_base.name not in body
    body = client.get(reverse("evaluation:rating_detail", args=[published[base.pk].pk])).content.decode()
    assert "本基地" in body and "同类基地" in body and "产业实力" in body
    assert sibling_base.name not in body and other_base.name not in body  # peers anonymised
    for other in (sibling_base, other_base):
        assert (
            client.get(reverse("evaluation:rating_detail", args=[published[other.pk].pk])).status_code == 404
        )


def test_an_authority_sees_its_own_bases_only(
    client, reviewer, other_reviewer, published, base, sibling_base, other_base
):
    client.force_login(reviewer)
    body = client.get(reverse("evaluation:my_ratings")).content.decode()
    assert base.name in body and sibling_base.name in body and other_base.name not in body
    assert (
        client.get(reverse("evaluation:rating_detail", args=[published[other_base.pk].pk])).status_code == 404
    )
    client.force_login(other_reviewer)
    assert client.get(reverse("evaluation:rating_detail", args=[published[base.pk].pk])).status_code == 404


@pytest.mark.parametrize("role", ["expert", "sysadmin", "secadmin", "auditor"])
def test_other_roles_see_no_ratings(request, client, role, published, base):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("evaluation:my_ratings")).status_code == 404
    assert client.get(reverse("evaluation:rating_detail", args=[published[base.pk].pk])).status_code == 404


def test_rating_lists_use_a_fixed_number_of_queries(
    client, ministry, reviewer, published, campaign, django_assert_max_num_queries
):
    client.force_login(ministry)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("evaluation:ratings", args=[campaign.pk])).status_code == 200
    client.force_login(reviewer)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("evaluation:my_ratings")).status_code == 200
