"""Messages and e-mail go out only after the change they announce has committed (review.notifications)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from review.models import Notification
from review.notifications import notify_users
from review.services import review_return, submission_submit
from submissions.models import Submission

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def reviewer_with_mail(reviewer):
    reviewer.email = "reviewer@example.cn"
    reviewer.save(update_fields=["email"])
    return reviewer


def test_a_rolled_back_transaction_sends_nothing(
    django_capture_on_commit_callbacks, ready, filler, reviewer_with_mail
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        submission_submit(submission=ready, user=filler)
        raise Boom  # anything failing later in the same transaction
    assert callbacks == []
    assert not Notification.objects.filter(user=reviewer_with_mail).exists()
    assert mail.outbox == []
    ready.refresh_from_db()
    assert ready.status == Submission.Status.DRAFT


def test_a_refused_action_sends_nothing(committed, submitted, reviewer, filler):
    with pytest.raises(Exception, match="退回意见"):
        committed(review_return, submission=submitted, user=reviewer, comment=" ")
    assert not Notification.objects.filter(user=filler, subject="材料已被退回").exists()


def test_nothing_goes_out_before_the_commit(
    django_capture_on_commit_callbacks, ready, filler, reviewer_with_mail
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission_submit(submission=ready, user=filler)
    # The state changed inside the transaction, but nobody has been told yet.
    assert not Notification.objects.filter(user=reviewer_with_mail).exists()
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    note = Notification.objects.get(user=reviewer_with_mail)
    assert note.subject == "材料待初审"
    assert [m.to for m in mail.outbox] == [["reviewer@example.cn"]]
    assert mail.outbox[0].subject == "【示范基地信息管理系统】材料待初审"


def test_a_failing_mail_server_keeps_the_message(committed, monkeypatch, reviewer_with_mail, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("review.notifications.send_mass_mail", refuse)
    assert committed(notify_users, users=[reviewer_with_mail], subject="测试", body="正文") == 1
    assert Notification.objects.filter(user=reviewer_with_mail, subject="测试").exists()
    assert "notification e-mail failed" in caplog.text


def test_inactive_users_and_users_without_an_address_get_no_mail(committed, reviewer, other_reviewer):
    other_reviewer.is_active = False
    other_reviewer.email = "other@example.cn"
    other_reviewer.save(update_fields=["is_active", "email"])
    assert committed(notify_users, users=[reviewer, other_reviewer], subject="测试", body="正文") == 1
    assert list(Notification.objects.values_list("user__username", flat=True)) == [reviewer.username]
    assert mail.outbox == []


def test_the_return_message_and_mail_carry_the_field_comments_and_a_link_to_the_page(
    committed, submitted, reviewer, filler, settings
):
    from django.urls import reverse

    from review.services import FieldNote

    settings.SITE_URL = "https://sfjd.example.cn/"
    filler.email = "filler@example.cn"
    filler.save(update_fields=["email"])
    committed(
        review_return,
        submission=submitted,
        user=reviewer,
        comment="请核实销售收入。",
        field_notes=[FieldNote(form="summary", code="1.1", year=2021, text="2021年偏低")],
    )
    message = Notification.objects.get(user=filler, subject="材料已被退回")
    assert "退回意见：请核实销售收入。" in message.body
    assert "（2021年）：2021年偏低" in message.body and "1.1" in message.body
    assert message.link == reverse("submissions:detail", args=[submitted.pk])
    (email,) = mail.outbox
    assert "2021年偏低" in email.body
    assert f"https://sfjd.example.cn{message.link}" in email.body


def test_messages_asking_for_an_action_are_read_once_it_is_taken(committed, ready, filler, reviewer):
    committed(submission_submit, submission=ready, user=filler)
    waiting = Notification.objects.get(user=reviewer)
    assert waiting.read_at is None
    committed(review_return, submission=ready, user=reviewer, comment="请核实。")
    waiting.refresh_from_db()
    assert waiting.read_at is not None  # the review it asked for is done
    returned = Notification.objects.get(user=filler, subject="材料已被退回")
    assert returned.read_at is None  # the return's own message stays unread until the base resubmits
