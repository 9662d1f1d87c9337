"""Every role changes its own password; a temporary or expired password must be changed first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import Event
from conftest import PASSWORD

URL = "/password/"
NEW = "Brand-New-Pass-7"
ROLES = ["filler", "reviewer", "ministry", "expert", "sysadmin", "secadmin", "auditor"]


def change(client, old: str = PASSWORD, new: str = NEW, again: str | None = None):
    return client.post(URL, {"old_password": old, "new_password1": new, "new_password2": again or new})


@pytest.mark.parametrize("role_fixture", ROLES)
def test_every_role_changes_its_own_password(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    assert 'href="/password/"' in client.get("/").content.decode()
    response = change(client)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    # The session stays valid after the change (its auth hash follows the password).
    assert client.get("/").status_code == 200
    assert Event.objects.filter(action="account.password_changed", actor=user).count() == 1


def test_page_lists_the_rules_in_chinese(client, filler):
    client.force_login(filler)
    html = client.get(URL).content.decode()
    assert "四类中的至少 3 类" in html and "最近 5 次" in html and "至少 10 个字符" in html


def test_wrong_current_password_is_refused_at_the_field(client, filler):
    client.force_login(filler)
    html = change(client, old="Not-The-Pass-1").content.decode()
    assert "当前密码不正确" in html
    filler.refresh_from_db()
    assert filler.check_password(PASSWORD)


def test_weak_new_password_is_refused(client, filler):
    client.force_login(filler)
    html = change(client, new="abcdefghijkl").content.decode()
    assert "至少 3 类" in html


def test_previous_password_is_refused(client, filler):
    client.force_login(filler)
    assert change(client).status_code == 302
    html = change(client, old=NEW, new=PASSWORD).content.decode()
    assert "最近 5 次" in html


def test_other_sessions_end_after_the_change(client, filler):
    from django.test import Client

    other = Client()
    other.force_login(filler)
    client.force_login(filler)
    change(client)
    assert other.get("/").status_code == 302


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(URL)["Location"].startswith("/login/")


class TestForcedChange:
    @pytest.fixture
    def temporary(self, filler) -> User:
        filler.must_change_password = True
        filler.save(update_fields=["must_change_password"])
        return filler

    @pytest.mark.parametrize("path", ["/", "/submissions/", "/registry/bases/", "/admin/"])
    def test_a_temporary_password_reaches_only_the_change_page(self, client, temporary, path):
        client.force_login(temporary)
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == URL

    def test_fetch_calls_get_a_json_refusal(self, client, temporary):
        client.force_login(temporary)
        response = client.post("/submissions/", HTTP_X_REQUESTED_WITH="fetch")
        assert response.status_code == 403
        assert "临时密码" in response.json()["message"]

    def test_the_change_page_and_logout_stay_reachable(self, client, temporary):
        client.force_login(temporary)
        html = client.get(URL).content.decode()
        assert "临时密码" in html
        assert client.post("/logout/").status_code == 302

    def test_after_the_change_the_site_opens(self, client, temporary):
        client.force_login(temporary)
        assert change(client).status_code == 302
        temporary.refresh_from_db()
        assert not temporary.must_change_password
        assert client.get("/").status_code == 200

    def test_an_expired_password_must_be_changed(self, client, filler):
        User.objects.filter(pk=filler.pk).update(
            password_changed_at=filler.password_changed_at - dt.timedelta(days=91)
        )
        client.force_login(filler)
        response = client.get("/")
        assert response["Location"] == URL
        assert "超过 90 天" in client.get(URL).content.decode()
        assert change(client).status_code == 302
        assert client.get("/").status_code == 200
        assert reverse("accounts:password_change") == URL
