"""case_quota and case_quota_for: floor(25% × participating bases) + 1 with a five-star base."""

from __future__ import annotations

import pytest

from reports.models import CaseQuotaSetting
from reports.services import case_quota, case_quota_for


@pytest.mark.parametrize(
    ("base_count", "has_five_star", "expected"),
    [
        (9, False, 2),
        (9, True, 3),
        (4, False, 1),
        (3, False, 0),
        (3, True, 1),
        (0, False, 0),
        (0, True, 0),
        (8, False, 2),
        (7, False, 1),
        (1, True, 1),
        (40, False, 10),
    ],
)
def test_the_quota_rounds_the_share_down_and_adds_the_bonus(base_count, has_five_star, expected):
    assert case_quota(base_count=base_count, has_five_star=has_five_star) == expected


def test_percent_and_bonus_are_parameters():
    assert case_quota(base_count=9, has_five_star=True, percent=30, bonus=2) == 4
    assert case_quota(base_count=9, has_five_star=True, percent=25, bonus=0) == 2


def test_the_authoritys_quota_counts_its_participating_bases(campaign, hunan, add_bases):
    add_bases(hunan, 7)  # with 长沙 and 株洲: 9 bases
    quota = case_quota_for(campaign=campaign, authority=hunan)
    assert (quota.base_count, quota.quota, quota.used, quota.has_five_star) == (9, 2, 0, False)
    assert quota.explanation == "本省参评示范基地 9 家 × 25% = 2.25，向下取整为 2，无五星示范基地"


def test_bases_outside_the_campaign_do_not_count(campaign, hunan, add_bases):
    extra = add_bases(hunan, 7)
    campaign.bases.remove(*extra[:3])
    assert case_quota_for(campaign=campaign, authority=hunan).base_count == 6


def test_a_five_star_base_from_last_years_rating_adds_one(campaign, hunan, base, add_bases, five_star):
    add_bases(hunan, 7)
    five_star(base, 2021)
    quota = case_quota_for(campaign=campaign, authority=hunan)
    assert quota.quota == 3
    assert quota.five_star_bases == (base.name,)
    assert quota.five_star_year == 2021
    assert quota.explanation.endswith("有五星示范基地 +1")


def test_only_the_latest_rating_year_before_the_campaign_counts(
    campaign, hunan, base, sibling_base, other_base, add_bases, five_star
):
    add_bases(hunan, 7)
    five_star(base, 2020, 5)  # five stars two years ago …
    five_star(other_base, 2021, 3)  # … but 2021's ratings are the latest published
    five_star(sibling_base, 2022, 5)  # the campaign's own year is not yet a past rating
    assert case_quota_for(campaign=campaign, authority=hunan).quota == 2


def test_four_stars_do_not_add_one(campaign, hunan, base, add_bases, five_star):
    add_bases(hunan, 7)
    five_star(base, 2021, 4)
    assert case_quota_for(campaign=campaign, authority=hunan).quota == 2


def test_another_authoritys_five_star_base_does_not_count(campaign, hunan, other_base, add_bases, five_star):
    add_bases(hunan, 7)
    five_star(other_base, 2021)
    assert case_quota_for(campaign=campaign, authority=hunan).quota == 2


def test_the_campaign_setting_changes_percent_and_bonus(campaign, hunan, base, add_bases, five_star):
    add_bases(hunan, 7)
    five_star(base, 2021)
    CaseQuotaSetting.objects.create(campaign=campaign, percent=50, five_star_bonus=2)
    quota = case_quota_for(campaign=campaign, authority=hunan)
    assert quota.quota == 6
    assert quota.explanation == "本省参评示范基地 9 家 × 50% = 4.5，向下取整为 4，有五星示范基地 +2"


def test_the_setting_is_created_with_the_notices_values(campaign, hunan):
    case_quota_for(campaign=campaign, authority=hunan)
    setting = CaseQuotaSetting.objects.get(campaign=campaign)
    assert (setting.percent, setting.five_star_bonus) == (25, 1)


def test_an_exact_share_is_not_said_to_be_rounded(campaign, hunan, add_bases):
    add_bases(hunan, 2)  # 4 bases
    assert case_quota_for(campaign=campaign, authority=hunan).explanation == (
        "本省参评示范基地 4 家 × 25% = 1，无五星示范基地"
    )
