"""The ministry's evaluation pages: only the ministry sees them; lists use a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import BaseScore, Disqualification, ScoreRun
from evaluation.services import scoring_run
from jobs.models import Job

OTHERS = ["filler", "other_filler", "reviewer", "other_reviewer", "expert", "sysadmin", "secadmin", "auditor"]


def pages(campaign, base):
    return [
        reverse("evaluation:index"),
        reverse("evaluation:campaign", args=[campaign.pk]),
        reverse("evaluation:scores", args=[campaign.pk]),
        reverse("evaluation:score_detail", args=[campaign.pk, base.pk]),
    ]


@pytest.mark.parametrize("role", OTHERS)
def test_it_refuses_every_other_role(request, client, role, campaign, base, scoring_model):
    client.force_login(request.getfixturevalue(role))
    for url in pages(campaign, base):
        assert client.get(url).status_code == 404, url
    for name in ("evaluation:run", "evaluation:model_load"):
        assert client.post(reverse(name, args=[campaign.pk]), {"scope": "all"}).status_code == 404
    assert (
        client.post(
            reverse("evaluation:disqualify", args=[campaign.pk, base.pk]), {"kind": "虚报", "reason": "x"}
        ).status_code
        == 404
    )
    assert not ScoreRun.objects.exists() and not Disqualification.objects.exists()


def test_anonymous_is_sent_to_login(client, campaign, base):
    response = client.get(reverse("evaluation:scores", args=[campaign.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_ministry_loads_the_model_and_runs_scoring(
    client, ministry, materials, definitions, campaign, base, django_capture_on_commit_callbacks
):
    client.force_login(ministry)
    response = client.post(reverse("evaluation:model_load", args=[campaign.pk]), follow=True)
    assert "已加载评分模型" in response.content.decode()
    page = client.get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    assert "利润率" in page and "2.2 利润总额" in page and "研发投入强度" in page
    with django_capture_on_commit_callbacks(execute=True):  # the task queue runs at once in tests
        response = client.post(
            reverse("evaluation:run", args=[campaign.pk]), {"scope": "submitted"}, follow=True
        )
    body = response.content.decode()
    assert "已在后台开始评分" in body
    job = Job.objects.get(kind="evaluation.score")
    assert job.status == Job.Status.DONE and job.summary.startswith("评分 3 个示范基地")
    assert ScoreRun.objects.get().base_count == 3
    assert base.name in client.get(reverse("evaluation:scores", args=[campaign.pk])).content.decode()


def test_a_scoring_job_that_finds_nothing_says_why(
    client, ministry, definitions, scoring_model, campaign, django_capture_on_commit_callbacks
):
    client.force_login(ministry)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluation:run", args=[campaign.pk]), {"scope": "submitted"})
    body = client.get(reverse("evaluation:campaign", args=[campaign.pk])).content.decode()
    assert "没有可评分的材料" in body
    assert (
        client.post(reverse("evaluation:run", args=[campaign.pk]), {"scope": "x"}, follow=True).status_code
        == 200
    )
    assert Job.objects.count() == 1


def test_the_explanation_shows_values_weights_contributions_and_peers(
    client, ministry, materials, scoring_model, campaign, base, other_base
):
    scoring_run(campaign=campaign, user=ministry)
    client.force_login(ministry)
    body = client.get(reverse("evaluation:score_detail", args=[campaign.pk, base.pk])).content.decode()
    assert "利润率" in body and "8.00" in body  # 利润总额 48 / 销售收入 600
    assert "贡献（综合分）" in body and "比较对象" in body
    assert other_base.name in body  # the ministry sees the peers by name


def test_score_list_queries_do_not_grow_with_bases(
    client, ministry, materials, scoring_model, campaign, django_assert_max_num_queries
):
    scoring_run(campaign=campaign, user=ministry)
    client.force_login(ministry)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evaluation:scores", args=[campaign.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("/scores/") >= 3


def test_ministry_disqualifies_through_the_page(client, ministry, materials, scoring_model, campaign, base):
    client.force_login(ministry)
    url = reverse("evaluation:disqualify", args=[campaign.pk, base.pk])
    body = client.post(url, {"kind": "虚报", "reason": ""}, follow=True).content.decode()
    assert "请写明认定瞒报、虚报的事实与依据" in body
    client.post(url, {"kind": "虚报", "reason": "销售收入虚增"})
    scoring_run(campaign=campaign, user=ministry)
    assert BaseScore.objects.get(base=base).total is None
    body = client.get(reverse("evaluation:score_detail", args=[campaign.pk, base.pk])).content.decode()
    assert "已取消参评资格：虚报：销售收入虚增" in body
