"""The in-system inbox: own messages only, read marking, the unread count in the header."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(filler, other_filler):
    mine = Notification.objects.create(user=filler, subject="材料已被退回", body="请修改", link="/review/")
    other = Notification.objects.create(user=other_filler, subject="别人的消息", body="x")
    return mine, other


def test_the_inbox_lists_own_messages_and_the_header_counts_unread(client, filler, notes):
    client.force_login(filler)
    html = client.get(reverse("review:inbox")).content.decode()
    assert "材料已被退回" in html and "别人的消息" not in html
    assert 'class="unread-count"' in html and "1 条未读" in html


def test_opening_a_message_marks_it_read_and_follows_its_link(client, filler, notes):
    mine, _ = notes
    client.force_login(filler)
    response = client.get(reverse("review:inbox_open", args=[mine.pk]))
    assert response.status_code == 302 and response.url == "/review/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert 'class="unread-count"' not in client.get(reverse("review:inbox")).content.decode()


def test_an_outside_link_is_not_followed(client, filler):
    n = Notification.objects.create(user=filler, subject="x", body="x", link="https://evil.example/")
    client.force_login(filler)
    assert client.get(reverse("review:inbox_open", args=[n.pk])).url == reverse("review:inbox")


def test_someone_elses_message_is_404_and_stays_unread(client, filler, notes):
    _, other = notes
    client.force_login(filler)
    assert client.get(reverse("review:inbox_open", args=[other.pk])).status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_mark_all_read_touches_only_own_messages(client, filler, notes):
    mine, other = notes
    client.force_login(filler)
    client.post(reverse("review:inbox_read_all"))
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None


@pytest.mark.parametrize("who", ["reviewer", "ministry", "expert", "sysadmin", "auditor"])
def test_every_role_has_an_inbox(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("review:inbox")).status_code == 200


def test_anonymous_is_sent_to_login(client):
    assert "login" in client.get(reverse("review:inbox")).url
