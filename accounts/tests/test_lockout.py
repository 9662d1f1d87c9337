"""Login failures: 5 for one account or 20 from one address lock for 30 minutes, audited."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from audit.models import Event
from conftest import PASSWORD

LOCKED = "登录失败次数过多"


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@contextlib.contextmanager
def moved_clock(**delta: float) -> Iterator[None]:
    """Django's clock and the one axes stamps attempts with (imported by name there) move together."""
    later = timezone.now() + dt.timedelta(**delta)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("axes.handlers.proxy.now", return_value=later),
    ):
        yield


def test_four_failures_then_the_right_password_logs_in(client, filler):
    for _ in range(4):
        assert attempt(client, "filler", "Wrong-Pass-123").status_code == 200
    assert attempt(client, "filler", PASSWORD).status_code == 302


def test_five_failures_lock_the_account_even_for_the_right_password(client, filler):
    for _ in range(5):
        attempt(client, "filler", "Wrong-Pass-123")
    response = attempt(client, "filler", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html and "30 分钟" in html
    assert not response.wsgi_request.user.is_authenticated


def test_the_lock_holds_from_another_address(client, filler):
    for n in range(5):
        attempt(client, "filler", "Wrong-Pass-123", address=f"10.0.1.{n}")
    assert attempt(client, "filler", PASSWORD, address="10.9.9.9").status_code == 429


def test_the_message_does_not_tell_whether_the_account_exists(client, filler):
    for _ in range(5):
        attempt(client, "nobody", "Wrong-Pass-123")
        attempt(client, "filler", "Wrong-Pass-123", address="10.0.0.2")
    unknown = attempt(client, "nobody", "x").content.decode()
    known = attempt(client, "filler", "x", address="10.0.0.2").content.decode()
    assert LOCKED in unknown and LOCKED in known


def test_the_lock_ends_after_thirty_minutes(client, filler):
    for _ in range(5):
        attempt(client, "filler", "Wrong-Pass-123")
    with moved_clock(minutes=31):
        assert attempt(client, "filler", PASSWORD).status_code == 302


def test_the_lock_still_holds_after_twenty_nine_minutes(client, filler):
    for _ in range(5):
        attempt(client, "filler", "Wrong-Pass-123")
    with moved_clock(minutes=29):
        assert attempt(client, "filler", PASSWORD).status_code == 429


def test_twenty_failures_from_one_address_throttle_it(client, filler, reviewer):
    # A password spray: four wrong passwords for each of five names stays under the account limit.
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        for _ in range(4):
            attempt(client, name, "Wrong-Pass-123", address="10.0.0.7")
    assert attempt(client, "filler", PASSWORD, address="10.0.0.7").status_code == 429
    # Another address is not affected.
    assert attempt(client, "reviewer", PASSWORD, address="10.0.0.8").status_code == 302


def test_a_forwarded_header_does_not_dodge_the_address_throttle(client, filler):
    for n in range(20):
        client.post(
            "/login/",
            {"username": f"u{n}", "password": "Wrong-Pass-123"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert attempt(client, "filler", PASSWORD, address="10.0.0.9").status_code == 429


def test_a_success_clears_only_the_accounts_own_failures(client, filler):
    for _ in range(3):
        attempt(client, "filler", "Wrong-Pass-123")
    attempt(client, "other", "Wrong-Pass-123")
    assert attempt(client, "filler", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="filler").exists()
    assert AccessAttempt.objects.filter(username="other").exists()


def test_each_lock_is_in_the_audit_trail(client, filler):
    for _ in range(5):
        attempt(client, "filler", "Wrong-Pass-123")
    attempt(client, "filler", PASSWORD)
    lock = Event.objects.get(action="auth.lockout")
    assert lock.data["username"] == "filler"
    assert lock.data["ip_address"] == "10.0.0.1"
    assert lock.data["failures"] == 5
    assert "锁定 30 分钟" in lock.summary
    assert Event.objects.filter(action="auth.login_refused_locked").count() == 1


@pytest.mark.parametrize("path", ["/admin/login/"])
def test_the_admin_login_is_locked_too(client, sysadmin, path):
    for _ in range(5):
        client.post(path, {"username": "sysadmin", "password": "Wrong-Pass-123"}, REMOTE_ADDR="10.0.0.3")
    response = client.post(path, {"username": "sysadmin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429
