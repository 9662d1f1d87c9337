"""case_create / case_update / case_delete: quota, aspects, the authority's own bases, freezing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Event
from reports.models import CaseRecommendation, ProvincialSummary
from reports.services import StaleRevisionError, case_create, case_delete, case_update
from reports.tests.conftest import filled_items


@pytest.fixture
def nine_hunan_bases(hunan, base, sibling_base, add_bases):
    return [base, sibling_base, *add_bases(hunan, 7)]


def test_a_case_is_recommended_and_recorded(campaign, hunan, base, reviewer, case_values, nine_hunan_bases):
    case = case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    assert case.aspects == ["digital"]
    assert case.created_by == reviewer
    event = Event.objects.get(action="case.create")
    assert event.data["quota"] == 2 and event.data["used"] == 1


def test_the_quota_is_enforced_with_the_computation_in_the_message(
    campaign, hunan, reviewer, case_values, nine_hunan_bases
):
    for b in nine_hunan_bases[:2]:
        case_create(campaign=campaign, authority=hunan, base=b, user=reviewer, **case_values)
    with pytest.raises(ValidationError) as caught:
        case_create(
            campaign=campaign, authority=hunan, base=nine_hunan_bases[2], user=reviewer, **case_values
        )
    message = caught.value.messages[0]
    assert "已推荐 2 个，配额 2 个" in message
    assert "本省参评示范基地 9 家 × 25% = 2.25，向下取整为 2" in message
    assert CaseRecommendation.objects.count() == 2


def test_a_five_star_base_allows_one_more(
    campaign, hunan, reviewer, case_values, nine_hunan_bases, five_star
):
    five_star(nine_hunan_bases[0], 2021)
    for b in nine_hunan_bases[:3]:
        case_create(campaign=campaign, authority=hunan, base=b, user=reviewer, **case_values)
    with pytest.raises(ValidationError, match="有五星示范基地 \\+1"):
        case_create(
            campaign=campaign, authority=hunan, base=nine_hunan_bases[3], user=reviewer, **case_values
        )


def test_an_authority_with_three_bases_may_recommend_none(
    campaign, hunan, base, reviewer, case_values, add_bases
):
    add_bases(hunan, 1)
    with pytest.raises(ValidationError, match="配额 0 个"):
        case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)


@pytest.mark.parametrize("aspects", [[], ["digital", "green", "opening_up"]])
def test_zero_or_three_aspects_are_refused(
    campaign, hunan, base, reviewer, case_values, nine_hunan_bases, aspects
):
    with pytest.raises(ValidationError) as caught:
        case_create(
            campaign=campaign,
            authority=hunan,
            base=base,
            user=reviewer,
            **{**case_values, "aspects": aspects},
        )
    assert "聚焦1-2个方面" in caught.value.message_dict["aspects"][0]


def test_two_aspects_are_accepted_in_the_notices_order(
    campaign, hunan, base, reviewer, case_values, nine_hunan_bases
):
    case = case_create(
        campaign=campaign,
        authority=hunan,
        base=base,
        user=reviewer,
        **{**case_values, "aspects": ["opening_up", "digital"]},
    )
    assert case.aspects == ["digital", "opening_up"]
    assert case.aspect_labels() == ["数字化转型", "高水平开放"]


def test_an_unknown_aspect_is_refused(campaign, hunan, base, reviewer, case_values, nine_hunan_bases):
    with pytest.raises(ValidationError, match="通知列出的方面"):
        case_create(
            campaign=campaign,
            authority=hunan,
            base=base,
            user=reviewer,
            **{**case_values, "aspects": ["space"]},
        )


@pytest.mark.parametrize("n", [2, 6])
def test_practices_must_be_three_to_five(campaign, hunan, base, reviewer, case_values, nine_hunan_bases, n):
    with pytest.raises(ValidationError) as caught:
        case_create(
            campaign=campaign,
            authority=hunan,
            base=base,
            user=reviewer,
            **{**case_values, "practices": filled_items(n)},
        )
    assert "practices" in caught.value.message_dict


def test_missing_title_background_and_results_are_refused_per_field(
    campaign, hunan, base, reviewer, case_values, nine_hunan_bases
):
    with pytest.raises(ValidationError) as caught:
        case_create(
            campaign=campaign,
            authority=hunan,
            base=base,
            user=reviewer,
            **{**case_values, "title": " ", "background": "", "results": ""},
        )
    assert set(caught.value.message_dict) == {"title", "background", "results"}


def test_a_base_of_another_authority_cannot_be_recommended(
    campaign, hunan, other_base, reviewer, case_values, nine_hunan_bases
):
    with pytest.raises(ValidationError) as caught:
        case_create(campaign=campaign, authority=hunan, base=other_base, user=reviewer, **case_values)
    assert "只能推荐本省" in caught.value.message_dict["base"][0]


def test_a_reviewer_cannot_recommend_for_another_authority(
    campaign, jiangsu, other_base, reviewer, case_values
):
    with pytest.raises(PermissionDenied):
        case_create(campaign=campaign, authority=jiangsu, base=other_base, user=reviewer, **case_values)


def test_a_base_not_in_the_campaign_cannot_be_recommended(
    campaign, hunan, reviewer, case_values, nine_hunan_bases, add_bases
):
    outsider = nine_hunan_bases[-1]
    campaign.bases.remove(outsider)
    with pytest.raises(ValidationError, match="只能推荐本省"):
        case_create(campaign=campaign, authority=hunan, base=outsider, user=reviewer, **case_values)


def test_one_case_per_base(campaign, hunan, base, reviewer, case_values, nine_hunan_bases):
    case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    with pytest.raises(ValidationError, match="已为"):
        case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)


@pytest.mark.parametrize("who", ["ministry", "filler", "expert"])
def test_only_authority_reviewers_recommend(
    request, campaign, hunan, base, case_values, nine_hunan_bases, who
):
    with pytest.raises(PermissionDenied):
        case_create(
            campaign=campaign, authority=hunan, base=base, user=request.getfixturevalue(who), **case_values
        )


def test_a_closed_campaign_takes_no_cases(
    closed_campaign, hunan, base, reviewer, case_values, nine_hunan_bases
):
    with pytest.raises(ValidationError, match="已结束"):
        case_create(campaign=closed_campaign, authority=hunan, base=base, user=reviewer, **case_values)


def test_cases_are_frozen_once_the_authority_has_delivered(
    campaign, hunan, base, sibling_base, reviewer, case_values, nine_hunan_bases
):
    case = case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    ProvincialSummary.objects.filter(campaign=campaign, authority=hunan).update(
        status=ProvincialSummary.Status.SUBMITTED
    )
    with pytest.raises(ValidationError, match="已报送"):
        case_create(campaign=campaign, authority=hunan, base=sibling_base, user=reviewer, **case_values)
    with pytest.raises(ValidationError, match="已报送"):
        case_update(case=case, user=reviewer, revision=1, **case_values)
    with pytest.raises(ValidationError, match="已报送"):
        case_delete(case=case, user=reviewer)


def test_an_update_records_old_and_new(campaign, hunan, base, reviewer, case_values, nine_hunan_bases):
    case = case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    updated = case_update(case=case, user=reviewer, revision=1, **{**case_values, "title": "新标题"})
    assert updated.revision == 2
    event = Event.objects.get(action="case.update")
    assert event.data["old"] == {"title": case_values["title"]}
    assert event.data["new"] == {"title": "新标题"}


def test_a_stale_update_is_refused(campaign, hunan, base, reviewer, case_values, nine_hunan_bases):
    case = case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    case_update(case=case, user=reviewer, revision=1, **{**case_values, "title": "第二版"})
    with pytest.raises(StaleRevisionError):
        case_update(case=case, user=reviewer, revision=1, **{**case_values, "title": "旧页面"})
    assert CaseRecommendation.objects.get().title == "第二版"


def test_an_update_cannot_break_the_aspect_rule(
    campaign, hunan, base, reviewer, case_values, nine_hunan_bases
):
    case = case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    with pytest.raises(ValidationError):
        case_update(case=case, user=reviewer, revision=1, **{**case_values, "aspects": []})


def test_deleting_frees_the_quota_and_keeps_the_text_in_the_audit_log(
    campaign, hunan, reviewer, case_values, nine_hunan_bases
):
    first, second, third = nine_hunan_bases[:3]
    case = case_create(campaign=campaign, authority=hunan, base=first, user=reviewer, **case_values)
    case_create(campaign=campaign, authority=hunan, base=second, user=reviewer, **case_values)
    case_delete(case=case, user=reviewer)
    assert Event.objects.get(action="case.delete").data["deleted"]["title"] == case_values["title"]
    case_create(campaign=campaign, authority=hunan, base=third, user=reviewer, **case_values)
    assert CaseRecommendation.objects.count() == 2


# The notice lists the aspects with 等方面: another one may be named (issue 8).


def test_an_other_aspect_with_a_short_name_is_accepted(
    campaign, hunan, base, reviewer, case_values, nine_hunan_bases
):
    values = {**case_values, "aspects": ["digital", "other:人才引育"]}
    case = case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **values)
    assert case.aspects == ["digital", "other:人才引育"]
    assert case.aspect_labels() == ["数字化转型", "其他（人才引育）"]


@pytest.mark.parametrize(
    ("aspect", "words"), [("other:", "请简要说明"), ("other:" + "长" * 21, "不能超过20字")]
)
def test_an_other_aspect_needs_a_short_name(
    campaign, hunan, base, reviewer, case_values, nine_hunan_bases, aspect, words
):
    with pytest.raises(ValidationError, match=words):
        case_create(
            campaign=campaign,
            authority=hunan,
            base=base,
            user=reviewer,
            **{**case_values, "aspects": [aspect]},
        )
