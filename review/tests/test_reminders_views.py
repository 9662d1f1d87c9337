"""The 催报 pages: the ministry's form (progress page and drill-down) and history, the authority
reviewer's own page with its bases behind; every other role is refused."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from conftest import make_user
from review.models import Reminder

pytestmark = pytest.mark.django_db
REMIND = reverse("review:ministry_remind")
HISTORY = reverse("review:reminder_history")
MINE = reverse("review:authority_reminders")


@pytest.fixture
def people(filler, other_filler, reviewer, other_reviewer, sibling_base):
    sibling_filler = make_user("sibling_filler", Role.BASE_FILLER, base=sibling_base)
    for user in (filler, other_filler, sibling_filler, reviewer, other_reviewer):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return sibling_filler


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_progress_page_has_the_reminder_form(client, ministry, open_campaign):
    client.force_login(ministry)
    html = client.get(reverse("review:ministry_progress")).content.decode()
    assert f'action="{REMIND}"' in html and 'name="targets"' in html and "全国" in html


def test_the_ministry_reminds_every_base_behind(committed, client, ministry, material, people):
    client.force_login(ministry)
    response = committed(
        client.post, REMIND, {"targets": "bases", "authority": "all", "note": "请抓紧"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("review:ministry_progress")
    assert "已向 3 人发送催报（涉及 3 个单位）" in messages_of(response)[0]
    assert len(mail.outbox) == 3
    html = response.content.decode()
    assert "人工催报" in html and material.base.name in html  # the recent reminders


def test_the_ministry_reminds_one_authority_from_its_drill_down(
    committed, client, ministry, material, people, jiangsu
):
    client.force_login(ministry)
    back = reverse("review:ministry_authority", args=[jiangsu.pk])
    response = committed(
        client.post, REMIND, {"targets": "bases", "authority": jiangsu.pk, "next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    assert [m.to for m in mail.outbox] == [["other_filler@example.cn"]]


def test_the_ministry_reminds_authorities(committed, client, ministry, material, people):
    client.force_login(ministry)
    committed(client.post, REMIND, {"targets": "authorities", "authority": "all"})
    assert {m.to[0] for m in mail.outbox} == {"reviewer@example.cn", "other_reviewer@example.cn"}


def test_skipped_recipients_are_shown(client, ministry, material, people):
    client.force_login(ministry)
    client.post(REMIND, {"targets": "bases", "authority": "all"})
    response = client.post(REMIND, {"targets": "bases", "authority": "all"}, follow=True)
    assert messages_of(response)[-1] == "本次未发送催报；3 人在 24 小时内已被催报，本次跳过。"
    assert Reminder.objects.count() == 3


def test_an_unsafe_next_is_ignored(client, ministry, material, people):
    client.force_login(ministry)
    response = client.post(REMIND, {"targets": "bases", "next": "https://evil.example/"})
    assert response["Location"] == reverse("review:ministry_progress")


def test_the_history_lists_and_filters(client, ministry, material, people, reviewer):
    client.force_login(reviewer)
    client.post(MINE, {"note": "第一次"})
    client.force_login(ministry)
    client.post(REMIND, {"targets": "authorities", "authority": "all"})
    response = client.get(HISTORY)
    assert response.context["page"].paginator.count == 4  # 2 fillers of 湖南, 2 reviewers
    assert "第一次" in response.content.decode()
    manual = client.get(HISTORY + "?kind=manual").context["page"].paginator.count
    assert manual == 4 and client.get(HISTORY + "?kind=auto").context["page"].paginator.count == 0


# --- the authority reviewer's page -------------------------------------------------------------------


def test_the_reviewer_sees_its_bases_behind_and_reminds_them(
    committed, client, reviewer, material, people, other_base
):
    client.force_login(reviewer)
    response = client.get(MINE)
    html = response.content.decode()
    assert {r.base.name for r in response.context["rows"]} == {material.base.name, people.base.name}
    assert other_base.name not in html
    response = committed(client.post, MINE, {"note": "请周五前提交"}, follow=True)
    assert "已向 2 人发送催报" in messages_of(response)[0]
    assert {m.to[0] for m in mail.outbox} == {"filler@example.cn", "sibling_filler@example.cn"}
    assert "请周五前提交" in response.content.decode()  # in the history


def test_the_reviewer_cannot_widen_its_scope(committed, client, reviewer, material, people, jiangsu):
    client.force_login(reviewer)
    committed(client.post, MINE, {"authority": jiangsu.pk, "targets": "authorities"})
    assert {m.to[0] for m in mail.outbox} == {"filler@example.cn", "sibling_filler@example.cn"}
    assert committed(client.post, REMIND, {"targets": "bases", "authority": jiangsu.pk}).status_code == 403
    assert client.get(HISTORY).status_code == 403


def test_the_reviewer_sees_only_its_authority_history(client, ministry, other_reviewer, material, people):
    client.force_login(ministry)
    client.post(REMIND, {"targets": "bases", "authority": "all"})
    client.force_login(other_reviewer)
    reminders = client.get(reverse("review:authority_reminders")).context["reminders"]
    assert [r.recipient.username for r in reminders] == ["other_filler"]


def test_the_nav_links_the_reviewer_page(client, reviewer, campaign):
    client.force_login(reviewer)
    assert f'href="{MINE}"' in client.get(reverse("accounts:home")).content.decode()


@pytest.mark.parametrize("who", ["filler", "other_filler", "reviewer", "expert", "sysadmin", "auditor"])
def test_other_roles_cannot_use_the_ministry_reminder_pages(
    committed, request, client, material, people, who
):
    client.force_login(request.getfixturevalue(who))
    assert committed(client.post, REMIND, {"targets": "bases", "authority": "all"}).status_code == 403
    assert client.get(HISTORY).status_code == 403
    assert not mail.outbox


@pytest.mark.parametrize("who", ["ministry", "filler", "expert", "auditor"])
def test_other_roles_cannot_use_the_reviewer_page(committed, request, client, material, people, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(MINE).status_code == 403
    assert committed(client.post, MINE, {}).status_code == 403
    assert not mail.outbox


def test_the_scope_must_be_chosen(committed, client, ministry, material, people):
    client.force_login(ministry)
    response = committed(client.post, REMIND, {"targets": "bases", "authority": ""}, follow=True)
    assert "请选择催报范围（全国或某一省级主管部门）。" in messages_of(response)
    assert mail.outbox == []


def test_the_form_offers_no_scope_by_default_and_counts_who_would_be_reached(
    client, ministry, material, people, jiangsu
):
    client.force_login(ministry)
    response = client.get(reverse("review:ministry_progress"))
    form = response.context["reminder_form"]
    assert form["authority"].value() in (None, "")
    assert [c[0] for c in form.fields["authority"].choices][:2] == ["", "all"]
    audience = response.context["reminder_audience"]
    assert audience["bases"]["all"] == [3, 3, 0]
    assert audience["bases"][str(jiangsu.pk)] == [1, 1, 0]
    assert 'id="reminder-audience"' in response.content.decode()


def test_the_reviewer_page_says_how_many_people_will_be_written_to(client, reviewer, material, people):
    client.force_login(reviewer)
    html = client.get(MINE).content.decode()
    assert "将向本地区 2 个未提交的示范基地的 2 名填报员发送" in html
