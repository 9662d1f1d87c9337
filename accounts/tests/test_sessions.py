"""Sessions: 30 minutes idle, 12 hours absolute, a new id at login, logout ends the old cookie.

Time is moved by patching Django's clock (`django.utils.timezone.now`), which both the session
store and the account gate read; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    clock = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: clock.now):
        yield clock


def test_activity_keeps_the_session(client, filler, clock):
    client.force_login(filler)
    for _ in range(5):
        clock.advance(minutes=25)
        assert client.get("/").status_code == 200


def test_thirty_minutes_idle_ends_the_session(client, filler, clock):
    client.force_login(filler)
    assert client.get("/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30, seconds=30)
    response = client.get("/submissions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client.get("/").status_code == 302


def test_idle_limit_holds_even_if_the_stored_session_lives_on(client, filler, clock, settings):
    # The gate reads the last request's time itself, not only the session row's expiry.
    settings.SESSION_COOKIE_AGE = 3600
    client.force_login(filler)
    clock.advance(minutes=31)
    response = client.get("/", follow=True)
    assert "超过 30 分钟未操作" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_timed_out_autosave_gets_a_json_message(client, filler, clock, settings):
    settings.SESSION_COOKIE_AGE = 3600
    client.force_login(filler)
    clock.advance(minutes=31)
    response = client.post("/submissions/", HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 401
    assert "重新登录" in response.json()["message"]


def test_twelve_hours_end_the_session_whatever_the_activity(client, filler, clock):
    client.force_login(filler)
    for _ in range(35):  # 35 × 20 minutes = 11 h 40 min, always active
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    clock.advance(minutes=21)
    response = client.get("/", follow=True)
    assert "超过 12 小时" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_login_gives_a_new_session_id(client, filler):
    client.get("/login/")
    client.session["probe"] = 1
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = client.post("/login/", {"username": "filler", "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after and after != before


def test_login_rotates_a_planted_session_id(client, filler):
    # Session fixation: an id set before login must not be the one authenticated.
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    client.post("/login/", {"username": "filler", "password": PASSWORD})
    assert client.cookies["sessionid"].value != planted
    stolen = Client()
    stolen.cookies["sessionid"] = planted
    assert stolen.get("/").status_code == 302


def test_logout_invalidates_the_old_cookie(client, filler):
    client.post("/login/", {"username": "filler", "password": PASSWORD})
    old = client.cookies["sessionid"].value
    assert client.get("/").status_code == 200
    client.post("/logout/")
    replay = Client()
    replay.cookies["sessionid"] = old
    assert replay.get("/").status_code == 302


def test_a_planned_key_rotation_keeps_people_logged_in(client, filler, settings):
    client.post("/login/", {"username": "filler", "password": PASSWORD})
    assert client.get("/").status_code == 200
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-key-after-a-planned-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert client.get("/").status_code == 200
    # Without the old key among the fallbacks, a rotation logs everyone out (a leaked key).
    later = Client()
    later.post("/login/", {"username": "filler", "password": PASSWORD})
    settings.SECRET_KEY = "a-third-secret-key-after-the-old-one-leaked-9876543210"
    settings.SECRET_KEY_FALLBACKS = []
    assert later.get("/").status_code == 302
