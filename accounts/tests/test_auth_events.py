"""Logins, failed logins, locks and logouts each leave an audit event with user, address and outcome."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone

from audit.models import Event
from conftest import PASSWORD


def login(client, username: str, password: str, address: str = "10.1.2.3"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_login_is_recorded_with_user_and_address(client, filler):
    assert login(client, "filler", PASSWORD).status_code == 302
    event = Event.objects.get(action="auth.login")
    assert (event.actor, event.ip, event.outcome) == (filler, "10.1.2.3", Event.Outcome.SUCCESS)
    assert (event.target_type, event.target_id) == ("accounts.user", str(filler.pk))


def test_a_wrong_password_is_recorded_as_refused_with_the_typed_name(client, filler):
    login(client, "filler", "Wrong-Pass-123", address="10.9.9.9")
    event = Event.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert (event.actor_username, event.ip, event.outcome) == ("filler", "10.9.9.9", Event.Outcome.REFUSED)
    assert "Wrong-Pass" not in str(event.data) + event.summary  # the password itself is never kept


def test_an_unknown_name_is_recorded_too(client, db):
    login(client, "nobody", PASSWORD)
    assert Event.objects.get(action="auth.login_failed").actor_username == "nobody"


def test_the_lock_is_recorded_once_and_retries_while_locked_are_not_failures(client, filler):
    for _ in range(5):
        login(client, "filler", "Wrong-Pass-123")
    login(client, "filler", PASSWORD)
    assert Event.objects.filter(action="auth.lockout").count() == 1
    assert Event.objects.filter(action="auth.login_refused_locked").count() == 1
    assert not Event.objects.filter(action="auth.login").exists()


def test_a_logout_is_recorded(client, filler):
    client.force_login(filler)
    client.post("/logout/", REMOTE_ADDR="10.1.2.4")
    event = Event.objects.get(action="auth.logout")
    assert (event.actor, event.ip, event.data["reason"]) == (filler, "10.1.2.4", "user")


def test_an_idle_session_end_is_recorded_with_its_reason(client, filler, settings):
    settings.SESSION_COOKIE_AGE = 3600  # the stored session outlives the idle limit the gate applies
    client.force_login(filler)
    later = timezone.now() + dt.timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.get("/submissions/")
    event = Event.objects.get(action="auth.logout")
    assert event.data["reason"] == "idle"
    assert "空闲超时" in event.summary
