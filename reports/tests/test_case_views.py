"""Excellent case pages: list/create/edit/delete for the authority's reviewer, national list for the
ministry, 404 across authorities."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import CaseRecommendation
from reports.services import case_create


@pytest.fixture
def hunan_bases(hunan, base, sibling_base, add_bases):
    return [base, sibling_base, *add_bases(hunan, 7)]  # 9 bases: quota 2


@pytest.fixture
def hunan_case(campaign, hunan, base, reviewer, case_values, hunan_bases):
    return case_create(campaign=campaign, authority=hunan, base=base, user=reviewer, **case_values)


@pytest.fixture
def jiangsu_case(campaign, jiangsu, other_base, other_reviewer, case_values, add_bases):
    add_bases(jiangsu, 3)
    return case_create(
        campaign=campaign,
        authority=jiangsu,
        base=other_base,
        user=other_reviewer,
        **{**case_values, "aspects": ["green"]},
    )


def list_url(campaign, authority) -> str:
    return reverse("reports:case_list", kwargs={"campaign_pk": campaign.pk, "authority_pk": authority.pk})


def create_url(campaign, authority) -> str:
    return reverse("reports:case_create", kwargs={"campaign_pk": campaign.pk, "authority_pk": authority.pk})


def post_data(base=None, **changes) -> dict:
    data = {
        "title": "实施智能制造伙伴计划",
        "background": "背景",
        "practices_lead": ["一是", "二是", "三是"],
        "practices_content": ["做法一", "做法二", "做法三"],
        "results": "成效",
        "aspects": ["digital"],
    }
    if base is not None:
        data["base"] = str(base.pk)
    data.update(changes)
    return data


def test_the_list_shows_the_quota_and_how_it_was_computed(client, reviewer, campaign, hunan, hunan_case):
    client.force_login(reviewer)
    body = client.get(list_url(campaign, hunan)).content.decode()
    # The province's quota, total, used and left (issue 8: shared with its 通信管理局).
    assert "本省配额 <strong>2</strong> · 已推荐 <strong>1</strong> · 剩余 <strong>1</strong>" in body
    assert "本省参评示范基地 9 家 × 25% = 2.25，向下取整为 2，无五星示范基地" in body
    assert hunan_case.title in body


def test_the_reviewer_recommends_a_case(client, reviewer, campaign, hunan, sibling_base, hunan_bases):
    client.force_login(reviewer)
    response = client.post(create_url(campaign, hunan), post_data(sibling_base, aspects=["digital", "green"]))
    assert response.status_code == 302
    case = CaseRecommendation.objects.get()
    assert (case.base, case.aspects, len(case.practices)) == (sibling_base, ["digital", "green"], 3)


def test_three_aspects_are_refused_at_the_field_keeping_the_text(
    client, reviewer, campaign, hunan, base, hunan_bases
):
    client.force_login(reviewer)
    response = client.post(
        create_url(campaign, hunan),
        post_data(base, aspects=["digital", "green", "opening_up"], background="我的背景"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "每个案例应聚焦1-2个方面（已选3个）" in body
    assert "我的背景" in body
    assert not CaseRecommendation.objects.exists()


def test_over_the_quota_is_refused_with_the_quota_named(
    client, reviewer, campaign, hunan, hunan_bases, case_values
):
    for b in hunan_bases[:2]:
        case_create(campaign=campaign, authority=hunan, base=b, user=reviewer, **case_values)
    client.force_login(reviewer)
    response = client.post(create_url(campaign, hunan), post_data(hunan_bases[2]))
    body = response.content.decode()
    assert "已达到优秀案例推荐配额" in body and "配额 2 个" in body
    assert CaseRecommendation.objects.count() == 2


def test_the_new_case_page_says_the_quota_is_used_up_instead_of_showing_a_form(
    client, reviewer, campaign, hunan, hunan_bases, case_values
):
    for b in hunan_bases[:2]:
        case_create(campaign=campaign, authority=hunan, base=b, user=reviewer, **case_values)
    client.force_login(reviewer)
    body = client.get(create_url(campaign, hunan)).content.decode()
    assert "现在不能新增优秀案例" in body and "已达到优秀案例推荐配额" in body and "配额 2 个" in body
    assert 'name="title"' not in body


def test_the_new_case_page_shows_the_form_while_there_is_room(client, reviewer, campaign, hunan, hunan_bases):
    client.force_login(reviewer)
    body = client.get(create_url(campaign, hunan)).content.decode()
    assert 'name="title"' in body and "现在不能新增优秀案例" not in body


def test_a_base_of_another_authority_is_refused(client, reviewer, campaign, hunan, other_base, hunan_bases):
    client.force_login(reviewer)
    response = client.post(create_url(campaign, hunan), post_data(other_base))
    assert response.status_code == 200
    assert "只能推荐本省参加本年度评价" in response.content.decode()
    assert not CaseRecommendation.objects.exists()


def test_the_reviewer_edits_a_case(client, reviewer, hunan_case):
    client.force_login(reviewer)
    url = reverse("reports:case_edit", kwargs={"pk": hunan_case.pk})
    assert 'value="1"' in client.get(url).content.decode()
    response = client.post(url, post_data(title="新标题", revision="1"))
    assert response.status_code == 302
    assert CaseRecommendation.objects.get().title == "新标题"


def test_a_stale_edit_keeps_the_users_text(client, reviewer, hunan_case):
    client.force_login(reviewer)
    url = reverse("reports:case_edit", kwargs={"pk": hunan_case.pk})
    client.post(url, post_data(title="别人改的", revision="1"))
    response = client.post(url, post_data(title="我改的", revision="1"))
    body = response.content.decode()
    assert "保存失败" in body and "我改的" in body and "别人改的" in body


def test_the_reviewer_withdraws_a_case(client, reviewer, hunan_case):
    client.force_login(reviewer)
    url = reverse("reports:case_delete", kwargs={"pk": hunan_case.pk})
    assert "确定撤回" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not CaseRecommendation.objects.exists()


@pytest.mark.parametrize("who", ["other_reviewer", "filler", "other_filler", "expert", "sysadmin", "auditor"])
def test_every_case_page_is_404_across_authorities(client, request, campaign, hunan, hunan_case, who):
    client.force_login(request.getfixturevalue(who))
    pk = {"pk": hunan_case.pk}
    for url in (
        list_url(campaign, hunan),
        create_url(campaign, hunan),
        reverse("reports:case_detail", kwargs=pk),
        reverse("reports:case_edit", kwargs=pk),
        reverse("reports:case_delete", kwargs=pk),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, post_data()).status_code == 404, url
    assert CaseRecommendation.objects.filter(pk=hunan_case.pk).exists()


def test_the_ministry_reads_but_cannot_change(client, ministry, campaign, hunan, base, hunan_case):
    client.force_login(ministry)
    assert client.get(list_url(campaign, hunan)).status_code == 200
    assert client.get(reverse("reports:case_detail", kwargs={"pk": hunan_case.pk})).status_code == 200
    assert client.post(create_url(campaign, hunan), post_data(base)).status_code == 403
    assert (
        client.post(reverse("reports:case_edit", kwargs={"pk": hunan_case.pk}), post_data()).status_code
        == 403
    )
    assert client.post(reverse("reports:case_delete", kwargs={"pk": hunan_case.pk})).status_code == 403


def test_the_ministry_reads_all_cases_filtered_by_authority_and_aspect(
    client, ministry, campaign, hunan, jiangsu, hunan_case, jiangsu_case, django_assert_max_num_queries
):
    client.force_login(ministry)
    url = reverse("reports:case_national", kwargs={"campaign_pk": campaign.pk})
    with django_assert_max_num_queries(10):
        assert set(client.get(url).context["cases"]) == {hunan_case, jiangsu_case}
    assert list(client.get(url, {"authority": jiangsu.pk}).context["cases"]) == [jiangsu_case]
    assert list(client.get(url, {"aspect": "digital"}).context["cases"]) == [hunan_case]
    assert list(client.get(url, {"aspect": "green", "authority": hunan.pk}).context["cases"]) == []


def test_a_reviewer_on_the_national_list_lands_on_their_own(client, reviewer, campaign, hunan):
    client.force_login(reviewer)
    response = client.get(reverse("reports:case_national", kwargs={"campaign_pk": campaign.pk}))
    assert response.status_code == 302 and response["Location"] == list_url(campaign, hunan)


@pytest.mark.parametrize("who", ["filler", "expert", "auditor"])
def test_the_national_list_is_refused_to_others(client, request, campaign, who):
    client.force_login(request.getfixturevalue(who))
    assert (
        client.get(reverse("reports:case_national", kwargs={"campaign_pk": campaign.pk})).status_code == 403
    )


def test_the_case_form_offers_other_with_a_name(client, reviewer, campaign, hunan, sibling_base, hunan_bases):
    client.force_login(reviewer)
    response = client.post(
        create_url(campaign, hunan),
        {**post_data(sibling_base, aspects=["other"]), "aspect_other": "人才引育"},
    )
    assert response.status_code == 302
    assert CaseRecommendation.objects.get().aspects == ["other:人才引育"]
