"""Provincial summary: drafts with revisions, delivery checked against the authority deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Event
from registry.models import ReopenRequest
from reports.models import ProvincialSummary
from reports.services import (
    StaleRevisionError,
    authority_deadline_open,
    summary_problems,
    summary_save,
    summary_submit,
)

BEIJING = dt.timezone(dt.timedelta(hours=8))
TEXTS = {"progress": "主要进展", "difficulties": "困难和问题", "next_steps": "思路及建议"}
BEFORE = dt.datetime(2022, 8, 30, 10, 0, tzinfo=BEIJING)
AT_DEADLINE = dt.datetime(2022, 8, 31, 23, 59, 59, tzinfo=BEIJING)
AFTER = dt.datetime(2022, 9, 1, 0, 0, 1, tzinfo=BEIJING)


def test_the_deadline_is_open_up_to_its_last_second(campaign, hunan):
    assert authority_deadline_open(campaign, hunan, BEFORE)
    assert authority_deadline_open(campaign, hunan, AT_DEADLINE)
    assert not authority_deadline_open(campaign, hunan, AFTER)


def test_a_reopening_window_granted_to_the_authority_keeps_it_open(campaign, hunan, jiangsu, ministry):
    ReopenRequest.objects.create(
        campaign=campaign, authority=hunan, reason="补报", status=ReopenRequest.Status.GRANTED,
        window_until=AFTER + dt.timedelta(days=2), requested_by=ministry,
    )  # fmt: skip
    assert authority_deadline_open(campaign, hunan, AFTER)
    assert not authority_deadline_open(campaign, jiangsu, AFTER)
    assert not authority_deadline_open(campaign, hunan, AFTER + dt.timedelta(days=3))


def test_a_draft_is_saved_with_a_revision_and_event(campaign, hunan, reviewer):
    summary = summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    assert (summary.revision, summary.status, summary.progress) == (1, "draft", "主要进展")
    assert Event.objects.get(action="provincial_summary.save").data["new"]["progress"] == "主要进展"


def test_a_stale_save_is_refused(campaign, hunan, reviewer):
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    with pytest.raises(StaleRevisionError, match="李审核"):
        summary_save(
            campaign=campaign, authority=hunan, user=reviewer, revision=0, texts={**TEXTS, "progress": "x"}
        )


def test_it_is_delivered_before_the_deadline(campaign, hunan, reviewer):
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    summary = summary_submit(campaign=campaign, authority=hunan, user=reviewer, now=BEFORE)
    assert (summary.status, summary.submitted_at, summary.submitted_by) == ("submitted", BEFORE, reviewer)
    assert Event.objects.filter(action="provincial_summary.submit").count() == 1


def test_it_is_refused_after_the_deadline_with_a_chinese_message(campaign, hunan, reviewer):
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    with pytest.raises(ValidationError) as caught:
        summary_submit(campaign=campaign, authority=hunan, user=reviewer, now=AFTER)
    assert "已超过省级材料报送截止时间（2022年8月31日（含））" in caught.value.messages[0]
    assert ProvincialSummary.objects.get().status == ProvincialSummary.Status.DRAFT


def test_the_deadline_function_is_the_one_place_deciding(campaign, hunan, reviewer, monkeypatch):
    """An extension granted elsewhere only has to change authority_deadline_open."""
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    monkeypatch.setattr("reports.services.authority_deadline_open", lambda campaign, authority, now: True)
    assert summary_submit(campaign=campaign, authority=hunan, user=reviewer, now=AFTER).is_submitted


def test_drafts_may_still_be_saved_after_the_deadline(campaign, hunan, reviewer):
    # Only delivery is refused: nothing typed is lost while an extension is requested.
    summary = summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    assert summary.revision == 1


def test_an_incomplete_summary_cannot_be_delivered(campaign, hunan, reviewer):
    summary_save(
        campaign=campaign, authority=hunan, user=reviewer, revision=0, texts={**TEXTS, "difficulties": ""}
    )
    with pytest.raises(ValidationError) as caught:
        summary_submit(campaign=campaign, authority=hunan, user=reviewer, now=BEFORE)
    assert "未填写“存在的困难和问题”。" in caught.value.messages


def test_summary_problems_lists_each_missing_part():
    assert summary_problems(None) == [
        "未填写“主要工作进展及成效”。",
        "未填写“存在的困难和问题”。",
        "未填写“下一步工作思路及建议”。",
    ]
    assert summary_problems(ProvincialSummary(**TEXTS)) == []


def test_a_delivered_summary_is_frozen(campaign, hunan, reviewer):
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    summary_submit(campaign=campaign, authority=hunan, user=reviewer, now=BEFORE)
    with pytest.raises(ValidationError, match="已报送"):
        summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=1, texts=TEXTS)
    with pytest.raises(ValidationError, match="无需重复报送"):
        summary_submit(campaign=campaign, authority=hunan, user=reviewer, now=BEFORE)


def test_over_the_limit_is_refused_at_the_field(campaign, hunan, reviewer):
    with pytest.raises(ValidationError) as caught:
        summary_save(
            campaign=campaign,
            authority=hunan,
            user=reviewer,
            revision=0,
            texts={**TEXTS, "progress": "字" * 5001},
        )
    assert set(caught.value.message_dict) == {"progress"}


@pytest.mark.parametrize("who", ["other_reviewer", "ministry", "filler"])
def test_only_the_authoritys_reviewer_writes(request, campaign, hunan, who):
    with pytest.raises(PermissionDenied):
        summary_save(
            campaign=campaign, authority=hunan, user=request.getfixturevalue(who), revision=0, texts=TEXTS
        )
    assert not ProvincialSummary.objects.exists()


def test_a_closed_campaign_is_refused(closed_campaign, hunan, reviewer):
    with pytest.raises(ValidationError, match="已结束"):
        summary_save(campaign=closed_campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)


def test_half_a_second_before_midnight_on_8_31_is_in_time_even_if_stored_at_midnight(campaign, hunan):
    campaign.authority_deadline = dt.datetime(2022, 8, 31, tzinfo=BEIJING)
    campaign.save(update_fields=["authority_deadline"])
    assert authority_deadline_open(
        campaign, hunan, dt.datetime(2022, 8, 31, 23, 59, 59, 500000, tzinfo=BEIJING)
    )
    assert not authority_deadline_open(campaign, hunan, dt.datetime(2022, 9, 1, tzinfo=BEIJING))
