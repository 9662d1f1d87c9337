"""Scoring a campaign from the database: scope, blanks by category, disqualification, ranks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from evaluation.models import BaseScore, ScoreRun
from evaluation.services import disqualification_lift, disqualification_record, scoring_run
from submissions.models import Submission

from .conftest import fill, set_status


def test_it_scores_submitted_material_and_ranks_it(
    materials, scoring_model, campaign, ministry, base, sibling_base, other_base
):
    run = scoring_run(campaign=campaign, user=ministry)
    assert run.base_count == 3
    scores = {s.base_id: s for s in BaseScore.objects.filter(run=run)}
    # 长沙 and 株洲 are the only equipment bases: fewer than min_peers, so all three are compared.
    assert scores[base.pk].total > scores[other_base.pk].total > scores[sibling_base.pk].total
    assert [scores[b.pk].rank for b in (base, other_base, sibling_base)] == [1, 2, 3]
    assert scores[base.pk].category_rank == 1 and scores[base.pk].category_count == 2
    assert set(scores[base.pk].dimensions) == {
        "strength",
        "quality",
        "innovation",
        "green",
        "integration",
        "environment",
    }
    assert scores[base.pk].indicator_values["profit_margin"] == pytest.approx(8.0)  # 40·1.2 / 500·1.2
    assert Event.objects.filter(action="evaluation.score_run").count() == 1


def test_drafts_count_only_in_a_trial_run(materials, scoring_model, campaign, ministry, sibling_base):
    set_status(materials[sibling_base.pk], Submission.Status.DRAFT)
    assert scoring_run(campaign=campaign, user=ministry).base_count == 2
    assert scoring_run(campaign=campaign, user=ministry, scope=ScoreRun.Scope.ALL).base_count == 3


def test_nothing_to_score_is_said_plainly(definitions, scoring_model, campaign, ministry):
    with pytest.raises(ValidationError, match="没有可评分的材料"):
        scoring_run(campaign=campaign, user=ministry)


def test_a_software_base_leaving_optional_items_blank_loses_nothing(
    materials, scoring_model, campaign, ministry, other_base
):
    first = BaseScore.objects.get(run=scoring_run(campaign=campaign, user=ministry), base=other_base)
    # 1.3a 工业增加值, 5.1, 5.2, 5.4 are 可选填 for 软件和信息服务 bases.
    fill(materials[other_base.pk], 1.0, skip=())
    from submissions.models import Value

    Value.objects.filter(submission=materials[other_base.pk], code__in=["5.2", "5.4"]).delete()
    second = BaseScore.objects.get(run=scoring_run(campaign=campaign, user=ministry), base=other_base)
    green = {
        i["code"]: i for d in second.result["dimensions"] if d["code"] == "green" for i in d["indicators"]
    }
    assert green["water"]["status"] == "excluded" and green["waste_reuse"]["status"] == "excluded"
    # The remaining 绿色 indicators carry the whole dimension, so the blank did not pull it down.
    counted = [i for i in green.values() if i["status"] == "scored"]
    assert sum(i["effective_weight"] for i in counted) == pytest.approx(1)
    assert second.dimensions["green"] >= 0
    assert first.dimensions["green"] is not None


def test_a_mandatory_blank_scores_zero(materials, scoring_model, campaign, ministry, base):
    from submissions.models import Value

    Value.objects.filter(submission=materials[base.pk], code="5.2").delete()  # mandatory for 装备制造
    score = BaseScore.objects.get(run=scoring_run(campaign=campaign, user=ministry), base=base)
    green = {
        i["code"]: i for d in score.result["dimensions"] if d["code"] == "green" for i in d["indicators"]
    }
    assert green["water"]["status"] == "missing" and green["water"]["normalised"] == 0


def test_disqualification_takes_the_base_out_with_its_reason(
    materials, scoring_model, campaign, ministry, base
):
    d = disqualification_record(
        campaign=campaign, base=base, user=ministry, kind="虚报", reason="销售收入与统计部门数据不符"
    )
    score = BaseScore.objects.get(run=scoring_run(campaign=campaign, user=ministry), base=base)
    assert score.total is None and score.rank is None
    assert score.disqualified_reason == "虚报：销售收入与统计部门数据不符"
    assert Event.objects.filter(action="evaluation.disqualify", base=base).exists()
    with pytest.raises(ValidationError, match="已被取消"):
        disqualification_record(campaign=campaign, base=base, user=ministry, kind="瞒报", reason="x")
    disqualification_lift(disqualification=d, user=ministry, reason="复核无误")
    assert (
        BaseScore.objects.get(run=scoring_run(campaign=campaign, user=ministry), base=base).total is not None
    )


def test_disqualification_needs_a_known_kind_and_facts(scoring_model, campaign, ministry, base):
    with pytest.raises(ValidationError, match="情形"):
        disqualification_record(campaign=campaign, base=base, user=ministry, kind="迟报", reason="x")
    with pytest.raises(ValidationError, match="事实与依据"):
        disqualification_record(campaign=campaign, base=base, user=ministry, kind="虚报", reason=" ")


def test_a_trial_of_complete_material_leaves_out_half_filled_drafts(
    materials, scoring_model, campaign, ministry, base, sibling_base
):
    from submissions.models import Value

    set_status(materials[base.pk], Submission.Status.DRAFT)  # complete draft: in
    set_status(materials[sibling_base.pk], Submission.Status.DRAFT)
    Value.objects.filter(
        submission=materials[sibling_base.pk], code="3.1", year=2021
    ).delete()  # half-filled: out
    run = scoring_run(campaign=campaign, user=ministry, scope=ScoreRun.Scope.COMPLETE)
    assert set(BaseScore.objects.filter(run=run).values_list("base_id", flat=True)) == {
        base.pk,
        materials_other(materials, base, sibling_base),
    }
    assert scoring_run(campaign=campaign, user=ministry, scope=ScoreRun.Scope.ALL).base_count == 3


def materials_other(materials, *taken):
    return next(pk for pk in materials if pk not in {b.pk for b in taken})
