"""Second factor: required for ministry, authority, expert and 三员; optional for bases; replay refused."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from audit.models import Event
from conftest import PASSWORD

REQUIRED = ["ministry", "reviewer", "expert", "sysadmin", "secadmin", "auditor"]


@pytest.fixture(autouse=True)
def production_otp_roles(settings):
    settings.OTP_REQUIRED_ROLES = frozenset(
        {"ministry_admin", "authority_reviewer", "expert", "system_admin", "security_admin", "audit_admin"}
    )


def login(client: Client, username: str) -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=True)


def code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


@pytest.mark.parametrize("role_fixture", REQUIRED)
def test_required_roles_reach_only_the_otp_pages_until_verified(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    device = enrol(user)
    login(client, user.username)
    for path in ["/", "/registry/bases/", "/admin/", "/password/", "/review/inbox/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/otp/?next="), path
    assert client.get("/otp/").status_code == 200
    assert client.post("/otp/", {"code": code(device), "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_and_audited(client, ministry):
    enrol(ministry)
    login(client, "ministry")
    response = client.post("/otp/", {"code": "000000"})
    assert "验证码不正确" in response.content.decode()
    assert client.get("/").status_code == 302
    assert Event.objects.filter(action="auth.otp_failed", actor=ministry).exists()


def test_a_used_code_is_refused_again(client, ministry):
    device = enrol(ministry)
    used = code(device)
    login(client, "ministry")
    assert client.post("/otp/", {"code": used}).status_code == 302
    replay = Client()
    login(replay, "ministry")
    response = replay.post("/otp/", {"code": used})
    assert response.status_code == 200
    assert "已使用过" in response.content.decode()
    assert replay.get("/").status_code == 302


def test_an_older_code_is_refused_after_a_newer_one(client, ministry):
    device = enrol(ministry)
    login(client, "ministry")
    assert client.post("/otp/", {"code": code(device)}).status_code == 302
    other = Client()
    login(other, "ministry")
    assert other.post("/otp/", {"code": code(device, offset=-1)}).status_code == 200


def test_fetch_calls_get_a_json_refusal(client, ministry):
    enrol(ministry)
    login(client, "ministry")
    response = client.post("/submissions/", HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 401


def test_a_required_role_without_a_device_must_enrol_first(client, reviewer):
    login(client, "reviewer")
    assert client.get("/")["Location"].startswith("/otp/")
    assert client.get("/otp/")["Location"] == "/otp/setup/"
    html = client.get("/otp/setup/").content.decode()
    assert "<svg" in html and "您的角色须使用两步验证" in html
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    secret = re.search(r'class="otp-secret">([A-Z2-7]+)<', html).group(1)
    assert len(secret) == 32
    response = client.post("/otp/setup/", {"code": code(device)})
    assert response.status_code == 200
    assert "请保存恢复码" in response.content.decode()
    assert StaticToken.objects.filter(device__user=reviewer).count() == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert Event.objects.filter(action="auth.otp_enrolled", actor=reviewer).exists()


def test_an_enrolled_user_cannot_enrol_a_new_device_half_logged_in(client, ministry):
    enrol(ministry)
    login(client, "ministry")
    assert client.get("/otp/setup/")["Location"] == "/otp/"
    assert client.post("/otp/setup/", {"code": "123456"})["Location"] == "/otp/"
    assert TOTPDevice.objects.filter(user=ministry).count() == 1


def test_a_recovery_code_works_once(client, ministry):
    from accounts.otp import recovery_codes_issue

    enrol(ministry)
    codes = recovery_codes_issue(user=ministry)
    login(client, "ministry")
    assert client.post("/otp/", {"code": codes[0]}).status_code == 302
    second = Client()
    login(second, "ministry")
    assert second.post("/otp/", {"code": codes[1]}).status_code == 302
    replay = Client()
    login(replay, "ministry")
    assert replay.post("/otp/", {"code": codes[0]}).status_code == 200
    assert replay.get("/").status_code == 302
    assert Event.objects.filter(action="auth.otp_recovery_used").count() == 2


class TestBases:
    def test_a_filler_without_a_device_logs_in_with_the_password(self, client, filler):
        login(client, "filler")
        assert client.get("/").status_code == 200

    def test_a_filler_may_enrol_and_then_needs_the_code(self, client, filler):
        login(client, "filler")
        html = client.get("/otp/setup/").content.decode()
        assert "可自愿启用" in html
        device = TOTPDevice.objects.get(user=filler, confirmed=False)
        assert client.post("/otp/setup/", {"code": code(device)}).status_code == 200
        later = Client()
        login(later, "filler")
        assert later.get("/")["Location"].startswith("/otp/")


def test_the_security_admin_resets_a_lost_device(client, secadmin, ministry):
    enrol(ministry)
    device = enrol(secadmin)
    client.force_login(secadmin)
    client.post("/otp/", {"code": code(device)})
    response = client.post("/security/otp-reset/", {"otp-username": "ministry"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=ministry).exists()
    assert Event.objects.filter(action="account.otp_reset", actor=secadmin).exists()


def test_the_sysadmin_cannot_reset_a_device(client, sysadmin, ministry):
    enrol(ministry)
    device = enrol(sysadmin)
    client.force_login(sysadmin)
    client.post("/otp/", {"code": code(device)})
    assert client.post("/security/otp-reset/", {"otp-username": "ministry"}).status_code == 403
    assert TOTPDevice.objects.filter(user=ministry).exists()
    assert Event.objects.filter(action="account.escalation_refused", actor=sysadmin).exists()


def test_roles_required_in_production(settings):
    from config.settings import base

    assert {
        r.value for r in (Role.MINISTRY_ADMIN, Role.AUTHORITY_REVIEWER, Role.EXPERT)
    } <= base.OTP_REQUIRED_ROLES
    assert {
        Role.SYSTEM_ADMIN.value,
        Role.SECURITY_ADMIN.value,
        Role.AUDIT_ADMIN.value,
    } <= base.OTP_REQUIRED_ROLES
    assert Role.BASE_FILLER.value not in base.OTP_REQUIRED_ROLES
