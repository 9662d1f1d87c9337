"""三员分立: each escalation the assessor tried as the 系统管理员 is refused and recorded in the audit trail.

The system administrator manages accounts but cannot give a privileged role (it becomes a request
the security administrator approves), set or reset anyone's password, set the staff flag, or
change its own role. The security administrator approves grants and issues temporary passwords.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import NO_ROLE, Role, RoleGrantRequest, User
from audit.models import Event
from conftest import PASSWORD, make_user


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def change_payload(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "role": user.role,
        "base": user.base_id or "",
        "authority": user.authority_id or "",
        "full_name": user.full_name,
        "phone": user.phone,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2022-01-01",
        "date_joined_1": "00:00:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def refusals(actor: User) -> list[Event]:
    return list(Event.objects.filter(action="account.escalation_refused", actor=actor))


@pytest.fixture
def as_sysadmin(client, sysadmin):
    client.force_login(sysadmin)
    return client


class TestSysadminEscalations:
    def test_editing_the_staff_flag_is_refused_and_audited(self, as_sysadmin, sysadmin, filler):
        response = as_sysadmin.post(change_url(filler), change_payload(filler, is_staff="on"))
        assert response.status_code == 403
        filler.refresh_from_db()
        assert not filler.is_staff
        [event] = refusals(sysadmin)
        assert "is_staff" in event.summary and event.target_id == str(filler.pk)

    def test_setting_superuser_is_refused_and_audited(self, as_sysadmin, sysadmin, filler):
        response = as_sysadmin.post(change_url(filler), change_payload(filler, is_superuser="on"))
        assert response.status_code == 403
        filler.refresh_from_db()
        assert not filler.is_superuser
        assert refusals(sysadmin)

    def test_giving_a_privileged_role_becomes_a_request(self, as_sysadmin, sysadmin, filler):
        response = as_sysadmin.post(
            change_url(filler), change_payload(filler, role=Role.MINISTRY_ADMIN, base="")
        )
        assert response.status_code == 302, response.content.decode()
        filler.refresh_from_db()
        assert filler.role == Role.BASE_FILLER and filler.base_id is not None and not filler.is_staff
        grant = RoleGrantRequest.objects.get(user=filler)
        assert (grant.role, grant.status, grant.requested_by) == (
            Role.MINISTRY_ADMIN,
            RoleGrantRequest.Status.PENDING,
            sysadmin,
        )
        assert Event.objects.filter(action="account.grant_requested", actor=sysadmin).exists()
        html = as_sysadmin.get(response["Location"]).content.decode()
        assert "须经安全管理员审批" in html

    def test_creating_a_ministry_account_gives_it_no_role_until_approved(
        self, as_sysadmin, sysadmin, base, campaign
    ):
        response = as_sysadmin.post(
            reverse("admin:accounts_user_add"),
            {"username": "fake_ministry", "role": Role.MINISTRY_ADMIN, "email": "f@example.com"},
        )
        assert response.status_code == 302, response.content.decode()
        account = User.objects.get(username="fake_ministry")
        assert account.role == NO_ROLE and not account.is_staff
        assert not account.has_usable_password()
        assert RoleGrantRequest.objects.get(user=account).role == Role.MINISTRY_ADMIN
        # Even logged in (activation link used), it reads no base's material.
        other = Client()
        other.force_login(account)
        assert "尚未分配角色" in other.get("/").content.decode()
        assert other.get(reverse("registry:base_detail", args=[base.pk])).status_code in (403, 404)

    def test_resetting_the_ministrys_password_is_refused_and_audited(self, as_sysadmin, sysadmin, ministry):
        url = reverse("admin:auth_user_password_change", args=[ministry.pk])
        assert as_sysadmin.get(url).status_code == 403
        response = as_sysadmin.post(url, {"password1": "Taken-Over-123", "password2": "Taken-Over-123"})
        assert response.status_code == 403
        ministry.refresh_from_db()
        assert ministry.check_password(PASSWORD)
        assert not Client().login(username="ministry", password="Taken-Over-123")
        assert len(refusals(sysadmin)) == 2

    def test_resetting_a_fillers_password_is_refused_and_audited(self, as_sysadmin, sysadmin, filler):
        response = as_sysadmin.post(reverse("accounts:password_reset"), {"reset-username": "filler"})
        assert response.status_code == 403
        filler.refresh_from_db()
        assert filler.check_password(PASSWORD) and not filler.must_change_password
        [event] = refusals(sysadmin)
        assert "重置他人密码" in event.summary

    def test_posting_a_password_with_the_account_form_is_refused(self, as_sysadmin, sysadmin, filler):
        response = as_sysadmin.post(change_url(filler), change_payload(filler, password="md5$x$y"))
        assert response.status_code == 403
        filler.refresh_from_db()
        assert filler.check_password(PASSWORD)
        assert refusals(sysadmin)

    def test_a_second_sysadmin_cannot_change_its_own_role(self, client, sysadmin):
        second = make_user("sysadmin2", Role.SYSTEM_ADMIN, is_staff=True)
        client.force_login(second)
        response = client.post(change_url(second), change_payload(second, role=Role.AUDIT_ADMIN))
        assert response.status_code == 302
        second.refresh_from_db()
        assert second.role == Role.SYSTEM_ADMIN
        assert not RoleGrantRequest.objects.filter(user=second).exists()
        [event] = refusals(second)
        assert "本人的角色" in event.summary
        assert "不能修改本人的角色" in client.get(response["Location"]).content.decode()

    def test_it_cannot_approve_a_grant(self, as_sysadmin, sysadmin, filler):
        grant = RoleGrantRequest.objects.create(
            user=filler, role=Role.MINISTRY_ADMIN, requested_by=sysadmin, requested_at="2026-01-01T00:00Z"
        )
        response = as_sysadmin.post(
            reverse("accounts:grant_decide", args=[grant.pk]), {"decision": "approve"}
        )
        assert response.status_code == 403
        filler.refresh_from_db()
        assert filler.role == Role.BASE_FILLER
        assert refusals(sysadmin)

    def test_it_cannot_open_the_security_page(self, as_sysadmin):
        assert as_sysadmin.get(reverse("accounts:security")).status_code == 403

    def test_it_still_changes_a_fillers_base_directly(self, as_sysadmin, sysadmin, filler, sibling_base):
        response = as_sysadmin.post(change_url(filler), change_payload(filler, base=sibling_base.pk))
        assert response.status_code == 302
        filler.refresh_from_db()
        assert filler.base == sibling_base
        assert Event.objects.filter(action="account.changed", actor=sysadmin).exists()

    def test_moving_a_reviewer_to_another_authority_is_a_request(self, as_sysadmin, reviewer, jiangsu, hunan):
        as_sysadmin.post(change_url(reviewer), change_payload(reviewer, authority=jiangsu.pk))
        reviewer.refresh_from_db()
        assert reviewer.authority == hunan
        assert RoleGrantRequest.objects.get(user=reviewer).authority == jiangsu


class TestSecurityAdministrator:
    @pytest.fixture
    def grant(self, sysadmin, filler) -> RoleGrantRequest:
        from accounts.services import role_grant_request

        return role_grant_request(
            actor=sysadmin, user=filler, role=Role.AUTHORITY_REVIEWER, authority=filler.base.authority
        )

    def test_it_sees_pending_grants(self, client, secadmin, grant):
        client.force_login(secadmin)
        html = client.get(reverse("accounts:security")).content.decode()
        assert "待审批的角色申请（1）" in html and "省级审核员" in html

    def test_approving_applies_role_unit_and_staff_flag(self, client, secadmin, grant, filler, hunan):
        client.force_login(secadmin)
        response = client.post(reverse("accounts:grant_decide", args=[grant.pk]), {"decision": "approve"})
        assert response.status_code == 302
        filler.refresh_from_db()
        assert (filler.role, filler.authority, filler.base) == (Role.AUTHORITY_REVIEWER, hunan, None)
        assert not filler.is_staff
        assert Event.objects.filter(action="account.role_granted", actor=secadmin).exists()
        # A decided request is not decided twice.
        assert (
            client.post(reverse("accounts:grant_decide", args=[grant.pk]), {"decision": "reject"}).status_code
            == 403
        )

    def test_rejecting_leaves_the_account_as_it_was(self, client, secadmin, grant, filler):
        client.force_login(secadmin)
        client.post(
            reverse("accounts:grant_decide", args=[grant.pk]), {"decision": "reject", "comment": "无依据"}
        )
        filler.refresh_from_db()
        grant.refresh_from_db()
        assert filler.role == Role.BASE_FILLER and grant.status == RoleGrantRequest.Status.REJECTED
        assert grant.comment == "无依据"

    def test_it_cannot_approve_its_own_role(self, client, secadmin, sysadmin):
        grant = RoleGrantRequest.objects.create(
            user=secadmin, role=Role.SYSTEM_ADMIN, requested_by=sysadmin, requested_at="2026-01-01T00:00Z"
        )
        client.force_login(secadmin)
        assert (
            client.post(
                reverse("accounts:grant_decide", args=[grant.pk]), {"decision": "approve"}
            ).status_code
            == 403
        )
        secadmin.refresh_from_db()
        assert secadmin.role == Role.SECURITY_ADMIN
        assert refusals(secadmin)

    def test_it_cannot_edit_accounts_in_the_admin(self, client, secadmin, filler):
        client.force_login(secadmin)
        assert (
            client.post(change_url(filler), change_payload(filler, role=Role.MINISTRY_ADMIN)).status_code
            == 403
        )

    def test_a_temporary_password_must_be_changed_at_first_login(self, client, secadmin, filler):
        client.force_login(secadmin)
        response = client.post(reverse("accounts:password_reset"), {"reset-username": "filler"})
        assert response.status_code == 200
        password = re.search(r'aria-label="临时密码">([^<]+)<', response.content.decode()).group(1)
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        event = Event.objects.get(action="account.password_reset")
        assert password not in str(event.data) and password not in event.summary
        holder = Client()
        assert holder.post("/login/", {"username": "filler", "password": password}).status_code == 302
        assert holder.get("/")["Location"] == "/password/"

    def test_a_reset_ends_the_holders_sessions(self, client, secadmin, filler):
        holder = Client()
        holder.force_login(filler)
        client.force_login(secadmin)
        client.post(reverse("accounts:password_reset"), {"reset-username": "filler"})
        assert holder.get("/").status_code == 302

    def test_an_unknown_username_is_reported_at_the_field(self, client, secadmin):
        client.force_login(secadmin)
        response = client.post(reverse("accounts:password_reset"), {"reset-username": "ghost"})
        assert response.status_code == 400
        assert "没有这个用户名的账号" in response.content.decode()

    def test_it_lifts_a_login_lock(self, client, secadmin, filler):
        for _ in range(5):
            Client().post("/login/", {"username": "filler", "password": "Wrong-Pass-1"})
        assert Client().post("/login/", {"username": "filler", "password": PASSWORD}).status_code == 429
        client.force_login(secadmin)
        assert "当前被锁定的登录（1）" in client.get(reverse("accounts:security")).content.decode()
        client.post(reverse("accounts:unlock"), {"username": "filler"})
        assert Client().post("/login/", {"username": "filler", "password": PASSWORD}).status_code == 302
        assert Event.objects.filter(action="account.unlocked", actor=secadmin).exists()


class TestActivation:
    @pytest.fixture
    def created(self, client, sysadmin, base, django_capture_on_commit_callbacks) -> User:
        client.force_login(sysadmin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:accounts_user_add"),
                {
                    "username": "newfiller",
                    "role": Role.BASE_FILLER,
                    "base": base.pk,
                    "email": "new@example.com",
                },
            )
        assert response.status_code == 302, response.content.decode()
        return User.objects.get(username="newfiller")

    def link(self) -> str:
        [message] = mail.outbox
        return re.search(r"http://[^\s]+/activate/[^\s]+/", message.body).group(0).split("8000", 1)[1]

    def test_a_filler_is_created_directly_with_an_emailed_link(self, created, base):
        assert (created.role, created.base) == (Role.BASE_FILLER, base)
        assert not created.has_usable_password()
        [message] = mail.outbox
        assert message.to == ["new@example.com"] and "newfiller" in message.body

    def test_the_holder_sets_the_password_once(self, created):
        holder = Client()
        url = self.link()
        response = holder.get(url, follow=True)
        assert "设置登录密码" in response.content.decode()
        form_url = response.redirect_chain[-1][0]
        response = holder.post(
            form_url, {"new_password1": "Own-Choice-2024", "new_password2": "Own-Choice-2024"}
        )
        assert response.status_code == 302
        assert (
            holder.post("/login/", {"username": "newfiller", "password": "Own-Choice-2024"}).status_code
            == 302
        )
        assert Event.objects.filter(action="account.activated").exists()
        # The link is spent.
        assert "链接已失效" in Client().get(url, follow=True).content.decode()

    def test_the_link_refuses_a_weak_password(self, created):
        holder = Client()
        form_url = holder.get(self.link(), follow=True).redirect_chain[-1][0]
        response = holder.post(form_url, {"new_password1": "abcdefghijkl", "new_password2": "abcdefghijkl"})
        assert "至少 3 类" in response.content.decode()

    def test_an_email_is_required(self, client, sysadmin, base):
        client.force_login(sysadmin)
        response = client.post(
            reverse("admin:accounts_user_add"),
            {"username": "nomail", "role": Role.BASE_FILLER, "base": base.pk},
        )
        assert response.status_code == 200
        assert not User.objects.filter(username="nomail").exists()
