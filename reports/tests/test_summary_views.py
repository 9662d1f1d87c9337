"""Provincial summary pages: the authority's reviewer writes, the ministry reads all, others 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ProvincialSummary
from reports.services import summary_save

TEXTS = {"progress": "主要进展", "difficulties": "困难和问题", "next_steps": "思路及建议"}


def url(campaign, authority) -> str:
    return reverse("reports:summary_edit", kwargs={"campaign_pk": campaign.pk, "authority_pk": authority.pk})


@pytest.fixture
def future_deadline(campaign):
    campaign.base_deadline = timezone.now() + dt.timedelta(days=3)
    campaign.authority_deadline = timezone.now() + dt.timedelta(days=10)
    campaign.save(update_fields=["base_deadline", "authority_deadline"])
    return campaign


def test_the_reviewer_sees_the_editor(client, reviewer, campaign, hunan):
    client.force_login(reviewer)
    body = client.get(url(campaign, hunan)).content.decode()
    assert 'name="progress"' in body and "下一步工作思路及建议" in body


def test_the_reviewer_saves_a_draft(client, reviewer, campaign, hunan):
    client.force_login(reviewer)
    response = client.post(url(campaign, hunan), {"revision": "0", "action": "save", **TEXTS}, follow=True)
    assert "工作总结已保存（第1版）" in response.content.decode()
    assert ProvincialSummary.objects.get().progress == "主要进展"


def test_the_reviewer_submits_before_the_deadline(client, reviewer, future_deadline, hunan):
    client.force_login(reviewer)
    response = client.post(
        url(future_deadline, hunan), {"revision": "0", "action": "submit", **TEXTS}, follow=True
    )
    assert "已报送工业和信息化部规划司" in response.content.decode()
    assert ProvincialSummary.objects.get().is_submitted


def test_after_the_deadline_the_text_is_saved_but_not_submitted(client, reviewer, campaign, hunan):
    # The shared campaign's authority deadline (2022-08-31) has passed.
    client.force_login(reviewer)
    response = client.post(url(campaign, hunan), {"revision": "0", "action": "submit", **TEXTS}, follow=True)
    body = response.content.decode()
    assert "已超过省级材料报送截止时间" in body
    summary = ProvincialSummary.objects.get()
    assert (summary.status, summary.progress) == ("draft", "主要进展")
    assert "已截止" in body


def test_a_stale_save_keeps_the_users_text(client, reviewer, campaign, hunan):
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    client.force_login(reviewer)
    response = client.post(
        url(campaign, hunan), {"revision": "0", "action": "save", **TEXTS, "progress": "我的新文字"}
    )
    body = response.content.decode()
    assert "保存失败" in body and "我的新文字" in body
    assert ProvincialSummary.objects.get().progress == "主要进展"


def test_the_ministry_reads_without_editing(client, ministry, reviewer, campaign, hunan):
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    client.force_login(ministry)
    response = client.get(url(campaign, hunan))
    body = response.content.decode()
    assert "主要进展" in body and 'name="progress"' not in body
    assert client.post(url(campaign, hunan), {"revision": "1", **TEXTS}).status_code == 403


@pytest.mark.parametrize("who", ["other_reviewer", "filler", "expert", "sysadmin", "auditor"])
def test_others_get_404(client, request, campaign, hunan, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(campaign, hunan)).status_code == 404
    assert client.post(url(campaign, hunan), {"revision": "0", **TEXTS}).status_code == 404


def test_an_unknown_campaign_is_404(client, reviewer, hunan):
    client.force_login(reviewer)
    response = client.get(
        reverse("reports:summary_edit", kwargs={"campaign_pk": 9999, "authority_pk": hunan.pk})
    )
    assert response.status_code == 404


def test_the_ministry_list_shows_every_participating_authority(
    client, ministry, reviewer, campaign, hunan, jiangsu, django_assert_max_num_queries
):
    summary_save(campaign=campaign, authority=hunan, user=reviewer, revision=0, texts=TEXTS)
    client.force_login(ministry)
    # 15: the province quotas (issue 8) read authorities, bases, cases, splits and ratings once each.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports:summary_list", kwargs={"campaign_pk": campaign.pk}))
    rows = {row["authority"].pk: row for row in response.context["rows"]}
    assert set(rows) == {hunan.pk, jiangsu.pk}
    assert rows[hunan.pk]["authority"].base_count == 2
    assert rows[jiangsu.pk]["summary"] is None
    assert rows[hunan.pk]["quota"] == 0  # 2 bases × 25% = 0.5 → 0


def test_the_list_query_count_does_not_grow_with_authorities(
    client, ministry, campaign, add_bases, django_assert_max_num_queries
):
    from registry.models import Authority

    for authority in Authority.objects.order_by("sort_order")[:12]:
        add_bases(authority, 2, prefix="批量")
    client.force_login(ministry)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports:summary_list", kwargs={"campaign_pk": campaign.pk}))
    assert len(response.context["rows"]) >= 12


def test_a_reviewer_opening_the_national_list_lands_on_their_own(client, reviewer, campaign, hunan):
    client.force_login(reviewer)
    response = client.get(reverse("reports:summary_list", kwargs={"campaign_pk": campaign.pk}))
    assert response.status_code == 302 and response["Location"] == url(campaign, hunan)


@pytest.mark.parametrize("who", ["filler", "expert", "secadmin"])
def test_the_national_list_is_refused_to_bases_experts_and_operators(client, request, campaign, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reports:summary_list", kwargs={"campaign_pk": campaign.pk})).status_code == 403
