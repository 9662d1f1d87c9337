"""submission_submit: who may submit, what blocks it, deadlines, reopening windows and the late marker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registry.models import ReopenRequest
from review.models import Notification, Transition
from review.services import review_return, submission_blockers, submission_submit
from review.tests.conftest import cell, reload, rescan, set_deadline

pytestmark = pytest.mark.django_db


def test_the_filler_of_the_base_submits_a_ready_material(ready, filler):
    submission_submit(submission=ready, user=filler)
    s = reload(ready)
    assert s.status == "submitted"
    assert s.submitted_at is not None and not s.is_late
    t = s.transitions.get()
    assert (t.action, t.from_status, t.to_status, t.actor, t.is_late) == (
        "submit",
        "draft",
        "submitted",
        filler,
        False,
    )


@pytest.mark.parametrize("who", ["other_filler", "reviewer", "other_reviewer", "ministry", "expert"])
def test_nobody_else_may_submit(request, ready, who):
    with pytest.raises(PermissionDenied):
        submission_submit(submission=ready, user=request.getfixturevalue(who))
    assert reload(ready).status == "draft"


def test_it_refuses_a_material_with_blockers_and_lists_them(material, filler):
    with pytest.raises(ValidationError) as exc:
        submission_submit(submission=material, user=filler)
    text = "".join(exc.value.messages)
    assert "必填内容未填写完整" in text and "发展情况报告" in text and "盖章扫描件" in text
    assert reload(material).status == "draft"
    assert not Transition.objects.exists()


def test_an_error_in_the_values_blocks(ready, filler):
    cell(ready, filler, "1.1a", 2021, "999")  # part larger than its whole
    rescan(ready, filler)
    problems = submission_blockers(ready)
    assert problems == ["报表中还有 1 处错误需要修改。"]
    with pytest.raises(ValidationError):
        submission_submit(submission=ready, user=filler)


def test_a_scan_made_before_the_last_change_blocks(ready, filler):
    cell(ready, filler, "1.1", 2021, "111")
    assert any("过期" in p for p in submission_blockers(ready))


def test_an_unexplained_warning_blocks(ready, filler):
    cell(ready, filler, "1.1", 2021, "300")
    rescan(ready, filler)
    assert submission_blockers(ready) == ["还有 1 条预警未填写情况说明。"]


def test_the_warning_explained_no_longer_blocks(with_warning, filler):
    assert submission_blockers(with_warning) == []
    submission_submit(submission=with_warning, user=filler)


def test_it_cannot_submit_twice(submitted, filler):
    with pytest.raises(ValidationError):
        submission_submit(submission=submitted, user=filler)


def test_a_first_submission_after_the_deadline_is_refused(ready, filler, open_campaign):
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        submission_submit(submission=ready, user=filler)
    assert "截止" in exc.value.messages[0]
    assert reload(ready).status == "draft"


def test_inside_a_granted_window_it_submits_and_is_marked_late(ready, filler, open_campaign, base, hunan):
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=2))
    ReopenRequest.objects.create(
        campaign=open_campaign, authority=hunan, base=base, reason="系统故障", requested_by=filler,
        status=ReopenRequest.Status.GRANTED, window_until=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    submission_submit(submission=ready, user=filler)
    s = reload(ready)
    assert s.status == "submitted" and s.is_late
    assert s.transitions.get().is_late


def test_an_expired_window_no_longer_opens(ready, filler, open_campaign, base, hunan):
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=5))
    ReopenRequest.objects.create(
        campaign=open_campaign, authority=hunan, base=base, reason="系统故障", requested_by=filler,
        status=ReopenRequest.Status.GRANTED, window_until=timezone.now() - dt.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        submission_submit(submission=ready, user=filler)


def test_a_window_granted_to_another_base_does_not_open(ready, filler, open_campaign, sibling_base, hunan):
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=2))
    ReopenRequest.objects.create(
        campaign=open_campaign, authority=hunan, base=sibling_base, reason="x",
        status=ReopenRequest.Status.GRANTED, window_until=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        submission_submit(submission=ready, user=filler)


def test_a_returned_material_is_resubmitted_after_the_deadline_and_not_marked_late(
    submitted, filler, reviewer, open_campaign
):
    review_return(submission=submitted, user=reviewer, comment="请核实。")
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=1))
    submission_submit(submission=submitted, user=filler)
    s = reload(submitted)
    assert s.status == "submitted"
    assert not s.is_late
    assert not s.transitions.filter(action="submit").last().is_late


def test_a_late_first_submission_stays_late_after_a_return(
    ready, filler, reviewer, open_campaign, base, hunan
):
    set_deadline(open_campaign, base=timezone.now() - dt.timedelta(days=2))
    ReopenRequest.objects.create(
        campaign=open_campaign, authority=hunan, base=base, reason="x",
        status=ReopenRequest.Status.GRANTED, window_until=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    submission_submit(submission=ready, user=filler)
    review_return(submission=ready, user=reviewer, comment="请核实。")
    submission_submit(submission=ready, user=filler)
    assert reload(ready).is_late


def test_the_reviewers_of_the_authority_are_told(committed, ready, filler, reviewer, other_reviewer):
    committed(submission_submit, submission=ready, user=filler)
    note = Notification.objects.get(user=reviewer)
    assert note.subject == "材料待初审" and f"/review/submission/{ready.pk}/" == note.link
    assert not Notification.objects.filter(user=other_reviewer).exists()


BJ = dt.timezone(dt.timedelta(hours=8))
LAST_DAY = dt.datetime(2030, 8, 24, 23, 59, 59, tzinfo=BJ)  # stored as 23:59:59.000


def test_half_a_second_before_midnight_on_the_last_day_is_in_time(ready, filler, open_campaign, monkeypatch):
    set_deadline(open_campaign, base=LAST_DAY)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2030, 8, 24, 23, 59, 59, 500000, tzinfo=BJ))
    submission_submit(submission=ready, user=filler)
    s = reload(ready)
    assert s.status == "submitted" and not s.is_late


def test_midnight_after_the_last_day_is_too_late(ready, filler, open_campaign, monkeypatch):
    set_deadline(open_campaign, base=LAST_DAY)
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2030, 8, 25, 0, 0, tzinfo=BJ))
    with pytest.raises(ValidationError):
        submission_submit(submission=ready, user=filler)


def test_a_reopening_window_also_runs_through_its_last_day(
    ready, filler, open_campaign, base, hunan, monkeypatch
):
    set_deadline(open_campaign, base=LAST_DAY - dt.timedelta(days=10))
    ReopenRequest.objects.create(
        campaign=open_campaign, authority=hunan, base=base, reason="系统故障", requested_by=filler,
        status=ReopenRequest.Status.GRANTED, window_until=dt.datetime(2030, 8, 24, 18, 0, tzinfo=BJ),
    )  # fmt: skip
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2030, 8, 24, 23, 59, 59, 500000, tzinfo=BJ))
    submission_submit(submission=ready, user=filler)
    s = reload(ready)
    assert s.status == "submitted" and s.is_late
