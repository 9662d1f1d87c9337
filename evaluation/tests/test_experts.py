"""Expert review: conflicts of interest, scores per dimension, their combination with data scores."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.models import BaseScore, ExpertScore
from evaluation.services import (
    expert_assign,
    expert_conflict_declare,
    expert_profile_save,
    expert_score_save,
    scoring_run,
)

SCORES = {"strength": 90, "quality": 80, "innovation": 70, "green": 60, "integration": 50, "environment": 40}


@pytest.fixture
def expert_from_jiangsu(expert, jiangsu, ministry):
    expert_profile_save(expert=expert, authority=jiangsu, organisation="某大学", user=ministry)
    return expert


def test_a_base_of_the_experts_own_province_cannot_be_assigned(
    expert_from_jiangsu, ministry, base, other_base
):
    with pytest.raises(ValidationError, match="本省"):
        expert_assign(expert=expert_from_jiangsu, bases=[base, other_base], user=ministry)
    expert_assign(expert=expert_from_jiangsu, bases=[base], user=ministry)
    assert list(expert_from_jiangsu.assigned_bases.all()) == [base]


def test_setting_the_province_drops_conflicting_assignments(expert, hunan, ministry, base):
    assert expert.assigned_bases.filter(pk=base.pk).exists()  # the cast's expert reviews 长沙 (湖南)
    expert_profile_save(expert=expert, authority=hunan, organisation="", user=ministry)
    assert not expert.assigned_bases.exists()


def test_assignment_needs_the_province_first(expert, ministry, base):
    with pytest.raises(ValidationError, match="所在省份"):
        expert_assign(expert=expert, bases=[base], user=ministry)


def test_scores_need_every_dimension_in_range_and_a_comment(
    expert_from_jiangsu, scoring_model, campaign, base
):
    with pytest.raises(ValidationError) as exc:
        expert_score_save(
            campaign=campaign,
            base=base,
            expert=expert_from_jiangsu,
            scores={**SCORES, "green": 120},
            comment="",
        )
    assert set(exc.value.error_dict) == {"green", "comment"}
    expert_score_save(
        campaign=campaign, base=base, expert=expert_from_jiangsu, scores=SCORES, comment="材料扎实"
    )
    assert ExpertScore.objects.get().scores["strength"] == 90


def test_an_unassigned_base_cannot_be_scored(expert_from_jiangsu, scoring_model, campaign, sibling_base):
    with pytest.raises(ValidationError, match="未分配"):
        expert_score_save(
            campaign=campaign, base=sibling_base, expert=expert_from_jiangsu, scores=SCORES, comment="x"
        )


def test_a_declared_conflict_removes_the_base_and_the_score(
    expert_from_jiangsu, scoring_model, campaign, base
):
    expert_score_save(campaign=campaign, base=base, expert=expert_from_jiangsu, scores=SCORES, comment="x")
    expert_conflict_declare(expert=expert_from_jiangsu, base=base, reason="曾任该园区顾问")
    assert not expert_from_jiangsu.assigned_bases.exists() and not ExpertScore.objects.exists()


def test_expert_scores_combine_with_data_scores_by_the_model_weight(
    expert_from_jiangsu, materials, scoring_model, campaign, ministry, base
):
    before = BaseScore.objects.get(run=scoring_run(campaign=campaign, user=ministry), base=base)
    expert_score_save(campaign=campaign, base=base, expert=expert_from_jiangsu, scores=SCORES, comment="x")
    after = BaseScore.objects.get(run=scoring_run(campaign=campaign, user=ministry), base=base)
    w = scoring_model.parsed().expert_weight  # 0.3 in the 2022 model
    for code, expert_score in SCORES.items():
        assert after.dimensions[code] == pytest.approx(
            (1 - w) * before.dimensions[code] + w * expert_score, abs=0.01
        )
    strength = next(d for d in after.result["dimensions"] if d["code"] == "strength")
    assert strength["expert_score"] == 90 and strength["data_score"] == pytest.approx(
        before.dimensions["strength"], abs=0.01
    )


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["filler", "reviewer", "other_reviewer", "expert", "sysadmin", "auditor"])
def test_only_the_ministry_assigns_and_sees_the_spread(request, client, role, campaign, expert):
    client.force_login(request.getfixturevalue(role))
    for url in (
        reverse("evaluation:experts", args=[campaign.pk]),
        reverse("evaluation:expert_spread", args=[campaign.pk]),
        reverse("evaluation:expert_detail", args=[campaign.pk, expert.pk]),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["filler", "reviewer", "ministry", "sysadmin"])
def test_only_experts_enter_scores(request, client, role, campaign, base, scoring_model):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("evaluation:expert_list", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("evaluation:expert_review", args=[campaign.pk, base.pk])).status_code == 404


def test_an_expert_cannot_open_an_unassigned_base(
    client, expert, campaign, sibling_base, other_base, scoring_model
):
    client.force_login(expert)
    for b in (sibling_base, other_base):
        assert client.get(reverse("evaluation:expert_review", args=[campaign.pk, b.pk])).status_code == 404
        assert (
            client.post(
                reverse("evaluation:expert_conflict", args=[campaign.pk, b.pk]), {"reason": "x"}
            ).status_code
            == 404
        )


def test_the_expert_scores_through_the_page(client, expert_from_jiangsu, campaign, base, scoring_model):
    client.force_login(expert_from_jiangsu)
    body = client.get(reverse("evaluation:expert_list", args=[campaign.pk])).content.decode()
    assert base.name in body and "待评分" in body
    url = reverse("evaluation:expert_review", args=[campaign.pk, base.pk])
    form = {f"dim_{k}": v for k, v in SCORES.items()}
    body = client.post(url, {**form, "dim_green": "abc", "comment": ""}).content.decode()
    assert "请填写“绿色集约安全”的评分" in body and "请填写评审意见" in body
    client.post(url, {**form, "comment": "创新投入突出"})
    assert ExpertScore.objects.get(base=base).comment == "创新投入突出"


def test_the_ministry_assigns_and_sees_the_spread(
    client, ministry, expert_from_jiangsu, campaign, base, other_base, scoring_model
):
    client.force_login(ministry)
    url = reverse("evaluation:expert_detail", args=[campaign.pk, expert_from_jiangsu.pk])
    body = client.get(url).content.decode()
    assert "本省（区、市）示范基地，须回避" in body  # 苏州 is in 江苏
    client.post(url, {"action": "assign", "base": [base.pk]})
    assert list(expert_from_jiangsu.assigned_bases.all()) == [base]
    expert_score_save(campaign=campaign, base=base, expert=expert_from_jiangsu, scores=SCORES, comment="很好")
    body = client.get(reverse("evaluation:expert_spread", args=[campaign.pk])).content.decode()
    assert base.name in body and "很好" in body
