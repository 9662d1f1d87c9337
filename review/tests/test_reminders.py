"""催报 by hand (review.reminders.reminder_send): who is reminded, the interval rule, the scope of an
authority reviewer, in-system message plus e-mail, a record and an audit event for each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role, User
from audit.models import Event
from conftest import make_user
from reports.models import ProvincialSummary
from review.models import Notification, Reminder
from review.reminders import reminder_send
from review.services import review_approve
from submissions.services import submission_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(filler, other_filler, reviewer, other_reviewer, sibling_base) -> dict[str, User]:
    """Everyone with an e-mail address, and a filler for 株洲 too."""
    sibling_filler = make_user("sibling_filler", Role.BASE_FILLER, base=sibling_base, full_name="孔填报")
    out = {
        "filler": filler,
        "other_filler": other_filler,
        "sibling_filler": sibling_filler,
        "reviewer": reviewer,
        "other_reviewer": other_reviewer,
    }
    for name, user in out.items():
        user.email = f"{name}@example.cn"
        user.save(update_fields=["email"])
    return out


def recipients() -> set[str]:
    return {to for m in mail.outbox for to in m.to}


def test_only_bases_that_have_not_submitted_are_reminded(
    committed, submitted, people, ministry, open_campaign, sibling_base, filler
):
    submission_start(campaign=open_campaign, base=sibling_base, user=people["sibling_filler"])  # a draft
    result = committed(reminder_send, campaign=open_campaign, sender=ministry, targets="bases")
    # 长沙 submitted; 株洲 has a draft; 苏州 has no material at all.
    assert recipients() == {"sibling_filler@example.cn", "other_filler@example.cn"}
    assert (result.sent, result.skipped, len(result.reached)) == (2, 0, 2)
    assert not Notification.objects.filter(user=filler).exclude(subject__startswith="材料").exists()
    note = Notification.objects.get(user=people["sibling_filler"], subject__startswith="催报")
    assert "草稿" in note.body and note.link.startswith("/review/submission/")
    assert Notification.objects.get(user=people["other_filler"]).link == "/submissions/"
    assert set(Reminder.objects.values_list("recipient__username", "kind", "sent_by__username")) == {
        ("sibling_filler", "manual", "ministry"),
        ("other_filler", "manual", "ministry"),
    }
    assert Event.objects.filter(action="reminder.manual").count() == 2
    assert all(m.subject.startswith("【示范基地信息管理系统】催报") for m in mail.outbox)


def test_returned_material_counts_as_not_submitted(committed, returned, people, ministry, open_campaign):
    committed(reminder_send, campaign=open_campaign, sender=ministry, targets="bases")
    assert "filler@example.cn" in recipients()
    assert (
        "已退回" in Notification.objects.filter(user=people["filler"], subject__startswith="催报").get().body
    )


def test_approved_and_accepted_material_is_not_reminded(committed, approved, people, ministry, open_campaign):
    committed(reminder_send, campaign=open_campaign, sender=ministry, targets="bases")
    assert "filler@example.cn" not in recipients()


def test_nobody_is_reminded_twice_within_the_interval_whoever_sends(
    committed, material, people, ministry, reviewer, open_campaign
):
    first = committed(reminder_send, campaign=open_campaign, sender=reviewer, targets="bases", note="请抓紧")
    assert (first.sent, first.skipped) == (2, 0)  # 长沙 and 株洲, both 湖南
    mail.outbox.clear()
    again = committed(reminder_send, campaign=open_campaign, sender=ministry, targets="bases")
    assert (again.sent, again.skipped) == (1, 2)  # only 苏州 is new
    assert recipients() == {"other_filler@example.cn"}
    assert "2 人在 24 小时内已被催报" in again.message
    later = committed(
        reminder_send,
        campaign=open_campaign,
        sender=ministry,
        targets="bases",
        now=timezone.now() + dt.timedelta(hours=25),
    )
    assert (later.sent, later.skipped) == (3, 0)


def test_the_interval_is_a_setting(settings, material, people, ministry, open_campaign):
    settings.REMINDER_MIN_INTERVAL_HOURS = 1
    reminder_send(campaign=open_campaign, sender=ministry, targets="bases")
    result = reminder_send(
        campaign=open_campaign, sender=ministry, targets="bases", now=timezone.now() + dt.timedelta(hours=2)
    )
    assert result.sent == 3


def test_the_note_is_in_the_message(committed, material, people, ministry, open_campaign):
    committed(
        reminder_send, campaign=open_campaign, sender=ministry, targets="bases", note="请于本周五前提交。"
    )
    assert all("附言：请于本周五前提交。" in m.body for m in mail.outbox)
    assert Reminder.objects.filter(note="请于本周五前提交。").count() == 3


def test_the_ministry_may_remind_one_authority(committed, material, people, ministry, open_campaign, jiangsu):
    result = committed(
        reminder_send, campaign=open_campaign, sender=ministry, targets="bases", authority=jiangsu
    )
    assert recipients() == {"other_filler@example.cn"} and result.sent == 1


def test_a_reviewer_reminds_only_its_own_bases(committed, material, people, reviewer, open_campaign):
    committed(reminder_send, campaign=open_campaign, sender=reviewer, targets="bases")
    assert recipients() == {"filler@example.cn", "sibling_filler@example.cn"}
    assert set(Reminder.objects.values_list("base__authority__code", flat=True)) == {"miit-430000"}


def test_a_reviewer_cannot_remind_another_authority(
    committed, material, people, reviewer, open_campaign, jiangsu
):
    with pytest.raises(PermissionDenied):
        committed(reminder_send, campaign=open_campaign, sender=reviewer, targets="bases", authority=jiangsu)
    with pytest.raises(PermissionDenied):
        committed(reminder_send, campaign=open_campaign, sender=reviewer, targets="authorities")
    assert not mail.outbox and not Reminder.objects.exists()


@pytest.mark.parametrize("who", ["filler", "expert", "sysadmin", "auditor"])
def test_other_roles_cannot_remind(request, material, open_campaign, who):
    with pytest.raises(PermissionDenied):
        reminder_send(campaign=open_campaign, sender=request.getfixturevalue(who), targets="bases")
    assert not Reminder.objects.exists()


def test_a_closed_campaign_is_not_reminded(material, people, ministry, open_campaign):
    open_campaign.status = "closed"
    open_campaign.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        reminder_send(campaign=open_campaign, sender=ministry, targets="bases")


def test_bases_without_an_account_are_counted(material, filler, ministry, open_campaign, sibling_base):
    result = reminder_send(campaign=open_campaign, sender=ministry, targets="bases")
    assert result.sent == 1
    assert set(result.unreachable) == {sibling_base.name, "软件和信息服务·苏州示例软件园"}
    assert "2 个单位没有可用账号" in result.message


def test_authorities_are_reminded_of_silent_bases_backlog_and_summary(
    committed, submitted, people, ministry, open_campaign, sibling_base, hunan
):
    committed(reminder_send, campaign=open_campaign, sender=ministry, targets="authorities")
    assert recipients() == {"reviewer@example.cn", "other_reviewer@example.cn"}
    body = next(m.body for m in mail.outbox if m.to == ["reviewer@example.cn"])
    assert sibling_base.name in body and "待初审材料 1 份" in body and "省级工作总结" in body
    assert set(Reminder.objects.values_list("authority__code", "base")) == {
        ("miit-430000", None),
        ("miit-320000", None),
    }


def test_an_authority_with_nothing_outstanding_is_not_reminded(
    committed, submitted, people, ministry, reviewer, open_campaign, sibling_base, other_material, hunan
):
    review_approve(submission=submitted, user=reviewer)
    s2 = submission_start(campaign=open_campaign, base=sibling_base, user=people["sibling_filler"])
    s2.status = "accepted"
    s2.save(update_fields=["status"])
    ProvincialSummary.objects.create(campaign=open_campaign, authority=hunan, status="submitted")
    result = committed(reminder_send, campaign=open_campaign, sender=ministry, targets="authorities")
    assert recipients() == {"other_reviewer@example.cn"} and result.sent == 1
