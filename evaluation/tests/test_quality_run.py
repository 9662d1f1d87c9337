"""The stored data-quality check over a campaign, and sending material back with its flags."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from evaluation.models import QualityFlag
from evaluation.services import quality_check_run, quality_return
from reports.models import DevelopmentReport
from review.models import FieldComment
from submissions.models import Submission, Value

from .conftest import set_status


def flags_of(run, base, kind):
    return list(QualityFlag.objects.filter(run=run, base=base, kind=kind))


def test_a_report_contradicting_the_form_and_a_contradiction_are_stored(
    materials, scoring_model, campaign, ministry, base
):
    sub = materials[base.pk]
    DevelopmentReport.objects.create(
        submission=sub, overview="2021年，基地实现销售收入469.50亿元，同比增长10.6%。"
    )
    Value.objects.filter(submission=sub, code="6.2", year=2021).update(value="90000", raw="90000")
    run = quality_check_run(campaign=campaign, user=ministry)
    report = flags_of(run, base, "report")
    assert len(report) == 1 and "销售收入469.50亿元" in report[0].message and "为 600" in report[0].message
    assert [f.code for f in flags_of(run, base, "contradiction")] == ["6.2"]
    assert run.counts["report"] == 1
    assert Event.objects.filter(action="evaluation.quality_run").exists()


def test_copied_text_between_two_bases_is_stored(
    materials, scoring_model, campaign, ministry, base, sibling_base
):
    text = "基地围绕工程机械产业推进高端化、智能化、绿色化发展，龙头企业牵头制定行业标准三项，带动全行业提质增效，配套企业六十余家就近布局，形成研发在基地、配套在周边的协作格局。"
    for b in (base, sibling_base):
        Value.objects.create(
            submission=materials[b.pk], form="summary", code="13.1", year=0, raw=text, value=text
        )
    run = quality_check_run(campaign=campaign, user=ministry)
    [flag] = flags_of(run, base, "copied")
    assert sibling_base.name in flag.message and "100%" in flag.message


def test_history_mismatch_against_last_campaign(
    materials, scoring_model, campaign, ministry, base, definitions
):
    import datetime as dt

    from registry.models import Campaign

    tz = dt.timezone(dt.timedelta(hours=8))
    before = Campaign.objects.create(
        year=2021,
        data_year=2020,
        history_years=[2019, 2018],
        title="2021年评价",
        form_version="2022",
        base_deadline=dt.datetime(2021, 8, 20, tzinfo=tz),
        authority_deadline=dt.datetime(2021, 8, 31, tzinfo=tz),
        status=Campaign.Status.CLOSED,
    )
    old = Submission.objects.create(
        campaign=before, base=base, summary_definition=materials[base.pk].summary_definition
    )
    Value.objects.create(submission=old, form="summary", code="1.1", year=2020, raw="500", value="500")
    run = quality_check_run(campaign=campaign, user=ministry)
    [flag] = flags_of(run, base, "history")
    assert flag.year == 2020 and "本次填报 540" in flag.message and "为 500" in flag.message


def test_the_ministry_returns_the_material_with_the_chosen_flags(
    materials, scoring_model, campaign, ministry, base, filler
):
    sub = materials[base.pk]
    Value.objects.filter(submission=sub, code="6.2", year=2021).update(value="90000", raw="90000")
    set_status(sub, Submission.Status.APPROVED)
    run = quality_check_run(campaign=campaign, user=ministry)
    [flag] = flags_of(run, base, "contradiction")
    quality_return(campaign=campaign, base=base, user=ministry, flag_ids=[flag.pk], comment="请核实")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.RETURNED
    transition = sub.transitions.get(action="ministry_return")
    assert "研发人数超过年末从业人数" in transition.comment
    assert FieldComment.objects.filter(transition=transition, code="6.2", year=2021).exists()
    flag.refresh_from_db()
    assert flag.returned_at is not None and flag.returned_by == ministry


def test_material_not_yet_at_the_ministry_cannot_be_returned(
    materials, scoring_model, campaign, ministry, base
):
    sub = materials[base.pk]
    Value.objects.filter(submission=sub, code="6.2", year=2021).update(value="90000", raw="90000")
    run = quality_check_run(campaign=campaign, user=ministry)
    [flag] = flags_of(run, base, "contradiction")
    with pytest.raises(ValidationError):
        quality_return(campaign=campaign, base=base, user=ministry, flag_ids=[flag.pk], comment="请核实")
    assert Submission.objects.get(pk=sub.pk).status == Submission.Status.SUBMITTED
