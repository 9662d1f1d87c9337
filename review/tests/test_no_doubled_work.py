"""No doubled or half-done work: a double click, a replayed request or two requests at once make one
transition; a failure in the middle of a transition leaves nothing behind; an overloaded database
answers with a clear "try again"."""

from __future__ import annotations

import re

import pytest
from django.db import OperationalError
from django.urls import reverse

from audit.models import Event
from review.models import Transition
from review.services import review_return, submission_submit
from review.tests.conftest import reload


def url(s) -> str:
    return reverse("review:submit", args=[s.pk])


def page_token(client, submission) -> str:
    html = client.get(url(submission)).content.decode()
    match = re.search(r'name="seen" value="([^"]+)"', html)
    assert match, "the submit form carries the state it was shown in"
    return match.group(1)


def submits(submission) -> int:
    return Transition.objects.filter(submission=submission, action=Transition.Action.SUBMIT).count()


def test_a_double_click_makes_exactly_one_transition(client, filler, ready):
    client.force_login(filler)
    token = page_token(client, ready)
    client.post(url(ready), {"seen": token})
    second = client.post(url(ready), {"seen": token}, follow=True)
    assert submits(ready) == 1
    assert Event.objects.filter(action="submission.submit").count() == 1
    assert "刚才的操作没有重复执行" in second.content.decode()


def test_a_replayed_submit_after_a_return_is_refused(client, filler, reviewer, ready):
    client.force_login(filler)
    token = page_token(client, ready)
    client.post(url(ready), {"seen": token})
    review_return(submission=reload(ready), user=reviewer, comment="请补充说明。")
    # The same request again (a browser's resend, a captured request): the state moved since.
    client.post(url(ready), {"seen": token})
    assert reload(ready).status == "returned"
    assert submits(ready) == 1


def test_a_failure_in_the_middle_of_a_transition_leaves_nothing(
    filler, ready, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("审计写入失败")

    # The audit event is written after the transition row and the status: failing there must undo both.
    monkeypatch.setattr("review.services.event_record", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        submission_submit(submission=ready, user=filler)
    assert reload(ready).status == "draft"
    assert submits(ready) == 0
    assert not callbacks and not mailoutbox  # nobody was told of a submission that did not happen


def test_an_overloaded_database_answers_503_with_a_retry_message(client, filler, ready, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("review.views.submission_submit", locked)
    client.force_login(filler)
    response = client.post(url(ready), {"seen": ready.state_token}, raise_request_exception=False)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "系统当前繁忙" in response.content.decode() and "不会丢失" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_overloaded_autosave_gets_json_it_can_retry(client, filler, ready, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr("submissions.views.values_save", locked)
    client.force_login(filler)
    response = client.post(
        reverse("submissions:save", args=[ready.pk]) + "?form=summary&section=一",
        data='{"changes": [{"form": "summary", "code": "1.1", "year": 2021, "raw": "1"}]}',
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response.json()["retry"] is True and "请稍候 30 秒后重试" in response.json()["error"]
