"""Reopening after the deadline: the base asks, its authority supports or refuses, the ministry grants."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registry.campaigns import base_window_open
from registry.models import ReopenRequest
from review.models import Notification
from review.services import reopen_authority_decide, reopen_ministry_decide, reopen_request, submission_submit
from review.tests.conftest import reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(committed, closed_campaign, filler, ready, reviewer, other_reviewer):
    return committed(
        reopen_request, campaign=closed_campaign, user=filler, reason="负责人出差，未能按时盖章。"
    )


def test_the_base_asks_after_the_deadline_and_its_reviewers_are_told(
    asked, reviewer, other_reviewer, base, hunan
):
    assert (asked.status, asked.base, asked.authority) == ("pending_authority", base, hunan)
    assert Notification.objects.filter(user=reviewer, subject="补报申请待审核").exists()
    assert not Notification.objects.filter(user=other_reviewer).exists()


def test_no_request_while_the_window_is_open(open_campaign, filler):
    with pytest.raises(ValidationError):
        reopen_request(campaign=open_campaign, user=filler, reason="x")


def test_a_reason_is_required(closed_campaign, filler):
    with pytest.raises(ValidationError):
        reopen_request(campaign=closed_campaign, user=filler, reason="  ")


def test_a_second_request_while_one_is_pending_is_refused(asked, closed_campaign, filler):
    with pytest.raises(ValidationError):
        reopen_request(campaign=closed_campaign, user=filler, reason="再次申请")
    assert ReopenRequest.objects.count() == 1


@pytest.mark.parametrize("who", ["ministry", "expert"])
def test_other_roles_cannot_ask_for_a_base(request, closed_campaign, who):
    with pytest.raises(PermissionDenied):
        reopen_request(campaign=closed_campaign, user=request.getfixturevalue(who), reason="x")


def test_the_authority_supports_then_the_ministry_grants_and_the_base_submits_late(
    committed, asked, reviewer, ministry, filler, ready
):
    committed(reopen_authority_decide, request=asked, user=reviewer, support=True)
    assert reload_request(asked).status == "pending_ministry"
    assert Notification.objects.filter(user=filler, subject="补报申请省级审核结果").exists()
    until = timezone.now() + dt.timedelta(days=3)
    committed(reopen_ministry_decide, request=asked, user=ministry, grant=True, until=until)
    assert reload_request(asked).status == "granted"
    # The service tells the base and its authority by itself: no view has to remember it.
    assert Notification.objects.filter(user=filler, subject="补报申请已批准").exists()
    assert Notification.objects.filter(user=reviewer, subject="补报申请已批准").exists()
    assert base_window_open(campaign=ready.campaign, base=ready.base)
    submission_submit(submission=ready, user=filler)
    assert reload(ready).is_late


def test_the_authority_refuses_with_a_reason(asked, reviewer):
    with pytest.raises(ValidationError):
        reopen_authority_decide(request=asked, user=reviewer, support=False, comment="")
    reopen_authority_decide(request=asked, user=reviewer, support=False, comment="理由不充分")
    r = reload_request(asked)
    assert (r.status, r.authority_comment, r.authority_by) == ("refused", "理由不充分", reviewer)


def test_a_decided_request_cannot_be_decided_again(asked, reviewer):
    reopen_authority_decide(request=asked, user=reviewer, support=True)
    with pytest.raises(ValidationError):
        reopen_authority_decide(request=asked, user=reviewer, support=False, comment="改主意")


@pytest.mark.parametrize("who", ["filler", "other_filler", "other_reviewer", "ministry", "expert"])
def test_only_the_bases_authority_decides_first(request, asked, who):
    with pytest.raises(PermissionDenied):
        reopen_authority_decide(request=asked, user=request.getfixturevalue(who), support=True)
    assert reload_request(asked).status == "pending_authority"


@pytest.mark.parametrize("who", ["filler", "reviewer", "other_reviewer", "expert"])
def test_only_the_ministry_grants(request, asked, reviewer, who):
    reopen_authority_decide(request=asked, user=reviewer, support=True)
    with pytest.raises(PermissionDenied):
        reopen_ministry_decide(
            request=asked,
            user=request.getfixturevalue(who),
            grant=True,
            until=timezone.now() + dt.timedelta(days=1),
        )


def test_the_ministry_cannot_skip_the_authority(asked, ministry):
    with pytest.raises(ValidationError):
        reopen_ministry_decide(
            request=asked, user=ministry, grant=True, until=timezone.now() + dt.timedelta(days=1)
        )


def test_a_grant_needs_a_future_end(asked, reviewer, ministry):
    reopen_authority_decide(request=asked, user=reviewer, support=True)
    with pytest.raises(ValidationError):
        reopen_ministry_decide(
            request=asked, user=ministry, grant=True, until=timezone.now() - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        reopen_ministry_decide(request=asked, user=ministry, grant=True, until=None)


def reload_request(r: ReopenRequest) -> ReopenRequest:
    return ReopenRequest.objects.get(pk=r.pk)


def test_an_authority_asks_for_itself_straight_to_the_ministry(closed_campaign, reviewer, hunan):
    closed_campaign.authority_deadline = timezone.now() - dt.timedelta(days=1)
    closed_campaign.save(update_fields=["authority_deadline"])
    r = reopen_request(campaign=closed_campaign, user=reviewer, reason="总结材料需补充")
    assert (r.status, r.base, r.authority) == ("pending_ministry", None, hunan)
    assert not base_window_open(campaign=closed_campaign, base=reviewer.authority.bases.first())
