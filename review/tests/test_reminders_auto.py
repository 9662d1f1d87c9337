"""The automatic 催报 run (review.reminders.reminders_auto and `manage.py send_reminders`): bases behind
are reminded on each reminder day before the base deadline, once; authorities are told about bases
still silent after an earlier reminder, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role
from conftest import make_user
from lib.deadlines import SHANGHAI
from review.models import Reminder
from review.reminders import reminder_send, reminders_auto
from review.tests.conftest import set_deadline

pytestmark = pytest.mark.django_db
DEADLINE = dt.datetime(2030, 8, 24, 23, 59, 59, tzinfo=SHANGHAI)


def before(days: int, hours: int = 0) -> dt.datetime:
    return DEADLINE - dt.timedelta(days=days, hours=hours)


@pytest.fixture
def people(filler, other_filler, reviewer, other_reviewer, sibling_base):
    sibling_filler = make_user("sibling_filler", Role.BASE_FILLER, base=sibling_base)
    for user in (filler, other_filler, sibling_filler, reviewer, other_reviewer):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return sibling_filler


@pytest.fixture
def campaign_2030(open_campaign, material, people):
    return set_deadline(open_campaign, base=DEADLINE)


def fillers_reminded() -> set[str]:
    return {to for m in mail.outbox for to in m.to if "filler" in to}


def test_reminders_go_out_7_3_and_1_days_before_and_never_twice(committed, campaign_2030):
    assert committed(reminders_auto, campaign=campaign_2030, now=before(10)).reminders.sent == 0
    first = committed(reminders_auto, campaign=campaign_2030, now=before(7))
    assert (first.milestone, first.reminders.sent) == (7, 3)
    assert fillers_reminded() == {"filler@example.cn", "sibling_filler@example.cn", "other_filler@example.cn"}
    # The same day again, and the days up to the next reminder day: nothing more.
    for now in (before(7, hours=-2), before(6), before(4)):
        again = committed(reminders_auto, campaign=campaign_2030, now=now)
        assert (again.milestone, again.reminders.sent, again.reminders.skipped) == (7, 0, 0)
    assert committed(reminders_auto, campaign=campaign_2030, now=before(3)).reminders.sent == 3
    assert committed(reminders_auto, campaign=campaign_2030, now=before(3, hours=-5)).reminders.sent == 0
    assert committed(reminders_auto, campaign=campaign_2030, now=before(1)).reminders.sent == 3
    assert (
        committed(reminders_auto, campaign=campaign_2030, now=before(0)).reminders.sent == 0
    )  # deadline day: done
    assert Reminder.objects.filter(kind="auto").count() == 9


def test_a_missed_run_still_sends_for_that_reminder_day(campaign_2030):
    result = reminders_auto(campaign=campaign_2030, now=before(5))  # the run on day 7 did not happen
    assert (result.milestone, result.reminders.sent) == (7, 3)


def test_reminder_days_are_a_setting(settings, campaign_2030):
    settings.REMINDER_DAYS_BEFORE = [5]
    assert reminders_auto(campaign=campaign_2030, now=before(7)).reminders.sent == 0
    assert reminders_auto(campaign=campaign_2030, now=before(5)).reminders.sent == 3


def test_submitted_bases_are_not_reminded(committed, campaign_2030, material, filler):
    material.status = "submitted"
    material.save(update_fields=["status"])
    committed(reminders_auto, campaign=campaign_2030, now=before(7))
    assert fillers_reminded() == {"sibling_filler@example.cn", "other_filler@example.cn"}


def test_a_recent_manual_reminder_is_respected(campaign_2030, reviewer):
    reminder_send(campaign=campaign_2030, sender=reviewer, targets="bases", now=before(7, hours=2))
    result = reminders_auto(campaign=campaign_2030, now=before(7))
    assert (result.reminders.sent, result.reminders.skipped) == (1, 2)


def test_bases_silent_after_a_reminder_are_escalated_to_their_authority_once(
    committed, campaign_2030, sibling_base, base, other_base
):
    committed(reminders_auto, campaign=campaign_2030, now=before(3))
    assert committed(reminders_auto, campaign=campaign_2030, now=before(3)).escalations.sent == 0  # not yet
    mail.outbox.clear()
    result = committed(reminders_auto, campaign=campaign_2030, now=before(1))
    assert result.escalations.sent == 2
    escalations = {m.to[0]: m for m in mail.outbox if "reviewer" in m.to[0]}
    assert set(escalations) == {"reviewer@example.cn", "other_reviewer@example.cn"}
    hunan_mail = escalations["reviewer@example.cn"]
    assert "2 个示范基地经催报仍未提交" in hunan_mail.subject
    assert base.name in hunan_mail.body and sibling_base.name in hunan_mail.body
    assert other_base.name not in hunan_mail.body
    esc = Reminder.objects.get(kind="escalation", recipient__username="reviewer")
    assert esc.authority == base.authority and base.name in esc.note
    mail.outbox.clear()
    assert committed(reminders_auto, campaign=campaign_2030, now=before(0)).escalations.sent == 0
    assert committed(reminders_auto, campaign=campaign_2030, now=before(-3)).escalations.sent == 0
    assert not any("reviewer" in m.to[0] for m in mail.outbox)


def test_a_base_never_reminded_is_not_escalated(campaign_2030, people, other_base):
    people.delete()  # 株洲 has no account left, so it is never reminded
    reminders_auto(campaign=campaign_2030, now=before(3))
    reminders_auto(campaign=campaign_2030, now=before(1))
    esc = Reminder.objects.get(kind="escalation", recipient__username="reviewer")
    assert "株洲" not in esc.note and "长沙" in esc.note


def test_escalation_may_be_set_after_the_deadline(settings, campaign_2030):
    settings.REMINDER_ESCALATE_DAYS = -2
    reminders_auto(campaign=campaign_2030, now=before(3))
    assert reminders_auto(campaign=campaign_2030, now=before(1)).escalations.sent == 0
    assert reminders_auto(campaign=campaign_2030, now=before(-1)).escalations.sent == 0
    assert reminders_auto(campaign=campaign_2030, now=before(-2)).escalations.sent == 2


def test_each_reminder_is_an_audit_event(campaign_2030):
    from audit.models import Event

    reminders_auto(campaign=campaign_2030, now=before(3))
    reminders_auto(campaign=campaign_2030, now=before(1))
    assert Event.objects.filter(action="reminder.auto").count() == 6  # three bases, twice
    assert Event.objects.filter(action="reminder.escalation").count() == 2


# --- the command ---------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_on_a_reminder_day_and_is_idempotent(committed, open_campaign, material, people):
    set_deadline(open_campaign, base=timezone.now() + dt.timedelta(days=3))
    output = committed(run)
    assert "截止前 3 天" in output and "已向 3 人发送催报" in output
    assert len(fillers_reminded()) == 3
    mail.outbox.clear()
    assert "没有需要催报的对象" in committed(run)
    assert not mail.outbox
    assert Reminder.objects.filter(kind="auto").count() == 3


def test_the_command_does_nothing_between_reminder_days(committed, open_campaign, material, people):
    set_deadline(open_campaign, base=timezone.now() + dt.timedelta(days=10))
    assert "非催报日" in committed(run, "--year", str(open_campaign.year))
    assert not mail.outbox


def test_the_command_skips_campaigns_not_open(open_campaign, material, people):
    open_campaign.status = "closed"
    open_campaign.save(update_fields=["status"])
    assert "没有填报中的年度评价" in run()
    with pytest.raises(CommandError):
        run("--year", "2022")
