"""The demo loader: a realistic, fictional, deterministic registry, loaded once, with a login per role."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import Role, User
from demo.registry import (
    CITY_FIRST,
    CITY_SECOND,
    DEFAULT_PASSWORD,
    DEMO_ACCOUNTS,
    PLACES,
    allocate,
    build_plan,
    demo_load,
)
from lib.deadlines import SHANGHAI
from permissions.access import visible_bases
from registry.models import Authority, Base, Campaign, Category, IndustryFlag, StarRating
from registry.reference import CATEGORIES

NAME_PATTERN = re.compile(r"^(?P<head>[^·()]+)(\((?P<detail>[^()]+)\))?·(?P<place>[^·()]+)$")
CODE_PATTERN = re.compile(r"^[A-T]\d{2}(\d{2})?$")
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI)
SMALL = 60


@pytest.fixture(scope="module")
def plan():
    return build_plan(450, seed=2022)


class TestAllocate:
    def test_it_gives_every_key_one_when_there_are_enough(self):
        result = allocate(12, {"a": 100, "b": 1, "c": 1})
        assert Counter(result) == {"a": 10, "b": 1, "c": 1}

    def test_it_splits_in_proportion(self):
        assert Counter(allocate(100, {"a": 3, "b": 1})) == {"a": 75, "b": 25}


class TestPlan:
    def test_it_has_the_requested_number_of_bases(self, plan):
        assert len(plan.bases) == 450

    def test_all_ten_batches_are_present_with_more_in_later_ones(self, plan):
        batches = Counter(s.batch for s in plan.bases)
        assert set(batches) == set(range(1, 11))
        assert batches[10] > batches[1]

    def test_every_category_is_present_and_industrial_ones_dominate(self, plan):
        categories = Counter(s.category_code for s in plan.bases)
        assert set(categories) == {code for code, _, _ in CATEGORIES}
        industrial = sum(categories[c] for c in ("equipment", "materials", "consumer", "electronics"))
        assert industrial > 0.7 * len(plan.bases)
        newer = len(plan.bases) - industrial
        assert 24 <= newer <= 150  # a few dozen

    def test_newer_kinds_only_appear_from_their_first_batch(self, plan):
        assert all(s.batch >= 8 for s in plan.bases if s.category_code == "datacenter")
        assert all(s.batch >= 9 for s in plan.bases if s.category_code == "industrial_internet")

    def test_names_are_unique_and_follow_the_official_pattern(self, plan):
        names = [s.name for s in plan.bases]
        assert len(set(names)) == len(names)
        for name in names:
            assert NAME_PATTERN.match(name), name

    def test_place_names_are_invented(self, plan):
        """After the real province or city prefix comes a city built from the invented syllables."""
        for spec in plan.bases:
            place = NAME_PATTERN.match(spec.name)["place"]
            prefix = PLACES[spec.authority_code].prefix
            assert place.startswith(prefix), spec.name
            city = place[len(prefix) : len(prefix) + 2]
            assert city[0] in CITY_FIRST and city[1] in CITY_SECOND, spec.name
            assert city in spec.location

    def test_every_industrial_authority_has_bases(self, plan):
        used = {s.authority_code for s in plan.bases}
        assert {code for code in PLACES if code.startswith("miit-")} <= used

    def test_comm_authorities_supervise_only_data_centers_and_industrial_internet(self, plan):
        comm = [s for s in plan.bases if s.authority_code.startswith("comm-")]
        assert comm
        assert {s.category_code for s in comm} <= {"datacenter", "industrial_internet"}

    def test_industry_flags_match_the_lead_industry(self, plan):
        materials_flags = {IndustryFlag.NONFERROUS, IndustryFlag.STEEL, IndustryFlag.CHEMICAL}
        for spec in plan.bases:
            if spec.category_code == "materials":
                assert set(spec.industry_flags) & materials_flags, spec.name
            if spec.category_code == "equipment":
                assert spec.industry_flags == (IndustryFlag.EQUIPMENT,), spec.name
            if spec.category_code in ("consumer", "electronics", "software", "bigdata", "datacenter"):
                assert spec.industry_flags == (), spec.name

    def test_sub_sectors_are_gb_t_4754_codes_under_their_division(self, plan):
        for spec in plan.bases:
            division, *classes = spec.sub_sectors
            assert CODE_PATTERN.match(division) and len(division) == 3
            assert classes and all(CODE_PATTERN.match(c) and c.startswith(division) for c in classes)

    def test_service_led_bases_are_marked_producer_services(self, plan):
        for spec in plan.bases:
            expected = spec.category_code in ("software", "industrial_internet", "bigdata", "datacenter")
            assert spec.producer_services_led == expected, spec.name

    def test_zone_flags_come_with_zone_names_in_the_base_name(self, plan):
        econ = [s for s in plan.bases if s.is_econ_zone]
        high_tech = [s for s in plan.bases if s.is_high_tech_zone]
        assert econ and high_tech
        assert not [s for s in plan.bases if s.is_econ_zone and s.is_high_tech_zone]
        assert all(s.econ_zone_name.endswith("经济技术开发区") and s.econ_zone_name in s.name for s in econ)
        assert all(s.high_tech_zone_name in s.name for s in high_tech)
        assert all(
            not s.econ_zone_name and not s.high_tech_zone_name
            for s in plan.bases
            if not (s.is_econ_zone or s.is_high_tech_zone)
        )

    def test_both_series_appear(self, plan):
        assert {s.series for s in plan.bases} == {Base.Series.ADVANTAGE, Base.Series.SPECIAL}

    def test_about_two_percent_are_revoked_with_dates(self, plan):
        revoked = [s for s in plan.bases if s.revoked_on]
        assert len(revoked) == 9
        assert all(s.batch <= 7 for s in revoked)

    def test_active_bases_have_ratings_for_2021_and_2020_mostly_three_or_four_stars(self, plan):
        active = [s for s in plan.bases if s.is_active]
        assert all({year for year, _ in s.stars} == {2020, 2021} for s in active)
        stars = Counter(stars for s in active for _, stars in s.stars)
        assert (stars[3] + stars[4]) > 0.6 * sum(stars.values())
        assert stars[5] > 0

    def test_same_seed_gives_the_same_plan(self, plan):
        assert build_plan(450, seed=2022) == plan

    def test_another_seed_gives_another_plan(self, plan):
        other = build_plan(450, seed=7)
        assert {s.name for s in other.bases} != {s.name for s in plan.bases}

    def test_demo_users_are_assigned_to_active_bases(self, plan):
        by_name = {s.name: s for s in plan.bases}
        assert by_name[plan.filler_base].is_active
        assert len(plan.expert_bases) == 5
        assert all(by_name[n].is_active for n in plan.expert_bases)
        assert plan.filler_base not in plan.expert_bases

    def test_it_scales_to_two_thousand_unique_names(self):
        big = build_plan(2000, seed=1)
        assert len({s.name for s in big.bases}) == 2000


@pytest.mark.django_db
@pytest.mark.usefixtures("forms_2022")
class TestDemoLoad:
    def test_it_loads_the_plan(self):
        result = demo_load(count=SMALL, seed=3, now=NOW)
        plan = build_plan(SMALL, seed=3)
        assert result.created
        assert Base.objects.count() == SMALL
        assert set(Base.objects.values_list("name", flat=True)) == {s.name for s in plan.bases}
        assert set(Base.objects.values_list("batch", flat=True)) == set(range(1, 11))
        assert Category.objects.filter(bases__isnull=True).count() == 0
        assert Authority.objects.count() == 68

    def test_revoked_bases_have_dates_and_miss_only_the_current_campaign(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        revoked = list(Base.objects.filter(status=Base.Status.REVOKED))
        assert revoked
        assert all(b.revoked_on for b in revoked)
        current = Campaign.objects.get(year=2022)
        assert not current.bases.filter(status=Base.Status.REVOKED).exists()
        assert current.bases.count() == Base.objects.filter(status=Base.Status.ACTIVE).count()
        # A base revoked after last year's campaign keeps its place in it and its ratings.
        previous = Campaign.objects.get(year=2021)
        for base in revoked:
            in_previous = previous.bases.filter(pk=base.pk).exists()
            assert in_previous == (base.revoked_on > dt.date(2021, 8, 20))
            assert base.star_ratings.filter(year=2020).exists()

    def test_campaigns_have_the_notice_years_and_statuses(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        previous = Campaign.objects.get(year=2021)
        current = Campaign.objects.get(year=2022)
        assert (previous.data_year, previous.history_years, previous.status) == (2020, [2019, 2018], "closed")
        assert (current.data_year, current.history_years, current.status) == (2021, [2020, 2019], "open")
        assert current.form_version == "2022"

    def test_current_deadlines_are_in_the_future_at_the_end_of_the_day(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        current = Campaign.objects.get(year=2022)
        assert current.base_deadline.astimezone(SHANGHAI) == dt.datetime(
            2026, 4, 9, 23, 59, 59, tzinfo=SHANGHAI
        )
        assert current.authority_deadline.astimezone(SHANGHAI) == dt.datetime(
            2026, 4, 16, 23, 59, 59, tzinfo=SHANGHAI
        )

    def test_star_ratings_for_active_bases(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        active = Base.objects.filter(status=Base.Status.ACTIVE)
        for year in (2020, 2021):
            assert StarRating.objects.filter(year=year, base__in=active).count() == active.count()

    def test_running_twice_changes_nothing(self):
        demo_load(count=SMALL, seed=3, now=NOW)

        def snapshot():
            return (
                list(Base.objects.order_by("pk").values_list("pk", "name", "status", "updated_at")),
                list(StarRating.objects.order_by("pk").values_list("pk", "base_id", "year", "stars")),
                list(Campaign.objects.order_by("pk").values_list("pk", "status", "base_deadline")),
                sorted(Campaign.bases.through.objects.values_list("campaign_id", "base_id")),
                list(User.objects.order_by("pk").values_list("pk", "username", "password", "base_id")),
            )

        before = snapshot()
        result = demo_load(count=SMALL, seed=3, now=NOW + dt.timedelta(days=40))
        assert not result.created
        assert result.created_accounts == []
        assert snapshot() == before

    def test_it_does_not_add_bases_when_others_exist(self, base):
        result = demo_load(count=SMALL, seed=3, now=NOW)
        assert not result.created
        assert list(Base.objects.all()) == [base]
        # The accounts still exist, bound to what is there.
        assert User.objects.get(username="demo_filler").base == base

    def test_same_seed_binds_the_same_users(self):
        plan = build_plan(SMALL, seed=3)
        demo_load(count=SMALL, seed=3, now=NOW)
        filler = User.objects.get(username="demo_filler")
        expert = User.objects.get(username="demo_expert")
        assert filler.base.name == plan.filler_base
        assert sorted(expert.assigned_bases.values_list("name", flat=True)) == list(plan.expert_bases)

    def test_one_account_per_role_bound_to_its_unit(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        users = {u.role: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
        assert set(users) == set(Role.values)
        filler, reviewer = users[Role.BASE_FILLER], users[Role.AUTHORITY_REVIEWER]
        assert filler.base.is_active
        assert Campaign.objects.get(year=2022).bases.filter(pk=filler.base_id).exists()
        assert reviewer.authority_id == filler.base.authority_id
        assert filler.base in visible_bases(reviewer)
        assert visible_bases(users[Role.EXPERT]).count() == 5
        assert visible_bases(users[Role.MINISTRY_ADMIN]).count() == SMALL
        for role in (Role.MINISTRY_ADMIN, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
            assert users[role].is_staff
        for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
            assert not visible_bases(users[role]).exists()
        assert not filler.is_staff and not reviewer.is_staff

    def test_every_demo_account_has_an_email_address_for_the_console_backend(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        for user in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]):
            assert user.email == f"{user.username}@example.com"

    def test_accounts_log_in_with_the_demo_password(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        for spec in DEMO_ACCOUNTS:
            assert Client().login(username=spec.username, password=DEFAULT_PASSWORD), spec.username

    def test_a_missing_account_is_recreated_and_others_kept(self):
        demo_load(count=SMALL, seed=3, now=NOW)
        User.objects.filter(username="demo_expert").update(username="retired_expert")
        filler_before = User.objects.get(username="demo_filler")
        result = demo_load(count=SMALL, seed=3, now=NOW)
        assert result.created_accounts == ["demo_expert"]
        assert User.objects.get(username="demo_expert").assigned_bases.count() == 5
        filler_after = User.objects.get(username="demo_filler")
        assert (filler_after.pk, filler_after.password) == (filler_before.pk, filler_before.password)


@pytest.mark.django_db
class TestCommand:
    def run(self, *args: str) -> str:
        out = io.StringIO()
        call_command("load_demo", *args, stdout=out)
        return out.getvalue()

    def test_it_prints_the_url_deadline_note_and_every_login(self, monkeypatch):
        monkeypatch.setenv("PORT", "8123")
        output = self.run("--bases", "30", "--seed", "5")
        assert "http://127.0.0.1:8123/" in output
        assert "2022-08-24" in output and "30 天" in output and "37 天" in output
        assert output.count(DEFAULT_PASSWORD) == len(DEMO_ACCOUNTS)
        filler = User.objects.get(username="demo_filler")
        for spec in DEMO_ACCOUNTS:
            assert spec.username in output
        for label in Role.labels:
            assert label in output
        assert filler.base.name in output
        assert filler.base.authority.name in output
        assert Base.objects.count() == 30

    def test_second_run_says_the_data_exists_and_still_prints_logins(self):
        self.run("--bases", "30")
        output = self.run("--bases", "30")
        assert "已存在" in output
        assert "demo_ministry" in output and DEFAULT_PASSWORD in output
        assert Base.objects.count() == 30

    def test_it_hides_a_password_that_was_changed(self):
        self.run("--bases", "30")
        user = User.objects.get(username="demo_filler")
        user.set_password("Another-Secret-42")
        user.save(update_fields=["password"])
        output = self.run("--bases", "30")
        line = next(line for line in output.splitlines() if "demo_filler" in line)
        assert DEFAULT_PASSWORD not in line and "已被修改" in line

    def test_it_uses_the_given_password(self):
        self.run("--bases", "30", "--password", "Qing-Lan-Demo-88")
        assert Client().login(username="demo_ministry", password="Qing-Lan-Demo-88")

    def test_it_refuses_a_weak_password(self):
        with pytest.raises(CommandError, match="演示密码不符合要求"):
            self.run("--bases", "30", "--password", "12345678")
        assert not Base.objects.exists()

    def test_it_refuses_too_few_bases(self):
        with pytest.raises(CommandError, match="--bases"):
            self.run("--bases", "5")
