"""The operators' admin: access by role (三员分立), user creation with a password, binding checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role, User
from conftest import PASSWORD
from registry.models import Base, Campaign, StarRating

MODELS = [
    "accounts_user",
    "registry_authority",
    "registry_category",
    "registry_base",
    "registry_starrating",
    "registry_campaign",
]

# role fixture → the changelists it may open; everything else is 403 for staff.
ALLOWED = {
    "ministry": {
        "registry_authority",
        "registry_category",
        "registry_base",
        "registry_starrating",
        "registry_campaign",
    },
    "sysadmin": {"accounts_user", "registry_authority", "registry_category", "registry_base"},
    "secadmin": {"accounts_user"},
    "auditor": set(),
}


def changelist(model: str) -> str:
    return reverse(f"admin:{model}_changelist")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("role_fixture", list(ALLOWED))
def test_each_operator_opens_only_its_changelists(client, request, role_fixture, model, campaign):
    client.force_login(request.getfixturevalue(role_fixture))
    expected = 200 if model in ALLOWED[role_fixture] else 403
    assert client.get(changelist(model)).status_code == expected


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("role_fixture", ["filler", "reviewer", "expert"])
def test_non_staff_roles_are_sent_to_the_admin_login(client, request, role_fixture, model):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", MODELS)
def test_staff_flag_alone_grants_nothing(client, filler, model):
    filler.is_staff = True
    filler.save(update_fields=["is_staff"])
    client.force_login(filler)
    assert client.get(changelist(model)).status_code == 403


def test_anonymous_is_sent_to_the_admin_login(client, db):
    response = client.get(changelist("accounts_user"))
    assert response.status_code == 302


@pytest.mark.parametrize("role_fixture", ["ministry", "sysadmin"])
def test_operator_with_role_but_disabled_gets_nothing(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(changelist("registry_authority"))
    assert response.status_code == 302


def test_admin_index_lists_only_the_roles_models(client, sysadmin, secadmin, ministry):
    client.force_login(sysadmin)
    html = client.get(reverse("admin:index")).content.decode()
    assert changelist("accounts_user") in html
    assert changelist("registry_campaign") not in html
    client.force_login(ministry)
    html = client.get(reverse("admin:index")).content.decode()
    assert changelist("registry_campaign") in html
    assert changelist("accounts_user") not in html


def test_admin_is_in_chinese(client, sysadmin):
    client.force_login(sysadmin)
    html = client.get(changelist("accounts_user")).content.decode()
    assert "运维管理" in html
    assert "角色" in html


class TestUserAdmin:
    # Issue 10 (三员分立): the system administrator no longer sets an initial password; the holder
    # sets it from an e-mailed one-time link (accounts/tests/test_separation.py::TestActivation).
    def add(self, client, **data):
        payload = {"username": "newfiller", "email": "newfiller@example.com"}
        payload.update(data)
        return client.post(reverse("admin:accounts_user_add"), payload)

    def test_sysadmin_creates_a_filler_without_a_password(self, client, sysadmin, base):
        client.force_login(sysadmin)
        response = self.add(client, role=Role.BASE_FILLER, base=base.pk, full_name="新填报")
        assert response.status_code == 302, response.content.decode()
        user = User.objects.get(username="newfiller")
        assert (user.role, user.base, user.full_name) == (Role.BASE_FILLER, base, "新填报")
        assert not user.has_usable_password()

    def test_add_page_is_in_chinese(self, client, sysadmin):
        client.force_login(sysadmin)
        html = client.get(reverse("admin:accounts_user_add")).content.decode()
        assert "After you" not in html
        assert "激活链接" in html
        assert 'name="usable_password"' not in html and 'name="password1"' not in html

    def test_a_posted_password_is_refused(self, client, sysadmin, base):
        client.force_login(sysadmin)
        response = self.add(
            client, role=Role.BASE_FILLER, base=base.pk, password1="Ab-12345678", password2="Ab-12345678"
        )
        assert response.status_code == 403
        assert not User.objects.filter(username="newfiller").exists()

    def test_filler_without_base_is_refused_at_the_field(self, client, sysadmin, db):
        client.force_login(sysadmin)
        response = self.add(client, role=Role.BASE_FILLER)
        assert response.status_code == 200
        assert "基地填报员必须绑定所属示范基地" in response.content.decode()

    def test_reviewer_with_a_base_is_refused(self, client, sysadmin, hunan, base):
        client.force_login(sysadmin)
        response = self.add(client, role=Role.AUTHORITY_REVIEWER, authority=hunan.pk, base=base.pk)
        assert "省级审核员不绑定示范基地" in response.content.decode()
        assert not User.objects.filter(username="newfiller").exists()

    def test_ministry_user_with_a_unit_is_refused(self, client, sysadmin, hunan):
        client.force_login(sysadmin)
        response = self.add(client, role=Role.MINISTRY_ADMIN, authority=hunan.pk)
        assert "只有省级审核员绑定省级主管部门" in response.content.decode()

    def test_sysadmin_changes_a_users_role_and_unit(self, client, sysadmin, filler, hunan):
        # A non-privileged role (issue 10: privileged ones become requests, test_separation.py).
        client.force_login(sysadmin)
        url = reverse("admin:accounts_user_change", args=[filler.pk])
        response = client.post(
            url,
            {
                "username": "filler",
                "role": Role.EXPERT,
                "full_name": "张审核",
                "is_active": "on",
                "date_joined_0": "2022-01-01",
                "date_joined_1": "00:00:00",
            },
        )
        assert response.status_code == 302, response.content.decode()
        filler.refresh_from_db()
        assert (filler.role, filler.authority, filler.base) == (Role.EXPERT, None, None)

    def test_nobody_deletes_users(self, client, sysadmin, filler):
        client.force_login(sysadmin)
        assert client.get(reverse("admin:accounts_user_delete", args=[filler.pk])).status_code == 403

    def test_security_admin_reads_but_cannot_change(self, client, secadmin, filler):
        client.force_login(secadmin)
        url = reverse("admin:accounts_user_change", args=[filler.pk])
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        assert client.post(url, {"username": "hacked", "role": Role.MINISTRY_ADMIN}).status_code == 403
        assert client.get(reverse("admin:accounts_user_add")).status_code == 403
        assert client.get(reverse("admin:auth_user_password_change", args=[filler.pk])).status_code == 403

    def test_security_admin_reads_the_unit_as_text_not_a_link_it_may_not_open(
        self, client, secadmin, sysadmin, filler, reviewer
    ):
        client.force_login(secadmin)
        for user, unit in ((filler, filler.base), (reviewer, reviewer.authority)):
            page = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
            assert unit.name in page
            model = unit._meta.model_name
            link = reverse(f"admin:registry_{model}_change", args=[unit.pk])
            assert link not in page
            assert client.get(link).status_code == 403  # the link Django would have drawn
        client.force_login(sysadmin)  # who may change the account keeps the fields to change
        page = client.get(reverse("admin:accounts_user_change", args=[filler.pk])).content.decode()
        assert 'name="base"' in page and 'name="authority"' in page

    def test_sysadmin_searches_bases_to_bind(self, client, sysadmin, base, other_base):
        client.force_login(sysadmin)
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "accounts", "model_name": "user", "field_name": "base", "term": "苏州"},
        )
        assert response.status_code == 200
        assert [r["text"] for r in response.json()["results"]] == [other_base.name]

    def test_security_admin_cannot_search_bases(self, client, secadmin, base):
        client.force_login(secadmin)
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "accounts", "model_name": "user", "field_name": "base", "term": "长沙"},
        )
        assert response.status_code == 403

    def test_list_filters_by_role(self, client, sysadmin, filler, reviewer):
        client.force_login(sysadmin)
        response = client.get(changelist("accounts_user"), {"role__exact": Role.BASE_FILLER})
        assert [u.username for u in response.context["cl"].result_list] == ["filler"]


class TestRegistryAdmin:
    def test_sysadmin_reads_bases_but_cannot_change_them(self, client, sysadmin, base):
        client.force_login(sysadmin)
        url = reverse("admin:registry_base_change", args=[base.pk])
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        assert client.post(url, {"name": "改名"}).status_code == 403
        assert client.get(reverse("admin:registry_base_add")).status_code == 403

    def test_ministry_adds_a_base(self, client, ministry, hunan, equipment):
        client.force_login(ministry)
        response = client.post(
            reverse("admin:registry_base_add"),
            {
                "name": "新材料·湘潭示例园区",
                "batch": 10,
                "authority": hunan.pk,
                "category": equipment.pk,
                "series": Base.Series.SPECIAL,
                "lead_industry": "新材料",
                "sub_sectors": "[]",
                "industry_flags": "[]",
                "star_ratings-TOTAL_FORMS": "0",
                "star_ratings-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.content.decode()
        created = Base.objects.get(name="新材料·湘潭示例园区")
        assert (created.batch, created.status) == (10, Base.Status.ACTIVE)

    def test_high_tech_zone_needs_its_name(self, client, ministry, hunan, equipment):
        client.force_login(ministry)
        response = client.post(
            reverse("admin:registry_base_add"),
            {
                "name": "某基地",
                "batch": 1,
                "authority": hunan.pk,
                "category": equipment.pk,
                "series": Base.Series.ADVANTAGE,
                "lead_industry": "装备",
                "sub_sectors": "[]",
                "industry_flags": "[]",
                "is_high_tech_zone": "on",
                "star_ratings-TOTAL_FORMS": "0",
                "star_ratings-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 200
        assert "请填写国家高新技术产业开发区名称" in response.content.decode()

    def test_ministry_manages_star_ratings(self, client, ministry, base):
        client.force_login(ministry)
        response = client.post(
            reverse("admin:registry_starrating_add"), {"base": base.pk, "year": 2021, "stars": 5}
        )
        assert response.status_code == 302
        assert StarRating.objects.get(base=base).stars == 5

    def test_ministry_cannot_open_users(self, client, ministry, filler):
        client.force_login(ministry)
        assert client.get(reverse("admin:accounts_user_change", args=[filler.pk])).status_code == 403

    def test_campaign_status_moves_only_through_the_actions(self, client, ministry, campaign):
        from django.conf import settings

        from definitions.services import definitions_load

        definitions_load(directory=settings.BASE_DIR / "forms" / "2022")
        campaign.status = Campaign.Status.DRAFT
        campaign.save(update_fields=["status"])
        client.force_login(ministry)
        response = client.post(
            changelist("registry_campaign"),
            {"action": "open_campaigns", "_selected_action": [campaign.pk]},
            follow=True,
        )
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.OPEN
        assert "已启动" in response.content.decode()
        # Opening twice is refused with the service's message.
        response = client.post(
            changelist("registry_campaign"),
            {"action": "open_campaigns", "_selected_action": [campaign.pk]},
            follow=True,
        )
        assert "只有筹备中的年度评价可以启动" in response.content.decode()

    def test_campaign_form_offers_only_active_bases(self, client, ministry, campaign, base, sibling_base):
        sibling_base.status = Base.Status.REVOKED
        sibling_base.revoked_on = "2022-01-01"
        sibling_base.save(update_fields=["status", "revoked_on"])
        client.force_login(ministry)
        response = client.get(reverse("admin:registry_campaign_change", args=[campaign.pk]))
        choices = {b.pk for b in response.context["adminform"].form.fields["bases"].queryset}
        assert base.pk in choices
        assert sibling_base.pk not in choices

    def test_campaign_deadlines_must_be_in_order(self, client, ministry, db):
        client.force_login(ministry)
        response = client.post(
            reverse("admin:registry_campaign_add"),
            {
                "title": "2024年示范基地发展质量评价",
                "year": 2024,
                "data_year": 2023,
                "history_years": "[2022, 2021]",
                "form_version": "2024",
                "base_deadline_0": "2024-08-24",
                "base_deadline_1": "23:59:59",
                "authority_deadline_0": "2024-08-20",
                "authority_deadline_1": "23:59:59",
            },
        )
        assert response.status_code == 200
        assert "不能早于示范基地报送截止时间" in response.content.decode()
        assert not Campaign.objects.filter(year=2024).exists()


def test_password_fixture_logs_in(client, sysadmin):
    # Guards the login used above: the shared cast's password works through the real backend.
    assert client.login(username="sysadmin", password=PASSWORD)
