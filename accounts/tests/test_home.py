"""Each role's home page shows real figures from its own scope, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.dashboards import dashboard_for, filler_next_step
from accounts.models import Role
from definitions.models import Definition
from registry.models import Base, Campaign, StarRating
from submissions.models import Submission

HOME = "/"
BJ = dt.timezone(dt.timedelta(hours=8))


def get_home(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def revoke(base: Base) -> None:
    base.status = Base.Status.REVOKED
    base.revoked_on = dt.date(2022, 1, 1)
    base.save(update_fields=["status", "revoked_on"])


class TestAnonymous:
    def test_it_sends_anonymous_to_login(self, client):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


class TestMinistryHome:
    def test_it_counts_bases_by_status_authority_and_participation(
        self, client, ministry, campaign, base, sibling_base, other_base, hunan, jiangsu
    ):
        revoke(sibling_base)
        ctx = dashboard_for(ministry, now=dt.datetime(2022, 8, 14, 10, 0, tzinfo=BJ))
        assert ctx["total_bases"] == 3
        assert {s["code"]: s["n"] for s in ctx["statuses"]} == {"active": 2, "revoked": 1}
        rows = {a["name"]: a for a in ctx["authorities"]}
        assert set(rows) == {hunan.name, jiangsu.name}
        assert (rows[hunan.name]["n"], rows[hunan.name]["active"], rows[hunan.name]["participating"]) == (
            2,
            1,
            2,
        )
        assert (
            rows[jiangsu.name]["n"],
            rows[jiangsu.name]["active"],
            rows[jiangsu.name]["participating"],
        ) == (
            1,
            1,
            1,
        )
        assert ctx["state"].campaign.participating == 3
        assert ctx["state"].campaign.participating_active == 2
        assert ctx["authorities_with_bases"] == 2
        assert ctx["authority_count"] > 2

    def test_it_counts_by_category_and_batch(self, ministry, base, sibling_base, other_base):
        ctx = dashboard_for(ministry)
        by_category = {c["name"]: c["n"] for c in ctx["categories"]}
        assert by_category[base.category.name] == 2
        assert by_category[other_base.category.name] == 1
        assert [(b["label"], b["n"]) for b in ctx["batches"]] == [("第一批", 1), ("第二批", 1), ("第三批", 1)]

    def test_links_carry_the_registry_list_filters(self, ministry, base, hunan, equipment):
        ctx = dashboard_for(ministry)
        hunan_row = next(a for a in ctx["authorities"] if a["name"] == hunan.name)
        url = urlsplit(hunan_row["active_url"])
        assert url.path == reverse("registry:base_list")
        assert parse_qs(url.query) == {"authority": [str(hunan.pk)], "status": ["active"]}
        category_row = next(c for c in ctx["categories"] if c["name"] == equipment.name)
        assert parse_qs(urlsplit(category_row["url"]).query) == {"category": [str(equipment.pk)]}
        batch_row = ctx["batches"][0]
        assert parse_qs(urlsplit(batch_row["url"]).query) == {"batch": ["1"]}
        revoked = next(s for s in ctx["statuses"] if s["code"] == "revoked")
        assert parse_qs(urlsplit(revoked["url"]).query) == {"status": ["revoked"]}

    def test_countdown_uses_beijing_dates(self, ministry, campaign):
        state = dashboard_for(ministry, now=dt.datetime(2022, 8, 14, 10, 0, tzinfo=BJ))["state"]
        assert (state.base_deadline.date_label, state.base_deadline.label) == ("2022年8月24日", "还剩 10 天")
        assert (state.authority_deadline.date_label, state.authority_deadline.label) == (
            "2022年8月31日",
            "还剩 17 天",
        )
        after = dashboard_for(ministry, now=dt.datetime(2022, 8, 25, 0, 0, 1, tzinfo=BJ))["state"]
        assert after.base_deadline.label == "已截止"
        assert after.authority_deadline.label == "还剩 6 天"

    def test_current_campaign_prefers_the_open_one(self, ministry, campaign):
        Campaign.objects.create(
            year=2023,
            data_year=2022,
            history_years=[2021, 2020],
            title="2023年示范基地发展质量评价",
            form_version="2023",
            base_deadline=campaign.base_deadline + dt.timedelta(days=365),
            authority_deadline=campaign.authority_deadline + dt.timedelta(days=365),
            status=Campaign.Status.DRAFT,
        )
        assert dashboard_for(ministry)["state"].campaign == campaign
        campaign.status = Campaign.Status.CLOSED
        campaign.save(update_fields=["status"])
        assert dashboard_for(ministry)["state"].campaign.year == 2023

    def test_page_shows_campaign_deadlines_and_table(self, client, ministry, campaign, hunan):
        response = get_home(client, ministry)
        html = response.content.decode()
        assert campaign.title in html
        assert "2022年8月24日（含）" in html
        assert "2022年8月31日（含）" in html
        assert "已截止" in html
        assert hunan.name in html
        assert f"?authority={hunan.pk}" in html

    def test_page_without_campaign_says_so(self, client, ministry, base):
        html = get_home(client, ministry).content.decode()
        assert "本年度评价尚未开启" in html


class TestReviewerHome:
    def test_it_lists_own_authoritys_bases_only(
        self, client, reviewer, campaign, base, sibling_base, other_base
    ):
        html = get_home(client, reviewer).content.decode()
        assert base.name in html
        assert sibling_base.name in html
        assert other_base.name not in html
        assert reverse("registry:base_detail", args=[base.pk]) in html
        assert reverse("registry:base_detail", args=[other_base.pk]) not in html

    def test_it_counts_by_category_status_and_participation(
        self, reviewer, campaign, base, sibling_base, equipment
    ):
        revoke(sibling_base)
        campaign.bases.remove(sibling_base)
        ctx = dashboard_for(reviewer)
        assert (ctx["total_bases"], ctx["active_bases"], ctx["revoked_bases"], ctx["participating"]) == (
            2,
            1,
            1,
            1,
        )
        assert ctx["by_category"] == [{"name": equipment.name, "active": 1, "revoked": 1}]


class TestFillerHome:
    def test_it_shows_own_base_facts(self, client, filler, campaign, base, sibling_base, hunan):
        StarRating.objects.create(base=base, year=2021, stars=4)
        html = get_home(client, filler).content.decode()
        assert base.name in html
        assert hunan.name in html
        assert "第一批" in html
        assert "2021年度 4 星" in html
        assert sibling_base.name not in html

    def test_it_says_when_the_campaign_has_closed_for_bases(self, client, filler, campaign):
        html = get_home(client, filler).content.decode()
        assert "示范基地报送已于2022年8月24日截止" in html

    def test_it_tells_what_to_do_before_the_deadline(self, client, filler, open_campaign):
        html = get_home(client, filler).content.decode()
        at = open_campaign.base_deadline.astimezone(BJ)
        assert f"请于{at.year}年{at.month}月{at.day}日（含）前完成" in html
        assert "尚未开始填报" in html
        assert "还剩 10 天" in html

    def test_it_shows_the_submission_state(self, client, filler, base, open_campaign):
        summary = Definition.objects.create(
            version="2022", code="summary", title="汇总表", content={}, checksum="0" * 64
        )
        Submission.objects.create(
            campaign=open_campaign, base=base, summary_definition=summary, status=Submission.Status.SUBMITTED
        )
        html = get_home(client, filler).content.decode()
        assert "材料已提交，等待省级主管部门初审。" in html
        assert "填报材料状态：已提交" in html

    def test_it_says_when_no_campaign_exists(self, client, filler):
        assert "本年度评价尚未开启" in get_home(client, filler).content.decode()

    def test_it_says_when_the_base_does_not_take_part(self, client, filler, open_campaign, base):
        open_campaign.bases.remove(base)
        html = get_home(client, filler).content.decode()
        assert "不在" in html and "参评名单中，无需填报" in html


class TestFillerNextStep:
    """The sentence under 下一步 for each state of base and campaign."""

    def state(self, campaign, now):
        from accounts.dashboards import campaign_state

        return campaign_state(campaign, now)

    def test_revoked_base_takes_no_part(self, base, campaign):
        revoke(base)
        assert "已取消称号" in filler_next_step(base, True, self.state(campaign, campaign.base_deadline))[1]

    def test_draft_campaign_is_not_open_yet(self, base, campaign):
        campaign.status = Campaign.Status.DRAFT
        text = filler_next_step(base, True, self.state(campaign, campaign.base_deadline))[1]
        assert text == "2022年度评价尚未开启填报，请关注规划司通知。"

    def test_closed_campaign_is_over(self, base, campaign):
        campaign.status = Campaign.Status.CLOSED
        assert (
            filler_next_step(base, True, self.state(campaign, campaign.base_deadline))[1]
            == "2022年度评价已结束。"
        )

    def test_open_campaign_before_deadline_names_the_day(self, base, campaign):
        badge, text = filler_next_step(base, True, self.state(campaign, dt.datetime(2022, 8, 1, tzinfo=BJ)))
        assert text.startswith("请于2022年8月24日（含）前完成2021年度汇总表")
        assert badge == "ok"

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            ("draft", "已开始填报，请于2022年8月24日（含）前完成"),
            ("submitted", "材料已提交，等待省级主管部门初审。"),
            ("returned", "材料已被省级主管部门退回，请按审核意见修改，并于2022年8月24日（含）前重新提交。"),
            ("approved", "材料已通过省级主管部门初审，已报送工业和信息化部。"),
            ("accepted", "材料已由工业和信息化部受理。"),
        ],
    )
    def test_it_follows_the_submission(self, base, campaign, status, expected):
        text = filler_next_step(base, True, self.state(campaign, dt.datetime(2022, 8, 1, tzinfo=BJ)), status)[
            1
        ]
        assert text.startswith(expected)

    def test_submitted_material_is_not_called_late_after_the_deadline(self, base, campaign):
        after = self.state(campaign, dt.datetime(2022, 9, 1, tzinfo=BJ))
        assert filler_next_step(base, True, after, "submitted")[1] == "材料已提交，等待省级主管部门初审。"
        assert "已于2022年8月24日截止" in filler_next_step(base, True, after, None)[1]

    def test_last_week_is_a_warning(self, base, campaign):
        badge, _ = filler_next_step(base, True, self.state(campaign, dt.datetime(2022, 8, 20, tzinfo=BJ)))
        assert badge == "warn"


class TestExpertHome:
    def test_it_lists_assigned_bases_only(self, client, expert, campaign, base, sibling_base, other_base):
        html = get_home(client, expert).content.decode()
        assert base.name in html
        assert sibling_base.name not in html
        assert other_base.name not in html

    def test_unassigned_expert_is_told(self, client, make_account, base):
        html = get_home(client, make_account("lonely")).content.decode()
        assert "尚未为您分配评审的示范基地" in html


class TestOperatorHomes:
    """三员分立: account facts only, never a base's name."""

    @pytest.mark.parametrize("role_fixture", ["sysadmin", "secadmin", "auditor"])
    def test_operators_see_no_base_data(
        self, client, request, role_fixture, campaign, base, other_base, filler
    ):
        html = get_home(client, request.getfixturevalue(role_fixture)).content.decode()
        assert base.name not in html
        assert other_base.name not in html
        assert campaign.title not in html

    def test_sysadmin_counts_users_by_role_and_inactive(
        self, client, sysadmin, filler, other_filler, reviewer, expert, make_account, base
    ):
        make_account("idle", Role.EXPERT, is_active=False)
        ctx = dashboard_for(sysadmin)
        by_role = {r["label"]: (r["total"], r["active"]) for r in ctx["roles"]}
        assert by_role["基地填报员"] == (2, 2)
        assert by_role["评审专家"] == (2, 1)
        assert by_role["系统管理员"] == (1, 1)
        assert ctx["inactive_count"] == 1
        assert [u.username for u in ctx["inactive"]] == ["idle"]
        # `expert` has a base; the inactive one is not counted as needing work.
        assert ctx["experts_unassigned"] == 0
        html = get_home(client, sysadmin).content.decode()
        assert reverse("admin:accounts_user_changelist") in html
        assert "idle" in html

    def test_sysadmin_sees_fillers_bound_to_revoked_bases_and_idle_experts(
        self, sysadmin, filler, base, make_account
    ):
        revoke(base)
        make_account("new_expert")
        ctx = dashboard_for(sysadmin)
        assert ctx["fillers_on_revoked"] == 1
        assert ctx["experts_unassigned"] == 1

    def test_security_admin_sees_login_facts(self, client, secadmin, filler, reviewer, make_account):
        from django.utils import timezone

        now = timezone.now()
        filler.last_login = now - dt.timedelta(days=2)
        filler.save(update_fields=["last_login"])
        reviewer.last_login = now - dt.timedelta(days=200)
        reviewer.save(update_fields=["last_login"])
        make_account("gone", is_active=False)
        client.force_login(secadmin)  # sets secadmin's own last_login too
        facts = client.get(HOME).context["facts"]
        assert facts["recent_logins"] == 2
        assert facts["dormant"] == 1
        assert facts["inactive"] == 1
        assert facts["staff"] == 1
        html = client.get(HOME).content.decode()
        assert "filler" in html
        assert "超过 90 天未登录的启用账号" in html

    def test_audit_admin_lists_the_operators(self, client, auditor, sysadmin, secadmin, filler):
        ctx = get_home(client, auditor).context
        assert {u.username for u in ctx["operators"]} == {"auditor", "sysadmin", "secadmin"}


# Queries each builder runs, whatever the number of bases or users.
BUILDER_QUERIES = {
    "ministry": 6,
    "reviewer": 2,
    "filler": 3,
    "expert": 2,
    "sysadmin": 3,
    "secadmin": 2,
    "auditor": 4,
}
# The shared layout's own queries (session, user, navigation counters, unit name); they belong to
# base.html and its context processors, so a looser bound here keeps this test about the builders.
LAYOUT_QUERIES = 5


class TestQueryCounts:
    """Dashboards run a fixed number of queries: the same with 3 bases as with 63."""

    @pytest.fixture
    def grow(self, campaign, expert, many_bases, make_account):
        def run() -> None:
            extra = many_bases(60)
            campaign.bases.add(*extra)
            expert.assigned_bases.add(*extra[:40])
            for i in range(30):
                make_account(f"u{i:02d}", is_active=i % 3 != 0)

        return run

    @pytest.mark.parametrize("role_fixture", list(BUILDER_QUERIES))
    def test_builder_queries_are_fixed(self, request, role_fixture, grow, django_assert_max_num_queries):
        user = request.getfixturevalue(role_fixture)
        grow()
        with django_assert_max_num_queries(BUILDER_QUERIES[role_fixture]):
            dashboard_for(user)

    @pytest.mark.parametrize("role_fixture", list(BUILDER_QUERIES))
    def test_page_queries_do_not_grow_with_bases(
        self, client, request, role_fixture, grow, django_assert_max_num_queries
    ):
        user = request.getfixturevalue(role_fixture)
        client.force_login(user)
        with CaptureQueriesContext(connection) as few:
            client.get(HOME)
        grow()
        with django_assert_max_num_queries(BUILDER_QUERIES[role_fixture] + LAYOUT_QUERIES) as many:
            response = client.get(HOME)
        assert response.status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries)
        if "bases" in response.context:
            assert len(response.context["bases"]) > 2  # the scope really grew
