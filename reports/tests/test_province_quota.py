"""The case quota is the province's (issue 8): 不超过本省示范基地总数的25%，有五星示范基地的可多推荐1家,
counted over the bases of both its 工业和信息化主管部门 and its 通信管理局, shared by them unless the
ministry splits it, and shown to both with what each has used and what is left."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from audit.models import Event
from conftest import make_user
from registry.models import Authority
from reports.models import CaseQuotaSplit, CaseRecommendation
from reports.services import case_create, case_quota_for, case_quota_split_set, province_quotas

pytestmark = pytest.mark.django_db


@pytest.fixture
def hunan_comm(db) -> Authority:
    return Authority.objects.get(code="comm-430000")


@pytest.fixture
def comm_reviewer(hunan_comm):
    return make_user("comm_reviewer", Role.AUTHORITY_REVIEWER, authority=hunan_comm, full_name="湖南通管")


def test_a_communications_administration_with_two_bases_shares_its_province_quota(
    campaign, hunan, hunan_comm, add_bases, comm_reviewer, case_values
):
    # 长沙 and 株洲 under the 工信厅, two bases under the 通信管理局: 4 × 25% = 1 for the province.
    comm_bases = add_bases(hunan_comm, 2, prefix="数据中心")
    quota = case_quota_for(campaign=campaign, authority=hunan_comm)
    assert (quota.base_count, quota.quota, quota.remaining) == (4, 1, 1)
    case_create(
        campaign=campaign, authority=hunan_comm, base=comm_bases[0], user=comm_reviewer, **case_values
    )
    assert case_quota_for(campaign=campaign, authority=hunan).remaining == 0


def test_the_province_quota_is_shared_first_come(
    campaign, hunan, hunan_comm, base, reviewer, comm_reviewer, add_bases, case_values
):
    comm_bases = add_bases(hunan_comm, 2, prefix="数据中心")
    case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    with pytest.raises(ValidationError) as caught:
        case_create(
            campaign=campaign, authority=hunan_comm, base=comm_bases[0], user=comm_reviewer, **case_values
        )
    assert "本省已推荐 1 个，配额 1 个" in caught.value.messages[0]
    assert CaseRecommendation.objects.count() == 1


def test_a_five_star_base_under_the_other_authority_gives_the_province_its_bonus(
    campaign, hunan, hunan_comm, add_bases, five_star
):
    comm_bases = add_bases(hunan_comm, 2, prefix="数据中心")
    five_star(comm_bases[1], 2021)
    quota = case_quota_for(campaign=campaign, authority=hunan)
    assert quota.quota == 2 and quota.five_star_bases == (comm_bases[1].name,)


def test_other_provinces_do_not_count(campaign, hunan, jiangsu, other_base):
    assert case_quota_for(campaign=campaign, authority=hunan).base_count == 2
    assert case_quota_for(campaign=campaign, authority=jiangsu).base_count == 1


def test_both_authorities_see_total_used_and_left(
    campaign, hunan, hunan_comm, base, reviewer, add_bases, case_values
):
    add_bases(hunan, 6)  # 8 under the 工信厅
    add_bases(hunan_comm, 2, prefix="数据中心")  # 10 in the province → 2
    case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    for authority in (hunan, hunan_comm):
        quota = case_quota_for(campaign=campaign, authority=authority)
        assert (quota.quota, quota.used, quota.province_remaining) == (2, 1, 1)
        assert [(s.name, s.used) for s in quota.shares] == [(hunan.name, 1), (hunan_comm.name, 0)]


def test_the_ministry_may_split_the_quota(
    campaign, hunan, hunan_comm, base, reviewer, comm_reviewer, ministry, add_bases, case_values
):
    extra = add_bases(hunan, 6)
    add_bases(hunan_comm, 2, prefix="数据中心")  # province quota 2
    case_quota_split_set(campaign=campaign, authority=hunan_comm, user=ministry, quota=1)
    hunan_quota = case_quota_for(campaign=campaign, authority=hunan)
    assert (hunan_quota.own_limit, hunan_quota.remaining) == (1, 1)
    case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)
    with pytest.raises(ValidationError, match="本单位最多可推荐 1 个"):
        case_create(campaign=campaign, authority=hunan, base=extra[0], user=reviewer, **case_values)
    assert case_quota_for(campaign=campaign, authority=hunan_comm).remaining == 1
    assert Event.objects.filter(action="case_quota.split").count() == 1


def test_splits_may_not_exceed_the_province_quota(campaign, hunan, hunan_comm, ministry, add_bases):
    add_bases(hunan_comm, 2, prefix="数据中心")  # quota 1
    case_quota_split_set(campaign=campaign, authority=hunan, user=ministry, quota=1)
    with pytest.raises(ValidationError, match="超过本省配额"):
        case_quota_split_set(campaign=campaign, authority=hunan_comm, user=ministry, quota=1)
    case_quota_split_set(campaign=campaign, authority=hunan, user=ministry, quota=None)
    assert not CaseQuotaSplit.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "filler", "expert"])
def test_only_the_ministry_splits(request, campaign, hunan, who):
    with pytest.raises(PermissionDenied):
        case_quota_split_set(campaign=campaign, authority=hunan, user=request.getfixturevalue(who), quota=0)


def test_national_lists_use_the_province_quota_in_fixed_queries(
    campaign, hunan, hunan_comm, add_bases, django_assert_max_num_queries
):
    add_bases(hunan, 6)
    add_bases(hunan_comm, 2, prefix="数据中心")
    with django_assert_max_num_queries(9):
        quotas = province_quotas(campaign=campaign)
    assert quotas[hunan.pk].quota == quotas[hunan_comm.pk].quota == 2
    assert quotas[hunan.pk].shares == case_quota_for(campaign=campaign, authority=hunan).shares


# --- the page ----------------------------------------------------------------------------------------


def test_the_case_list_shows_both_authorities_and_what_is_left(
    client, campaign, hunan, hunan_comm, reviewer, add_bases
):
    add_bases(hunan_comm, 2, prefix="数据中心")
    client.force_login(reviewer)
    html = client.get(reverse("reports:case_list", args=[campaign.pk, hunan.pk])).content.decode()
    assert "本省配额 <strong>1</strong> · 已推荐 <strong>0</strong> · 剩余 <strong>1</strong>" in html
    assert hunan_comm.name in html and "配额由两单位共用" in html
    assert 'name="quota"' not in html  # only the ministry splits


def test_the_ministry_splits_from_the_page(client, campaign, hunan, hunan_comm, ministry, add_bases):
    add_bases(hunan_comm, 2, prefix="数据中心")
    client.force_login(ministry)
    url = reverse("reports:case_list", args=[campaign.pk, hunan.pk])
    assert 'name="quota"' in client.get(url).content.decode()
    response = client.post(
        reverse("reports:quota_split", args=[campaign.pk, hunan_comm.pk]),
        {"quota": "1", "back": url},
        follow=True,
    )
    assert "已将湖南省通信管理局的优秀案例配额设为1 个" in response.content.decode()
    assert CaseQuotaSplit.objects.get().quota == 1


def test_a_reviewer_cannot_post_a_split(client, campaign, hunan, reviewer):
    client.force_login(reviewer)
    client.post(reverse("reports:quota_split", args=[campaign.pk, hunan.pk]), {"quota": "1"})
    assert not CaseQuotaSplit.objects.exists()
