"""Login with the second factor in a real browser: enrol by QR/secret, recovery codes, then verify;
a wrong code is refused at the field; the own-password page keeps the rules in view."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def production_otp_roles(settings):
    settings.OTP_REQUIRED_ROLES = frozenset(
        {"ministry_admin", "authority_reviewer", "expert", "system_admin", "security_admin", "audit_admin"}
    )


def code_for(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def password_login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_ministry_enrols_then_verifies(browser, live_server, ministry, screenshots):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.screenshot(path=str(screenshots / "auth-01-login.png"))
    password_login(page, live_server, "ministry")
    page.wait_for_url(re.compile(r".*/otp/setup/$"))
    # Nothing else is reachable half-logged-in: the navigation is gone and URLs bounce back.
    assert page.locator("nav.mainnav").count() == 0
    assert page.locator("svg.segno").is_visible()
    page.screenshot(path=str(screenshots / "auth-02-otp-setup.png"), full_page=True)
    secret = page.locator(".otp-secret").inner_text().strip()
    page.fill("#id_code", code_for(secret))
    page.click("main button[type=submit]")
    page.wait_for_selector(".recovery-codes")
    assert page.locator(".recovery-codes li").count() == 10
    page.screenshot(path=str(screenshots / "auth-03-recovery-codes.png"), full_page=True)
    page.click("text=我已保存，进入系统")
    page.wait_for_selector("nav.mainnav")
    context.close()

    # A second login asks for the code; a wrong one is refused at the field.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    password_login(page, live_server, "ministry")
    page.wait_for_url(re.compile(r".*/otp/\?next=.*"))
    page.goto(f"{live_server.url}/registry/bases/")
    page.wait_for_url(re.compile(r".*/otp/\?next=.*"))
    page.fill("#id_code", "000000")
    page.click("main button[type=submit]")
    page.wait_for_selector(".field-error")
    assert "验证码不正确" in page.locator(".field-error").inner_text()
    page.screenshot(path=str(screenshots / "auth-04-otp-wrong.png"))
    context.close()


def test_own_password_page(browser, live_server, filler, screenshots):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    password_login(page, live_server, "filler")
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))  # away from the login page
    page.click("text=修改密码")
    page.wait_for_url(re.compile(r".*/password/$"))
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "abcdefghijkl")
    page.fill("#id_new_password2", "abcdefghijkl")
    page.click("main button[type=submit]")
    page.wait_for_selector(".field-error")
    assert "至少 3 类" in page.content()
    page.screenshot(path=str(screenshots / "auth-05-password-refused.png"), full_page=True)
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "Brand-New-Pass-7")
    page.fill("#id_new_password2", "Brand-New-Pass-7")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=密码已修改")
    context.close()
