"""The ministry's data-quality pages: per base flags, return with flags; nobody else gets in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluation.models import QualityRun
from evaluation.services import quality_check_run
from submissions.models import Submission, Value

from .conftest import set_status

OTHERS = ["filler", "other_filler", "reviewer", "other_reviewer", "expert", "sysadmin", "secadmin", "auditor"]


@pytest.mark.parametrize("role", OTHERS)
def test_it_refuses_every_other_role(request, client, role, campaign, base, scoring_model):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("evaluation:quality", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("evaluation:quality_detail", args=[campaign.pk, base.pk])).status_code == 404
    assert client.post(reverse("evaluation:quality_run", args=[campaign.pk])).status_code == 404
    assert (
        client.post(
            reverse("evaluation:quality_return", args=[campaign.pk, base.pk]), {"flag": "1"}
        ).status_code
        == 404
    )
    assert not QualityRun.objects.exists()


def test_ministry_runs_the_check_and_sees_flags_per_base(
    client, ministry, materials, scoring_model, campaign, base, django_capture_on_commit_callbacks
):
    Value.objects.filter(submission=materials[base.pk], code="6.2", year=2021).update(
        value="90000", raw="90000"
    )
    client.force_login(ministry)
    with django_capture_on_commit_callbacks(execute=True):
        body = client.post(
            reverse("evaluation:quality_run", args=[campaign.pk]), follow=True
        ).content.decode()
    assert "已在后台开始数据质量检查" in body
    body = client.get(reverse("evaluation:quality", args=[campaign.pk])).content.decode()
    assert base.name in body
    body = client.get(reverse("evaluation:quality_detail", args=[campaign.pk, base.pk])).content.decode()
    assert "研发人数超过年末从业人数" in body
    assert "尚未报送至部级" in body  # still only submitted: the ministry cannot return it yet


def test_the_list_uses_a_fixed_number_of_queries(
    client, ministry, materials, scoring_model, campaign, django_assert_max_num_queries
):
    for sub in materials.values():
        Value.objects.filter(submission=sub, code="6.2", year=2021).update(value="90000", raw="90000")
    quality_check_run(campaign=campaign, user=ministry)
    client.force_login(ministry)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evaluation:quality", args=[campaign.pk]))
    assert response.content.decode().count("/quality/") >= 4


def test_ministry_sends_the_material_back_with_the_flags(
    client, ministry, materials, scoring_model, campaign, base
):
    sub = materials[base.pk]
    Value.objects.filter(submission=sub, code="6.2", year=2021).update(value="90000", raw="90000")
    set_status(sub, Submission.Status.ACCEPTED)
    run = quality_check_run(campaign=campaign, user=ministry)
    flag = run.flags.get(base=base, kind="contradiction")
    client.force_login(ministry)
    url = reverse("evaluation:quality_return", args=[campaign.pk, base.pk])
    body = client.post(url, {"comment": "请核实"}, follow=True).content.decode()
    assert "请勾选要随退回发出的问题" in body
    body = client.post(url, {"flag": [flag.pk], "comment": "请核实"}, follow=True).content.decode()
    assert "已将" in body and "随退回发出" in body
    assert Submission.objects.get(pk=sub.pk).status == Submission.Status.RETURNED
