"""The ministry's reopening queue: requests waiting for it (a base's, supported by its authority, and an
authority's own), grant with a Beijing-time deadline in the future or reject with a reason, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lib.deadlines import SHANGHAI
from registry.campaigns import base_window_open
from registry.models import ReopenRequest
from review.models import Notification
from review.services import reopen_authority_decide, reopen_request, submission_submit
from review.tests.conftest import reload

pytestmark = pytest.mark.django_db
URL = reverse("review:ministry_reopen")


def decide(pk: int) -> str:
    return reverse("review:ministry_reopen_decide", args=[pk])


def local(value: dt.datetime) -> str:
    """What the old datetime-local input sent (still accepted): Beijing wall-clock time, no zone."""
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def supported(ready, closed_campaign, filler, reviewer) -> ReopenRequest:
    req = reopen_request(campaign=closed_campaign, user=filler, reason="负责人出差，未能按时盖章。")
    return reopen_authority_decide(request=req, user=reviewer, support=True, comment="情况属实")


@pytest.fixture
def authority_request(closed_campaign, reviewer) -> ReopenRequest:
    closed_campaign.authority_deadline = timezone.now() - dt.timedelta(days=1)
    closed_campaign.save(update_fields=["authority_deadline"])
    return reopen_request(campaign=closed_campaign, user=reviewer, reason="省级总结需补充数据。")


def test_the_queue_lists_base_and_authority_requests(client, ministry, supported, authority_request):
    client.force_login(ministry)
    response = client.get(URL)
    html = response.content.decode()
    assert {r.pk for r in response.context["pending"]} == {supported.pk, authority_request.pk}
    assert "负责人出差" in html and "情况属实" in html and "省级总结需补充数据" in html
    assert 'type="date"' in html and decide(supported.pk) in html


def test_a_request_still_with_the_authority_is_not_in_the_queue(
    client, ministry, ready, closed_campaign, filler
):
    reopen_request(campaign=closed_campaign, user=filler, reason="x")
    client.force_login(ministry)
    assert client.get(URL).context["pending"] == []


def test_grant_then_the_base_submits_and_is_marked_late(
    committed, client, ministry, supported, filler, ready, base
):
    until = timezone.now() + dt.timedelta(days=2)
    client.force_login(ministry)
    response = committed(
        client.post, decide(supported.pk), {"decision": "grant", "until": local(until), "comment": "同意"}
    )
    assert response.status_code == 302
    req = ReopenRequest.objects.get(pk=supported.pk)
    assert req.status == "granted" and req.ministry_by == ministry
    # The deadline typed is Beijing time, stored to the minute.
    assert req.window_until == until.replace(second=0, microsecond=0)
    assert base_window_open(campaign=ready.campaign, base=base)
    assert Notification.objects.filter(user=filler, subject="补报申请已批准").exists()
    s = submission_submit(submission=reload(ready), user=filler)
    assert reload(s).status == "submitted" and reload(s).is_late
    html = client.get(URL).content.decode()
    assert "已批准补报" in html and "没有待审批的补报申请" in html


def test_a_deadline_in_the_past_is_refused(client, ministry, supported, ready, base):
    client.force_login(ministry)
    past = timezone.now() - dt.timedelta(days=1)
    response = client.post(decide(supported.pk), {"decision": "grant", "until": local(past)}, follow=True)
    assert "补报截止日期不能早于今天" in response.content.decode()
    assert ReopenRequest.objects.get(pk=supported.pk).status == "pending_ministry"
    assert not base_window_open(campaign=ready.campaign, base=base)


def test_a_grant_needs_a_deadline(client, ministry, supported):
    client.force_login(ministry)
    response = client.post(decide(supported.pk), {"decision": "grant", "until": ""}, follow=True)
    assert "请设定补报截止时间" in response.content.decode()
    assert ReopenRequest.objects.get(pk=supported.pk).status == "pending_ministry"


def test_reject_needs_a_reason(committed, client, ministry, supported, filler):
    client.force_login(ministry)
    response = committed(
        client.post, decide(supported.pk), {"decision": "reject", "comment": ""}, follow=True
    )
    assert "不批准时请填写理由" in response.content.decode()
    assert ReopenRequest.objects.get(pk=supported.pk).status == "pending_ministry"
    committed(client.post, decide(supported.pk), {"decision": "reject", "comment": "逾期过久"})
    req = ReopenRequest.objects.get(pk=supported.pk)
    assert (req.status, req.ministry_comment, req.window_until) == ("rejected", "逾期过久", None)
    assert Notification.objects.filter(user=filler, subject="补报申请未获批准").exists()
    assert "逾期过久" in client.get(URL).content.decode()


def test_an_authority_request_granted_reopens_the_authority(
    committed, client, ministry, authority_request, reviewer
):
    client.force_login(ministry)
    until = timezone.now() + dt.timedelta(days=1)
    committed(client.post, decide(authority_request.pk), {"decision": "grant", "until": local(until)})
    assert ReopenRequest.objects.get(pk=authority_request.pk).status == "granted"
    assert Notification.objects.filter(user=reviewer, subject="补报申请已批准").exists()


def test_a_decided_request_cannot_be_decided_again(client, ministry, supported):
    client.force_login(ministry)
    client.post(decide(supported.pk), {"decision": "reject", "comment": "不同意"})
    until = timezone.now() + dt.timedelta(days=1)
    response = client.post(decide(supported.pk), {"decision": "grant", "until": local(until)}, follow=True)
    assert "不在待部级审批状态" in response.content.decode()
    assert ReopenRequest.objects.get(pk=supported.pk).status == "rejected"


def test_an_unknown_request_is_404(client, ministry, campaign):
    client.force_login(ministry)
    assert client.post(decide(999999), {"decision": "reject", "comment": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["filler", "other_filler", "reviewer", "other_reviewer", "expert", "auditor"])
def test_other_roles_are_refused(request, client, supported, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403
    until = timezone.now() + dt.timedelta(days=1)
    assert client.post(decide(supported.pk), {"decision": "grant", "until": local(until)}).status_code == 403
    assert ReopenRequest.objects.get(pk=supported.pk).status == "pending_ministry"
